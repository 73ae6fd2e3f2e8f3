//! The reference table: every column of TA-Lib's reference file computed over a candle series,
//! each distinct expression built and run once, and its CSV form (`open_time` then one column per
//! output, an empty field where there is no value, numbers in Rust's shortest round-trip form so
//! they parse back to the same `f64`).

use super::{IndicatorError, build, reference_columns};
use crate::market::Candle;
use std::io::{self, Write};

/// One named column of values, NaN where the indicator has none (half the memory of `Option<f64>`,
/// which matters for 36 columns over long series).
pub type Column = (&'static str, Vec<f64>);

/// Every output of one expression over the series, or why it could not be built.
type Outputs = Result<Vec<Vec<f64>>, IndicatorError>;

/// All reference columns over `candles`, in the reference file's order, on the calling thread.
pub fn reference_table(candles: &[Candle]) -> Result<Vec<Column>, IndicatorError> {
    let columns = reference_columns();
    let mut exprs: Vec<&'static str> = Vec::new();
    for (_, expr, _) in &columns {
        if !exprs.contains(expr) {
            exprs.push(expr);
        }
    }
    // Fail before any work if an expression does not build.
    for expr in &exprs {
        build(expr)?;
    }
    // One expression at a time, each over the whole series (its state stays in cache).
    let runs: Vec<(usize, Outputs)> = exprs
        .iter()
        .enumerate()
        .map(|(at, expr)| (at, run(expr, candles)))
        .collect();
    let mut outputs = Vec::with_capacity(runs.len());
    for (_, run) in runs {
        outputs.push(run?);
    }
    Ok(columns
        .iter()
        .map(|(name, expr, output)| {
            let at = exprs.iter().position(|e| e == expr).unwrap_or(0);
            (*name, std::mem::take(&mut outputs[at][*output]))
        })
        .collect())
}

/// Every output of `expr` over the series.
fn run(expr: &str, candles: &[Candle]) -> Outputs {
    let (mut indicator, _) = build(expr)?;
    let mut outs = vec![Vec::with_capacity(candles.len()); indicator.outputs()];
    for bar in candles {
        indicator.update(bar);
        for (k, out) in outs.iter_mut().enumerate() {
            out.push(indicator.output(k).unwrap_or(f64::NAN));
        }
    }
    Ok(outs)
}

/// Writes `open_time,<columns>` and one row per candle. Every column must hold one value per
/// candle.
pub fn write_table_csv<W: Write>(out: W, candles: &[Candle], table: &[Column]) -> io::Result<()> {
    if let Some((name, column)) = table.iter().find(|(_, c)| c.len() != candles.len()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "column {name} has {} values for {} candles",
                column.len(),
                candles.len()
            ),
        ));
    }
    let mut out = io::BufWriter::new(out);
    out.write_all(b"open_time")?;
    for (name, _) in table {
        write!(out, ",{name}")?;
    }
    out.write_all(b"\n")?;
    for (row, bar) in candles.iter().enumerate() {
        write!(out, "{}", bar.open_time)?;
        for (_, column) in table {
            match column[row] {
                v if v.is_nan() => out.write_all(b",")?,
                v => write!(out, ",{v}")?,
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candles(n: usize) -> Vec<Candle> {
        (0..n)
            .map(|i| {
                let x = 100.0 + (i as f64 * 0.7).sin() * 5.0 + i as f64 * 0.1;
                Candle {
                    open_time: i as i64 * 3_600_000,
                    open: x,
                    high: x + 1.0,
                    low: x - 1.0,
                    close: x + 0.25,
                    volume: 10.0 + i as f64,
                }
            })
            .collect()
    }

    #[test]
    fn table_has_every_reference_column_in_order_with_talib_warmups() {
        let bars = candles(120);
        let table = reference_table(&bars).unwrap();
        let names: Vec<_> = table.iter().map(|(n, _)| *n).collect();
        let want: Vec<_> = reference_columns().iter().map(|(n, _, _)| *n).collect();
        assert_eq!(names, want);
        let first = |name: &str| {
            let (_, col) = table.iter().find(|(n, _)| *n == name).unwrap();
            col.iter().position(|v| !v.is_nan())
        };
        assert_eq!(first("sma_20"), Some(19));
        assert_eq!(first("macd"), Some(33));
        assert_eq!(first("adx_14"), Some(27));
        assert_eq!(first("stochrsi_k"), Some(20));
        assert_eq!(first("stochrsi_tv_k"), Some(31));
        assert_eq!(first("trix_15"), Some(43));
        assert_eq!(first("obv"), Some(0));
    }

    #[test]
    fn csv_round_trips_values_and_leaves_gaps_empty() {
        let bars = candles(3);
        let table: Vec<Column> = vec![
            ("a", vec![f64::NAN, 0.1 + 0.2, -1e-20]),
            ("b", vec![2.0; 3]),
        ];
        let mut buf = Vec::new();
        write_table_csv(&mut buf, &bars, &table).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "open_time,a,b");
        assert_eq!(lines[1], "0,,2");
        let fields: Vec<&str> = lines[2].split(',').collect();
        assert_eq!(fields[1].parse::<f64>().unwrap(), 0.1 + 0.2);
        assert_eq!(
            lines[3].split(',').nth(1).unwrap().parse::<f64>().unwrap(),
            -1e-20
        );
        let short: Vec<Column> = vec![("a", vec![f64::NAN])];
        assert!(write_table_csv(Vec::new(), &bars, &short).is_err());
    }
}
