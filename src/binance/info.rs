//! `GET /api/v3/exchangeInfo`: symbols with their status, allowed order types and filters, and
//! the exchange's rate limits; a cache that says when the copy is too old; conversion to the
//! core's `SymbolRules`. Rounding and local refusal of outgoing orders live in `prepare`.
//!
//! Invariant: filter values are the exchange's decimal strings parsed exactly; a filter the
//! exchange did not send is `None` and checks nothing (as Binance's own "0 turns it off").

mod filters;
mod prepare;

pub use filters::{
    Filter, LotSize, MinNotional, Notional, PercentPrice, PercentPriceBySide, PriceFilter,
};
pub use prepare::{OrderContext, Prepared};

use super::limiter::OrderWindow;
use super::wire::{self, OrderType, WireError};
use crate::clock::Clock;
use crate::exchange::SymbolRules;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

/// Request weight of `GET /api/v3/exchangeInfo`.
pub const EXCHANGE_INFO_WEIGHT: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SymbolStatus {
    Trading,
    EndOfDay,
    Halt,
    Break,
    CancelOnly,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RateLimitType {
    RequestWeight,
    Orders,
    RawRequests,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RateInterval {
    Second,
    Minute,
    Hour,
    Day,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub rate_limit_type: RateLimitType,
    pub interval: RateInterval,
    pub interval_num: u32,
    pub limit: u32,
}

impl RateLimit {
    pub fn window_ms(&self) -> Option<i64> {
        let unit = match self.interval {
            RateInterval::Second => 1_000,
            RateInterval::Minute => 60_000,
            RateInterval::Hour => 3_600_000,
            RateInterval::Day => 86_400_000,
            RateInterval::Other => return None,
        };
        Some(unit * i64::from(self.interval_num))
    }
}

fn eight() -> u32 {
    8
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolInfo {
    pub symbol: String,
    pub status: SymbolStatus,
    pub base_asset: String,
    pub quote_asset: String,
    #[serde(default = "eight")]
    pub base_asset_precision: u32,
    #[serde(default = "eight")]
    pub quote_asset_precision: u32,
    #[serde(default)]
    pub order_types: Vec<OrderType>,
    #[serde(default)]
    pub oco_allowed: bool,
    #[serde(default)]
    pub quote_order_qty_market_allowed: bool,
    #[serde(default)]
    pub filters: Vec<Filter>,
}

impl SymbolInfo {
    pub fn price_filter(&self) -> Option<&PriceFilter> {
        self.filters.iter().find_map(|f| match f {
            Filter::PriceFilter(p) => Some(p),
            _ => None,
        })
    }

    pub fn lot_size(&self) -> Option<&LotSize> {
        self.filters.iter().find_map(|f| match f {
            Filter::LotSize(l) => Some(l),
            _ => None,
        })
    }

    pub fn market_lot_size(&self) -> Option<&LotSize> {
        self.filters.iter().find_map(|f| match f {
            Filter::MarketLotSize(l) => Some(l),
            _ => None,
        })
    }

    pub fn min_notional(&self) -> Option<&MinNotional> {
        self.filters.iter().find_map(|f| match f {
            Filter::MinNotional(n) => Some(n),
            _ => None,
        })
    }

    pub fn notional(&self) -> Option<&Notional> {
        self.filters.iter().find_map(|f| match f {
            Filter::Notional(n) => Some(n),
            _ => None,
        })
    }

    pub fn percent_price(&self) -> Option<&PercentPrice> {
        self.filters.iter().find_map(|f| match f {
            Filter::PercentPrice(p) => Some(p),
            _ => None,
        })
    }

    pub fn percent_price_by_side(&self) -> Option<&PercentPriceBySide> {
        self.filters.iter().find_map(|f| match f {
            Filter::PercentPriceBySide(p) => Some(p),
            _ => None,
        })
    }

    /// The core's rules: tick and step from PRICE_FILTER and LOT_SIZE, the minimum order value
    /// from NOTIONAL (or the older MIN_NOTIONAL); absent filters give zero (no check).
    pub fn rules(&self) -> SymbolRules {
        let lot = self.lot_size();
        let min_notional = self
            .notional()
            .map(|n| n.min_notional)
            .or(self.min_notional().map(|n| n.min_notional))
            .unwrap_or_default();
        SymbolRules {
            base: self.base_asset.clone(),
            quote: self.quote_asset.clone(),
            tick_size: self.price_filter().map(|p| p.tick_size).unwrap_or_default(),
            step_size: lot.map(|l| l.step_size).unwrap_or_default(),
            min_qty: lot.map(|l| l.min_qty).unwrap_or_default(),
            min_notional,
            known: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeInfo {
    pub server_time: i64,
    pub rate_limits: Vec<RateLimit>,
    symbols: BTreeMap<String, SymbolInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInfo {
    #[serde(default)]
    server_time: i64,
    #[serde(default)]
    rate_limits: Vec<RateLimit>,
    symbols: Vec<SymbolInfo>,
}

impl ExchangeInfo {
    pub fn parse(body: &[u8]) -> Result<Self, WireError> {
        let raw: RawInfo = wire::from_slice(body)?;
        Ok(Self {
            server_time: raw.server_time,
            rate_limits: raw.rate_limits,
            symbols: raw
                .symbols
                .into_iter()
                .map(|s| (s.symbol.clone(), s))
                .collect(),
        })
    }

    pub fn symbol(&self, symbol: &str) -> Option<&SymbolInfo> {
        self.symbols.get(symbol)
    }

    pub fn symbols(&self) -> impl Iterator<Item = &SymbolInfo> {
        self.symbols.values()
    }

    pub fn rules_for(&self, symbol: &str) -> Option<SymbolRules> {
        self.symbol(symbol).map(SymbolInfo::rules)
    }

    /// The REQUEST_WEIGHT limit per one minute, if the exchange states one.
    pub fn weight_per_minute(&self) -> Option<u32> {
        self.rate_limits
            .iter()
            .find(|r| {
                r.rate_limit_type == RateLimitType::RequestWeight && r.window_ms() == Some(60_000)
            })
            .map(|r| r.limit)
    }

    /// The ORDERS limits, as the limiter counts them.
    pub fn order_windows(&self) -> Vec<OrderWindow> {
        self.rate_limits
            .iter()
            .filter(|r| r.rate_limit_type == RateLimitType::Orders)
            .filter_map(|r| r.window_ms().map(|w| OrderWindow::new(w, r.limit)))
            .collect()
    }
}

/// The last exchangeInfo, with when it was fetched (local ms).
pub struct InfoCache {
    clock: Arc<dyn Clock>,
    max_age_ms: i64,
    slot: Mutex<Option<(Arc<ExchangeInfo>, i64)>>,
}

impl InfoCache {
    pub fn new(clock: Arc<dyn Clock>, max_age: Duration) -> Self {
        Self {
            clock,
            max_age_ms: i64::try_from(max_age.as_millis()).unwrap_or(i64::MAX),
            slot: Mutex::new(None),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(Arc<ExchangeInfo>, i64)>> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached copy while it is younger than the maximum age.
    pub fn fresh(&self) -> Option<Arc<ExchangeInfo>> {
        let now = self.clock.now_ms();
        self.slot()
            .as_ref()
            .filter(|(_, at)| now - at < self.max_age_ms)
            .map(|(info, _)| info.clone())
    }

    /// The cached copy, however old (for when a refresh failed).
    pub fn any(&self) -> Option<Arc<ExchangeInfo>> {
        self.slot().as_ref().map(|(info, _)| info.clone())
    }

    pub fn store(&self, info: ExchangeInfo) -> Arc<ExchangeInfo> {
        let info = Arc::new(info);
        *self.slot() = Some((info.clone(), self.clock.now_ms()));
        info
    }
}

/// A decimal on a grid: `x` rounded down (or up) to a multiple of `step`; a zero step leaves it.
pub(crate) fn to_grid(x: Decimal, step: Decimal, up: bool) -> Decimal {
    to_grid_from(x, Decimal::ZERO, step, up)
}

/// As `to_grid`, on the grid `origin + k × step` (LOT_SIZE's rule is
/// `(quantity - minQty) % stepSize == 0`).
pub(crate) fn to_grid_from(x: Decimal, origin: Decimal, step: Decimal, up: bool) -> Decimal {
    if step.is_zero() {
        return x.normalize();
    }
    let steps = (x - origin) / step;
    let steps = if up { steps.ceil() } else { steps.floor() };
    (origin + steps * step).normalize()
}

#[cfg(test)]
pub(crate) mod tests;
