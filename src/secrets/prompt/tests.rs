use super::*;
use ratatui::crossterm::event::KeyEventState;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(keys: &[KeyEvent]) -> (String, Step) {
    let mut line = Zeroizing::new(String::with_capacity(2));
    let mut last = Step::More;
    for k in keys {
        last = edit(&mut line, *k);
        if last != Step::More {
            break;
        }
    }
    (line.to_string(), last)
}

#[test]
fn typing_edits_the_line_until_enter() {
    let keys = [
        key(KeyCode::Char('p')),
        key(KeyCode::Char('a')),
        key(KeyCode::Char('x')),
        key(KeyCode::Backspace),
        KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT),
        key(KeyCode::Char('é')),
        key(KeyCode::Left),
        key(KeyCode::Enter),
        key(KeyCode::Char('z')),
    ];
    assert_eq!(typed(&keys), ("paSé".to_string(), Step::Done));
}

#[test]
fn control_keys_cancel_clear_or_end_the_line() {
    let c = key(KeyCode::Char('a'));
    assert_eq!(typed(&[c, ctrl('c')]).1, Step::Cancel);
    assert_eq!(typed(&[c, key(KeyCode::Esc)]).1, Step::Cancel);
    assert_eq!(typed(&[ctrl('d')]).1, Step::Cancel);
    assert_eq!(
        typed(&[c, ctrl('d'), key(KeyCode::Enter)]),
        ("a".into(), Step::Done)
    );
    assert_eq!(
        typed(&[c, ctrl('u'), c, ctrl('j')]),
        ("a".into(), Step::Done)
    );
}

#[test]
fn key_releases_are_ignored() {
    let mut release = key(KeyCode::Char('a'));
    release.kind = KeyEventKind::Release;
    release.state = KeyEventState::NONE;
    assert_eq!(
        typed(&[release, key(KeyCode::Char('b')), key(KeyCode::Enter)]),
        ("b".into(), Step::Done)
    );
}

#[test]
fn a_growing_line_moves_to_a_bigger_buffer_and_stops_at_the_limit() {
    let mut line = Zeroizing::new(String::with_capacity(1));
    for _ in 0..1000 {
        assert_eq!(edit(&mut line, key(KeyCode::Char('x'))), Step::More);
    }
    assert_eq!(line.len(), 1000);
    let mut full = Zeroizing::new("x".repeat(MAX_INPUT));
    assert_eq!(edit(&mut full, key(KeyCode::Char('y'))), Step::TooLong);
}

#[test]
fn piped_input_is_read_whole_up_to_the_limit() {
    let text = read_all(&mut "key\nsecret\n".as_bytes()).unwrap();
    assert_eq!(&*text, "key\nsecret\n");
    let big = vec![b'a'; MAX_INPUT + 1];
    assert!(matches!(
        read_all(&mut big.as_slice()).unwrap_err(),
        PromptError::TooLong
    ));
    assert!(matches!(
        read_all(&mut [0xffu8, 0xfe].as_slice()).unwrap_err(),
        PromptError::NotText
    ));
}

#[test]
fn the_passphrase_variable_answers_before_any_prompt() {
    let env = Env::from_pairs([(PASSPHRASE_VAR.to_string(), " two words ".to_string())]);
    let got = EnvOrPrompt(&env)
        .passphrase(Path::new("keys.enc"), true)
        .unwrap();
    assert_eq!(got.expose(), " two words ", "taken as is, spaces included");
    let mut given = Given(Secret::new("p".into()));
    assert_eq!(
        given.passphrase(Path::new("x"), false).unwrap().expose(),
        "p"
    );
    assert_eq!(
        given.passphrase(Path::new("x"), false).unwrap().expose(),
        "p"
    );
}
