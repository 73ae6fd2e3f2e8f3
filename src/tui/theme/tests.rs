use super::*;
use ColorDepth::{Ansi16, Ansi256, Mono, TrueColor};
use ratatui::style::{Color, Modifier};

const DEPTHS: [ColorDepth; 4] = [TrueColor, Ansi256, Ansi16, Mono];

/// Every style of a theme with its key's name, in `Key::ALL` order.
fn entries(t: &Theme) -> Vec<(&'static str, Style)> {
    let [o1, o2, o3, o4] = t.overlays;
    let styles = [
        t.text,
        t.muted,
        t.title,
        t.accent,
        t.border,
        t.border_focus,
        t.selected,
        t.header,
        t.status,
        t.gain,
        t.loss,
        t.bid,
        t.ask,
        t.warning,
        t.error,
        t.info,
        t.volume,
        t.grid,
        t.buy_marker,
        t.sell_marker,
        t.order_line,
        o1,
        o2,
        o3,
        o4,
        t.mode_paper,
        t.mode_live,
    ];
    Key::ALL.iter().map(|k| k.name()).zip(styles).collect()
}

fn style_of(t: &Theme, key: &str) -> Style {
    entries(t).into_iter().find(|(k, _)| *k == key).unwrap().1
}

fn user_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn load_user(text: &str, depth: ColorDepth) -> Result<Theme, ThemeError> {
    let dir = user_dir(&[("mine.toml", text)]);
    Theme::load("mine", Some(dir.path()), depth)
}

#[test]
fn every_builtin_parses_names_itself_and_sets_every_key() {
    let listed: Vec<_> = BUILTINS.iter().map(|(n, _)| *n).collect();
    assert_eq!(listed, Theme::builtin_names());
    for (name, text) in BUILTINS {
        let file = ThemeFile::parse(text, name).unwrap();
        assert_eq!(file.name.as_deref(), Some(name));
        assert_eq!(file.base, None, "{name}: built-ins stand alone");
        let missing: Vec<_> = Key::ALL
            .iter()
            .filter(|k| !file.colors.contains_key(k))
            .collect();
        assert!(missing.is_empty(), "{name} lacks {missing:?}");
        for depth in DEPTHS {
            Theme::builtin(name, depth).unwrap();
        }
    }
}

#[test]
fn keys_in_the_file_and_fields_of_the_theme_line_up() {
    let t = Theme::builtin("dark", TrueColor).unwrap();
    assert_eq!(style_of(&t, "gain").fg, Some(Color::Rgb(0x00, 0xd7, 0x5f)));
    assert_eq!(style_of(&t, "overlay_3"), t.overlays[2]);
    assert_eq!(style_of(&t, "mode_live"), t.mode_live);
    assert_eq!(entries(&t).len(), Key::ALL.len());
}

#[test]
fn a_user_file_changes_only_the_keys_it_names() {
    let text = "name = \"mine\"\n[colors]\ngain = { fg = \"#00ff00\" }\nborder = { bold = true }\n";
    let mine = load_user(text, TrueColor).unwrap();
    let dark = Theme::builtin("dark", TrueColor).unwrap();
    assert_eq!(mine.name, "mine");
    for ((key, ours), (_, theirs)) in entries(&mine).into_iter().zip(entries(&dark)) {
        match key {
            "gain" => assert_eq!(ours, Style::new().fg(Color::Rgb(0, 255, 0))),
            // A key is replaced whole: the default's fg does not survive.
            "border" => assert_eq!(ours, Style::new().add_modifier(Modifier::BOLD)),
            _ => assert_eq!(ours, theirs, "{key}"),
        }
    }
}

#[test]
fn a_user_file_can_overlay_another_builtin() {
    let text = "base = \"light\"\n[colors]\nloss = { fg = \"red\" }\n";
    let mine = load_user(text, Ansi256).unwrap();
    let light = Theme::builtin("light", Ansi256).unwrap();
    assert_eq!(
        mine.name, "mine",
        "the file's stem names a theme without `name`"
    );
    assert_eq!(mine.loss, Style::new().fg(Color::Red));
    assert_eq!(mine.text, light.text);
    assert_eq!(mine.gain, light.gain);
}

#[test]
fn a_user_file_named_after_a_builtin_overlays_that_builtin() {
    let dir = user_dir(&[("light.toml", "[colors]\nmuted = { fg = \"gray\" }\n")]);
    let mine = Theme::load("light", Some(dir.path()), TrueColor).unwrap();
    let light = Theme::builtin("light", TrueColor).unwrap();
    assert_eq!(mine.muted, Style::new().fg(Color::Gray));
    assert_eq!(mine.selected, light.selected);
}

#[test]
fn builtins_load_without_a_user_file_or_folder() {
    let dir = user_dir(&[]);
    let dark = Theme::builtin("dark", Ansi16).unwrap();
    assert_eq!(Theme::load("dark", Some(dir.path()), Ansi16).unwrap(), dark);
    assert_eq!(Theme::load("dark", None, Ansi16).unwrap(), dark);
}

#[test]
fn an_unknown_key_names_file_key_line_and_the_allowed_keys() {
    let err = load_user(
        "name = \"x\"\n[colors]\ngian = { fg = \"red\" }\n",
        TrueColor,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("mine.toml, line 3, column 1, key `colors.gian`"),
        "{err}"
    );
    assert!(err.contains("the keys are text, muted"), "{err}");

    let err = load_user(
        "[colors]\ngain = { fg = \"red\", blink = true }\n",
        TrueColor,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("mine.toml, line 2, column 22, key `colors.gain.blink`"),
        "{err}"
    );
    assert!(err.contains("blink") && err.contains("reversed"), "{err}");

    let err = load_user("nmae = \"x\"\n", TrueColor)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 1, column 1, key `nmae`") && err.contains("base"),
        "{err}"
    );
}

#[test]
fn a_bad_colour_names_file_key_line_and_the_allowed_forms() {
    let text = "name = \"x\"\n\n[colors]\ntext = { fg = \"#c5c8c6\" }\ngain = { fg = \"#5fd75f\", bg = \"chartreuse\" }\n";
    let err = load_user(text, TrueColor).unwrap_err();
    let ThemeError::Invalid {
        file, line, key, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(file.ends_with("mine.toml"), "{file}");
    assert_eq!((*line, key.as_deref()), (5, Some("colors.gain.bg")));
    let shown = err.to_string();
    assert!(
        shown.contains("`chartreuse` is not a colour") && shown.contains("#rrggbb"),
        "{shown}"
    );

    let err = load_user("[colors.gain]\nbold = true\nfg = \"idx:300\"\n", Ansi256).unwrap_err();
    assert!(
        err.to_string()
            .contains("line 3, column 6, key `colors.gain.fg`"),
        "{err}"
    );
}

#[test]
fn a_bad_base_lists_the_builtins() {
    let err = load_user("base = \"solarized\"\n", TrueColor)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 1") && err.contains("key `base`"),
        "{err}"
    );
    assert!(
        err.contains("dark, light, high-contrast, monochrome"),
        "{err}"
    );
}

#[test]
fn an_unknown_theme_lists_the_builtins_and_where_it_looked() {
    let err = Theme::builtin("solarized", TrueColor)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`solarized`") && err.contains("dark, light, high-contrast"),
        "{err}"
    );
    let dir = user_dir(&[]);
    let err = Theme::load("solarized", Some(dir.path()), TrueColor)
        .unwrap_err()
        .to_string();
    assert!(err.contains("solarized.toml"), "{err}");
    let err = Theme::load("../dark", Some(dir.path()), TrueColor).unwrap_err();
    assert!(matches!(err, ThemeError::Unknown { .. }), "{err:?}");
}

#[test]
fn mono_yields_the_monochrome_theme_without_any_colour() {
    let based_on_dark = "[colors]\ngain = { fg = \"green\", bold = true }\n";
    let themes = BUILTIN_NAMES
        .iter()
        .map(|n| Theme::builtin(n, Mono).unwrap())
        .chain([load_user(based_on_dark, Mono).unwrap()]);
    for theme in themes {
        assert!(theme.name.starts_with("monochrome"), "{}", theme.name);
        for (key, style) in entries(&theme) {
            assert_eq!((style.fg, style.bg), (None, None), "{}: {key}", theme.name);
        }
    }
    let dark = Theme::builtin("dark", Mono).unwrap();
    assert_eq!(dark.name, NO_COLOR_NAME);
    assert_eq!(dark.selected, Style::new().add_modifier(Modifier::REVERSED));
}

#[test]
fn mono_keeps_a_user_file_based_on_monochrome_and_still_checks_files() {
    let text =
        "name = \"quiet\"\nbase = \"monochrome\"\n[colors]\nloss = { fg = \"red\", dim = true }\n";
    let quiet = load_user(text, Mono).unwrap();
    assert_eq!(quiet.name, "quiet");
    assert_eq!(quiet.loss, Style::new().add_modifier(Modifier::DIM));
    assert!(load_user("[colors]\ngain = { fg = \"nope\" }\n", Mono).is_err());
}

#[test]
fn meaning_never_rests_on_a_colour_the_terminal_lacks() {
    let pairs = [
        ("gain", "loss"),
        ("bid", "ask"),
        ("text", "muted"),
        ("text", "selected"),
        ("border", "border_focus"),
        ("buy_marker", "sell_marker"),
        ("warning", "error"),
        ("mode_paper", "mode_live"),
        ("overlay_1", "overlay_2"),
        ("overlay_1", "overlay_3"),
        ("overlay_1", "overlay_4"),
        ("overlay_2", "overlay_3"),
        ("overlay_2", "overlay_4"),
        ("overlay_3", "overlay_4"),
    ];
    for name in BUILTIN_NAMES {
        for depth in DEPTHS {
            let theme = Theme::builtin(name, depth).unwrap();
            for (a, b) in pairs {
                let (sa, sb) = (style_of(&theme, a), style_of(&theme, b));
                assert_ne!(sa, sb, "{name} at {depth:?}: {a} and {b} look the same");
            }
        }
    }
}

#[test]
fn ansi16_keeps_gain_green_and_loss_red() {
    for name in ["dark", "light", "high-contrast"] {
        let t = Theme::builtin(name, Ansi16).unwrap();
        let green = [Some(Color::Green), Some(Color::LightGreen)];
        let red = [Some(Color::Red), Some(Color::LightRed)];
        assert!(
            green.contains(&t.gain.fg) && red.contains(&t.loss.fg),
            "{name}: {t:?}"
        );
        assert!(
            green.contains(&t.bid.fg) && red.contains(&t.ask.fg),
            "{name}: {t:?}"
        );
    }
}
