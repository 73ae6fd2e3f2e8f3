//! Reading secrets from a person: a line typed on the terminal without echo (crossterm raw mode,
//! restored on every exit path), everything piped into stdin, and the passphrase of the encrypted
//! key file (from `TICKDESK_KEY_PASSPHRASE`, else asked on the terminal).
//!
//! Invariant: what is typed or piped lands only in buffers that are wiped on drop and never grow
//! by reallocation (which would leave an unwiped copy behind); nothing typed is echoed.

use crate::config::Env;
use crate::secrets::Secret;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use zeroize::Zeroizing;

pub const PASSPHRASE_VAR: &str = "TICKDESK_KEY_PASSPHRASE";
/// The most a line typed or the input piped in may hold.
const MAX_INPUT: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("{what} is needed but there is no terminal to ask on; {hint}")]
    NoTerminal {
        what: &'static str,
        hint: &'static str,
    },
    #[error("cancelled at the prompt")]
    Cancelled,
    #[error("the terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error("the input is longer than {MAX_INPUT} bytes")]
    TooLong,
    #[error("the input is not UTF-8 text")]
    NotText,
    #[error("the two passphrases differ; nothing was written")]
    Mismatch,
    #[error("an empty passphrase protects nothing; choose one")]
    Empty,
}

/// Where the encrypted file's passphrase comes from.
pub trait Passphrase {
    /// The passphrase for `file`; `new`: it is about to be set (ask twice, refuse empty).
    fn passphrase(&mut self, file: &Path, new: bool) -> Result<Secret, PromptError>;
}

/// `TICKDESK_KEY_PASSPHRASE`, else a prompt on the terminal.
pub struct EnvOrPrompt<'a>(pub &'a Env);

impl Passphrase for EnvOrPrompt<'_> {
    fn passphrase(&mut self, file: &Path, new: bool) -> Result<Secret, PromptError> {
        if let Some(value) = self.0.get(PASSPHRASE_VAR).filter(|v| !v.is_empty()) {
            return Ok(Secret::new(value.to_string()));
        }
        if !terminal_available() {
            return Err(PromptError::NoTerminal {
                what: "the key file's passphrase",
                hint: "set TICKDESK_KEY_PASSPHRASE",
            });
        }
        let first = read_hidden(&format!("Passphrase for {}: ", file.display()))?;
        if new {
            if first.is_empty() {
                return Err(PromptError::Empty);
            }
            let again = read_hidden("The same passphrase again: ")?;
            if *again != *first {
                return Err(PromptError::Mismatch);
            }
        }
        Ok(Secret::new(first.to_string()))
    }
}

/// A fixed passphrase (tests, or one already asked for).
pub struct Given(pub Secret);

impl Passphrase for Given {
    fn passphrase(&mut self, _file: &Path, _new: bool) -> Result<Secret, PromptError> {
        Ok(Secret::new(self.0.expose().to_string()))
    }
}

/// Whether a person can be asked: crossterm reads keys from stdin, or `/dev/tty` when stdin is
/// a pipe; the prompt goes to stderr.
pub fn terminal_available() -> bool {
    std::io::stdin().is_terminal() || std::io::stderr().is_terminal()
}

/// Leaves raw mode when dropped, however the reading ends.
struct RawMode;

impl RawMode {
    fn enter() -> std::io::Result<Self> {
        ratatui::crossterm::terminal::enable_raw_mode()?;
        Ok(Self)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = ratatui::crossterm::terminal::disable_raw_mode();
    }
}

/// One line typed without echo, after `prompt` on stderr.
pub fn read_hidden(prompt: &str) -> Result<Zeroizing<String>, PromptError> {
    let mut stderr = std::io::stderr();
    write!(stderr, "{prompt}")?;
    stderr.flush()?;
    let mut line = Zeroizing::new(String::with_capacity(256));
    let outcome = {
        let _raw = RawMode::enter()?;
        loop {
            let Event::Key(key) = event::read()? else {
                continue;
            };
            match edit(&mut line, key) {
                Step::More => {}
                Step::Done => break Ok(()),
                Step::Cancel => break Err(PromptError::Cancelled),
                Step::TooLong => break Err(PromptError::TooLong),
            }
        }
    };
    writeln!(stderr)?;
    outcome.map(|()| line)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    More,
    Done,
    Cancel,
    TooLong,
}

/// Applies one key to the line being typed.
pub fn edit(line: &mut Zeroizing<String>, key: KeyEvent) -> Step {
    if key.kind == KeyEventKind::Release {
        return Step::More;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Enter => Step::Done,
        // In raw mode a pasted line feed arrives as Ctrl-J.
        KeyCode::Char('j') if ctrl => Step::Done,
        KeyCode::Char('c') if ctrl => Step::Cancel,
        KeyCode::Char('d') if ctrl && line.is_empty() => Step::Cancel,
        KeyCode::Esc => Step::Cancel,
        KeyCode::Char('u') if ctrl => {
            line.clear();
            Step::More
        }
        KeyCode::Backspace => {
            line.pop();
            Step::More
        }
        KeyCode::Char(c) if !ctrl => push(line, c),
        _ => Step::More,
    }
}

/// Appends without reallocating in place: a full buffer moves to a bigger one and the old one is
/// wiped.
fn push(line: &mut Zeroizing<String>, c: char) -> Step {
    if line.len() + c.len_utf8() > MAX_INPUT {
        return Step::TooLong;
    }
    if line.len() + c.len_utf8() > line.capacity() {
        let mut bigger = Zeroizing::new(String::with_capacity(line.capacity() * 2 + 8));
        bigger.push_str(line);
        *line = bigger;
    }
    line.push(c);
    Step::More
}

/// Everything on stdin, up to `MAX_INPUT` bytes.
pub fn read_stdin() -> Result<Zeroizing<String>, PromptError> {
    read_all(&mut std::io::stdin().lock())
}

pub fn read_all(input: &mut dyn Read) -> Result<Zeroizing<String>, PromptError> {
    let mut buf = Zeroizing::new(vec![0u8; MAX_INPUT + 1]);
    let mut filled = 0;
    loop {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
        if filled > MAX_INPUT {
            return Err(PromptError::TooLong);
        }
    }
    let text = std::str::from_utf8(&buf[..filled]).map_err(|_| PromptError::NotText)?;
    Ok(Zeroizing::new(text.to_string()))
}

#[cfg(test)]
mod tests;
