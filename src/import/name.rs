//! What a kline file's name says: data.binance.vision names files
//! `SYMBOL-INTERVAL-YYYY-MM` (monthly) or `SYMBOL-INTERVAL-YYYY-MM-DD` (daily), and tickdesk's own
//! exports `SYMBOL-INTERVAL`. A dated name also says which period the file covers completely.

use crate::market::{Interval, Symbol, time};
use crate::store::Range;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NameInfo {
    pub symbol: Option<Symbol>,
    pub interval: Option<Interval>,
    /// The calendar month or day a dated Binance dump covers.
    pub period: Option<Range>,
}

pub fn parse(file_name: &str) -> NameInfo {
    let stem = [".zip", ".gz", ".csv"]
        .iter()
        .fold(file_name, |s, ext| s.strip_suffix(ext).unwrap_or(s));
    let parts: Vec<&str> = stem.split('-').collect();
    let (Some(sym), Some(iv)) = (parts.first(), parts.get(1)) else {
        return NameInfo::default();
    };
    let (Ok(symbol), Ok(interval)) = (sym.parse::<Symbol>(), iv.parse::<Interval>()) else {
        return NameInfo::default();
    };
    let period = match &parts[2..] {
        [y, m] => time::parse_datetime(&format!("{y}-{m}-01"))
            .ok()
            .map(|s| Range::new(s, time::add_months(s, 1))),
        [y, m, d] => time::parse_datetime(&format!("{y}-{m}-{d}"))
            .ok()
            .map(|s| Range::new(s, s + time::DAY_MS)),
        _ => None,
    };
    NameInfo {
        symbol: Some(symbol),
        interval: Some(interval),
        period,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_binance_dump_names() {
        let m = parse("BTCUSDT-1h-2025-01.zip");
        assert_eq!(m.symbol.unwrap().as_str(), "BTCUSDT");
        assert_eq!(m.interval, Some(Interval::H1));
        let jan = time::parse_datetime("2025-01-01").unwrap();
        assert_eq!(
            m.period,
            Some(Range::new(jan, time::parse_datetime("2025-02-01").unwrap()))
        );
        let d = parse("ETHUSDT-1m-2024-02-29.csv");
        assert_eq!(d.period.map(|p| p.end - p.start), Some(time::DAY_MS));
        assert_eq!(
            parse("SOLUSDT-1mo-2024-03.zip").interval,
            Some(Interval::Mo1)
        );
        let plain = parse("BTCUSDT-1h.csv.gz");
        assert_eq!((plain.interval, plain.period), (Some(Interval::H1), None));
        assert_eq!(parse("prices.csv"), NameInfo::default());
    }
}
