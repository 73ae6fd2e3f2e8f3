//! Client order ids of a live session: `td-s<journal session>-<order id>`. The tag is the journal
//! session's, so a restarted engine (which carries on the same session) gives a journaled order
//! the id it had before, and the exchange recognises it instead of taking a second order.

use crate::binance::wire::{ClientOrderId, SessionTag, WireError};
use crate::core::OrderId;

#[derive(Debug, Clone)]
pub struct Ids {
    tag: SessionTag,
    prefix: String,
}

impl Ids {
    /// The ids of journal session `session`.
    pub fn for_session(session: i64) -> Result<Self, WireError> {
        let text = format!("s{}", session.rem_euclid(10_000_000_000));
        Ok(Self {
            tag: SessionTag::new(&text)?,
            prefix: format!("td-{text}-"),
        })
    }

    pub fn order(&self, id: OrderId) -> ClientOrderId {
        ClientOrderId::for_order(&self.tag, id)
    }

    pub fn list(&self, group: u64) -> ClientOrderId {
        ClientOrderId::for_list(&self.tag, group)
    }

    /// The core order behind a client id, when this session gave it.
    pub fn parse(&self, client_id: &str) -> Option<OrderId> {
        client_id.strip_prefix(&self.prefix)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_other_sessions_ids_are_not_ours() {
        let ids = Ids::for_session(42).unwrap();
        assert_eq!(ids.order(7).as_str(), "td-s42-7");
        assert_eq!(ids.parse("td-s42-7"), Some(7));
        assert_eq!(ids.parse("td-s4-7"), None);
        assert_eq!(ids.parse("td-s42-L3"), None);
        assert_eq!(ids.parse("web_abc"), None);
        assert_eq!(ids.list(3).as_str(), "td-s42-L3");
    }
}
