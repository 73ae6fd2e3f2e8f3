//! Performance figures of a run, from the close-marked equity curve and the round trips. The
//! formulas are in docs/METRICS.md; the reference definitions (returns measured against the
//! starting cash first, sample standard deviation, drawdown from the running peak of marked
//! equity) are followed to the letter so the numbers agree with the reference backtests.

use super::trades::Trade;
use crate::market::time::DAY_MS;
use serde::Serialize;

const YEAR_MS: f64 = 365.0 * DAY_MS as f64;

/// Equity marked at each bar's close, with each bar's open time.
pub struct Curve<'a> {
    pub open_times: &'a [i64],
    pub equity: &'a [f64],
    pub initial: f64,
    /// Length of one bar, for annualising per-bar figures.
    pub bar_ms: i64,
    /// When the last bar closed.
    pub end_ms: i64,
    /// Bars that ended holding a position.
    pub exposed_bars: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Sharpe {
    pub per_bar_annualized: Option<f64>,
    pub daily_annualized: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Metrics {
    pub final_equity: f64,
    pub total_return_pct: f64,
    pub cagr_pct: Option<f64>,
    pub volatility_pct: Option<f64>,
    pub sharpe: Sharpe,
    pub sortino: Option<f64>,
    pub calmar: Option<f64>,
    pub max_drawdown_pct: f64,
    pub max_drawdown_duration_days: f64,
    pub trades: usize,
    pub win_rate_pct: Option<f64>,
    pub profit_factor: Option<f64>,
    pub expectancy: Option<f64>,
    pub avg_win: Option<f64>,
    pub avg_loss: Option<f64>,
    pub exposure_pct: f64,
    pub fees_paid: f64,
    pub buy_and_hold_return_pct: f64,
}

/// One pass over the returns: mean, sample standard deviation (n − 1) and the downside deviation
/// (root mean square of the negative returns, for Sortino). The variance comes from sums of squares;
/// for returns (small numbers, tiny mean) it agrees with the two-pass form far inside 1e-9.
struct Moments {
    mean: Option<f64>,
    sd: Option<f64>,
    downside: Option<f64>,
}

/// Running sums of returns in `LANES` independent lanes: no add waits for the one before, so the
/// loop runs at the speed of its divisions (and vectorises) instead of the adds' latency.
const LANES: usize = 4;

#[derive(Default)]
struct Sums {
    sum: [f64; LANES],
    squares: [f64; LANES],
    down: [f64; LANES],
}

impl Sums {
    #[inline(always)]
    fn add(&mut self, lane: usize, r: f64) {
        self.sum[lane] += r;
        self.squares[lane] += r * r;
        let d = r.min(0.0);
        self.down[lane] += d * d;
    }
}

/// The moments of the simple returns of `values`, the first measured against `first` (computed on
/// the fly: a 1.5-million-bar run would otherwise allocate 12 MB for them).
fn moments(values: &[f64], first: f64) -> Moments {
    let n = values.len();
    let mut s = Sums::default();
    if let Some(&v0) = values.first() {
        s.add(0, v0 / first - 1.0);
    }
    // Equal lengths, so the chunks and their remainders line up.
    let (previous, current) = (
        &values[..n.saturating_sub(1)],
        values.get(1..).unwrap_or_default(),
    );
    let mut p = previous.chunks_exact(LANES);
    let mut c = current.chunks_exact(LANES);
    for (pc, cc) in (&mut p).zip(&mut c) {
        for lane in 0..LANES {
            s.add(lane, cc[lane] / pc[lane] - 1.0);
        }
    }
    for (pv, cv) in p.remainder().iter().zip(c.remainder()) {
        s.add(0, cv / pv - 1.0);
    }
    let total = |a: [f64; LANES]| (a[0] + a[1]) + (a[2] + a[3]);
    let (sum, squares, down) = (total(s.sum), total(s.squares), total(s.down));
    if n == 0 {
        return Moments {
            mean: None,
            sd: None,
            downside: None,
        };
    }
    let mean = sum / n as f64;
    let sd = (n > 1).then(|| ((squares - sum * mean).max(0.0) / (n - 1) as f64).sqrt());
    Moments {
        mean: Some(mean),
        sd,
        downside: Some((down / n as f64).sqrt()),
    }
}

fn sharpe(m: &Moments, periods_per_year: f64) -> Option<f64> {
    m.sd.filter(|&s| s > 0.0)
        .map(|s| m.mean.unwrap_or(0.0) / s * periods_per_year.sqrt())
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The last marked equity of each UTC day, in order.
fn daily(c: &Curve<'_>) -> Vec<f64> {
    // Times are sorted: one division per day, not per bar.
    let mut out: Vec<f64> = Vec::new();
    let mut day_end = i64::MIN;
    for (&t, &e) in c.open_times.iter().zip(c.equity) {
        if t >= day_end {
            out.push(e);
            day_end = (t.div_euclid(DAY_MS) + 1) * DAY_MS;
        } else if let Some(last) = out.last_mut() {
            *last = e;
        }
    }
    out
}

/// Largest fall below the running peak, in percent, and the longest time from a peak until
/// equity regained it (or until the end, if it never did).
fn drawdown(c: &Curve<'_>) -> (f64, i64) {
    let (mut peak, mut peak_at, mut mdd, mut longest) = (f64::MIN, 0i64, 0.0f64, 0i64);
    let mut underwater = false;
    for (&t, &e) in c.open_times.iter().zip(c.equity) {
        if e >= peak {
            if underwater {
                longest = longest.max(t - peak_at);
            }
            underwater = false;
            peak = e;
            peak_at = t;
        } else {
            underwater = true;
        }
        // Divide only when the drawdown may be a new maximum (the common bar needs none).
        if peak - e > mdd * peak / 100.0 {
            mdd = mdd.max((peak - e) / peak * 100.0);
        }
    }
    if let (true, Some(&last)) = (underwater, c.open_times.last()) {
        longest = longest.max(last - peak_at);
    }
    (mdd, longest)
}

pub fn compute(
    c: &Curve<'_>,
    trades: &[Trade],
    fees_paid: f64,
    buy_and_hold_return_pct: f64,
) -> Metrics {
    let final_equity = c.equity.last().copied().unwrap_or(c.initial);
    let per_year = YEAR_MS / c.bar_ms.max(1) as f64;
    let per_bar = moments(c.equity, c.initial);
    let days = daily(c);
    let (max_dd, dd_ms) = drawdown(c);
    let span = c
        .open_times
        .first()
        .map(|&s| (c.end_ms - s) as f64 / YEAR_MS);
    let cagr = span
        .filter(|&y| y > 0.0 && final_equity > 0.0)
        .map(|y| ((final_equity / c.initial).powf(1.0 / y) - 1.0) * 100.0);

    let (wins, losses): (Vec<f64>, Vec<f64>) = trades.iter().map(|t| t.pnl).partition(|p| *p > 0.0);
    let gross_loss: f64 = losses.iter().sum::<f64>().abs();
    Metrics {
        final_equity,
        total_return_pct: (final_equity / c.initial - 1.0) * 100.0,
        cagr_pct: cagr,
        volatility_pct: per_bar.sd.map(|s| s * per_year.sqrt() * 100.0),
        sharpe: Sharpe {
            per_bar_annualized: sharpe(&per_bar, per_year),
            daily_annualized: sharpe(&moments(&days, c.initial), 365.0),
        },
        sortino: per_bar
            .downside
            .filter(|d| *d > 0.0)
            .map(|d| per_bar.mean.unwrap_or(0.0) / d * per_year.sqrt()),
        calmar: cagr.filter(|_| max_dd > 0.0).map(|g| g / max_dd),
        max_drawdown_pct: max_dd,
        max_drawdown_duration_days: dd_ms as f64 / DAY_MS as f64,
        trades: trades.len(),
        win_rate_pct: (!trades.is_empty()).then(|| wins.len() as f64 / trades.len() as f64 * 100.0),
        profit_factor: (gross_loss > 0.0).then(|| wins.iter().sum::<f64>() / gross_loss),
        expectancy: mean(&trades.iter().map(|t| t.pnl).collect::<Vec<_>>()),
        avg_win: mean(&wins),
        avg_loss: mean(&losses),
        exposure_pct: if c.equity.is_empty() {
            0.0
        } else {
            c.exposed_bars as f64 / c.equity.len() as f64 * 100.0
        },
        fees_paid,
        buy_and_hold_return_pct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::time::HOUR_MS;

    #[test]
    fn lane_sums_equal_a_plain_pass_for_every_length() {
        for n in 0..14 {
            let values: Vec<f64> = (0..n)
                .map(|i| 100.0 + ((i * 37) % 11) as f64 - 5.0)
                .collect();
            let first = 101.0;
            let rets: Vec<f64> = std::iter::once(first)
                .chain(values.iter().copied())
                .collect::<Vec<_>>()
                .windows(2)
                .map(|w| w[1] / w[0] - 1.0)
                .collect();
            let m = moments(&values, first);
            let mean = (n > 0).then(|| rets.iter().sum::<f64>() / n as f64);
            let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-15,
                (a, b) => a.is_none() && b.is_none(),
            };
            assert!(close(m.mean, mean), "n={n}: {:?} vs {mean:?}", m.mean);
            let down = (n > 0)
                .then(|| (rets.iter().map(|r| r.min(0.0).powi(2)).sum::<f64>() / n as f64).sqrt());
            assert!(close(m.downside, down), "n={n}");
            let sd = (n > 1).then(|| {
                let mu = mean.unwrap();
                let v = rets.iter().map(|r| (r - mu).powi(2)).sum::<f64>() / (n - 1) as f64;
                v.sqrt()
            });
            assert!(close(m.sd, sd), "n={n}: {:?} vs {sd:?}", m.sd);
        }
    }

    fn curve<'a>(times: &'a [i64], equity: &'a [f64]) -> Curve<'a> {
        Curve {
            open_times: times,
            equity,
            initial: 100.0,
            bar_ms: HOUR_MS,
            end_ms: times[times.len() - 1] + HOUR_MS,
            exposed_bars: 2,
        }
    }

    #[test]
    fn drawdown_and_its_duration() {
        let times: Vec<i64> = (0..6).map(|i| i * DAY_MS).collect();
        let eq = [100.0, 120.0, 90.0, 110.0, 121.0, 100.0];
        let m = compute(&curve(&times, &eq), &[], 0.0, 0.0);
        assert_eq!(m.max_drawdown_pct, 25.0, "120 → 90");
        assert_eq!(
            m.max_drawdown_duration_days, 3.0,
            "from day 1's peak until day 4 made a new one"
        );
        assert_eq!(m.exposure_pct, 2.0 / 6.0 * 100.0);
    }

    #[test]
    fn sharpe_uses_sample_deviation_and_the_starting_cash() {
        let times: Vec<i64> = (0..3).map(|i| i * HOUR_MS).collect();
        let eq = [110.0, 99.0, 108.9];
        let m = compute(&curve(&times, &eq), &[], 0.0, 0.0);
        // Returns 0.1, -0.1, 0.1: mean 1/30, sample sd sqrt(0.04 / 3 · …) computed by hand:
        let r = [0.1f64, -0.1, 0.1];
        let mean = r.iter().sum::<f64>() / 3.0;
        let sd = (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        let expected = mean / sd * (8760.0f64).sqrt();
        assert!((m.sharpe.per_bar_annualized.unwrap() - expected).abs() < 1e-12);
        assert_eq!(m.sharpe.daily_annualized, None, "one day: no deviation");
    }

    #[test]
    fn trade_statistics() {
        let t = |pnl: f64| Trade {
            symbol: "X".into(),
            entry_time_ms: 0,
            entry_price: 1.0,
            exit_time_ms: 1,
            exit_price: 1.0,
            qty: 1.0,
            pnl,
            fees: 0.0,
            return_pct: 0.0,
        };
        let times = [0, HOUR_MS];
        let m = compute(
            &curve(&times, &[100.0, 101.0]),
            &[t(30.0), t(-10.0), t(10.0), t(-20.0)],
            1.5,
            3.0,
        );
        assert_eq!(
            (m.win_rate_pct, m.profit_factor, m.expectancy),
            (Some(50.0), Some(40.0 / 30.0), Some(2.5))
        );
        assert_eq!((m.avg_win, m.avg_loss), (Some(20.0), Some(-15.0)));
        assert_eq!((m.fees_paid, m.buy_and_hold_return_pct), (1.5, 3.0));
    }
}
