//! Keys as the keymap sees them: a key code plus ctrl/alt/shift, normalised so that a crossterm
//! `KeyEvent` and the text written in `keymap.toml` meet on the same value. The invariant:
//! `parse_key(&key_text(k)) == Key::from(k)` for every key the parser accepts, and a character key
//! never carries SHIFT (`Q` is the character, not shift-q).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// A normalised key: what bindings are keyed by. Build it from a `KeyEvent` or with `parse_key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

/// Named keys: canonical text first; the aliases after it are accepted when parsing.
const NAMED: &[(KeyCode, &[&str])] = &[
    (KeyCode::Enter, &["enter", "return"]),
    (KeyCode::Esc, &["esc", "escape"]),
    (KeyCode::Tab, &["tab"]),
    (KeyCode::BackTab, &["backtab"]),
    (KeyCode::Char(' '), &["space"]),
    (KeyCode::Backspace, &["backspace"]),
    (KeyCode::Delete, &["delete", "del"]),
    (KeyCode::Insert, &["insert", "ins"]),
    (KeyCode::Up, &["up"]),
    (KeyCode::Down, &["down"]),
    (KeyCode::Left, &["left"]),
    (KeyCode::Right, &["right"]),
    (KeyCode::PageUp, &["pageup", "pgup"]),
    (KeyCode::PageDown, &["pagedown", "pgdn"]),
    (KeyCode::Home, &["home"]),
    (KeyCode::End, &["end"]),
];

const PREFIXES: [(&str, KeyModifiers); 3] = [
    ("ctrl-", KeyModifiers::CONTROL),
    ("alt-", KeyModifiers::ALT),
    ("shift-", KeyModifiers::SHIFT),
];

/// What `parse_key` accepts, for error messages.
pub const KEY_SYNTAX: &str = "a single character (`q`, `Q`, `?`), a named key (enter, esc, tab, \
     backtab, space, backspace, delete, insert, up, down, left, right, pageup, pagedown, home, end, \
     f1..f12), optionally after ctrl-, alt- or shift- (`ctrl-c`, `alt-x`, `shift-up`)";

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        let mut key = Key { code, modifiers };
        match code {
            KeyCode::Char(_) | KeyCode::BackTab => key.modifiers.remove(KeyModifiers::SHIFT),
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                key.code = KeyCode::BackTab;
                key.modifiers.remove(KeyModifiers::SHIFT);
            }
            _ => {}
        }
        key
    }

    /// A character typed without ctrl or alt: text input in the command line and forms.
    pub fn is_printable(self) -> bool {
        matches!(self.code, KeyCode::Char(c) if !c.is_control()) && self.modifiers.is_empty()
    }
}

impl From<KeyEvent> for Key {
    fn from(event: KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }
}

impl From<&KeyEvent> for Key {
    fn from(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }
}

/// Parses key text as written in `keymap.toml`: see `KEY_SYNTAX`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let mut rest = text;
    let mut modifiers = KeyModifiers::NONE;
    // A lone `-` is the minus key; `ctrl--` is ctrl and minus.
    while rest.chars().count() > 1 {
        let Some((prefix, modifier)) = PREFIXES.iter().find(|(p, _)| {
            rest.get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
        }) else {
            break;
        };
        if modifiers.contains(*modifier) {
            return Err(format!("`{text}` repeats {}", prefix.trim_end_matches('-')));
        }
        modifiers |= *modifier;
        rest = &rest[prefix.len()..];
    }
    let code =
        parse_code(rest).ok_or_else(|| format!("`{text}` is not a key: use {KEY_SYNTAX}"))?;
    if let KeyCode::Char(c) = code
        && modifiers.contains(KeyModifiers::SHIFT)
        && rest.chars().count() == 1
    {
        let upper: String = c.to_uppercase().collect();
        return Err(format!(
            "`{text}`: write the character itself (`{upper}`, `?`) instead of shift- with a character"
        ));
    }
    if code == KeyCode::Tab && modifiers.contains(KeyModifiers::SHIFT) {
        return Err(format!("`{text}`: write `backtab` for shift-tab"));
    }
    Ok(Key::new(code, modifiers))
}

fn parse_code(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return (!c.is_control() && c != ' ').then_some(KeyCode::Char(c));
    }
    let lower = text.to_ascii_lowercase();
    if let Some((code, _)) = NAMED
        .iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
    {
        return Some(*code);
    }
    let n: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=12).contains(&n).then_some(KeyCode::F(n))
}

/// The text for a key, as `parse_key` reads it: for the help screen and error messages.
pub fn key_text(key: &KeyEvent) -> String {
    Key::from(key).to_string()
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (prefix, modifier) in PREFIXES {
            if self.modifiers.contains(modifier) {
                f.write_str(prefix)?;
            }
        }
        for (modifier, prefix) in [
            (KeyModifiers::SUPER, "super-"),
            (KeyModifiers::HYPER, "hyper-"),
            (KeyModifiers::META, "meta-"),
        ] {
            if self.modifiers.contains(modifier) {
                f.write_str(prefix)?;
            }
        }
        if let Some((_, names)) = NAMED.iter().find(|(code, _)| *code == self.code) {
            return f.write_str(names.first().copied().unwrap_or_default());
        }
        match self.code {
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{}", format!("{other:?}").to_ascii_lowercase()),
        }
    }
}
