//! What a key can do: the `Action`s, their kebab-case names in `keymap.toml` and on the command
//! line, and the one-line descriptions the help screen shows. The table below is the single source
//! of all three, so a new action cannot exist without a name and a description.

/// Declares `Action` from rows of `Variant = "name", "about"`, with `ALL` in declaration order.
macro_rules! actions {
    ($($variant:ident = $name:literal, $about:literal;)+) => {
        /// Something the user asks for. Input becomes an `Action` through the keymap (or the
        /// command line, by name); the TUI's `update` decides what it means in the current state.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant,)+
        }

        impl Action {
            /// Every action, in the order the help screen lists them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The kebab-case name used in `keymap.toml` and on the command line (`:kill-switch`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }

            /// A short description for the help screen.
            pub fn about(self) -> &'static str {
                match self {
                    $(Action::$variant => $about,)+
                }
            }
        }
    };
}

actions! {
    Quit = "quit", "quit tickdesk (asks first when orders or strategies are live)";
    Help = "help", "show the keys for the focused pane";
    CommandLine = "command-line", "open the command line";
    NextPane = "next-pane", "focus the next pane";
    PrevPane = "prev-pane", "focus the previous pane";
    ZoomPane = "zoom-pane", "show the focused pane full-screen, or back";
    NextTab = "next-tab", "show the next tab";
    PrevTab = "prev-tab", "show the previous tab";
    Up = "up", "move up";
    Down = "down", "move down";
    Left = "left", "move left";
    Right = "right", "move right";
    PageUp = "page-up", "move up a page";
    PageDown = "page-down", "move down a page";
    Top = "top", "go to the first line";
    Bottom = "bottom", "go to the last line (the log follows new lines there)";
    Select = "select", "open the selected line";
    Back = "back", "close the dialog or go back";
    // Chart.
    ZoomIn = "zoom-in", "show fewer, wider candles";
    ZoomOut = "zoom-out", "show more, narrower candles";
    ScrollLeft = "scroll-left", "scroll back in time";
    ScrollRight = "scroll-right", "scroll forward in time";
    Latest = "latest", "jump to the latest candle and follow it";
    NextTimeframe = "next-timeframe", "switch to the next longer timeframe";
    PrevTimeframe = "prev-timeframe", "switch to the next shorter timeframe";
    NextSymbol = "next-symbol", "chart the next symbol";
    PrevSymbol = "prev-symbol", "chart the previous symbol";
    ToggleVolume = "toggle-volume", "show or hide volume bars";
    ToggleOverlays = "toggle-overlays", "hide or show the indicator overlays (:overlay chooses them)";
    // Replay speed (backtests and replays; live time cannot be sped up).
    Pause = "pause", "pause or resume the replay";
    SpeedUp = "speed-up", "replay faster";
    SlowDown = "slow-down", "replay slower";
    SpeedMax = "speed-max", "replay as fast as possible";
    // Manual overrides.
    Buy = "buy", "open a buy ticket for the charted symbol";
    Sell = "sell", "open a sell ticket for the charted symbol";
    CancelOrder = "cancel-order", "cancel the selected order";
    CancelAll = "cancel-all", "cancel every open order";
    Flatten = "flatten", "close the selected position at market";
    PauseStrategy = "pause-strategy", "pause or resume the selected strategy";
    KillSwitch = "kill-switch", "halt all trading and cancel open orders";
    Release = "release", "lift the kill switch and allow trading again";
    // Backtests.
    NewBacktest = "new-backtest", "start a new backtest";
    CancelBacktest = "cancel-backtest", "stop the selected running backtest";
    CompareRun = "compare-run", "compare the selected run with the one marked before";
    DeleteRun = "delete-run", "delete the selected run from the journal";
    // Log.
    Filter = "filter", "filter the log by text";
    CycleLevel = "cycle-level", "cycle the lowest log level shown";
    // Dialogs.
    Submit = "submit", "submit the form or command";
    NextField = "next-field", "go to the next field";
    PrevField = "prev-field", "go to the previous field";
    Confirm = "confirm", "yes, do it";
    Deny = "deny", "no, leave it";
}

impl Action {
    /// Actions deliberately left without a default key: they are reached on the command line by
    /// name (`:release`). Lifting the kill switch must be a typed, deliberate act, never a stray
    /// keypress next to `K`.
    pub const COMMAND_LINE_ONLY: &'static [Action] = &[Action::Release];

    /// The action with this kebab-case name, for the keymap file and the command line.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}
