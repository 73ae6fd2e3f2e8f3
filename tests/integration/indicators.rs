//! Indicators against TA-Lib on real candles: every column of the reference table over the whole
//! shipped BTCUSDT and ETHUSDT 1h series, compared with the sampled rows of TA-Lib's own output
//! (`tests/fixtures/reference/talib`); composition; and every registered indicator's warm-up.
//!
//! Rule, per cell: a value exactly where TA-Lib has one, and within 1e-9 relative of it (1e-9
//! absolute where |TA-Lib| < 1e-6).

use crate::common::{repo, shipped_1h};
use std::{collections::HashMap, io::BufRead};
use tickdesk::indicators::{Indicator, Sma, build, reference_columns, reference_table, specs};
use tickdesk::market::Candle;

/// TA-Lib's sampled rows: header (without open_time) and open_time → cells.
struct Reference {
    columns: Vec<String>,
    rows: Vec<(i64, Vec<Option<f64>>)>,
}

fn reference(symbol: &str) -> Reference {
    let path = repo().join(format!(
        "tests/fixtures/reference/talib/{symbol}-1h.sample.csv.gz"
    ));
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap());
    let mut lines = std::io::BufReader::new(gz).lines();
    let header = lines.next().unwrap().unwrap();
    let mut names = header.split(',');
    assert_eq!(names.next(), Some("open_time"));
    let columns = names.map(str::to_string).collect();
    let rows = lines
        .map(|line| {
            let line = line.unwrap();
            let mut cells = line.split(',');
            let time = cells.next().unwrap().parse().unwrap();
            let values = cells
                .map(|c| (!c.is_empty()).then(|| c.parse::<f64>().unwrap()))
                .collect();
            (time, values)
        })
        .collect();
    Reference { columns, rows }
}

fn agrees(ours: Option<f64>, theirs: Option<f64>) -> bool {
    match (ours, theirs) {
        (Some(o), Some(t)) => {
            let bound = if t.abs() < 1e-6 { 1e-9 } else { 1e-9 * t.abs() };
            (o - t).abs() <= bound
        }
        (o, t) => o.is_none() && t.is_none(),
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "(none)".to_string(), |v| format!("{v:?}"))
}

fn matches_talib(symbol: &str) {
    let candles = shipped_1h(symbol);
    let reference = reference(symbol);
    let table = reference_table(candles).unwrap();
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, reference.columns, "columns and their order");
    let row_of: HashMap<i64, usize> = candles
        .iter()
        .enumerate()
        .map(|(i, c)| (c.open_time, i))
        .collect();
    assert!(reference.rows.len() > 1_000, "the sample covers the series");
    let mut report = Vec::new();
    for (j, (name, column)) in table.iter().enumerate() {
        let mut bad = Vec::new();
        for (time, cells) in &reference.rows {
            let row = *row_of.get(time).unwrap_or_else(|| {
                panic!("{symbol}: reference row {time} is not a shipped candle")
            });
            let (ours, theirs) = (Some(column[row]).filter(|v| !v.is_nan()), cells[j]);
            if !agrees(ours, theirs) {
                bad.push(format!(
                    "    open_time {time} (bar {row}): ours {}, TA-Lib {}",
                    show(ours),
                    show(theirs)
                ));
            }
        }
        if !bad.is_empty() {
            report.push(format!(
                "  {name}: {} mismatching rows\n{}",
                bad.len(),
                bad.join("\n")
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{symbol}: {} of {} columns disagree with TA-Lib:\n{}",
        report.len(),
        table.len(),
        report.join("\n")
    );
}

#[test]
fn btcusdt_1h_matches_talib_in_every_column() {
    matches_talib("BTCUSDT");
}

#[test]
fn ethusdt_1h_matches_talib_in_every_column() {
    matches_talib("ETHUSDT");
}

#[test]
fn reference_expressions_cover_the_reference_file() {
    let columns = reference_columns();
    assert_eq!(columns.len(), 36);
    for (name, expr, output) in columns {
        let (indicator, outputs) = build(expr).unwrap();
        assert!(
            output < indicator.outputs() && output < outputs.len(),
            "{name}: `{expr}` has no output {output}"
        );
    }
}

#[test]
fn an_indicator_over_an_indicator_is_the_second_over_the_firsts_values() {
    let candles = shipped_1h("BTCUSDT");
    let (mut chained, _) = build("rsi(14) | sma(5)").unwrap();
    let (mut rsi, _) = build("rsi(14)").unwrap();
    let mut sma = Sma::new(5);
    let mut compared = 0;
    for bar in candles {
        chained.update(bar);
        rsi.update(bar);
        let want = rsi.value().and_then(|v| sma.push(v));
        assert_eq!(chained.value(), want, "bar {}", bar.open_time);
        compared += usize::from(want.is_some());
    }
    assert_eq!(compared, candles.len() - 14 - 4);
    assert_eq!(chained.lookback(), 14 + 4);
}

/// The bar at which each output first has a value.
fn first_values(indicator: &mut dyn Indicator, candles: &[Candle]) -> Vec<Option<usize>> {
    let mut first = vec![None; indicator.outputs()];
    for (i, bar) in candles.iter().enumerate() {
        indicator.update(bar);
        for (k, slot) in first.iter_mut().enumerate() {
            if slot.is_none() && indicator.output(k).is_some() {
                *slot = Some(i);
            }
        }
    }
    first
}

#[test]
fn every_registered_indicator_warms_up_exactly_over_its_lookback() {
    let candles = &shipped_1h("ETHUSDT")[..2_000];
    for spec in specs() {
        let (mut indicator, outputs) = build(spec.name).unwrap();
        assert_eq!(outputs.len(), spec.outputs.len(), "{}", spec.name);
        assert_eq!(indicator.outputs(), spec.outputs.len(), "{}", spec.name);
        let lookback = indicator.lookback();
        let first = first_values(indicator.as_mut(), candles);
        let last_to_start = first.iter().map(|f| f.unwrap_or(usize::MAX)).max();
        assert_eq!(
            last_to_start,
            Some(lookback),
            "{}: every output has a value from bar {lookback} on, the last one starting exactly there; first values at {first:?}",
            spec.name
        );
        indicator.reset();
        assert_eq!(indicator.value(), None, "{} after reset", spec.name);
        let again = first_values(indicator.as_mut(), candles);
        assert_eq!(again, first, "{} after reset", spec.name);
    }
}

#[test]
fn a_reset_indicator_repeats_its_values() {
    let candles = &shipped_1h("BTCUSDT")[..1_500];
    for spec in specs() {
        let (mut indicator, _) = build(spec.name).unwrap();
        let run = |ind: &mut dyn Indicator| -> Vec<Option<f64>> {
            candles
                .iter()
                .map(|b| {
                    ind.update(b);
                    ind.value()
                })
                .collect()
        };
        let first = run(indicator.as_mut());
        indicator.reset();
        assert_eq!(run(indicator.as_mut()), first, "{}", spec.name);
        let warm = first.iter().skip(indicator.lookback()).all(Option::is_some);
        assert!(
            warm,
            "{}: a value on every bar after the warm-up",
            spec.name
        );
    }
}
