//! Attach and detach while trading live: a headless live engine on the fake Binance, the
//! workstation attached to it in a real terminal (tmux); an order from its ticket, marked as live
//! and confirmed, reaches the exchange and fills; detaching leaves the engine trading.

use crate::live_crash::rig;
use crate::workstation::{have_tmux, in_tmux};

#[test]
fn an_order_from_an_attached_workstation_reaches_the_exchange_and_detaching_leaves_the_engine() {
    if !have_tmux() {
        return;
    }
    let r = rig();
    let mut engine = r.start(None);
    let bin = env!("CARGO_BIN_EXE_tickdesk");
    let script = format!(
        "cd {d} && env -i PATH=/usr/bin:/bin HOME={d} LANG=C.UTF-8 TERM=xterm-256color \
         {bin} --config {c} --data-dir {data} attach; echo EXITED $?; sleep 60",
        d = r.sb.path().display(),
        c = r.config.display(),
        data = r.sb.data_dir().display(),
    );
    let t = in_tmux(&format!("tickdesk-attach-{}", std::process::id()), &script);
    let first = t.wait_for("attached to pid", 20);
    assert!(first.contains("LIVE"), "{first}");
    t.keys(&["b"]);
    t.wait_for("Order ticket · LIVE", 5);
    t.text("0.001");
    t.keys(&["Enter"]);
    t.wait_for("LIVE, real money: place buy 0.001 BTCUSDT market?", 5);
    t.keys(&["y"]);
    t.wait_for("filled: buy 0.001 BTCUSDT", 20);
    let sent = r.fake.submissions();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["newClientOrderId"], "td-s1-1");
    assert_eq!(sent[0]["side"], "BUY");

    t.keys(&["q"]);
    t.wait_for("Detach? The engine keeps running.", 5);
    t.keys(&["y"]);
    t.wait_for("EXITED 0", 15);
    assert!(
        engine.try_wait().unwrap().is_none(),
        "the engine keeps running"
    );
    r.stop(engine);
}
