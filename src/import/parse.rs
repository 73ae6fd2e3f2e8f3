//! Parsing kline files, a row at a time, with a reason for every row refused.
//!
//! Two layouts are recognised from the first line: Binance's header-less dump (12 columns; open
//! time in milliseconds before 2025 and microseconds from 2025, detected per row; the close time
//! must match the interval, which catches a wrong `--interval`) and a CSV whose header starts
//! `open_time,open,high,low,close,volume` (open time in ms or µs, further columns ignored).

use crate::market::{Candle, Interval, time::Utc};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    BinanceDump,
    HeaderCsv,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

#[derive(Debug)]
pub struct Parsed {
    pub layout: Layout,
    pub candles: Vec<Candle>,
    pub bad: Vec<BadRow>,
}

pub const HEADER: [&str; 6] = ["open_time", "open", "high", "low", "close", "volume"];
const MAX_FIELDS: usize = 12;

/// Parses a whole file. `Err` is for files that are not kline files at all.
pub fn parse(bytes: &[u8], interval: Interval) -> Result<Parsed, String> {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)));
    let Some((_, first)) = lines.clone().find(|(_, l)| !l.is_empty()) else {
        return Err("the file is empty".into());
    };
    let layout = if first.first().is_some_and(u8::is_ascii_digit) {
        Layout::BinanceDump
    } else {
        check_header(first)?;
        lines.find(|(_, l)| !l.is_empty());
        Layout::HeaderCsv
    };
    let mut out = Parsed {
        layout,
        candles: Vec::with_capacity(bytes.len() / 60),
        bad: Vec::new(),
    };
    let mut prev: Option<(i64, usize)> = None;
    for (line, text) in lines.filter(|(_, l)| !l.is_empty()) {
        match row(text, layout, interval) {
            Ok(c) => match prev {
                Some((t, at)) if t == c.open_time => {
                    out.bad.push(BadRow {
                        line,
                        reason: format!("duplicate of line {at} ({})", Utc(t)),
                    });
                }
                Some((t, _)) if t > c.open_time => out.bad.push(BadRow {
                    line,
                    reason: format!(
                        "{} comes before the previous row's {} (rows must be in time order)",
                        Utc(c.open_time),
                        Utc(t)
                    ),
                }),
                _ => {
                    prev = Some((c.open_time, line));
                    out.candles.push(c);
                }
            },
            Err(reason) => out.bad.push(BadRow { line, reason }),
        }
    }
    Ok(out)
}

fn check_header(line: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(line);
    let names: Vec<String> = text
        .split(',')
        .map(|n| n.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    if names.len() >= HEADER.len()
        && names[..HEADER.len()]
            .iter()
            .zip(HEADER)
            .all(|(a, b)| a == b)
    {
        Ok(())
    } else {
        let shown: String = text.chars().take(80).collect();
        Err(format!(
            "line 1 is `{shown}`; expected a header starting `{}`, or Binance's header-less kline rows",
            HEADER.join(",")
        ))
    }
}

fn row(text: &[u8], layout: Layout, interval: Interval) -> Result<Candle, String> {
    let mut fields: [&[u8]; MAX_FIELDS] = [&[]; MAX_FIELDS];
    let mut n = 0;
    for f in text.split(|&b| b == b',') {
        if n < MAX_FIELDS {
            fields[n] = f;
        }
        n += 1;
    }
    if n < HEADER.len() || (layout == Layout::BinanceDump && n != MAX_FIELDS) {
        let want = if layout == Layout::BinanceDump {
            "12"
        } else {
            "at least 6"
        };
        return Err(format!("{n} columns, expected {want}"));
    }
    let (open_time, unit) = timestamp(fields[0], "open_time")?;
    if !interval.is_aligned(open_time) {
        return Err(format!(
            "open_time {} is not on a {interval} boundary (is the interval right?)",
            Utc(open_time)
        ));
    }
    if layout == Layout::BinanceDump {
        check_close_time(fields[6], open_time, unit, interval)?;
    }
    let c = Candle {
        open_time,
        open: number(fields[1], "open")?,
        high: number(fields[2], "high")?,
        low: number(fields[3], "low")?,
        close: number(fields[4], "close")?,
        volume: number(fields[5], "volume")?,
    };
    c.check().map_err(|fault| fault.to_string())?;
    Ok(c)
}

/// Milliseconds and the unit the field was written in (1 for ms, 1000 for µs).
fn timestamp(field: &[u8], name: &str) -> Result<(i64, i64), String> {
    let raw =
        int(field).ok_or_else(|| format!("{name} `{}` is not a whole number", show(field)))?;
    match raw {
        100_000_000_000..100_000_000_000_000 => Ok((raw, 1)),
        100_000_000_000_000..100_000_000_000_000_000 if raw % 1000 == 0 => Ok((raw / 1000, 1000)),
        100_000_000_000_000..100_000_000_000_000_000 => {
            Err(format!("{name} {raw} µs is not a whole millisecond"))
        }
        _ => Err(format!(
            "{name} {raw} is neither milliseconds nor microseconds since 1970 \
             (seconds? multiply by 1000)"
        )),
    }
}

fn check_close_time(
    field: &[u8],
    open_ms: i64,
    unit: i64,
    interval: Interval,
) -> Result<(), String> {
    let close =
        int(field).ok_or_else(|| format!("close_time `{}` is not a whole number", show(field)))?;
    let expected = interval.next(open_ms) * unit - 1;
    if close == expected {
        return Ok(());
    }
    let length_ms = (close + 1) / unit - open_ms;
    let hint = Interval::ALL
        .into_iter()
        .find(|i| i.fixed_ms() == Some(length_ms))
        .map(|i| format!("; that is a {i} candle, so pass --interval {i} or rename the file"))
        .unwrap_or_default();
    Err(format!(
        "close_time {close} does not close a {interval} candle opened at {}{hint}",
        Utc(open_ms)
    ))
}

fn int(field: &[u8]) -> Option<i64> {
    std::str::from_utf8(field).ok()?.trim().parse().ok()
}

fn number(field: &[u8], name: &str) -> Result<f64, String> {
    std::str::from_utf8(field)
        .ok()
        .map(|s| s.trim().trim_matches('"'))
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{name} `{}` is not a number", show(field)))
}

fn show(field: &[u8]) -> String {
    String::from_utf8_lossy(field).chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS_ROW: &str = "1733011200000,96407.99,96876.00,96340.00,96542.06,556.22,1733014799999,5.3e7,100,300.1,2.8e7,0";
    const US_ROW: &str = "1735689600000000,93576.00,94509.42,93489.03,94401.14,755.99,1735693199999999,7.1e7,93525,421.08,3.9e7,0";

    #[test]
    fn binance_rows_in_ms_and_us_read_alike() {
        let p = parse(format!("{MS_ROW}\n{US_ROW}\r\n").as_bytes(), Interval::H1).unwrap();
        assert_eq!(p.layout, Layout::BinanceDump);
        assert!(p.bad.is_empty(), "{:?}", p.bad);
        assert_eq!(p.candles[0].open_time, 1_733_011_200_000);
        assert_eq!(p.candles[1].open_time, 1_735_689_600_000);
        assert_eq!(p.candles[1].high, 94509.42);
    }

    #[test]
    fn header_csv_with_extra_columns() {
        let text = "open_time,open,high,low,close,volume,note\n1502942400000,4261.48,4313.62,4261.32,4308.83,47.181009,x\n";
        let p = parse(text.as_bytes(), Interval::H1).unwrap();
        assert_eq!(
            (p.layout, p.candles.len(), p.bad.len()),
            (Layout::HeaderCsv, 1, 0)
        );
    }

    #[test]
    fn every_bad_row_has_a_line_and_a_reason() {
        let text = "open_time,open,high,low,close,volume
1502942400000,1,2,0.5,1.5,10
1502946000000,1,2,0.5,abc,10
1502949600000,1,2,0.5,1.5
1502949600001,1,2,0.5,1.5,10
1502953200000,1,2,3,1.5,10
1502938800000,1,2,0.5,1.5,10
1502956800000,1,2,0.5,1.5,10
1502956800000,1,2,0.5,1.5,10
1502960400,1,2,0.5,1.5,10
";
        let p = parse(text.as_bytes(), Interval::H1).unwrap();
        let lines: Vec<(usize, &str)> = p.bad.iter().map(|b| (b.line, b.reason.as_str())).collect();
        let expect = [
            (3, "close `abc` is not a number"),
            (4, "5 columns, expected at least 6"),
            (5, "is not on a 1h boundary"),
            (6, "low is above high"),
            (7, "comes before the previous row"),
            (9, "duplicate of line 8"),
            (10, "neither milliseconds nor microseconds"),
        ];
        assert_eq!(lines.len(), expect.len(), "{lines:?}");
        for ((line, reason), (want_line, want)) in lines.iter().zip(expect) {
            assert_eq!(*line, want_line);
            assert!(reason.contains(want), "line {line}: {reason}");
        }
        assert_eq!(p.candles.len(), 2);
    }

    #[test]
    fn a_wrong_interval_is_diagnosed_from_the_close_time() {
        let p = parse(MS_ROW.as_bytes(), Interval::M1).unwrap();
        assert!(
            p.bad[0]
                .reason
                .contains("that is a 1h candle, so pass --interval 1h"),
            "{}",
            p.bad[0]
        );
    }

    #[test]
    fn files_that_are_not_kline_files() {
        assert!(parse(b"", Interval::H1).unwrap_err().contains("empty"));
        let e = parse(b"date,price\n2024-01-01,5\n", Interval::H1).unwrap_err();
        assert!(
            e.contains("line 1 is `date,price`")
                && e.contains("open_time,open,high,low,close,volume"),
            "{e}"
        );
    }
}
