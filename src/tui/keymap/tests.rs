use super::*;
use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::collections::HashSet;
use std::io::Write;

fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn ch(c: char) -> KeyEvent {
    let shift = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    ev(KeyCode::Char(c), shift)
}

fn ctrl(c: char) -> KeyEvent {
    ev(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn defaults() -> Keymap {
    Keymap::default_map().unwrap()
}

fn user_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn overlay_error(text: &str) -> SourceError {
    match defaults().overlay(text, "keymap.toml") {
        Err(KeymapError::Invalid(e)) => e,
        other => panic!("expected an error for {text:?}, got {other:?}"),
    }
}

#[test]
fn defaults_parse_and_resolve() {
    let map = defaults();
    assert_eq!(map.action(Context::Chart, ch('q')), Some(Action::Quit));
    assert_eq!(map.action(Context::Chart, ctrl('c')), Some(Action::Quit));
    assert_eq!(
        map.action(Context::Chart, ch('h')),
        Some(Action::ScrollLeft)
    );
    assert_eq!(map.action(Context::Chart, ch('L')), Some(Action::Latest));
    assert_eq!(map.action(Context::Log, ch('L')), Some(Action::CycleLevel));
    assert_eq!(map.action(Context::Orders, ch('L')), None);
    assert_eq!(map.action(Context::Orders, ch('j')), Some(Action::Down));
    assert_eq!(
        map.action(Context::Backtests, ch('G')),
        Some(Action::Bottom)
    );
    assert_eq!(
        map.action(Context::Backtests, ctrl('x')),
        Some(Action::CancelBacktest)
    );
    assert_eq!(map.action(Context::Book, ch('K')), Some(Action::KillSwitch));
    assert_eq!(map.action(Context::Book, ch('k')), None);
    assert_eq!(map.action(Context::Help, ch('q')), Some(Action::Back));
    assert_eq!(map.action(Context::Confirm, ch('y')), Some(Action::Confirm));
    assert_eq!(map.action(Context::Confirm, ch('n')), Some(Action::Deny));
}

#[test]
fn crossterm_events_are_normalised() {
    let map = defaults();
    // Shift arrives with upper-case letters and with shifted symbols on most terminals.
    assert_eq!(
        map.action(Context::Chart, ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
        Some(Action::Help)
    );
    assert_eq!(
        map.action(Context::Chart, ev(KeyCode::Char('K'), KeyModifiers::NONE)),
        Some(Action::KillSwitch)
    );
    assert_eq!(
        map.action(Context::Chart, ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
        Some(Action::PrevPane)
    );
    assert_eq!(
        map.action(Context::Chart, ev(KeyCode::Tab, KeyModifiers::SHIFT)),
        Some(Action::PrevPane)
    );
    // Kind and state do not matter.
    let mut repeat = ch('h');
    repeat.kind = ratatui::crossterm::event::KeyEventKind::Repeat;
    assert_eq!(map.action(Context::Chart, repeat), Some(Action::ScrollLeft));
    // Modifiers do matter otherwise.
    assert_eq!(
        map.action(Context::Chart, ev(KeyCode::Char('h'), KeyModifiers::ALT)),
        None
    );
}

#[test]
fn text_contexts_type_unbound_characters() {
    let map = defaults();
    for context in [Context::CommandLine, Context::Form] {
        assert_eq!(map.action(context, ch('b')), None, "{context:?}");
        assert_eq!(map.action(context, ch('K')), None, "{context:?}");
        assert_eq!(
            map.action(context, ev(KeyCode::Char(' '), KeyModifiers::NONE)),
            None
        );
        assert_eq!(map.action(context, ctrl('c')), Some(Action::Quit));
        assert_eq!(
            map.action(context, ev(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::Back)
        );
        assert_eq!(
            map.action(context, ev(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Submit)
        );
    }
    let tab = ev(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(map.action(Context::Form, tab), Some(Action::NextField));
    assert_eq!(
        map.action(Context::CommandLine, tab),
        Some(Action::NextPane)
    );
    // Outside text contexts the same characters are global actions.
    assert_eq!(map.action(Context::Confirm, ch('b')), Some(Action::Buy));
}

#[test]
fn defaults_bind_no_key_twice_in_a_context() {
    let bindings = file::parse(DEFAULT_TEXT, DEFAULT_FILE).unwrap();
    let mut seen = HashSet::new();
    for b in &bindings {
        assert!(
            seen.insert((b.context, b.key)),
            "{} bound twice in [{}]",
            b.key,
            b.context.name()
        );
        assert!(
            b.action.is_some(),
            "the defaults unbind {} in [{}]",
            b.key,
            b.context.name()
        );
    }
}

#[test]
fn every_action_has_a_default_key_or_is_command_line_only() {
    let map = defaults();
    let bound: HashSet<Action> = Context::ALL
        .iter()
        .flat_map(|c| map.bindings(*c))
        .map(|(_, a)| a)
        .collect();
    for action in Action::ALL {
        let command_only = Action::COMMAND_LINE_ONLY.contains(action);
        assert_ne!(bound.contains(action), command_only, "{action:?}");
    }
}

#[test]
fn names_round_trip_and_are_unique() {
    let names: HashSet<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(names.len(), Action::ALL.len());
    for action in Action::ALL {
        assert_eq!(Action::from_name(action.name()), Some(*action));
        assert!(!action.about().is_empty());
    }
    assert_eq!(Action::KillSwitch.name(), "kill-switch");
    assert_eq!(Action::SpeedMax.name(), "speed-max");
    for (i, context) in Context::ALL.iter().enumerate() {
        assert_eq!(*context as usize, i);
        assert_eq!(Context::from_name(context.name()), Some(*context));
    }
}

#[test]
fn user_file_replaces_and_unbinds() {
    let file = user_file(
        "[global]\nb = \"none\"\nB = \"buy\"\nctrl-r = \"release\"\n\n\
         [chart]\nh = \"zoom-in\"\nq = \"none\"\n\n[lists]\nj = \"none\"\n\n[log]\nj = \"bottom\"\n",
    );
    let map = Keymap::load(Some(file.path())).unwrap();
    assert_eq!(map.action(Context::Chart, ch('b')), None);
    assert_eq!(map.action(Context::Chart, ch('B')), Some(Action::Buy));
    assert_eq!(
        map.action(Context::Orders, ctrl('r')),
        Some(Action::Release)
    );
    assert_eq!(map.action(Context::Chart, ch('h')), Some(Action::ZoomIn));
    assert_eq!(
        map.action(Context::Chart, ev(KeyCode::Left, KeyModifiers::NONE)),
        Some(Action::ScrollLeft)
    );
    // "none" in a pane hides the global binding there only.
    assert_eq!(map.action(Context::Chart, ch('q')), None);
    assert_eq!(map.action(Context::Orders, ch('q')), Some(Action::Quit));
    // [lists] applies to every list pane; a pane's own section wins.
    assert_eq!(map.action(Context::Orders, ch('j')), None);
    assert_eq!(map.action(Context::Log, ch('j')), Some(Action::Bottom));
    assert_eq!(map.action(Context::Orders, ch('k')), Some(Action::Up));
    let chart = map.bindings(Context::Chart);
    assert!(!chart.iter().any(|(k, _)| k == "q" || k == "b"));
}

#[test]
fn missing_user_file_means_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let map = Keymap::load(Some(&dir.path().join("keymap.toml"))).unwrap();
    assert_eq!(map.action(Context::Chart, ch('q')), Some(Action::Quit));
    let unreadable = Keymap::load(Some(dir.path()));
    assert!(matches!(unreadable, Err(KeymapError::Read { .. })));
}

#[test]
fn bindings_list_own_then_unshadowed_global() {
    let map = defaults();
    let help = map.bindings(Context::Help);
    let at = |key: &str, action| help.iter().position(|b| *b == (key.to_string(), action));
    // Own bindings (sorted by action, then key) come before the global ones.
    // [help] binds 13 keys; the first global one is ctrl-c (Quit sorts first; `q` is hidden).
    assert_eq!(at("j", Action::Down), Some(2));
    assert_eq!(at("esc", Action::Back), Some(12));
    assert_eq!(at("ctrl-c", Action::Quit), Some(13));
    assert!(at("q", Action::Back).is_some());
    assert!(at("q", Action::Quit).is_none());
    assert!(at("?", Action::Help).is_none());
    assert!(at("tab", Action::NextPane).is_some());
    let chart = map.bindings(Context::Chart);
    let scroll: Vec<&str> = chart
        .iter()
        .filter(|(_, a)| *a == Action::ScrollLeft)
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(scroll, ["h", "left"]);
    let form = map.bindings(Context::Form);
    assert!(form.iter().all(|(k, _)| k.chars().count() > 1), "{form:?}");
    assert_eq!(map.keys_for(Context::Orders, Action::Help), ["?"]);
}

#[test]
fn errors_name_file_line_value_and_allowed() {
    let e = overlay_error("[global]\nq = \"quit\"\n\n[chrt]\nh = \"scroll-left\"\n");
    assert_eq!((e.file.as_str(), e.line, e.column), ("keymap.toml", 4, 2));
    assert!(
        e.message.contains("`[chrt]`") && e.message.contains("command-line, form, confirm, lists")
    );

    let e = overlay_error("[zz]\nq = \"quit\"\n[aa]\nq = \"quit\"\n");
    assert_eq!(e.line, 1, "errors come in reading order");

    let e = overlay_error("[global]\nK = \"kill\"\n");
    assert_eq!((e.line, e.column), (2, 5));
    assert!(
        e.message.contains("`kill`")
            && e.message.contains("kill-switch")
            && e.message.contains("none")
    );
    let shown = e.to_string();
    assert!(
        shown.starts_with("keymap.toml, line 2, column 5: unknown action `kill`"),
        "{shown}"
    );
    assert!(
        shown.contains("    2 | K = \"kill\"\n      |     ^^^^^^"),
        "{shown}"
    );

    let e = overlay_error("[chart]\n\"ctrl-\" = \"quit\"\n");
    assert_eq!(e.line, 2);
    assert!(
        e.message.contains("`ctrl-`") && e.message.contains("pagedown"),
        "{}",
        e.message
    );

    let e = overlay_error("[global]\nreturn = \"select\"\nenter = \"quit\"\n");
    assert_eq!(e.line, 3);
    assert!(
        e.message
            .contains("`enter` is the same key as `return` on line 2"),
        "{}",
        e.message
    );

    let e = overlay_error("[form]\nj = \"next-field\"\n");
    assert!(e.message.contains("types text"), "{}", e.message);

    let e = overlay_error("[global]\nq = quit\n");
    assert_eq!(e.line, 2);

    let e = overlay_error("q = \"quit\"\n");
    assert_eq!(e.line, 1);
}

#[test]
fn parse_key_accepts_the_documented_forms() {
    let cases = [
        ("q", KeyCode::Char('q'), KeyModifiers::NONE),
        ("Q", KeyCode::Char('Q'), KeyModifiers::NONE),
        ("?", KeyCode::Char('?'), KeyModifiers::NONE),
        ("-", KeyCode::Char('-'), KeyModifiers::NONE),
        ("ctrl--", KeyCode::Char('-'), KeyModifiers::CONTROL),
        ("space", KeyCode::Char(' '), KeyModifiers::NONE),
        ("Enter", KeyCode::Enter, KeyModifiers::NONE),
        ("backtab", KeyCode::BackTab, KeyModifiers::NONE),
        ("pgdn", KeyCode::PageDown, KeyModifiers::NONE),
        ("f12", KeyCode::F(12), KeyModifiers::NONE),
        ("ctrl-c", KeyCode::Char('c'), KeyModifiers::CONTROL),
        ("alt-x", KeyCode::Char('x'), KeyModifiers::ALT),
        (
            "ctrl-alt-delete",
            KeyCode::Delete,
            KeyModifiers::CONTROL | KeyModifiers::ALT,
        ),
        ("shift-up", KeyCode::Up, KeyModifiers::SHIFT),
    ];
    for (text, code, modifiers) in cases {
        assert_eq!(parse_key(text), Ok(Key::new(code, modifiers)), "{text}");
    }
    for bad in [
        "",
        "ctrl-",
        "shift-a",
        "shift-tab",
        "f13",
        "f0",
        "ctrl-ctrl-x",
        "hello",
        "super-x",
    ] {
        assert!(parse_key(bad).is_err(), "{bad}");
    }
    assert_eq!(key_text(&ev(KeyCode::Char('Q'), KeyModifiers::SHIFT)), "Q");
    assert_eq!(
        key_text(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
        "backtab"
    );
    assert_eq!(
        key_text(&ev(KeyCode::PageUp, KeyModifiers::CONTROL)),
        "ctrl-pageup"
    );
}

fn any_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        any::<char>()
            .prop_filter("printable", |c| !c.is_control())
            .prop_map(KeyCode::Char),
        (1u8..=12).prop_map(KeyCode::F),
        prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::Insert,
            KeyCode::Up,
            KeyCode::PageDown,
            KeyCode::End,
        ]),
    ]
}

proptest! {
    #[test]
    fn key_text_round_trips(code in any_code(), ctrl in any::<bool>(), alt in any::<bool>(), shift in any::<bool>()) {
        let mut modifiers = KeyModifiers::NONE;
        modifiers.set(KeyModifiers::CONTROL, ctrl);
        modifiers.set(KeyModifiers::ALT, alt);
        modifiers.set(KeyModifiers::SHIFT, shift);
        let key = Key::new(code, modifiers);
        prop_assert_eq!(parse_key(&key.to_string()), Ok(key));
    }
}
