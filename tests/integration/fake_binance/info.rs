//! The fake's symbols: their trading rules (the filters Binance publishes in `exchangeInfo`), the
//! `exchangeInfo` document itself, and the filter checks every new order passes before it reaches
//! the matching engine. Invariant: an order the fake accepts satisfies PRICE_FILTER (price and
//! stop price), LOT_SIZE, MARKET_LOT_SIZE (MARKET only) and NOTIONAL; the first rule broken is
//! answered `-1013 "Filter failure: <NAME>"` as Binance does. ICEBERG_PARTS, TRAILING_DELTA and
//! PERCENT_PRICE_BY_SIDE are published (so parsers meet them) but not enforced.

use super::wire::{ApiError, Fmt};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// One symbol's identity and rules. Field names follow the filters they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolSpec {
    pub symbol: String,
    pub base: String,
    pub quote: String,
    pub status: String,
    pub min_price: Decimal,
    pub max_price: Decimal,
    pub tick_size: Decimal,
    pub min_qty: Decimal,
    pub max_qty: Decimal,
    pub step_size: Decimal,
    pub market_min_qty: Decimal,
    pub market_max_qty: Decimal,
    pub market_step_size: Decimal,
    pub min_notional: Decimal,
    pub max_notional: Decimal,
    pub apply_min_to_market: bool,
    pub apply_max_to_market: bool,
    pub max_num_orders: usize,
    pub max_num_algo_orders: usize,
}

impl SymbolSpec {
    /// A TRADING symbol with the given tick, step and minimum notional; other rules as Binance's
    /// majors have them (MARKET_LOT_SIZE step 0 = unchecked, 200 open orders, 5 stop orders).
    pub fn new(
        symbol: &str,
        base: &str,
        quote: &str,
        tick: &str,
        step: &str,
        min_notional: &str,
    ) -> Self {
        Self {
            symbol: symbol.to_string(),
            base: base.to_string(),
            quote: quote.to_string(),
            status: "TRADING".to_string(),
            min_price: d(tick),
            max_price: d("1000000"),
            tick_size: d(tick),
            min_qty: d(step),
            max_qty: d("9000"),
            step_size: d(step),
            market_min_qty: Decimal::ZERO,
            market_max_qty: d("100"),
            market_step_size: Decimal::ZERO,
            min_notional: d(min_notional),
            max_notional: d("9000000"),
            apply_min_to_market: true,
            apply_max_to_market: false,
            max_num_orders: 200,
            max_num_algo_orders: 5,
        }
    }

    pub fn btcusdt() -> Self {
        Self::new("BTCUSDT", "BTC", "USDT", "0.01", "0.00001", "5")
    }

    pub fn ethusdt() -> Self {
        Self {
            market_max_qty: d("3000"),
            ..Self::new("ETHUSDT", "ETH", "USDT", "0.01", "0.0001", "5")
        }
    }

    /// PRICE_FILTER, for `price` and `stopPrice`.
    pub fn check_price(&self, price: Decimal) -> Result<(), ApiError> {
        let ok = (self.min_price.is_zero() || price >= self.min_price)
            && (self.max_price.is_zero() || price <= self.max_price)
            && on_step(price, self.min_price, self.tick_size);
        if ok {
            Ok(())
        } else {
            Err(ApiError::filter("PRICE_FILTER"))
        }
    }

    /// LOT_SIZE for every order with a quantity, and MARKET_LOT_SIZE as well for MARKET ones.
    pub fn check_qty(&self, qty: Decimal, market: bool) -> Result<(), ApiError> {
        if !in_lot(qty, self.min_qty, self.max_qty, self.step_size) {
            return Err(ApiError::filter("LOT_SIZE"));
        }
        if market
            && !in_lot(
                qty,
                self.market_min_qty,
                self.market_max_qty,
                self.market_step_size,
            )
        {
            return Err(ApiError::filter("MARKET_LOT_SIZE"));
        }
        Ok(())
    }

    /// NOTIONAL: `minNotional ≤ price × qty ≤ maxNotional` (MARKET orders only when applied).
    pub fn check_notional(&self, notional: Decimal, market: bool) -> Result<(), ApiError> {
        let min_applies = !market || self.apply_min_to_market;
        let max_applies = !market || self.apply_max_to_market;
        if (min_applies && notional < self.min_notional)
            || (max_applies && !self.max_notional.is_zero() && notional > self.max_notional)
        {
            return Err(ApiError::filter("NOTIONAL"));
        }
        Ok(())
    }

    /// The largest multiple of the lot step not above `qty`.
    pub fn floor_qty(&self, qty: Decimal) -> Decimal {
        if self.step_size.is_zero() {
            return qty;
        }
        (qty / self.step_size).floor() * self.step_size
    }

    pub fn to_json(&self, fmt: Fmt) -> Value {
        json!({
            "symbol": self.symbol, "status": self.status,
            "baseAsset": self.base, "baseAssetPrecision": 8,
            "quoteAsset": self.quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
            "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT",
                "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"],
            "icebergAllowed": true, "ocoAllowed": true, "otoAllowed": true,
            "quoteOrderQtyMarketAllowed": true, "allowTrailingStop": true,
            "cancelReplaceAllowed": true, "amendAllowed": true,
            "isSpotTradingAllowed": true, "isMarginTradingAllowed": false,
            "filters": self.filters_json(fmt),
            "permissions": [], "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER",
                "EXPIRE_BOTH", "DECREMENT"],
        })
    }

    fn filters_json(&self, fmt: Fmt) -> Value {
        let n = |x: Decimal| fmt.dec(x);
        json!([
            {"filterType": "PRICE_FILTER", "minPrice": n(self.min_price),
                "maxPrice": n(self.max_price), "tickSize": n(self.tick_size)},
            {"filterType": "LOT_SIZE", "minQty": n(self.min_qty), "maxQty": n(self.max_qty),
                "stepSize": n(self.step_size)},
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {"filterType": "MARKET_LOT_SIZE", "minQty": n(self.market_min_qty),
                "maxQty": n(self.market_max_qty), "stepSize": n(self.market_step_size)},
            {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10,
                "maxTrailingAboveDelta": 2000, "minTrailingBelowDelta": 10,
                "maxTrailingBelowDelta": 2000},
            {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5",
                "bidMultiplierDown": "0.2", "askMultiplierUp": "5", "askMultiplierDown": "0.2",
                "avgPriceMins": 5},
            {"filterType": "NOTIONAL", "minNotional": n(self.min_notional),
                "applyMinToMarket": self.apply_min_to_market, "maxNotional": n(self.max_notional),
                "applyMaxToMarket": self.apply_max_to_market, "avgPriceMins": 5},
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": self.max_num_orders},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": self.max_num_algo_orders},
        ])
    }
}

/// Binance's step rule `(x - min) % step == 0`; a zero step turns it off.
fn on_step(x: Decimal, min: Decimal, step: Decimal) -> bool {
    step.is_zero() || ((x - min) % step).is_zero()
}

fn in_lot(qty: Decimal, min: Decimal, max: Decimal, step: Decimal) -> bool {
    qty > Decimal::ZERO && qty >= min && (max.is_zero() || qty <= max) && on_step(qty, min, step)
}

/// The `rateLimits` Binance publishes (spec §6 examples); the weight limit is the fake's own.
pub fn rate_limits(weight_limit: u32, orders_10s: u32, orders_1d: u32) -> Value {
    json!([
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
            "limit": weight_limit},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": orders_10s},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": orders_1d},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
    ])
}
