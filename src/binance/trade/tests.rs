use super::http::Call;
use super::*;
use crate::binance::info::tests::INFO;
use crate::binance::wire::{ClientOrderId, OrderSpec, RespType};
use crate::clock::TokioClock;
use crate::core::{Qty, Side};
use crate::secrets::Secret;
use reqwest::Method;

const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

fn signer() -> Signer {
    Signer::hmac(Secret::new(KEY.into()), &Secret::new(SECRET.into())).unwrap()
}

fn client(base: &str) -> TradeClient {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(1_499_827_319_000));
    let limiter = Arc::new(WeightLimiter::new(6000, clock.clone()));
    TradeClient::new(TradeConfig::new(base), signer(), limiter, clock).unwrap()
}

#[tokio::test(start_paused = true)]
async fn signed_urls_carry_window_timestamp_and_a_signature_over_the_query() {
    let c = client("http://127.0.0.1:9/");
    c.time
        .record(1_499_827_319_000, 1_499_827_319_559, 1_499_827_319_000);
    let params = [
        ("symbol", "LTCBTC"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "1"),
        ("price", "0.1"),
    ]
    .map(|(k, v)| (k, v.to_string()))
    .to_vec();
    let call = Call::signed(Method::POST, "/api/v3/order", params, 1);
    let (url, ts) = c.url(&call);
    assert_eq!(
        ts,
        Some(1_499_827_319_559),
        "local time plus the measured offset"
    );
    assert_eq!(
        url,
        "http://127.0.0.1:9/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1\
         &recvWindow=5000&timestamp=1499827319559\
         &signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
        "the documented example, byte for byte"
    );
    let (public, ts) = c.url(&Call::public("/api/v3/time", 1));
    assert_eq!(
        (public.as_str(), ts),
        ("http://127.0.0.1:9/api/v3/time", None)
    );
}

/// A loopback port with nothing listening.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test(start_paused = true)]
async fn an_order_that_never_left_is_not_unknown_and_errors_leak_nothing() {
    let c = client(&closed_port().await);
    let info = ExchangeInfo::parse(INFO.as_bytes()).unwrap();
    let order = NewOrder {
        symbol: "BTCUSDT".into(),
        side: Side::Buy,
        spec: OrderSpec::Market {
            qty: Qty::Base("0.001".parse().unwrap()),
        },
        client_id: ClientOrderId::new("td-t-1").unwrap(),
        response: RespType::Full,
    };
    let prepared = info
        .symbol("BTCUSDT")
        .unwrap()
        .prepare(order, &OrderContext::default())
        .unwrap();
    let e = c.place(&prepared).await.unwrap_err();
    assert!(
        matches!(e, TradeError::Rest(RestError::Connection(_))),
        "{e:?}"
    );
    assert!(!e.is_outcome_unknown(), "a refused connection sent nothing");
    let e = c.account().await.unwrap_err();
    assert!(e.is_transient(), "retried, then reported: {e}");
    for shown in [e.to_string(), format!("{e:?}")] {
        for leak in ["signature", "timestamp=", &KEY[..12], &SECRET[..12]] {
            assert!(!shown.contains(leak), "{shown}");
        }
    }
}
