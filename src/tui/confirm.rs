//! The typed confirmation of live trading, inside the workstation: the first time it trades live
//! from a data dir, before anything reaches Binance, a full-screen dialog says what is at stake
//! (the network, real money or the testnet, the symbols, the strategies) and the person types
//! `LIVE` and Enter; anything else entered says so and asks again, Esc or Ctrl-C cancels. The
//! answer is remembered in the data dir (`live-confirmed`), so it is asked once.
//!
//! Invariant: no session is opened (nothing is sent) unless `LIVE` was typed here or earlier.

use super::theme::Theme;
use super::view::popup;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use std::path::PathBuf;
use tokio::sync::mpsc;

/// The file in the data dir that records the confirmation.
pub const LIVE_CONFIRMED: &str = "live-confirmed";

/// What typing `LIVE` confirms: each line of what is at stake, and where the answer is kept.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub stakes: Vec<String>,
    pub marker: PathBuf,
}

impl Confirmation {
    /// Asked only when the data dir has no record of an earlier confirmation.
    pub fn needed(stakes: Vec<String>, data_dir: &std::path::Path) -> Option<Self> {
        let marker = data_dir.join(LIVE_CONFIRMED);
        (!marker.exists()).then_some(Self { stakes, marker })
    }

    fn remember(&self) -> std::io::Result<()> {
        let now = crate::clock::system_now_ms();
        std::fs::write(
            &self.marker,
            format!("confirmed live trading at {now} ms\n"),
        )
    }
}

/// What the person typed so far, and the complaint about the last entry.
#[derive(Debug, Default, PartialEq)]
pub struct Typed {
    pub text: String,
    pub error: Option<String>,
}

/// The word that confirms.
const WORD: &str = "LIVE";

impl Typed {
    /// A key: `Some(true)` confirmed, `Some(false)` cancelled, `None` keep asking.
    pub fn key(&mut self, k: KeyEvent) -> Option<bool> {
        if k.kind == KeyEventKind::Release {
            return None;
        }
        match k.code {
            KeyCode::Esc => return Some(false),
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                return Some(false);
            }
            KeyCode::Enter if self.text == WORD => return Some(true),
            KeyCode::Enter => {
                self.error = Some(format!(
                    "“{}” is not {WORD}: type {WORD} in capitals, or esc to cancel",
                    self.text
                ));
                self.text.clear();
            }
            KeyCode::Backspace => {
                self.text.pop();
            }
            KeyCode::Char(c) if self.text.chars().count() < 16 => self.text.push(c),
            _ => {}
        }
        None
    }
}

/// Draws the dialog.
pub fn draw(f: &mut ratatui::Frame<'_>, stakes: &[String], typed: &Typed, theme: &Theme) {
    let area = f.area();
    f.render_widget(Block::default().style(theme.text), area);
    let mut text = vec![Line::from(Span::styled(
        "Live trading: orders will reach the exchange.",
        theme.warning,
    ))];
    text.push(Line::from(""));
    text.extend(
        stakes
            .iter()
            .map(|s| Line::from(Span::styled(s.clone(), theme.text))),
    );
    text.push(Line::from(""));
    text.push(Line::from(vec![
        Span::styled(format!("Type {WORD} and press enter: "), theme.accent),
        Span::styled(format!("{}_", typed.text), theme.title),
    ]));
    let hint = match &typed.error {
        Some(e) => Span::styled(e.clone(), theme.error),
        None => Span::styled("esc cancels; nothing is started", theme.muted),
    };
    text.push(Line::from(hint));
    let height = u16::try_from(text.len() + 2).unwrap_or(u16::MAX);
    let rect = popup(f, area, 76, height.saturating_add(2));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.warning)
        .title(Span::styled(" Confirm live trading ", theme.warning))
        .style(theme.text);
    f.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
        rect,
    );
}

/// Asks until confirmed or cancelled (or the keys end); remembers a confirmation.
pub async fn ask<B: Backend>(
    terminal: &mut Terminal<B>,
    keys: &mut mpsc::Receiver<Event>,
    theme: &Theme,
    c: &Confirmation,
) -> anyhow::Result<bool>
where
    B::Error: Send + Sync + 'static,
{
    let mut typed = Typed::default();
    loop {
        terminal.draw(|f| draw(f, &c.stakes, &typed, theme))?;
        let Some(event) = keys.recv().await else {
            return Ok(false);
        };
        let Event::Key(k) = event else { continue };
        match typed.key(k) {
            Some(true) => {
                c.remember()?;
                return Ok(true);
            }
            Some(false) => return Ok(false),
            None => {}
        }
    }
}

/// One line while the session opens (the warm-up history, the account, the streams).
pub fn opening<B: Backend>(terminal: &mut Terminal<B>, theme: &Theme) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    terminal.draw(|f| {
        let area = f.area();
        f.render_widget(Block::default().style(theme.text), area);
        let rect = popup(f, area, 60, 3);
        let line = "Connecting to Binance: history, account, streams…";
        f.render_widget(
            Paragraph::new(Span::styled(line, theme.muted)).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border),
            ),
            rect,
        );
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(t: &mut Typed, s: &str) -> Option<bool> {
        s.chars().find_map(|c| t.key(key(KeyCode::Char(c))))
    }

    #[test]
    fn only_live_then_enter_confirms() {
        let mut t = Typed::default();
        assert_eq!(typed(&mut t, "live"), None);
        assert_eq!(t.key(key(KeyCode::Enter)), None, "lower case is not it");
        assert!(t.error.as_deref().is_some_and(|e| e.contains("“live”")));
        assert!(t.text.is_empty(), "asked again from scratch");
        assert_eq!(typed(&mut t, "LIVX"), None);
        t.key(key(KeyCode::Backspace));
        typed(&mut t, "E");
        assert_eq!(t.key(key(KeyCode::Enter)), Some(true));
        let mut t = Typed::default();
        typed(&mut t, "LIV");
        assert_eq!(t.key(key(KeyCode::Esc)), Some(false));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(Typed::default().key(ctrl_c), Some(false));
    }

    #[test]
    fn the_dialog_says_what_is_at_stake_and_what_was_typed() {
        let theme = Theme::load("dark", None, crate::tui::theme::ColorDepth::TrueColor).unwrap();
        let mut term = Terminal::new(TestBackend::new(100, 20)).unwrap();
        let stakes = vec!["Binance, with REAL MONEY (https://api.binance.com)".to_string()];
        let mut t = Typed::default();
        typed(&mut t, "LI");
        term.draw(|f| draw(f, &stakes, &t, &theme)).unwrap();
        let screen: String = term
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(screen.contains("Confirm live trading"), "{screen}");
        assert!(screen.contains("REAL MONEY"));
        assert!(screen.contains("Type LIVE and press enter: LI_"));
    }

    #[test]
    fn a_confirmation_is_asked_once_per_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let c = Confirmation::needed(vec![], dir.path()).unwrap();
        c.remember().unwrap();
        assert!(Confirmation::needed(vec![], dir.path()).is_none());
    }
}
