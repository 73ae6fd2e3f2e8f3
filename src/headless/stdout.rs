//! Log lines on stdout for an engine without a view: one event per line, plain text (colour only
//! on a terminal, and never with NO_COLOR), written off-thread and dropped rather than waited for
//! when stdout cannot keep up, so a stuck pipe never stalls the engine.
//!
//! Under systemd (JOURNAL_STREAM set) a line carries journald's priority prefix (`<3>` for an
//! error … `<7>` for debug) instead of a timestamp, which the journal adds itself.
//!
//! Invariant: a line never contains a newline; one inside a message is written as `\n`.

use std::fmt::Write as _;
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_appender::non_blocking::NonBlocking;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::Context;

/// How lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Timestamp and level, coloured on a terminal.
    Plain { ansi: bool },
    /// For the systemd journal: a priority prefix, no timestamp.
    Journal,
}

impl Style {
    /// What stdout is: the journal, a terminal, or a file or pipe.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        if std::env::var_os("JOURNAL_STREAM").is_some() {
            return Self::Journal;
        }
        Self::Plain {
            ansi: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

pub struct StdoutLayer {
    writer: NonBlocking,
    style: Style,
    level: LevelFilter,
}

impl StdoutLayer {
    pub fn new(writer: NonBlocking, style: Style, level: LevelFilter) -> Self {
        Self {
            writer,
            style,
            level,
        }
    }
}

impl<S: Subscriber> Layer<S> for StdoutLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() > self.level || meta.target() == crate::logging::FILE_ONLY_TARGET {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let target = (meta.target() == crate::logging::TRADE_TARGET).then_some("trade");
        let line = format_line(
            self.style,
            crate::clock::system_now_ms(),
            *meta.level(),
            target,
            &fields,
        );
        let mut w = self.writer.clone();
        let _ = w.write_all(line.as_bytes());
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }
}

fn format_line(
    style: Style,
    now_ms: i64,
    level: Level,
    target: Option<&str>,
    fields: &Fields,
) -> String {
    let mut line = match style {
        Style::Journal => format!("<{}>", priority(level)),
        Style::Plain { ansi } => {
            let name = format!("{level:>5}");
            let name = if ansi {
                format!("\x1b[{}m{name}\x1b[0m", colour(level))
            } else {
                name
            };
            format!("{} {name} ", timestamp(now_ms))
        }
    };
    if let Some(t) = target {
        let _ = write!(line, "{t}: ");
    }
    line.push_str(&fields.message.replace('\n', "\\n"));
    line.push_str(&fields.rest.replace('\n', "\\n"));
    line.push('\n');
    line
}

/// syslog priorities, as sd-daemon(3) prefixes them.
fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

fn colour(level: Level) -> u8 {
    match level {
        Level::ERROR => 31,
        Level::WARN => 33,
        Level::INFO => 32,
        _ => 2,
    }
}

/// `2025-08-01T12:34:56.789Z`.
pub(crate) fn timestamp(ms: i64) -> String {
    let day = ms.div_euclid(crate::market::time::DAY_MS);
    let (y, mo, d) = crate::market::time::civil_from_days(day);
    let in_day = ms.rem_euclid(crate::market::time::DAY_MS);
    let (h, mi, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(message: &str, rest: &str) -> Fields {
        Fields {
            message: message.into(),
            rest: rest.into(),
        }
    }

    #[test]
    fn plain_lines_carry_time_and_level_and_stay_on_one_line() {
        // 2025-08-01 12:34:56.789 UTC
        let t = 1_754_051_696_789;
        let f = fields("two\nlines", " qty=\"0.1\"");
        let plain = format_line(Style::Plain { ansi: false }, t, Level::WARN, None, &f);
        assert_eq!(
            plain,
            "2025-08-01T12:34:56.789Z  WARN two\\nlines qty=\"0.1\"\n"
        );
        let coloured = format_line(Style::Plain { ansi: true }, t, Level::ERROR, None, &f);
        assert!(coloured.contains("\x1b[31mERROR\x1b[0m two"), "{coloured}");
        let f = fields("fill: order 3", "");
        let trade = format_line(
            Style::Plain { ansi: false },
            0,
            Level::INFO,
            Some("trade"),
            &f,
        );
        assert_eq!(
            trade,
            "1970-01-01T00:00:00.000Z  INFO trade: fill: order 3\n"
        );
    }

    #[test]
    fn journal_lines_carry_the_priority_instead() {
        let f = fields("engine running", "");
        let at = |level| format_line(Style::Journal, 5, level, None, &f);
        assert_eq!(at(Level::INFO), "<6>engine running\n");
        assert_eq!(at(Level::ERROR), "<3>engine running\n");
        assert_eq!(at(Level::WARN), "<4>engine running\n");
        assert_eq!(at(Level::DEBUG), "<7>engine running\n");
    }

    #[test]
    fn events_below_the_level_or_for_files_only_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        let file = std::fs::File::create(&path).unwrap();
        let (writer, guard) = tracing_appender::non_blocking(file);
        let layer = StdoutLayer::new(writer, Style::Plain { ansi: false }, LevelFilter::INFO);
        use tracing_subscriber::layer::SubscriberExt;
        let sub = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(sub, || {
            tracing::debug!("too detailed");
            tracing::info!(symbol = "BTCUSDT", bars = 3, "engine running");
            tracing::error!(target: crate::logging::FILE_ONLY_TARGET, "already on stderr");
        });
        drop(guard);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.ends_with("INFO engine running symbol=\"BTCUSDT\" bars=3\n"),
            "{text}"
        );
    }
}
