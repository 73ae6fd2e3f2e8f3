//! Attach and detach while trading live: a headless live engine on the fake Binance, the
//! workstation attached to it in a real terminal (tmux); an order from its ticket, marked as live
//! and confirmed, reaches the exchange and fills; detaching leaves the engine trading.

use crate::live_crash::rig;
use crate::workstation::have_tmux;

#[test]
fn an_order_from_an_attached_workstation_reaches_the_exchange_and_detaching_leaves_the_engine() {
    if !have_tmux() {
        return;
    }
    let r = rig();
    let mut engine = r.start(None);
    let t = r.in_terminal("tickdesk-attach", "", "attach");
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
