//! The theme file format: `name`, an optional `base`, and a `[colors]` table mapping semantic keys
//! to styles. Parsing is strict (unknown keys and bad colours are refused), and every error points
//! into the file: its name, line, column and key, and what is allowed there.

use super::ThemeError;
use super::color::{ColorDepth, ColorSpec};
use ratatui::style::{Modifier, Style};
use std::collections::BTreeMap;

/// Declares the semantic colour keys: the enum, its list, and each key's name in the file.
macro_rules! keys {
    ($($key:ident = $name:literal,)*) => {
        /// A semantic colour key of `[colors]`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub(super) enum Key { $($key),* }

        impl Key {
            pub(super) const ALL: &[Key] = &[$(Key::$key),*];

            pub(super) fn name(self) -> &'static str {
                match self { $(Key::$key => $name),* }
            }
        }
    };
}

keys! {
    Text = "text", Muted = "muted", Title = "title", Accent = "accent",
    Border = "border", BorderFocus = "border_focus", Selected = "selected", Header = "header",
    Status = "status", Gain = "gain", Loss = "loss", Bid = "bid", Ask = "ask",
    Warning = "warning", Error = "error", Info = "info", Volume = "volume", Grid = "grid",
    BuyMarker = "buy_marker", SellMarker = "sell_marker", OrderLine = "order_line",
    Overlay1 = "overlay_1", Overlay2 = "overlay_2", Overlay3 = "overlay_3", Overlay4 = "overlay_4",
    ModePaper = "mode_paper", ModeLive = "mode_live",
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        Key::ALL
            .iter()
            .copied()
            .find(|k| k.name() == text)
            .ok_or_else(|| {
                let names: Vec<_> = Key::ALL.iter().map(|k| k.name()).collect();
                serde::de::Error::custom(format!(
                    "unknown colour key `{text}`; the keys are {}",
                    names.join(", ")
                ))
            })
    }
}

/// One key's style: colours and modifiers. A key a user file sets replaces the whole style.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a style such as { fg = \"#rrggbb\", bold = true }"
)]
pub(super) struct StyleSpec {
    fg: Option<ColorSpec>,
    bg: Option<ColorSpec>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

impl StyleSpec {
    pub(super) fn style(&self, depth: ColorDepth) -> Style {
        let flags = [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ];
        let modifiers = flags
            .iter()
            .filter(|(on, _)| *on)
            .fold(Modifier::empty(), |all, (_, m)| all | *m);
        let mut style = Style::new().add_modifier(modifiers);
        style.fg = self.fg.and_then(|c| c.resolve(depth));
        style.bg = self.bg.and_then(|c| c.resolve(depth));
        style
    }
}

/// The name of a built-in theme, checked while parsing so an error points at the `base` line.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BaseName(pub(super) &'static str);

impl<'de> serde::Deserialize<'de> for BaseName {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        let names = super::Theme::builtin_names();
        names
            .iter()
            .find(|n| **n == text)
            .map(|n| BaseName(n))
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`{text}` is not a built-in theme; `base` is one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// A parsed theme file. Built-ins set every key; user files set the keys they change.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a theme: `name`, `base` and a `[colors]` table"
)]
pub(super) struct ThemeFile {
    pub(super) name: Option<String>,
    pub(super) base: Option<BaseName>,
    #[serde(default)]
    pub(super) colors: BTreeMap<Key, StyleSpec>,
}

impl ThemeFile {
    /// Parses `text`; `file` names it in errors (a path, or "built-in theme `dark`").
    pub(super) fn parse(text: &str, file: &str) -> Result<Self, ThemeError> {
        toml::from_str(text).map_err(|e| located(text, file, &e))
    }
}

/// Turns a TOML error into one that names the file, line, column and key.
fn located(text: &str, file: &str, err: &toml::de::Error) -> ThemeError {
    let message = err.message().trim_end().to_string();
    let Some(span) = err.span() else {
        return ThemeError::Malformed {
            file: file.to_string(),
            message,
        };
    };
    let start = span.start.min(text.len());
    let before = text.get(..start).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    ThemeError::Invalid {
        file: file.to_string(),
        line: before.matches('\n').count() + 1,
        column,
        key: key_at(text, line_start, start),
        message,
    }
}

/// The dotted key an error at byte `at` falls on: the section header above, the key before `=` on
/// the line and, inside an inline table, the inner key whose value (or name) is at `at`.
fn key_at(text: &str, line_start: usize, at: usize) -> Option<String> {
    let line = text.get(line_start..)?.lines().next()?;
    let section = text
        .get(..line_start)?
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .map(|s| format!("{}.", s.trim()));
    let unquote = |k: &str| k.trim().trim_matches('"').trim().to_string();
    let Some((outer, rest)) = line.split_once('=') else {
        return Some(unquote(
            line.trim().trim_start_matches('[').trim_end_matches(']'),
        ));
    };
    let mut path = section.unwrap_or_default() + &unquote(outer);
    let offset = (at - line_start).saturating_sub(outer.len() + 1);
    if let Some(upto) = rest.get(..offset).filter(|r| r.contains('{')) {
        let pair = upto.rsplit(['{', ',']).next().unwrap_or_default();
        let inner = match pair.split_once('=') {
            Some((key, _)) => unquote(key),
            None => rest
                .get(offset..)
                .unwrap_or_default()
                .split(|c: char| c == '=' || c.is_whitespace())
                .next()
                .map(unquote)
                .unwrap_or_default(),
        };
        if !inner.is_empty() {
            path = format!("{path}.{inner}");
        }
    }
    Some(path)
}
