//! The latest log lines for the log pane: a tracing layer that keeps the last few hundred events
//! (message and level) in a shared ring, so the view shows them without anything being written
//! to the terminal while the full-screen UI owns it.

use crate::replica::AlertLevel;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;

const KEEP: usize = 400;

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Order of arrival.
    pub seq: i64,
    pub level: AlertLevel,
    pub text: String,
}

/// The shared ring; clone it into the layer and keep one for the view.
#[derive(Debug, Clone, Default)]
pub struct LogBuffer {
    inner: Arc<Mutex<(i64, VecDeque<LogLine>)>>,
}

impl LogBuffer {
    /// The lines kept, oldest first, and how many were ever pushed (a cheap change marker).
    pub fn snapshot(&self) -> (i64, Vec<LogLine>) {
        match self.inner.lock() {
            Ok(g) => (g.0, g.1.iter().cloned().collect()),
            Err(_) => (0, Vec::new()),
        }
    }

    pub fn seq(&self) -> i64 {
        self.inner.lock().map_or(0, |g| g.0)
    }

    pub fn push(&self, level: AlertLevel, text: String) {
        if let Ok(mut g) = self.inner.lock() {
            g.0 += 1;
            let seq = g.0;
            if g.1.len() >= KEEP {
                g.1.pop_front();
            }
            g.1.push_back(LogLine { seq, level, text });
        }
    }
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for LogBuffer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let level = match *event.metadata().level() {
            tracing::Level::ERROR => AlertLevel::Error,
            tracing::Level::WARN => AlertLevel::Warn,
            tracing::Level::INFO => AlertLevel::Info,
            _ => return,
        };
        let mut m = Message(String::new());
        event.record(&mut m);
        self.push(level, m.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn keeps_the_latest_lines_with_their_levels() {
        let buf = LogBuffer::default();
        let subscriber = tracing_subscriber::registry().with(buf.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("hello {}", 1);
            tracing::debug!("not kept");
            tracing::warn!(order = 7, "refused");
        });
        let (seq, lines) = buf.snapshot();
        assert_eq!(seq, 2);
        assert_eq!(lines[0].text, "hello 1");
        assert_eq!(
            (lines[1].level, lines[1].text.as_str()),
            (AlertLevel::Warn, "refused order=7")
        );
        for i in 0..KEEP + 5 {
            buf.push(AlertLevel::Info, i.to_string());
        }
        assert_eq!(buf.snapshot().1.len(), KEEP);
    }
}
