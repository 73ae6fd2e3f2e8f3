//! The typed confirmation of live trading, in the real binary in a real terminal (tmux) against
//! the fake Binance: the first `run --live` from a data dir opens on a dialog that says what is at
//! stake; anything but `LIVE` is refused and asked again, Esc leaves with nothing started (not a
//! single request reached the exchange); typing `LIVE` opens the live workstation, and the next
//! start does not ask again.

use crate::fake_binance::{DOC_API_KEY, DOC_SECRET};
use crate::live_crash::{Rig, rig};
use crate::workstation::{Tmux, have_tmux};

fn start(r: &Rig, n: usize) -> Tmux {
    let keys = format!("TICKDESK_API_KEY={DOC_API_KEY} TICKDESK_API_SECRET={DOC_SECRET}");
    r.in_terminal(&format!("tickdesk-live-{n}"), &keys, "run --live")
}

#[test]
fn live_trading_in_the_workstation_starts_only_after_live_is_typed() {
    if !have_tmux() {
        return;
    }
    let r = rig();
    let fake = &r.fake;
    let t = start(&r, 1);
    let dialog = t.wait_for("Confirm live trading", 20);
    assert!(dialog.contains("Binance, with REAL MONEY"), "{dialog}");
    assert!(dialog.contains(&fake.url()), "the endpoint: {dialog}");
    assert!(dialog.contains("Symbols:    BTCUSDT"));
    t.text("live");
    t.keys(&["Enter"]);
    t.wait_for("is not LIVE", 5);
    t.keys(&["Escape"]);
    let gone = t.wait_for("EXITED 2", 10);
    assert!(
        gone.contains("not confirmed: nothing was started"),
        "{gone}"
    );
    assert!(fake.calls().is_empty(), "nothing reached the exchange");
    assert!(!r.sb.data_dir().join("live-confirmed").exists());
    drop(t);

    let t = start(&r, 2);
    t.wait_for("Confirm live trading", 20);
    t.text("LIVE");
    t.keys(&["Enter"]);
    t.wait_for("LIVE", 20);
    let screen = t.wait_for("Book BTCUSDT", 20);
    assert!(!screen.contains("Confirm live trading"), "{screen}");
    assert!(
        !fake.calls().is_empty(),
        "the session opened on the exchange"
    );
    t.keys(&["q"]);
    t.wait_for("Quit tickdesk?", 5);
    t.keys(&["y"]);
    t.wait_for("EXITED 0", 15);
    drop(t);

    // Asked once per data dir.
    let t = start(&r, 3);
    let screen = t.wait_for("Book BTCUSDT", 20);
    assert!(!screen.contains("Confirm live trading"), "{screen}");
    t.keys(&["q"]);
    t.wait_for("Quit tickdesk?", 5);
    t.keys(&["y"]);
    t.wait_for("EXITED 0", 15);
}
