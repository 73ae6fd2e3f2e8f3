//! The view's state changes that have no picture of their own: the log filter prompt, command-line
//! history, chart overlays chosen on the command line.

use super::*;
use crate::indicators::Overlay;
use crate::market::Interval;
use crate::replica::Market;

fn setup() -> (Ui, Replica, Spec) {
    let mut r = Replica::default();
    r.markets.push(Market {
        symbol: "BTCUSDT".into(),
        ..Market::default()
    });
    let ui = Ui::new(
        vec![Pane::Chart, Pane::Log],
        Interval::M1,
        vec!["BTCUSDT".into()],
    );
    let base = Spec::from_config(
        &crate::config::Loaded::load(&Default::default())
            .unwrap()
            .config
            .backtest,
        "sma_cross",
        Vec::new(),
        Interval::M1,
    );
    (ui, r, base)
}

fn typed(ui: &mut Ui, text: &str) {
    for c in text.chars() {
        assert!(type_char(ui, Some(c)), "a text dialog is open");
    }
}

/// Types a command line and submits it.
fn command(ui: &mut Ui, r: &Replica, base: &Spec, text: &str) -> Vec<Request> {
    update(ui, r, base, Action::CommandLine);
    typed(ui, text);
    update(ui, r, base, Action::Submit)
}

#[test]
fn the_log_filter_applies_as_typed_and_esc_restores_the_last() {
    let (mut ui, r, base) = setup();
    ui.focus_pane(Pane::Log);
    ui.set_row(Pane::Log, 7);
    update(&mut ui, &r, &base, Action::Filter);
    assert_eq!(ui.context(), crate::tui::keymap::Context::CommandLine);
    typed(&mut ui, "fill");
    assert_eq!(
        (ui.log_filter.as_str(), ui.row(Pane::Log)),
        ("fill", 0),
        "filters live, from the top"
    );
    update(&mut ui, &r, &base, Action::Submit);
    assert!(ui.dialog.is_none());
    assert_eq!(ui.log_filter, "fill", "enter keeps it");

    update(&mut ui, &r, &base, Action::Filter);
    type_char(&mut ui, None);
    typed(&mut ui, "ter");
    assert_eq!(ui.log_filter, "filter");
    update(&mut ui, &r, &base, Action::Back);
    assert_eq!(ui.log_filter, "fill", "esc brings the previous filter back");
}

#[test]
fn the_command_line_recalls_earlier_commands() {
    let (mut ui, r, base) = setup();
    command(&mut ui, &r, &base, "tf 5m");
    command(&mut ui, &r, &base, "tf 15m");
    command(&mut ui, &r, &base, "tf 15m");
    assert_eq!(ui.chart.timeframe, Interval::M15);
    update(&mut ui, &r, &base, Action::CommandLine);
    let line = |ui: &Ui| match &ui.dialog {
        Some(Dialog::CommandLine(l)) => l.text.clone(),
        other => panic!("{other:?}"),
    };
    let walk = [
        (Action::Up, "tf 15m"),
        (Action::Up, "tf 5m"),
        (Action::Up, "tf 5m"),
        (Action::Down, "tf 15m"),
        (Action::Down, ""),
    ];
    for (action, want) in walk {
        update(&mut ui, &r, &base, action);
        assert_eq!(line(&ui), want, "after {action:?}");
    }
    update(&mut ui, &r, &base, Action::Up);
    update(&mut ui, &r, &base, Action::Up);
    update(&mut ui, &r, &base, Action::Submit);
    assert_eq!(ui.chart.timeframe, Interval::M5, "a recalled line runs");
}

#[test]
fn overlays_are_chosen_on_the_command_line() {
    let (mut ui, r, base) = setup();
    let names = |ui: &Ui| {
        ui.chart
            .overlays
            .iter()
            .map(Overlay::to_string)
            .collect::<Vec<_>>()
    };
    command(&mut ui, &r, &base, "overlay bbands(20, 2)");
    command(&mut ui, &r, &base, "overlay ema(12)");
    assert_eq!(names(&ui), ["bbands(20,2)", "ema(12)"]);
    command(&mut ui, &r, &base, "overlay BBANDS(20,2)");
    assert_eq!(names(&ui), ["ema(12)"], "the same overlay again removes it");

    command(&mut ui, &r, &base, "overlay rsi(14)");
    match &ui.dialog {
        Some(Dialog::CommandLine(l)) => {
            let e = l.error.as_deref().unwrap_or_default();
            assert!(e.contains("`rsi` is not drawn over prices"), "{e}");
        }
        other => panic!("the line stays open with the reason: {other:?}"),
    }
    update(&mut ui, &r, &base, Action::Back);

    update(&mut ui, &r, &base, Action::ToggleOverlays);
    assert!(!ui.chart.show_overlays);
    command(&mut ui, &r, &base, "overlay clear");
    assert!(ui.chart.overlays.is_empty() && ui.chart.show_overlays);
}
