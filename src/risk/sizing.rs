//! Position sizing: the quantity of a strategy's entry (a buy from `Origin::Strategy(i)` whose
//! risk settings name a `Sizing`) comes from its policy, not from the strategy:
//! - `quote:A` spends A of the quote asset, the taker fee included;
//! - `equity:P` spends P % of equity (`View::equity`), the taker fee included;
//! - `risk:P` buys so that a fall from the entry price to the stop loses P % of equity:
//!   qty = equity × P / 100 / distance, the distance being the strategy's `stop` (a percentage
//!   of the price, or a multiple of the instrument's 14-bar ATR); refused without a stop or
//!   before the ATR is warmed up;
//! - `kelly:F:C` spends min(F × f, C %) of equity, where f = p − (1 − p) / b is the Kelly fraction
//!   of the strategy's own round trips (p = wins / trips, b = average win / average loss); with
//!   fewer than `KELLY_MIN_TRADES` trips it spends C %; f ≤ 0 refuses the entry (`RISK_KELLY`).
//!
//! The policy decides: a strategy asking for less (or more) gets the policy's size. The price is
//! the order's limit (or stop) price, or the last close for a market order.
//!
//! Invariant: a sized entry is a `Qty::Base` truncated to 8 decimals and rounded down to the step,
//! never costing more than the free quote asset after the taker fee at that price; an entry that
//! sizes to nothing is refused (`RISK_SIZING`) with the reason. Sells and a person's orders pass
//! unchanged.

use super::exits::Atrs;
use super::{KELLY_MIN_TRADES, Ledger, Record, RiskConfig, Sizing, StrategyRisk, View};
use crate::core::{OrderRequest, Origin, Qty, Reject, Side, money};
use rust_decimal::Decimal;

/// An entry the sizing policy cannot size (no stop, no ATR yet, no price, rounds to zero).
pub const SIZING: &str = "RISK_SIZING";
/// Kelly sizing refused an entry: the strategy's record has no edge.
pub const KELLY: &str = "RISK_KELLY";

/// Decimals a sized quantity keeps before the step rounds it (Binance quantities have at most 8).
const QTY_DECIMALS: u32 = 8;

/// The request with its quantity replaced by the strategy's policy, when it has one and the order
/// is an entry; otherwise unchanged.
pub fn size(
    config: &RiskConfig,
    ledger: &Ledger,
    atr: &Atrs,
    request: OrderRequest,
    view: &View<'_>,
) -> Result<OrderRequest, Reject> {
    let (Side::Buy, Origin::Strategy(strategy)) = (request.side, request.origin) else {
        return Ok(request);
    };
    let Some((settings, policy)) = config.strategy(strategy).and_then(|s| Some((s, s.sizing?)))
    else {
        return Ok(request);
    };
    let rules = view.exchange.rules(request.instrument);
    let price = request
        .kind
        .limit()
        .or(request.kind.stop())
        .unwrap_or_else(|| view.price(request.instrument));
    let entry = Entry {
        strategy,
        instrument: request.instrument,
        symbol: format!("{}{}", rules.base, rules.quote),
        price,
        gross: price * (Decimal::ONE + config.taker_fee),
    };
    if price <= Decimal::ZERO {
        let why = format!(
            "no {} price is known yet to size strategy {strategy}'s entry",
            entry.symbol
        );
        return Err(Reject::new(SIZING, why));
    }
    let wanted = entry.wanted(policy, settings, ledger, atr, view.equity())?;
    let free = view.free_quote(request.instrument);
    let qty = rules.round_qty(wanted.min(units(free, entry.gross)));
    if qty <= Decimal::ZERO {
        let why = format!(
            "strategy {strategy}'s sizing gives {} {} at {} {}, which rounds down to 0 \
             (step {}, {} {} free)",
            wanted.normalize(),
            rules.base,
            price.normalize(),
            rules.quote,
            rules.step_size.normalize(),
            free.round_dp(2),
            rules.quote,
        );
        return Err(Reject::new(SIZING, why));
    }
    Ok(OrderRequest {
        qty: Qty::Base(qty),
        ..request
    })
}

/// The entry being sized: at `price`, costing `gross` per unit with the taker fee.
struct Entry {
    strategy: usize,
    instrument: usize,
    symbol: String,
    price: Decimal,
    gross: Decimal,
}

impl Entry {
    /// The quantity the policy wants, before the free balance and the step have their say.
    fn wanted(
        &self,
        policy: Sizing,
        settings: &StrategyRisk,
        ledger: &Ledger,
        atr: &Atrs,
        equity: Decimal,
    ) -> Result<Decimal, Reject> {
        Ok(match policy {
            Sizing::FixedQuote(amount) => units(amount, self.gross),
            Sizing::EquityPct(pct) => units(percent(equity, pct), self.gross),
            Sizing::RiskPct(pct) => {
                let distance = self.stop_distance(settings, atr)?;
                units(percent(equity, pct), distance)
            }
            Sizing::Kelly { fraction, cap_pct } => {
                let record = ledger.record_of(Origin::Strategy(self.strategy));
                let pct = kelly_pct(&record, fraction, cap_pct, self.strategy)?;
                units(percent(equity, pct), self.gross)
            }
        })
    }

    /// The price distance between the entry and the strategy's stop, per unit of base asset.
    fn stop_distance(&self, settings: &StrategyRisk, atr: &Atrs) -> Result<Decimal, Reject> {
        let Some(stop) = settings.stop else {
            let why = "risk sizing measures the risk down to the stop, and this strategy has no \
                       stop: set one (e.g. stop = \"3%\" or \"2atr\") or size another way";
            return Err(Reject::new(SIZING, why));
        };
        atr.distance(stop, self.price, self.instrument)
            .filter(|d| *d > Decimal::ZERO)
            .ok_or_else(|| {
                let why = format!(
                    "the stop is measured in ATR, and the {}-bar ATR of {} is not warmed up \
                     yet (it needs {} closed candles)",
                    super::exits::ATR_PERIOD,
                    self.symbol,
                    super::exits::ATR_PERIOD + 1
                );
                Reject::new(SIZING, why)
            })
    }
}

/// `amount / per_unit`, truncated to `QTY_DECIMALS` (0 when it cannot be computed).
fn units(amount: Decimal, per_unit: Decimal) -> Decimal {
    if amount <= Decimal::ZERO || per_unit <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    money::div_trunc(amount, per_unit, QTY_DECIMALS).unwrap_or_default()
}

fn percent(of: Decimal, pct: Decimal) -> Decimal {
    of * pct / Decimal::ONE_HUNDRED
}

/// The percentage of equity capped fractional Kelly bets on the strategy's record.
fn kelly_pct(
    r: &Record,
    fraction: Decimal,
    cap_pct: Decimal,
    strategy: usize,
) -> Result<Decimal, Reject> {
    let trips = r.wins + r.losses;
    if trips < KELLY_MIN_TRADES {
        return Ok(cap_pct);
    }
    let f = kelly_fraction(r)
        .filter(|f| *f > Decimal::ZERO)
        .ok_or_else(|| {
            let shown = kelly_fraction(r).map_or("—".to_string(), |f| f.round_dp(4).to_string());
            let why = format!(
                "strategy {strategy}'s record has no edge: {} wins and {} losses in {trips} round \
             trips give a Kelly fraction of {shown}",
                r.wins, r.losses
            );
            Reject::new(KELLY, why)
        })?;
    Ok((f * fraction * Decimal::ONE_HUNDRED).min(cap_pct))
}

/// f = p − (1 − p) / b; with no loss to measure b by, f = p. None without a win.
fn kelly_fraction(r: &Record) -> Option<Decimal> {
    if r.wins == 0 {
        return None;
    }
    let (wins, losses) = (Decimal::from(r.wins), Decimal::from(r.losses));
    let p = wins / (wins + losses);
    if r.losses == 0 || r.lost.is_zero() {
        return Some(p);
    }
    let b = (r.won / wins).checked_div(r.lost / losses)?;
    Some(p - (Decimal::ONE - p).checked_div(b)?)
}

#[cfg(test)]
mod tests;
