//! The restart check of a live session: once the user-data stream's first reconciliation has
//! delivered every fill missed while the engine was down and then the account's balances, each
//! traded base asset the exchange holds is compared with what the journal says it should hold:
//! the balance the session started from plus the session's journaled fills. A difference (a sale
//! or deposit made by hand on the exchange, an order placed by another program) is reported in the
//! log and the alerts and handled by `[trading] on_mismatch`: halt, adopt or flatten.
//!
//! A buy's commission may be taken in the base asset, so the holding may fall short of the fills
//! by up to the buys' fees (valued back in the base asset); within that, and one lot step either
//! way, the amounts agree.

use crate::config::OnMismatch;
use crate::core::Command;
use crate::exchange::Exchange;
use crate::paper::{Outbox, Paper};
use crate::replica::AlertLevel;
use crate::risk::breakers::Monitor;
use rust_decimal::Decimal;

/// One traded asset whose holding is not what the journal expects.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub instrument: usize,
    pub asset: String,
    pub expected: Decimal,
    pub held: Decimal,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the exchange holds {} but the journal expects {} (started with the session's baseline, plus its fills)",
            self.asset,
            self.held.normalize(),
            self.expected.normalize()
        )
    }
}

/// The check a restarted session still owes (`None` once it ran).
#[derive(Debug, Default)]
pub struct Check {
    pending: Option<OnMismatch>,
}

impl Check {
    pub fn new(policy: OnMismatch) -> Self {
        Self {
            pending: Some(policy),
        }
    }

    /// Runs the check (once) and applies the policy; returns what is still owed (nothing).
    pub fn run(self, paper: &mut Paper, monitor: &mut Monitor, out: &mut Outbox) -> Check {
        let Some(policy) = self.pending else {
            return self;
        };
        let differences = match differences(paper) {
            Ok(d) => d,
            Err(e) => {
                paper.note(AlertLevel::Error, format!("restart check failed: {e}"), out);
                return Check::default();
            }
        };
        if differences.is_empty() {
            tracing::info!("restart check: the exchange's holdings agree with the journal");
            return Check::default();
        }
        for d in &differences {
            let text = format!("reconciliation: {d}");
            tracing::warn!(target: crate::logging::TRADE_TARGET, "{text}");
            paper.note(AlertLevel::Error, text, out);
        }
        match policy {
            OnMismatch::Halt => {
                let what = differences
                    .iter()
                    .map(|d| d.asset.clone())
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Some(b) = monitor.mismatch(format!("{what} differ from the journal")) {
                    paper.breaker(b, out);
                }
            }
            OnMismatch::Adopt => {
                for d in &differences {
                    if let Err(e) = paper.adopt(&d.asset, d.held - d.expected) {
                        paper.note(AlertLevel::Error, format!("journal: {e}"), out);
                    }
                    let text = format!("adopted the exchange's {} {}", d.held.normalize(), d.asset);
                    paper.note(AlertLevel::Warn, text, out);
                }
            }
            OnMismatch::Flatten => {
                for d in &differences {
                    paper.command(Command::Flatten(d.instrument), out);
                }
            }
        }
        Check::default()
    }
}

/// Every traded base asset whose holding differs from the journal's expectation.
pub fn differences(paper: &Paper) -> Result<Vec<Difference>, crate::journal::JournalError> {
    let Some((journal, session)) = paper.journal() else {
        return Ok(Vec::new());
    };
    let baseline = journal.baseline(session)?;
    let fills = journal.fills(session)?;
    let x = paper.engine().exchange();
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, inst) in paper.engine().instruments().iter().enumerate() {
        let rules = x.rules(i);
        if seen.contains(&rules.base) {
            continue;
        }
        seen.push(rules.base.clone());
        let start = baseline
            .iter()
            .find(|b| b.0 == rules.base)
            .map_or(Decimal::ZERO, |b| b.1);
        let (mut net, mut fee_room) = (Decimal::ZERO, Decimal::ZERO);
        for f in fills.iter().filter(|f| f.symbol == inst.symbol) {
            match f.side {
                crate::core::Side::Buy => {
                    net += f.qty;
                    if !f.price.is_zero() {
                        fee_room += f.fee / f.price;
                    }
                }
                crate::core::Side::Sell => net -= f.qty,
            }
        }
        let expected = start + net;
        let held = x
            .account()
            .find(&rules.base)
            .map_or(Decimal::ZERO, |a| x.account().total(a));
        let step = rules.step_size;
        if held > expected + step || held < expected - fee_room - step {
            out.push(Difference {
                instrument: i,
                asset: rules.base.clone(),
                expected,
                held,
            });
        }
    }
    Ok(out)
}
