//! A fake of Binance's public klines endpoint over loopback, speaking the documented wire format:
//! `GET /api/v3/klines?symbol&interval&startTime&endTime&limit` answered with 12-element arrays
//! (times as numbers, prices as 8-decimal strings), `X-MBX-USED-WEIGHT-1M` on every answer, a real
//! per-minute weight budget (429 + `Retry-After` when exceeded), Binance's error bodies, and a
//! script of faults consumed one per klines request: 429, 418, 500, a dropped connection,
//! malformed JSON, a slow answer. Minutes are counted on the same clock the client uses.

use std::{
    collections::{BTreeMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tickdesk::clock::{Clock, TokioClock};
use tickdesk::market::{Candle, Interval};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    RateLimited { retry_after_secs: u64 },
    Banned { retry_after_secs: u64 },
    ServerError,
    Drop,
    Malformed,
    Slow(Duration),
}

#[derive(Default)]
struct State {
    series: BTreeMap<(String, Interval), Vec<Candle>>,
    /// A candle still forming, served like Binance does but never closed.
    forming: BTreeMap<(String, Interval), Candle>,
    faults: VecDeque<Option<Fault>>,
    weight_limit: u32,
    minute: i64,
    used: u32,
    /// Highest weight used in any minute.
    peak_used: u32,
    log: Vec<Request>,
    over_limit_429s: usize,
}

/// One klines request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub symbol: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub limit: i64,
    pub fault: Option<Fault>,
}

#[derive(Clone)]
pub struct FakeBinance {
    pub addr: SocketAddr,
    clock: Arc<dyn Clock>,
    state: Arc<Mutex<State>>,
}

impl FakeBinance {
    /// Starts serving on 127.0.0.1 (an ephemeral port) in the current runtime.
    pub async fn start(clock: TokioClock) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let state = State {
            weight_limit: 6000,
            ..State::default()
        };
        let fake = Self {
            addr: listener.local_addr().unwrap(),
            clock: Arc::new(clock),
            state: Arc::new(Mutex::new(state)),
        };
        let server = fake.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let conn = server.clone();
                tokio::spawn(async move { conn.serve(socket).await });
            }
        });
        fake
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn hold(&self, symbol: &str, interval: Interval, candles: Vec<Candle>) {
        self.state()
            .series
            .insert((symbol.to_string(), interval), candles);
    }

    pub fn forming(&self, symbol: &str, interval: Interval, candle: Candle) {
        self.state()
            .forming
            .insert((symbol.to_string(), interval), candle);
    }

    /// Faults for the next klines requests, one each.
    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().faults.extend(faults.into_iter().map(Some));
    }

    /// `fault` for the request after the next `clean` ones.
    pub fn after(&self, clean: usize, fault: Fault) {
        let mut s = self.state();
        s.faults.extend(std::iter::repeat_n(None, clean));
        s.faults.push_back(Some(fault));
    }

    pub fn weight_limit(&self, limit: u32) {
        self.state().weight_limit = limit;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state().log.clone()
    }

    pub fn peak_used(&self) -> u32 {
        self.state().peak_used
    }

    pub fn over_limit_429s(&self) -> usize {
        self.state().over_limit_429s
    }

    async fn serve(&self, socket: TcpStream) {
        let mut reader = BufReader::new(socket);
        loop {
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                return;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
                    return;
                }
                if header == "\r\n" || header == "\n" {
                    break;
                }
            }
            let target = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_string();
            let Some(reply) = self.answer(&target).await else {
                return;
            };
            if reader.get_mut().write_all(&reply).await.is_err() {
                return;
            }
        }
    }

    /// The bytes to send back, or `None` to drop the connection.
    async fn answer(&self, target: &str) -> Option<Vec<u8>> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path != "/api/v3/klines" {
            return Some(http(404, &[], r#"{"code":-1,"msg":"not found"}"#));
        }
        let params: BTreeMap<&str, &str> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let num = |k: &str| params.get(k).and_then(|v| v.parse::<i64>().ok());
        let symbol = params.get("symbol").copied().unwrap_or("").to_string();
        let (start, end, limit) = (
            num("startTime"),
            num("endTime"),
            num("limit").unwrap_or(500).clamp(1, 1000),
        );
        let (fault, used) = {
            let mut s = self.state();
            let fault = s.faults.pop_front().flatten();

            s.log.push(Request {
                symbol: symbol.clone(),
                start,
                end,
                limit,
                fault: fault.clone(),
            });
            let minute = self.clock.now_ms().div_euclid(60_000);
            if minute != s.minute {
                s.minute = minute;
                s.used = 0;
            }
            if s.used + 2 > s.weight_limit {
                s.over_limit_429s += 1;
                let wait = 60 - self.clock.now_ms().rem_euclid(60_000) / 1000;
                let used = s.used.to_string();
                let headers = [
                    ("Retry-After", wait.to_string()),
                    ("X-MBX-USED-WEIGHT-1M", used),
                ];
                return Some(http(
                    429,
                    &headers,
                    r#"{"code":-1003,"msg":"Too much request weight used."}"#,
                ));
            }
            s.used += 2;
            s.peak_used = s.peak_used.max(s.used);
            (fault, s.used)
        };
        let weight = [("X-MBX-USED-WEIGHT-1M", used.to_string())];
        match fault {
            Some(Fault::RateLimited { retry_after_secs }) => {
                let h = [
                    ("Retry-After", retry_after_secs.to_string()),
                    weight[0].clone(),
                ];
                return Some(http(
                    429,
                    &h,
                    r#"{"code":-1003,"msg":"Too much request weight used."}"#,
                ));
            }
            Some(Fault::Banned { retry_after_secs }) => {
                let h = [
                    ("Retry-After", retry_after_secs.to_string()),
                    weight[0].clone(),
                ];
                return Some(http(
                    418,
                    &h,
                    r#"{"code":-1003,"msg":"Way too much request weight used; IP banned."}"#,
                ));
            }
            Some(Fault::ServerError) => {
                return Some(http(502, &weight, "<html>Bad Gateway</html>"));
            }
            Some(Fault::Drop) => return None,
            Some(Fault::Malformed) => {
                return Some(http(200, &weight, r#"[[1502942400000,"4261.48","#));
            }
            Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
            None => {}
        }
        let Ok(interval) = params
            .get("interval")
            .copied()
            .unwrap_or("")
            .parse::<Interval>()
        else {
            return Some(http(
                400,
                &weight,
                r#"{"code":-1120,"msg":"Invalid interval."}"#,
            ));
        };
        let s = self.state();
        let Some(all) = s.series.get(&(symbol.clone(), interval)) else {
            return Some(http(
                400,
                &weight,
                r#"{"code":-1121,"msg":"Invalid symbol."}"#,
            ));
        };
        let forming = s.forming.get(&(symbol, interval));
        let rows: Vec<String> = all
            .iter()
            .chain(forming)
            .filter(|c| {
                start.is_none_or(|t| c.open_time >= t) && end.is_none_or(|t| c.open_time <= t)
            })
            .take(usize::try_from(limit).unwrap())
            .map(|c| kline_json(c, interval))
            .collect();
        Some(http(200, &weight, &format!("[{}]", rows.join(","))))
    }
}

/// Binance's kline array: prices and volumes as 8-decimal strings, as the exchange sends them.
fn kline_json(c: &Candle, interval: Interval) -> String {
    let close_time = interval.next(c.open_time) - 1;
    format!(
        r#"[{},"{:.8}","{:.8}","{:.8}","{:.8}","{:.8}",{},"{:.8}",{},"{:.8}","{:.8}","0"]"#,
        c.open_time,
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        close_time,
        c.volume * c.close,
        100,
        c.volume / 2.0,
        c.volume * c.close / 2.0
    )
}

fn http(status: u16, headers: &[(&str, String)], body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        _ => "Bad Gateway",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}
