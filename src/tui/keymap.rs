//! The keymap: which key means which `Action`, per context (the focused pane or an open dialog).
//! The default is `ui/keymap.toml`, built into the binary; the user's `keymap.toml` in the config
//! directory overlays it key by key. Invariants: a context holds at most one binding per key; a
//! context's binding (even `"none"`) hides the global one for that key; in the command line and
//! forms, characters typed without ctrl/alt are never actions, so text can always be typed.

mod action;
mod file;
mod key;
mod source;

pub use action::Action;
pub use key::{KEY_SYNTAX, Key, key_text, parse_key};
pub use source::SourceError;
pub(in crate::tui) use source::one_of;

use crate::config::Sources;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where keys are being read: the focused pane, or an open dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Chart,
    Book,
    Positions,
    Orders,
    Fills,
    Strategies,
    Backtests,
    Log,
    Help,
    CommandLine,
    Form,
    Confirm,
}

impl Context {
    /// Every context, in declaration order (`ALL[c as usize] == c`).
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Chart,
        Context::Book,
        Context::Positions,
        Context::Orders,
        Context::Fills,
        Context::Strategies,
        Context::Backtests,
        Context::Log,
        Context::Help,
        Context::CommandLine,
        Context::Form,
        Context::Confirm,
    ];

    /// The section name in `keymap.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Chart => "chart",
            Context::Book => "book",
            Context::Positions => "positions",
            Context::Orders => "orders",
            Context::Fills => "fills",
            Context::Strategies => "strategies",
            Context::Backtests => "backtests",
            Context::Log => "log",
            Context::Help => "help",
            Context::CommandLine => "command-line",
            Context::Form => "form",
            Context::Confirm => "confirm",
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Contexts where unbound printable characters are typed rather than looked up.
    pub fn is_text_input(self) -> bool {
        matches!(self, Context::CommandLine | Context::Form)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("cannot read the keymap {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] SourceError),
}

/// How the built-in keymap is named in error messages.
pub const DEFAULT_FILE: &str = "ui/keymap.toml (built in)";
const DEFAULT_TEXT: &str = include_str!("../../ui/keymap.toml");

/// Bindings per context. `None` is an explicit unbinding: the key does nothing there.
#[derive(Debug, Clone)]
pub struct Keymap {
    tables: Vec<HashMap<Key, Option<Action>>>,
}

impl Keymap {
    /// The built-in keymap, `ui/keymap.toml`.
    pub fn default_map() -> Result<Keymap, KeymapError> {
        let mut map = Keymap {
            tables: vec![HashMap::new(); Context::ALL.len()],
        };
        map.overlay(DEFAULT_TEXT, DEFAULT_FILE)?;
        Ok(map)
    }

    /// Where the user's keymap is looked for: `keymap.toml` beside the user's `config.toml`
    /// (`~/.config/tickdesk/keymap.toml` on Linux).
    pub fn user_file() -> Option<PathBuf> {
        Sources::user_file_path().map(|p| p.with_file_name("keymap.toml"))
    }

    /// The built-in keymap with the user's file laid over it, if that file exists.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default_map()?;
        let Some(path) = user_file else {
            return Ok(map);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => map.overlay(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                let path = path.to_path_buf();
                return Err(KeymapError::Read { path, source });
            }
        }
        Ok(map)
    }

    /// Applies a keymap file's bindings over the current ones: each replaces the binding for its
    /// key in its context. Nothing changes when the file has an error.
    pub fn overlay(&mut self, text: &str, file: &str) -> Result<(), KeymapError> {
        for binding in file::parse(text, file)? {
            self.tables[binding.context as usize].insert(binding.key, binding.action);
        }
        Ok(())
    }

    /// The action for a key in a context: the context's binding, else the global one. In the
    /// command line and forms an unbound printable character is text: `None`, for the caller to
    /// type it.
    pub fn action(&self, context: Context, key: KeyEvent) -> Option<Action> {
        let key = Key::from(key);
        if let Some(bound) = self.table(context).get(&key) {
            return *bound;
        }
        if context.is_text_input() && key.is_printable() {
            return None;
        }
        self.table(Context::Global).get(&key).copied().flatten()
    }

    /// Every binding that works in a context, as (key text, action): the context's own first, then
    /// the global ones it does not hide, each group sorted by action (help-screen order), then key.
    pub fn bindings(&self, context: Context) -> Vec<(String, Action)> {
        let own = self.table(context);
        let mut out = sorted(own);
        if context != Context::Global {
            let typed = |key: &Key| context.is_text_input() && key.is_printable();
            let global = self.table(Context::Global).iter();
            let global = global.filter(|(key, _)| !own.contains_key(*key) && !typed(key));
            out.extend(sorted(global));
        }
        out
    }

    /// The keys for an action in a context, as text (for hints such as "? help").
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<String> {
        let bindings = self.bindings(context).into_iter();
        bindings
            .filter(|(_, a)| *a == action)
            .map(|(key, _)| key)
            .collect()
    }

    fn table(&self, context: Context) -> &HashMap<Key, Option<Action>> {
        &self.tables[context as usize]
    }
}

/// Bound (not unbound) keys in help-screen order: by action, then plain characters before named
/// keys before modified ones, then by text.
fn sorted<'a>(
    entries: impl IntoIterator<Item = (&'a Key, &'a Option<Action>)>,
) -> Vec<(String, Action)> {
    let mut bound: Vec<(usize, u8, String, Action)> = entries
        .into_iter()
        .filter_map(|(key, action)| {
            let action = (*action)?;
            let rank = match key.code {
                _ if !key.modifiers.is_empty() => 2,
                KeyCode::Char(c) if c != ' ' => 0,
                _ => 1,
            };
            Some((action as usize, rank, key.to_string(), action))
        })
        .collect();
    bound.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    bound
        .into_iter()
        .map(|(_, _, text, action)| (text, action))
        .collect()
}

#[cfg(test)]
mod tests;
