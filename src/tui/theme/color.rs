//! Colours as a theme file writes them and as a terminal can show them. A `ColorSpec` is what the
//! file said (`"#rrggbb"`, an ANSI name, `"reset"`, `"idx:NN"`); `resolve` turns it into a colour
//! the terminal's `ColorDepth` has: the nearest xterm-256 entry, the nearest of the 16 ANSI
//! colours, or none at all in `Mono`. Invariant: nothing resolves to a colour above the depth.

use ratatui::style::Color;

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
    Mono,
}

impl ColorDepth {
    /// From the environment: NO_COLOR set (any non-empty value, see no-color.org) → Mono;
    /// COLORTERM = truecolor|24bit → TrueColor; TERM containing "256color" → Ansi256;
    /// TERM = "dumb" → Mono; else Ansi16.
    pub fn detect() -> Self {
        let var = |key: &str| std::env::var_os(key).map(|v| v.to_string_lossy().into_owned());
        Self::from_env(
            var("NO_COLOR").as_deref(),
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }

    /// The same decision as `detect` from given values.
    pub fn from_env(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Self::Mono;
        }
        let colorterm = colorterm.unwrap_or_default().trim();
        if colorterm.eq_ignore_ascii_case("truecolor") || colorterm.eq_ignore_ascii_case("24bit") {
            return Self::TrueColor;
        }
        match term.map(str::trim) {
            Some(t) if t.contains("256color") => Self::Ansi256,
            Some("dumb") => Self::Mono,
            _ => Self::Ansi16,
        }
    }
}

/// The 16 ANSI colours: theme-file name, ratatui colour, and xterm's default RGB for them.
const ANSI: [(&str, Color, Rgb); 16] = [
    ("black", Color::Black, (0, 0, 0)),
    ("red", Color::Red, (205, 0, 0)),
    ("green", Color::Green, (0, 205, 0)),
    ("yellow", Color::Yellow, (205, 205, 0)),
    ("blue", Color::Blue, (0, 0, 238)),
    ("magenta", Color::Magenta, (205, 0, 205)),
    ("cyan", Color::Cyan, (0, 205, 205)),
    ("gray", Color::Gray, (229, 229, 229)),
    ("darkgray", Color::DarkGray, (127, 127, 127)),
    ("lightred", Color::LightRed, (255, 0, 0)),
    ("lightgreen", Color::LightGreen, (0, 255, 0)),
    ("lightyellow", Color::LightYellow, (255, 255, 0)),
    ("lightblue", Color::LightBlue, (92, 92, 255)),
    ("lightmagenta", Color::LightMagenta, (255, 0, 255)),
    ("lightcyan", Color::LightCyan, (0, 255, 255)),
    ("white", Color::White, (255, 255, 255)),
];

/// The six channel levels of xterm's 6×6×6 colour cube (entries 16–231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

type Rgb = (u8, u8, u8);

/// What a theme file may write as a colour, for error messages.
pub(super) const ALLOWED: &str = "a colour is \"#rrggbb\", \"reset\", \"idx:0\" to \"idx:255\" \
    (xterm-256), or one of black, red, green, yellow, blue, magenta, cyan, gray, darkgray, \
    lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white";

/// A colour as written in a theme file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ColorSpec {
    Rgb(u8, u8, u8),
    /// One of the 16 ANSI colours, by its index in `ANSI`.
    Ansi(usize),
    Indexed(u8),
    Reset,
}

impl std::str::FromStr for ColorSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let lower = text.trim().to_ascii_lowercase();
        let bad = || format!("`{text}` is not a colour: {ALLOWED}");
        if lower == "reset" {
            return Ok(Self::Reset);
        }
        if let Some(i) = ANSI.iter().position(|(name, ..)| *name == lower) {
            return Ok(Self::Ansi(i));
        }
        if let Some(n) = lower.strip_prefix("idx:") {
            return n.parse().map(Self::Indexed).map_err(|_| bad());
        }
        let hex = lower
            .strip_prefix('#')
            .filter(|h| h.len() == 6)
            .ok_or_else(bad)?;
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|c| u8::from_str_radix(c, 16).ok())
                .ok_or_else(bad)
        };
        Ok(Self::Rgb(channel(0)?, channel(2)?, channel(4)?))
    }
}

impl<'de> serde::Deserialize<'de> for ColorSpec {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl ColorSpec {
    /// The colour the terminal shows for this spec, or none at all when it shows no colour.
    pub(super) fn resolve(self, depth: ColorDepth) -> Option<Color> {
        use ColorDepth::{Ansi16, Ansi256, Mono, TrueColor};
        Some(match (self, depth) {
            (_, Mono) => return None,
            (Self::Reset, _) => Color::Reset,
            (Self::Ansi(i), _) => ANSI.get(i).map_or(Color::Reset, |(_, c, _)| *c),
            (Self::Indexed(n), Ansi16) => nearest_ansi(indexed_rgb(n)),
            (Self::Indexed(n), _) => Color::Indexed(n),
            (Self::Rgb(r, g, b), TrueColor) => Color::Rgb(r, g, b),
            (Self::Rgb(r, g, b), Ansi256) => Color::Indexed(nearest_256((r, g, b))),
            (Self::Rgb(r, g, b), Ansi16) => nearest_ansi((r, g, b)),
        })
    }
}

/// The RGB of an xterm-256 entry (0–15 at xterm's defaults).
fn indexed_rgb(n: u8) -> Rgb {
    match n {
        0..=15 => ANSI[usize::from(n)].2,
        16..=231 => {
            let i = usize::from(n - 16);
            (CUBE[i / 36], CUBE[i / 6 % 6], CUBE[i % 6])
        }
        _ => {
            let level = 8 + 10 * (n - 232);
            (level, level, level)
        }
    }
}

fn distance(a: Rgb, b: Rgb) -> u32 {
    let d = |x: u8, y: u8| u32::from(x.abs_diff(y)).pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The nearest cube or grey-ramp entry (16–255); 0–15 are left out, terminals redefine them.
fn nearest_256(rgb: Rgb) -> u8 {
    (16..=255)
        .min_by_key(|&n| distance(rgb, indexed_rgb(n)))
        .unwrap_or(16)
}

fn nearest_ansi(rgb: Rgb) -> Color {
    ANSI.iter()
        .min_by_key(|(_, _, ansi)| distance(rgb, *ansi))
        .map_or(Color::Reset, |(_, color, _)| *color)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColorDepth::*;

    fn at(text: &str, depth: ColorDepth) -> Option<Color> {
        text.parse::<ColorSpec>().unwrap().resolve(depth)
    }

    #[test]
    fn no_color_beats_everything_and_empty_is_ignored() {
        let d = ColorDepth::from_env;
        assert_eq!(
            d(Some("1"), Some("truecolor"), Some("xterm-256color")),
            Mono
        );
        assert_eq!(d(Some("0"), None, None), Mono, "any non-empty value counts");
        assert_eq!(d(Some(""), Some("truecolor"), None), TrueColor);
        assert_eq!(d(Some(""), None, Some("xterm")), Ansi16);
    }

    #[test]
    fn colorterm_then_term_decide() {
        let d = ColorDepth::from_env;
        assert_eq!(d(None, Some("truecolor"), Some("xterm")), TrueColor);
        assert_eq!(d(None, Some("24bit"), Some("dumb")), TrueColor);
        assert_eq!(d(None, Some("yes"), Some("screen-256color")), Ansi256);
        assert_eq!(d(None, None, Some("xterm-256color")), Ansi256);
        assert_eq!(d(None, None, Some("dumb")), Mono);
        assert_eq!(d(None, None, Some("linux")), Ansi16);
        assert_eq!(d(None, None, None), Ansi16);
    }

    #[test]
    fn parses_every_form_and_refuses_the_rest() {
        assert_eq!("#5fAfFf".parse(), Ok(ColorSpec::Rgb(0x5f, 0xaf, 0xff)));
        assert_eq!("LightRed".parse(), Ok(ColorSpec::Ansi(9)));
        assert_eq!("idx:255".parse(), Ok(ColorSpec::Indexed(255)));
        assert_eq!("reset".parse(), Ok(ColorSpec::Reset));
        for bad in [
            "#fff", "#gg0000", "#ff00001", "idx:256", "idx:-1", "purple", "", "#ff000é",
        ] {
            let err = bad.parse::<ColorSpec>().unwrap_err();
            assert!(
                err.contains("#rrggbb") && err.contains("lightcyan"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn pure_red_maps_to_its_exact_palette_entries() {
        assert_eq!(at("#ff0000", TrueColor), Some(Color::Rgb(255, 0, 0)));
        assert_eq!(at("#ff0000", Ansi256), Some(Color::Indexed(196)));
        assert_eq!(at("#ff0000", Ansi16), Some(Color::LightRed));
    }

    #[test]
    fn mid_grey_maps_to_the_grey_ramp_not_the_cube() {
        // 244 is (128,128,128): exact. The nearest cube entry, 102, is (135,135,135).
        assert_eq!(at("#808080", Ansi256), Some(Color::Indexed(244)));
        assert_eq!(at("#808080", Ansi16), Some(Color::DarkGray));
        assert_eq!(at("#878787", Ansi256), Some(Color::Indexed(102)));
    }

    #[test]
    fn nearest_colours_of_a_few_known_values() {
        assert_eq!(at("#000000", Ansi256), Some(Color::Indexed(16)));
        assert_eq!(at("#ffffff", Ansi256), Some(Color::Indexed(231)));
        assert_eq!(at("#5fafff", Ansi256), Some(Color::Indexed(75)));
        assert_eq!(at("#080808", Ansi256), Some(Color::Indexed(232)));
        assert_eq!(at("#cd0000", Ansi16), Some(Color::Red));
        assert_eq!(at("#00d75f", Ansi16), Some(Color::Green));
        // A soft green is nearer xterm's dark grey than its green: why the palettes are saturated.
        assert_eq!(at("#5fd75f", Ansi16), Some(Color::DarkGray));
        assert_eq!(at("#e0e0e0", Ansi16), Some(Color::Gray));
        assert_eq!(at("#5f5fff", Ansi16), Some(Color::LightBlue));
    }

    #[test]
    fn nearest_256_is_never_beaten_by_another_entry() {
        for rgb in [(1, 2, 3), (100, 200, 50), (240, 240, 239), (12, 200, 199)] {
            let best = distance(rgb, indexed_rgb(nearest_256(rgb)));
            assert!(
                (16..=255).all(|n| distance(rgb, indexed_rgb(n)) >= best),
                "{rgb:?}"
            );
        }
    }

    #[test]
    fn indexed_and_named_colours_follow_the_depth() {
        assert_eq!(at("idx:9", Ansi16), Some(Color::LightRed));
        assert_eq!(at("idx:196", Ansi16), Some(Color::LightRed));
        assert_eq!(at("idx:196", Ansi256), Some(Color::Indexed(196)));
        assert_eq!(at("idx:196", TrueColor), Some(Color::Indexed(196)));
        assert_eq!(at("green", TrueColor), Some(Color::Green));
        assert_eq!(at("reset", Ansi16), Some(Color::Reset));
    }

    #[test]
    fn mono_shows_no_colour_at_all() {
        for text in ["#ff0000", "red", "idx:12", "reset"] {
            assert_eq!(at(text, Mono), None, "{text}");
        }
    }
}
