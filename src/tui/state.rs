//! The view's own state: focus, selections, chart settings and open dialogs. It never holds
//! trading state (that is the replica's); `update` changes it in answer to an `Action` and says
//! what, if anything, must go to the trading core or the backtest worker.

use super::forms::{BacktestForm, CommandLine, Ticket};
use super::keymap::{Action, Context};
use super::layout::Pane;
use crate::indicators::Overlay;
use crate::journal::{RunSummary, StoredRun};
use crate::market::Interval;
use crate::replica::AlertLevel;
use std::collections::HashMap;

/// Chart timeframes offered by `t`/`T` (the base interval and coarser ones that nest in it).
pub const TIMEFRAMES: [Interval; 7] = [
    Interval::M1,
    Interval::M5,
    Interval::M15,
    Interval::H1,
    Interval::H4,
    Interval::D1,
    Interval::W1,
];

#[derive(Debug, Clone, PartialEq)]
pub struct ChartView {
    pub market: usize,
    pub timeframe: Interval,
    /// Candles scrolled back from the newest.
    pub offset: usize,
    pub zoom: u16,
    pub volume: bool,
    /// Indicators over the price (`ui.overlays`, changed with `:overlay`); `O` hides them.
    pub overlays: Vec<Overlay>,
    pub show_overlays: bool,
}

/// A confirmation pending: what will happen if the person says yes.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub on_yes: Request,
}

/// The help page, scrolled. `max` is how far it can scroll, as last drawn (the page's length
/// depends on the keymap and the screen; like ratatui's list state, drawing records it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Help {
    pub scroll: u16,
    pub max: std::cell::Cell<u16>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Help(Help),
    CommandLine(CommandLine),
    /// Typing the log filter (`/`); the filter applies as it is typed, `previous` comes back on esc.
    Filter {
        previous: String,
    },
    Ticket(Ticket),
    Backtest(BacktestForm),
    Confirm(Confirm),
}

/// What the view asks of the rest of the process after an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Control(crate::paper::Control),
    StartBacktest(Box<crate::backtest::Spec>),
    CancelBacktest,
    LoadRun(i64),
    DeleteRun(i64),
    Quit,
}

/// A running backtest, as the view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub label: String,
    pub progress: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Backtests {
    pub runs: Vec<RunSummary>,
    pub selected: usize,
    /// The selected run, loaded whole, and the run pinned for comparison.
    pub shown: Option<StoredRun>,
    pub pinned: Option<StoredRun>,
    pub job: Option<Job>,
}

pub struct Ui {
    pub panes: Vec<Pane>,
    pub focus: usize,
    pub zoomed: bool,
    pub tab: usize,
    pub chart: ChartView,
    /// Selected row per list pane.
    pub rows: HashMap<Pane, usize>,
    pub dialog: Option<Dialog>,
    pub log_level: AlertLevel,
    pub log_filter: String,
    /// Command lines entered, for up/down recall.
    pub history: super::forms::History,
    pub backtests: Backtests,
    /// A one-line note at the bottom (the last action's result), with its weight.
    pub note: Option<(AlertLevel, String)>,
    /// Strategy names, symbols and the base interval: what forms offer.
    pub symbols: Vec<String>,
    pub strategies: Vec<String>,
}

impl Ui {
    pub fn new(panes: Vec<Pane>, base: Interval, symbols: Vec<String>) -> Self {
        Self {
            panes,
            focus: 0,
            zoomed: false,
            tab: 0,
            chart: ChartView {
                market: 0,
                timeframe: base,
                offset: 0,
                zoom: 1,
                volume: true,
                overlays: Vec::new(),
                show_overlays: true,
            },
            rows: HashMap::new(),
            dialog: None,
            log_level: AlertLevel::Info,
            log_filter: String::new(),
            history: Default::default(),
            backtests: Backtests::default(),
            note: None,
            symbols,
            strategies: crate::strategy::builtins()
                .iter()
                .map(|s| s.name.to_string())
                .collect(),
        }
    }

    pub fn focused(&self) -> Pane {
        self.panes.get(self.focus).copied().unwrap_or(Pane::Chart)
    }

    /// Where keys go now: the open dialog, else the focused pane.
    pub fn context(&self) -> Context {
        match &self.dialog {
            Some(Dialog::Help(_)) => Context::Help,
            Some(Dialog::CommandLine(_) | Dialog::Filter { .. }) => Context::CommandLine,
            Some(Dialog::Ticket(_) | Dialog::Backtest(_)) => Context::Form,
            Some(Dialog::Confirm(_)) => Context::Confirm,
            None => self.focused().context(),
        }
    }

    pub fn row(&self, pane: Pane) -> usize {
        self.rows.get(&pane).copied().unwrap_or(0)
    }

    pub fn set_row(&mut self, pane: Pane, row: usize) {
        self.rows.insert(pane, row);
    }

    /// Focuses a pane by kind (and its tab, in a tabbed layout).
    pub fn focus_pane(&mut self, pane: Pane) {
        if let Some(i) = self.panes.iter().position(|p| *p == pane) {
            self.focus = i;
        }
    }

    pub fn note(&mut self, level: AlertLevel, text: impl Into<String>) {
        self.note = Some((level, text.into()));
    }

    pub fn ask(&mut self, question: impl Into<String>, on_yes: Request) {
        self.dialog = Some(Dialog::Confirm(Confirm {
            question: question.into(),
            on_yes,
        }));
    }
}

/// Moves a selection within `len` rows.
pub fn step_row(row: usize, len: usize, action: Action, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => row.saturating_sub(1),
        Action::Down => (row + 1).min(last),
        Action::PageUp => row.saturating_sub(page),
        Action::PageDown => (row + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => row.min(last),
    }
}
