//! Colour themes: semantic styles (`gain`, `loss`, `bid`, `ask`, `selected`, …) read from TOML.
//! Four built-ins are embedded in the binary; a user file overlays one of them key by key. Colours
//! are resolved for the terminal's `ColorDepth` once, here, so views only ever pick a `Style`.
//! Invariants: every `Theme` sets every key; with `ColorDepth::Mono` no style carries a colour
//! and the monochrome theme is used, so meaning (gain vs loss, selection) shows without colour.

mod color;
mod file;

pub use color::ColorDepth;

use file::{Key, StyleSpec, ThemeFile};
use ratatui::style::Style;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in themes, by name, as shipped in `themes/`.
const BUILTINS: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];
const BUILTIN_NAMES: [&str; 4] = ["dark", "light", "high-contrast", "monochrome"];
const DEFAULT_BASE: &str = "dark";
const MONOCHROME: &str = "monochrome";
/// The name shown when the terminal (or NO_COLOR) asks for no colour and another theme was chosen.
const NO_COLOR_NAME: &str = "monochrome (NO_COLOR)";

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub accent: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selected: Style,
    pub header: Style,
    /// The status bar.
    pub status: Style,
    pub gain: Style,
    pub loss: Style,
    pub bid: Style,
    pub ask: Style,
    pub warning: Style,
    pub error: Style,
    pub info: Style,
    pub volume: Style,
    pub grid: Style,
    pub buy_marker: Style,
    pub sell_marker: Style,
    pub order_line: Style,
    /// Indicator overlay lines, in order.
    pub overlays: [Style; 4],
    /// The mode badge in the status bar.
    pub mode_paper: Style,
    pub mode_live: Style,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error(
        "unknown theme `{name}`: it is not a built-in ({}){}",
        BUILTIN_NAMES.join(", "),
        .looked_in.as_ref().map(|p| format!(" and there is no {}", p.display())).unwrap_or_default()
    )]
    Unknown {
        name: String,
        looked_in: Option<PathBuf>,
    },
    #[error("cannot read theme file {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{file}, line {line}, column {column}{}: {message}",
        .key.as_ref().map(|k| format!(", key `{k}`")).unwrap_or_default()
    )]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        key: Option<String>,
        message: String,
    },
    #[error("{file}: {message}")]
    Malformed { file: String, message: String },
}

impl Theme {
    /// A built-in theme by name ("dark", "light", "high-contrast", "monochrome"). With
    /// `ColorDepth::Mono` every name gives the monochrome theme.
    pub fn builtin(name: &str, depth: ColorDepth) -> Result<Theme, ThemeError> {
        let (canonical, specs) = builtin_specs(name)?;
        if depth == ColorDepth::Mono && canonical != MONOCHROME {
            return Self::no_color();
        }
        Self::from_specs(
            canonical.to_string(),
            &specs,
            depth,
            &builtin_label(canonical),
        )
    }

    /// `name` resolved as a user file `<user_dir>/<name>.toml` if it exists, else the built-in.
    /// A user file overlays the built-in named by its `base` key; without one, the built-in of
    /// the same name if there is one, else "dark". The file is checked at every depth; with
    /// `ColorDepth::Mono` the result is the monochrome theme unless the file is based on it.
    pub fn load(
        name: &str,
        user_dir: Option<&Path>,
        depth: ColorDepth,
    ) -> Result<Theme, ThemeError> {
        let Some((path, text)) = read_user_file(name, user_dir)? else {
            return Self::builtin(name, depth);
        };
        let label = path.display().to_string();
        let user = ThemeFile::parse(&text, &label)?;
        let base = user.base.as_ref().map_or_else(
            || {
                BUILTIN_NAMES
                    .into_iter()
                    .find(|n| *n == name)
                    .unwrap_or(DEFAULT_BASE)
            },
            |b| b.0,
        );
        if depth == ColorDepth::Mono && base != MONOCHROME {
            return Self::no_color();
        }
        let (_, mut specs) = builtin_specs(base)?;
        specs.extend(user.colors);
        let theme_name = user.name.unwrap_or_else(|| name.to_string());
        Self::from_specs(theme_name, &specs, depth, &label)
    }

    /// Every built-in name.
    pub fn builtin_names() -> &'static [&'static str] {
        &BUILTIN_NAMES
    }

    fn no_color() -> Result<Theme, ThemeError> {
        let (_, specs) = builtin_specs(MONOCHROME)?;
        let label = builtin_label(MONOCHROME);
        Self::from_specs(NO_COLOR_NAME.to_string(), &specs, ColorDepth::Mono, &label)
    }

    fn from_specs(
        name: String,
        specs: &BTreeMap<Key, StyleSpec>,
        depth: ColorDepth,
        file: &str,
    ) -> Result<Theme, ThemeError> {
        let get = |key: Key| {
            specs
                .get(&key)
                .map(|s| s.style(depth))
                .ok_or_else(|| ThemeError::Malformed {
                    file: file.to_string(),
                    message: format!("no style for `colors.{}`", key.name()),
                })
        };
        Ok(Theme {
            name,
            text: get(Key::Text)?,
            muted: get(Key::Muted)?,
            title: get(Key::Title)?,
            accent: get(Key::Accent)?,
            border: get(Key::Border)?,
            border_focus: get(Key::BorderFocus)?,
            selected: get(Key::Selected)?,
            header: get(Key::Header)?,
            status: get(Key::Status)?,
            gain: get(Key::Gain)?,
            loss: get(Key::Loss)?,
            bid: get(Key::Bid)?,
            ask: get(Key::Ask)?,
            warning: get(Key::Warning)?,
            error: get(Key::Error)?,
            info: get(Key::Info)?,
            volume: get(Key::Volume)?,
            grid: get(Key::Grid)?,
            buy_marker: get(Key::BuyMarker)?,
            sell_marker: get(Key::SellMarker)?,
            order_line: get(Key::OrderLine)?,
            overlays: [
                get(Key::Overlay1)?,
                get(Key::Overlay2)?,
                get(Key::Overlay3)?,
                get(Key::Overlay4)?,
            ],
            mode_paper: get(Key::ModePaper)?,
            mode_live: get(Key::ModeLive)?,
        })
    }
}

fn builtin_label(name: &str) -> String {
    format!("built-in theme `{name}`")
}

/// A built-in's canonical name and its styles (each built-in sets every key; a test checks).
fn builtin_specs(name: &str) -> Result<(&'static str, BTreeMap<Key, StyleSpec>), ThemeError> {
    let (canonical, text) = BUILTINS
        .into_iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| ThemeError::Unknown {
            name: name.to_string(),
            looked_in: None,
        })?;
    let file = ThemeFile::parse(text, &builtin_label(canonical))?;
    Ok((canonical, file.colors))
}

/// The user's `<dir>/<name>.toml` and its text, or `None` when there is no such file.
fn read_user_file(name: &str, dir: Option<&Path>) -> Result<Option<(PathBuf, String)>, ThemeError> {
    let Some(dir) = dir else { return Ok(None) };
    let plain = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']);
    if !plain {
        return Err(ThemeError::Unknown {
            name: name.to_string(),
            looked_in: None,
        });
    }
    let path = dir.join(format!("{name}.toml"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path, text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if BUILTIN_NAMES.contains(&name) {
                Ok(None)
            } else {
                Err(ThemeError::Unknown {
                    name: name.to_string(),
                    looked_in: Some(path),
                })
            }
        }
        Err(error) => Err(ThemeError::Read { path, error }),
    }
}

#[cfg(test)]
mod tests;
