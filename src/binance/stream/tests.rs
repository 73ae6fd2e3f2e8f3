//! Frame parsing against the payload shapes of spec §8 (strings as Binance sends them, and JSON
//! numbers), and the stream configuration.

use super::payload::{FrameError, Payload, parse_frame, parse_snapshot};
use super::*;
use crate::binance::book::DepthSnapshot;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn sym(s: &str) -> Symbol {
    s.parse().unwrap()
}

fn wrap(stream: &str, data: &str) -> Vec<u8> {
    format!(r#"{{"stream":"{stream}","data":{data}}}"#).into_bytes()
}

const KLINE: &str = r#"{"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,
    "T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020",
    "h":"0.0025","l":"0.0010","v":"1000","n":100,"x":false,"q":"1.0000","V":"500",
    "Q":"0.500","B":"123456"}}"#;

#[test]
fn kline_frames_become_candles_with_their_closed_flag() {
    let Ok(Payload::Kline(k)) = parse_frame(&wrap("bnbbtc@kline_1m", KLINE)) else {
        panic!("a kline");
    };
    assert_eq!(k.symbol, sym("BNBBTC"));
    assert_eq!(k.interval, Interval::M1);
    assert!(!k.closed);
    assert_eq!((k.event_time, k.close_time), (1672515782136, 1672515839999));
    let c = k.candle;
    assert_eq!(c.open_time, 1672515780000);
    assert_eq!(
        (c.open, c.high, c.low, c.close),
        (0.0010, 0.0025, 0.0010, 0.0020)
    );
    assert_eq!(c.volume, 1000.0);

    let closed = KLINE
        .replace(r#""x":false"#, r#""x":true"#)
        .replace(r#""o":"0.0010""#, r#""o":0.0010"#)
        .replace(r#""v":"1000""#, r#""v":1000"#);
    let Ok(Payload::Kline(k)) = parse_frame(&wrap("bnbbtc@kline_1m", &closed)) else {
        panic!("a kline with numbers");
    };
    assert!(k.closed);
    assert_eq!((k.candle.open, k.candle.volume), (0.0010, 1000.0));
}

#[test]
fn impossible_candles_are_malformed() {
    let bad = KLINE.replace(r#""h":"0.0025""#, r#""h":"0.0012""#);
    assert!(matches!(
        parse_frame(&wrap("bnbbtc@kline_1m", &bad)),
        Err(FrameError::Malformed(m)) if m.contains("high")
    ));
}

#[test]
fn agg_trades_keep_exact_decimals_from_strings_and_numbers() {
    let strings = r#"{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.00100000",
        "q":"100.10000000","f":100,"l":105,"T":1672515782135,"m":true,"M":true}"#;
    let numbers = strings
        .replace(r#""0.00100000""#, "0.00100000")
        .replace(r#""100.10000000""#, "100.10000000");
    for text in [strings.to_string(), numbers] {
        let Ok(Payload::Trade(t)) = parse_frame(&wrap("bnbbtc@aggTrade", &text)) else {
            panic!("a trade: {text}");
        };
        assert_eq!(t.price, d("0.00100000"));
        assert_eq!(t.price.scale(), 8, "the text's digits, not an f64's");
        assert_eq!(t.qty, d("100.1"));
        assert_eq!((t.id, t.first_trade_id, t.last_trade_id), (12345, 100, 105));
        assert_eq!((t.trade_time, t.event_time), (1672515782135, 1672515782136));
        assert_eq!(
            t.aggressor(),
            crate::core::Side::Sell,
            "maker buyer: seller took"
        );
    }
}

#[test]
fn book_tickers_have_no_event_time() {
    let data = r#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000",
        "a":25.36520000,"A":"40.66000000"}"#;
    let Ok(payload) = parse_frame(&wrap("bnbusdt@bookTicker", data)) else {
        panic!("a ticker");
    };
    assert_eq!(payload.event_time(), None);
    let Payload::Ticker(t) = payload else {
        panic!("a ticker");
    };
    assert_eq!(t.update_id, 400900217);
    assert_eq!((t.bid, t.bid_qty), (d("25.3519"), d("31.21")));
    assert_eq!((t.ask, t.ask_qty), (d("25.3652"), d("40.66")));
}

#[test]
fn depth_diffs_carry_their_update_range_and_levels() {
    let data = r#"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,
        "b":[["0.0024","10"],[0.0023,0]],"a":[["0.0026","100"]]}"#;
    for stream in ["bnbbtc@depth@100ms", "bnbbtc@depth"] {
        let Ok(Payload::Depth(symbol, diff)) = parse_frame(&wrap(stream, data)) else {
            panic!("a diff on {stream}");
        };
        assert_eq!(symbol, sym("BNBBTC"));
        assert_eq!(
            (diff.first_id, diff.final_id, diff.event_time),
            (157, 160, 1672515782136)
        );
        assert_eq!(
            diff.bids,
            [(d("0.0024"), d("10")), (d("0.0023"), Decimal::ZERO)]
        );
        assert_eq!(diff.asks, [(d("0.0026"), d("100"))]);
    }
}

#[test]
fn server_shutdown_is_recognised_bare_or_wrapped() {
    let bare = br#"{"e":"serverShutdown","E":1672515782136}"#;
    assert_eq!(parse_frame(bare), Ok(Payload::Shutdown));
    let wrapped = wrap("btcusdt@depth@100ms", r#"{"e":"serverShutdown","E":1}"#);
    assert_eq!(parse_frame(&wrapped), Ok(Payload::Shutdown));
}

#[test]
fn other_frames_are_unknown_or_malformed_never_a_panic() {
    let unknown = [
        br#"{"result":null,"id":1}"#.to_vec(),
        wrap(
            "btcusdt@depth5@100ms",
            r#"{"lastUpdateId":1,"bids":[],"asks":[]}"#,
        ),
        wrap("btcusdt@ticker", r#"{"e":"24hrTicker"}"#),
    ];
    for frame in unknown {
        assert!(matches!(parse_frame(&frame), Err(FrameError::Unknown(_))));
    }
    let malformed = [
        br#"{"stream":"btcusdt@aggTrade","data":{"e":"aggTr"#.to_vec(),
        b"not json".to_vec(),
        wrap(
            "btcusdt@aggTrade",
            r#"{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1}"#,
        ),
        wrap(
            "btcusdt@bookTicker",
            r#"{"u":1,"s":"BTCUSDT","b":"x","B":"1","a":"2","A":"1"}"#,
        ),
        wrap(
            "btcusdt@depth@100ms",
            r#"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":-1}"#,
        ),
        wrap(
            "btcusdt@kline_1m",
            &KLINE.replace(r#""i":"1m""#, r#""i":"7m""#),
        ),
    ];
    for frame in malformed {
        let got = parse_frame(&frame);
        assert!(
            matches!(got, Err(FrameError::Malformed(_))),
            "{}: {got:?}",
            String::from_utf8_lossy(&frame)
        );
    }
}

#[test]
fn depth_snapshots_parse_from_strings_or_numbers() {
    let body = br#"{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],
        "asks":[[4.00000200,12.00000000],["4.00000300","0.5"]]}"#;
    let snapshot = parse_snapshot(body).unwrap();
    assert_eq!(
        snapshot,
        DepthSnapshot {
            last_update_id: 1027024,
            bids: vec![(d("4"), d("431"))],
            asks: vec![(d("4.000002"), d("12")), (d("4.000003"), d("0.5"))],
        }
    );
    assert!(parse_snapshot(br#"{"lastUpdateId":1,"bids":[["1"]],"asks":[]}"#).is_err());
}

#[test]
fn stream_names_follow_the_spec_and_share_one_url() {
    let config = StreamConfig::new(
        "wss://data-stream.binance.vision",
        vec![sym("BTCUSDT"), sym("ethusdt")],
        vec![
            StreamKind::Kline(Interval::M1),
            StreamKind::BookTicker,
            StreamKind::AggTrade,
            StreamKind::Depth,
        ],
    );
    assert_eq!(
        config.url(),
        "wss://data-stream.binance.vision/stream?streams=btcusdt@kline_1m/btcusdt@bookTicker/\
         btcusdt@aggTrade/btcusdt@depth@100ms/ethusdt@kline_1m/ethusdt@bookTicker/\
         ethusdt@aggTrade/ethusdt@depth@100ms"
    );
    assert_eq!(config.depth_symbols().len(), 2);
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn configs_without_streams_or_with_too_many_are_refused() {
    let none = StreamConfig::new("wss://h", vec![], vec![StreamKind::AggTrade]);
    assert_eq!(none.validate(), Err(StreamError::NoStreams));
    let symbols: Vec<Symbol> = (0..300).map(|i| sym(&format!("S{i}USDT"))).collect();
    let kinds = vec![
        StreamKind::AggTrade,
        StreamKind::BookTicker,
        StreamKind::Depth,
        StreamKind::Kline(Interval::M1),
    ];
    let many = StreamConfig::new("wss://h", symbols, kinds);
    assert_eq!(many.validate(), Err(StreamError::TooManyStreams(1200)));
    let http = StreamConfig::new("https://h", vec![sym("BTCUSDT")], vec![StreamKind::Depth]);
    assert!(matches!(http.validate(), Err(StreamError::Url(_))));
}

#[test]
fn the_configured_host_is_used_testnet_included() {
    use crate::config::{Env, Loaded, Sources};
    let sources = Sources {
        user_file: None,
        cli_file: None,
        env: Env::from_pairs([]),
    };
    let mut binance = Loaded::load(&sources).unwrap().config.binance;
    let kinds = vec![StreamKind::AggTrade];
    let prod = StreamConfig::from_config(&binance, vec![sym("BTCUSDT")], kinds.clone());
    assert_eq!(
        prod.url(),
        "wss://data-stream.binance.vision/stream?streams=btcusdt@aggTrade"
    );
    binance.testnet = true;
    let test = StreamConfig::from_config(&binance, vec![sym("BTCUSDT")], kinds);
    assert_eq!(
        test.url(),
        "wss://stream.testnet.binance.vision/stream?streams=btcusdt@aggTrade"
    );
}

#[test]
fn depth_snapshot_weight_follows_the_limit() {
    use crate::binance::depth_weight;
    let weights: Vec<u32> = [1, 100, 101, 500, 501, 1000, 1001, 5000]
        .into_iter()
        .map(depth_weight)
        .collect();
    assert_eq!(weights, [5, 5, 25, 25, 50, 50, 250, 250]);
}

#[test]
fn the_binance_section_sets_host_snapshot_depth_staleness_and_lifetime() {
    let toml = "[binance]\ntestnet = true\ndepth_snapshot_levels = 5000\nstale_after_secs = 90\nreconnect_after_mins = 60\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, toml).unwrap();
    let cfg = crate::config::Loaded::load(&crate::config::Sources {
        cli_file: Some(file),
        ..Default::default()
    })
    .unwrap()
    .config;
    let s = StreamConfig::from_config(&cfg.binance, vec![], vec![StreamKind::Depth]);
    assert_eq!(s.ws_url, "wss://stream.testnet.binance.vision");
    assert_eq!(s.depth_limit, 5000);
    assert_eq!(s.stale_after, Duration::from_secs(90));
    assert_eq!(s.max_lifetime, Duration::from_secs(3600));
    let t = crate::binance::TradeConfig::from_config(&cfg.binance);
    assert_eq!(t.base_url, "https://testnet.binance.vision");
    let prod = crate::config::Loaded::load(&Default::default())
        .unwrap()
        .config;
    let t = crate::binance::TradeConfig::from_config(&prod.binance);
    assert_eq!(
        (t.base_url.as_str(), t.recv_window.ms(), t.timeout),
        ("https://api.binance.com", 5000, Duration::from_secs(10))
    );
}
