//! Pane layouts: where each pane goes for a terminal size. The defaults are `ui/layouts.toml`,
//! built into the binary; a user `layouts.toml` replaces the whole list. The first layout whose
//! minimum the terminal meets is used. Invariants: every layout shows every pane exactly once (in
//! a grid cell, or as a tab), and `Layout::areas` tiles its area exactly: pane rectangles plus
//! the tab bar cover it with no gap and no overlap.

mod file;
mod split;

use crate::config::Sources;
use crate::tui::keymap::{Context, SourceError};
use ratatui::layout::Rect;
use split::split;
use std::path::{Path, PathBuf};

/// A pane of the workstation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Chart,
    Book,
    Positions,
    Orders,
    Fills,
    Strategies,
    Backtests,
    Log,
}

impl Pane {
    pub const ALL: &'static [Pane] = &[
        Pane::Chart,
        Pane::Book,
        Pane::Positions,
        Pane::Orders,
        Pane::Fills,
        Pane::Strategies,
        Pane::Backtests,
        Pane::Log,
    ];

    /// The name in `layouts.toml`, which is also its keymap section.
    pub fn name(self) -> &'static str {
        self.context().name()
    }

    pub fn from_name(name: &str) -> Option<Pane> {
        Pane::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The keymap context while this pane has the focus.
    pub fn context(self) -> Context {
        match self {
            Pane::Chart => Context::Chart,
            Pane::Book => Context::Book,
            Pane::Positions => Context::Positions,
            Pane::Orders => Context::Orders,
            Pane::Fills => Context::Fills,
            Pane::Strategies => Context::Strategies,
            Pane::Backtests => Context::Backtests,
            Pane::Log => Context::Log,
        }
    }
}

/// A width or height: `"60%"` of the whole, `"12"` cells, or `"*"` (an equal share of the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Percent(u16),
    Cells(u16),
    Fill,
}

/// A grid cell: one pane, or several as tabs (at most one such cell per layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub panes: Vec<Pane>,
    pub width: Size,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub height: Size,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrangement {
    /// Rows top to bottom, cells left to right.
    Grid(Vec<Row>),
    /// One pane at a time under a tab bar.
    Tabs(Vec<Pane>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub name: String,
    pub min_width: u16,
    pub min_height: u16,
    pub arrangement: Arrangement,
}

/// Where things go on screen: the visible panes' rectangles, and the tab bar if the layout has tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub panes: Vec<(Pane, Rect)>,
    pub tab_bar: Option<Rect>,
}

impl Layout {
    /// Splits `area` (the screen minus the status bar) into pane rectangles. Of the panes that
    /// are tabs, only `tabs()[active_tab]` is placed (the last one if out of range), below a
    /// one-line tab bar.
    pub fn areas(&self, area: Rect, active_tab: usize) -> Placement {
        match &self.arrangement {
            Arrangement::Tabs(panes) => {
                let (tab_bar, pane) = tabbed(area, panes, active_tab);
                Placement {
                    panes: pane.into_iter().collect(),
                    tab_bar: Some(tab_bar),
                }
            }
            Arrangement::Grid(rows) => grid(area, rows, active_tab),
        }
    }

    /// Every pane in focus order: row by row, left to right (a tabbed cell's panes in tab order),
    /// or the tabs in order.
    pub fn panes(&self) -> Vec<Pane> {
        match &self.arrangement {
            Arrangement::Tabs(panes) => panes.clone(),
            Arrangement::Grid(rows) => rows
                .iter()
                .flat_map(|r| &r.cells)
                .flat_map(|c| c.panes.iter().copied())
                .collect(),
        }
    }

    /// The panes shown as tabs, in order (empty when the layout has none). `next-tab` and
    /// `prev-tab` cycle through these.
    pub fn tabs(&self) -> &[Pane] {
        match &self.arrangement {
            Arrangement::Tabs(panes) => panes,
            Arrangement::Grid(rows) => rows
                .iter()
                .flat_map(|r| &r.cells)
                .find(|c| c.panes.len() > 1)
                .map_or(&[], |c| &c.panes),
        }
    }

    /// The tab showing `pane`, if it is a tab: when focus moves to a pane, make its tab active
    /// so the focused pane is on screen.
    pub fn tab_index(&self, pane: Pane) -> Option<usize> {
        self.tabs().iter().position(|p| *p == pane)
    }
}

/// A one-line tab bar over the active pane; `None` for the pane when there are no tabs.
fn tabbed(area: Rect, panes: &[Pane], active_tab: usize) -> (Rect, Option<(Pane, Rect)>) {
    let bar = area.height.min(1);
    let tab_bar = Rect {
        height: bar,
        ..area
    };
    let below = Rect {
        y: area.y.saturating_add(bar),
        height: area.height - bar,
        ..area
    };
    let active = panes.get(active_tab).or(panes.last());
    (tab_bar, active.map(|p| (*p, below)))
}

fn grid(area: Rect, rows: &[Row], active_tab: usize) -> Placement {
    let heights: Vec<Size> = rows.iter().map(|r| r.height).collect();
    let mut placement = Placement {
        panes: Vec::new(),
        tab_bar: None,
    };
    let mut y = area.y;
    for (row, height) in rows.iter().zip(split(area.height, &heights)) {
        let widths: Vec<Size> = row.cells.iter().map(|c| c.width).collect();
        let mut x = area.x;
        for (cell, width) in row.cells.iter().zip(split(area.width, &widths)) {
            let rect = Rect {
                x,
                y,
                width,
                height,
            };
            if let [pane] = cell.panes.as_slice() {
                placement.panes.push((*pane, rect));
            } else {
                let (tab_bar, pane) = tabbed(rect, &cell.panes, active_tab);
                placement.tab_bar = Some(tab_bar);
                placement.panes.extend(pane);
            }
            x = x.saturating_add(width);
        }
        y = y.saturating_add(height);
    }
    placement
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("cannot read the layouts {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] SourceError),
}

/// How the built-in layouts are named in error messages.
pub const DEFAULT_FILE: &str = "ui/layouts.toml (built in)";
const DEFAULT_TEXT: &str = include_str!("../../ui/layouts.toml");

/// The layouts, in order of preference (widest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layouts {
    layouts: Vec<Layout>,
}

impl Layouts {
    /// The built-in layouts, `ui/layouts.toml`.
    pub fn default_layouts() -> Result<Layouts, LayoutError> {
        Layouts::parse(DEFAULT_TEXT, DEFAULT_FILE)
    }

    /// Where the user's layouts are looked for: `layouts.toml` beside the user's `config.toml`
    /// (`~/.config/tickdesk/layouts.toml` on Linux).
    pub fn user_file() -> Option<PathBuf> {
        Sources::user_file_path().map(|p| p.with_file_name("layouts.toml"))
    }

    /// The user's file if it exists (it replaces the built-in list), else the built-in layouts.
    pub fn load(user_file: Option<&Path>) -> Result<Layouts, LayoutError> {
        let Some(path) = user_file else {
            return Layouts::default_layouts();
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Layouts::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Layouts::default_layouts(),
            Err(source) => Err(LayoutError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Layouts from a file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Layouts, LayoutError> {
        Ok(Layouts {
            layouts: file::parse(text, file)?,
        })
    }

    /// The first layout whose minimum the terminal meets; `None` when it is below all of them.
    pub fn pick(&self, width: u16, height: u16) -> Option<&Layout> {
        self.layouts
            .iter()
            .find(|l| width >= l.min_width && height >= l.min_height)
    }

    /// The smallest layout's minimum (by area): a terminal at least this big gets a layout. For
    /// "terminal too small: 80×24 needed".
    pub fn min_size(&self) -> (u16, u16) {
        let smallest = self
            .layouts
            .iter()
            .min_by_key(|l| u32::from(l.min_width) * u32::from(l.min_height));
        smallest.map_or((0, 0), |l| (l.min_width, l.min_height))
    }

    pub fn all(&self) -> &[Layout] {
        &self.layouts
    }

    /// The layout with this name, for a command such as `:layout tabs`.
    pub fn get(&self, name: &str) -> Option<&Layout> {
        self.layouts.iter().find(|l| l.name == name)
    }
}

#[cfg(test)]
mod tests;
