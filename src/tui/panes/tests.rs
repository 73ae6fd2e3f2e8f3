//! Snapshots of the whole screen from a fixed replica at 80×24 (tabs) and 160×48 (wide grid), and
//! of each pane; a buffer check where colour carries meaning (gain and loss).

use crate::core::Side;
use crate::market::{Candle, Interval};
use crate::replica::*;
use crate::tui::keymap::Keymap;
use crate::tui::layout::{Layouts, Pane};
use crate::tui::state::Ui;
use crate::tui::theme::{ColorDepth, Theme};
use crate::tui::view::{Look, draw};
use ratatui::{Terminal, backend::TestBackend, buffer::Buffer};
use rust_decimal::Decimal;

fn replica() -> Replica {
    let candles = (0..120)
        .map(|i| {
            let x = 100_000.0 + 40.0 * (i as f64 / 6.0).sin() * (1.0 + i as f64 / 60.0);
            Candle {
                open_time: 1_750_000_000_000 + i * 60_000,
                open: x,
                high: x + 30.0,
                low: x - 25.0,
                close: x + if i % 3 == 0 { -12.0 } else { 15.0 },
                volume: 5.0 + (i % 7) as f64,
            }
        })
        .collect::<std::collections::VecDeque<Candle>>();
    let mut r = Replica {
        source: "replay".into(),
        interval: Some(Interval::M1),
        quote: "USDT".into(),
        initial_equity: 10_000.0,
        ..Replica::default()
    };
    let book = crate::paper::simulated_book(100_050.0, &candles[119], 0.01, 8);
    r.markets.push(Market {
        symbol: "BTCUSDT".into(),
        base: "BTC".into(),
        quote: "USDT".into(),
        price_decimals: 2,
        candles,
        forming: None,
        last: 100_050.0,
        book,
    });
    r.account = AccountView {
        balances: vec![Balance {
            asset: "USDT".into(),
            free: Decimal::new(499_500, 2),
            locked: Decimal::ZERO,
            value: 4_995.0,
        }],
        positions: vec![
            Position {
                market: 0,
                symbol: "BTCUSDT".into(),
                qty: Decimal::new(5, 2),
                entry: Some(99_000.0),
                last: 100_050.0,
                value: 5_002.5,
                unrealized: 52.5,
                unrealized_pct: 1.06,
            },
            Position {
                market: 0,
                symbol: "ETHUSDT".into(),
                qty: Decimal::new(2, 0),
                entry: Some(2_600.0),
                last: 2_500.0,
                value: 5_000.0,
                unrealized: -200.0,
                unrealized_pct: -3.85,
            },
        ],
        equity: 10_052.5,
        day_open_equity: 10_000.0,
    };
    r.orders.push(OpenOrder {
        id: 7,
        market: 0,
        symbol: "BTCUSDT".into(),
        side: Side::Sell,
        kind: "LIMIT",
        qty: "0.05 BTC".into(),
        price: Some(Decimal::from(101_000)),
        stop: None,
        origin: "manual".into(),
    });
    r.fills.push_back(FillRow {
        time: 1_750_000_060_000,
        order: 3,
        market: 0,
        symbol: "BTCUSDT".into(),
        side: Side::Buy,
        qty: Decimal::new(5, 2),
        price: Decimal::from(99_000),
        fee: Decimal::new(495, 2),
        origin: "sma_cross".into(),
    });
    r.strategies.push(StrategyRow {
        name: "sma_cross".into(),
        state: StrategyState::Running,
        params: vec![("fast".into(), "10".into()), ("slow".into(), "30".into())],
        symbols: "BTCUSDT".into(),
        last_signal: Some((1_750_000_000_000, "golden cross".into())),
        pnl: 47.55,
        fills: 1,
    });
    r.status = Status {
        now: 1_750_007_200_000,
        feed: FeedHealth::Running,
        speed: Speed::X60,
        halted: None,
    };
    r.alerts.push_back(Alert {
        at: 1_750_000_060_000,
        level: AlertLevel::Warn,
        text: "refused buy MARKET ETHUSDT: NOTIONAL".into(),
    });
    r
}

fn render(w: u16, h: u16, ui: &mut Ui, depth: ColorDepth) -> Buffer {
    let theme = Theme::builtin("dark", depth).unwrap();
    let keymap = Keymap::default_map().unwrap();
    let layouts = Layouts::default_layouts().unwrap();
    if let Some(l) = layouts.pick(w, h) {
        ui.panes = l.panes();
    }
    let look = Look {
        theme: &theme,
        keymap: &keymap,
        layouts: &layouts,
        logs: &[],
    };
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let r = replica();
    t.draw(|f| draw(f, &r, ui, &look)).unwrap();
    t.backend().buffer().clone()
}

fn text(b: &Buffer) -> String {
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ui() -> Ui {
    let mut ui = Ui::new(vec![Pane::Chart], Interval::M1, vec!["BTCUSDT".into()]);
    // The embedded config's overlays.
    ui.chart.overlays = ["sma(20)", "sma(50)"]
        .map(|o| crate::indicators::Overlay::parse(o).unwrap())
        .to_vec();
    ui
}

#[test]
fn the_wide_grid_at_160x48() {
    insta::assert_snapshot!(text(&render(160, 48, &mut ui(), ColorDepth::TrueColor)));
}

#[test]
fn tabs_at_80x24_one_pane_at_a_time() {
    let mut u = ui();
    insta::assert_snapshot!(
        "tabs_chart",
        text(&render(80, 24, &mut u, ColorDepth::TrueColor))
    );
    for pane in [
        Pane::Book,
        Pane::Positions,
        Pane::Orders,
        Pane::Fills,
        Pane::Strategies,
        Pane::Backtests,
        Pane::Log,
    ] {
        u.focus_pane(pane);
        let name = format!("tabs_{}", pane.name());
        insta::assert_snapshot!(name, text(&render(80, 24, &mut u, ColorDepth::TrueColor)));
    }
}

#[test]
fn too_small_says_so() {
    let s = text(&render(60, 20, &mut ui(), ColorDepth::Ansi16));
    assert!(
        s.contains("terminal too small: tickdesk needs 80×24, this one is 60×20"),
        "{s}"
    );
}

#[test]
fn gains_and_losses_carry_their_colours() {
    let theme = Theme::builtin("dark", ColorDepth::Ansi256).unwrap();
    let b = render(160, 48, &mut ui(), ColorDepth::Ansi256);
    let find = |needle: &str| {
        (0..b.area.height)
            .find_map(|y| {
                let row: String = (0..b.area.width).map(|x| b[(x, y)].symbol()).collect();
                row.find(needle)
                    .map(|i| (row[..i].chars().count() as u16, y))
            })
            .unwrap_or_else(|| panic!("`{needle}` not on screen"))
    };
    let (x, y) = find("+52.50");
    assert_eq!(b[(x, y)].fg, theme.gain.fg.unwrap());
    let (x, y) = find("-200.00");
    assert_eq!(b[(x, y)].fg, theme.loss.fg.unwrap());
    assert_ne!(theme.gain.fg, theme.loss.fg);
}

#[test]
fn help_scrolls_to_every_binding_on_a_small_screen() {
    use crate::tui::keymap::Action;
    use crate::tui::state::{Dialog, Request};
    let mut ui = ui();
    let cfg = crate::config::Loaded::load(&Default::default())
        .unwrap()
        .config;
    let base =
        crate::backtest::Spec::from_config(&cfg.backtest, "sma_cross", Vec::new(), Interval::M1);
    let r = replica();
    let _: Vec<Request> = crate::tui::update::update(&mut ui, &r, &base, Action::Help);
    let first = text(&render(80, 24, &mut ui, ColorDepth::TrueColor));
    let max = match &ui.dialog {
        Some(Dialog::Help(h)) => h.max.get(),
        other => panic!("{other:?}"),
    };
    assert!(max > 0, "the page is longer than the screen:\n{first}");
    assert!(first.contains(&format!("j/k scroll (0/{max})")), "{first}");
    assert!(!first.contains("Forms and the ticket"), "{first}");
    for _ in 0..3 {
        crate::tui::update::update(&mut ui, &r, &base, Action::PageDown);
    }
    crate::tui::update::update(&mut ui, &r, &base, Action::Bottom);
    crate::tui::update::update(&mut ui, &r, &base, Action::Down);
    let last = text(&render(80, 24, &mut ui, ColorDepth::TrueColor));
    assert!(last.contains(&format!("({max}/{max})")), "{last}");
    assert!(last.contains("Forms and the ticket"), "{last}");
    crate::tui::update::update(&mut ui, &r, &base, Action::Up);
    let up = text(&render(80, 24, &mut ui, ColorDepth::TrueColor));
    assert!(
        up.contains(&format!("({}/{max})", max - 1)),
        "one up from the end: {up}"
    );
}
