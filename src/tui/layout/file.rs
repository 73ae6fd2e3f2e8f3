//! Reading `layouts.toml`: `[[layout]]` tables with a name, minimum size, and either
//! `[[layout.row]]`s of cells or a `tabs` list. Everything that could make a layout unusable is
//! refused here with the file, line and what is allowed: unknown panes, bad sizes, percentages
//! over 100, rows that cannot give every pane a cell at the minimum size, and a pane a layout
//! never shows (it could not be reached there).

use super::split::fits;
use super::{Arrangement, Cell, Layout, Pane, Row, Size};
use crate::tui::keymap::{SourceError, one_of};
use serde::Deserialize;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    layout: Vec<RawLayout>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    name: Spanned<String>,
    min_width: Spanned<u16>,
    min_height: Spanned<u16>,
    #[serde(default)]
    row: Vec<RawRow>,
    tabs: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    #[serde(default = "fill")]
    height: Spanned<String>,
    panes: Spanned<Vec<Spanned<String>>>,
}

fn fill() -> Spanned<String> {
    Spanned::new(0..0, "*".to_string())
}

const SIZES: &str =
    "\"60%\" (of the width or height), \"12\" (cells) or \"*\" (share what is left)";

/// Reads and checks every layout in the file, in order.
pub(super) fn parse(text: &str, file: &str) -> Result<Vec<Layout>, SourceError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| SourceError::from_toml(file, text, &e))?;
    let fail = |span: Range<usize>, message: String| SourceError::at(file, text, span, message);
    if raw.layout.is_empty() {
        return Err(fail(
            0..0,
            "no [[layout]] defined: define at least one".into(),
        ));
    }
    let mut names = HashSet::new();
    let mut layouts = Vec::with_capacity(raw.layout.len());
    for raw in raw.layout {
        if !names.insert(raw.name.get_ref().clone()) {
            let message = format!(
                "a second layout is named `{}`: names must differ",
                raw.name.get_ref()
            );
            return Err(fail(raw.name.span(), message));
        }
        let layout = read_layout(raw, &fail)?;
        layouts.push(layout);
    }
    Ok(layouts)
}

fn read_layout(
    raw: RawLayout,
    fail: &impl Fn(Range<usize>, String) -> SourceError,
) -> Result<Layout, SourceError> {
    let name_span = raw.name.span();
    let name = raw.name.into_inner();
    let (min_width, min_height) = (*raw.min_width.get_ref(), *raw.min_height.get_ref());
    if min_width == 0 {
        return Err(fail(
            raw.min_width.span(),
            "min_width must be at least 1".into(),
        ));
    }
    if min_height < 2 {
        let message = "min_height must be at least 2 (a tab bar and a line of pane)";
        return Err(fail(raw.min_height.span(), message.into()));
    }
    let arrangement = match (raw.tabs, raw.row.is_empty()) {
        (Some(tabs), true) => Arrangement::Tabs(read_tabs(&tabs, fail)?),
        (None, false) => read_grid(&raw.row, min_width, min_height, fail)?,
        _ => {
            let message = format!(
                "layout `{name}` needs either [[layout.row]] tables (a grid) or a `tabs` list, not both"
            );
            return Err(fail(name_span, message));
        }
    };
    let layout = Layout {
        name,
        min_width,
        min_height,
        arrangement,
    };
    let shown = layout.panes();
    let mut seen = HashSet::new();
    for pane in &shown {
        if !seen.insert(*pane) {
            let message = format!(
                "layout `{}` shows `{}` twice: place each pane once",
                layout.name,
                pane.name()
            );
            return Err(fail(name_span, message));
        }
    }
    if let Some(missing) = Pane::ALL.iter().find(|p| !shown.contains(p)) {
        let message = format!(
            "layout `{}` has no place for `{}`, so it could not be reached there: every layout \
             shows every pane (a cell can hold several as tabs: \"log/backtests\")",
            layout.name,
            missing.name()
        );
        return Err(fail(name_span, message));
    }
    Ok(layout)
}

fn read_tabs(
    tabs: &Spanned<Vec<Spanned<String>>>,
    fail: &impl Fn(Range<usize>, String) -> SourceError,
) -> Result<Vec<Pane>, SourceError> {
    tabs.get_ref()
        .iter()
        .map(|name| pane(name.get_ref()).map_err(|m| fail(name.span(), m)))
        .collect()
}

fn read_grid(
    rows: &[RawRow],
    min_width: u16,
    min_height: u16,
    fail: &impl Fn(Range<usize>, String) -> SourceError,
) -> Result<Arrangement, SourceError> {
    let mut grid = Vec::with_capacity(rows.len());
    let mut tabbed = false;
    for raw in rows {
        let height = size(raw.height.get_ref()).map_err(|m| fail(raw.height.span(), m))?;
        if raw.panes.get_ref().is_empty() {
            return Err(fail(
                raw.panes.span(),
                "a row needs at least one pane".into(),
            ));
        }
        let mut cells = Vec::with_capacity(raw.panes.get_ref().len());
        for text in raw.panes.get_ref() {
            let cell = cell(text.get_ref()).map_err(|m| fail(text.span(), m))?;
            if cell.panes.len() > 1 && std::mem::replace(&mut tabbed, true) {
                let message = "only one cell per layout can hold tabs (they share one tab index)";
                return Err(fail(text.span(), message.into()));
            }
            cells.push(cell);
        }
        let widths: Vec<Size> = cells.iter().map(|c| c.width).collect();
        check_fit(
            &widths,
            min_width,
            "columns",
            "min_width",
            raw.panes.span(),
            fail,
        )?;
        grid.push(Row { height, cells });
    }
    let heights: Vec<Size> = grid.iter().map(|r| r.height).collect();
    let last_height = rows.last().map_or(0..0, |r| r.height.span());
    check_fit(
        &heights,
        min_height,
        "rows",
        "min_height",
        last_height,
        fail,
    )?;
    Ok(Arrangement::Grid(grid))
}

fn check_fit(
    sizes: &[Size],
    minimum: u16,
    unit: &str,
    key: &str,
    span: Range<usize>,
    fail: &impl Fn(Range<usize>, String) -> SourceError,
) -> Result<(), SourceError> {
    let percent: u32 = sizes
        .iter()
        .map(|s| {
            if let Size::Percent(p) = s {
                u32::from(*p)
            } else {
                0
            }
        })
        .sum();
    if percent > 100 {
        let message =
            format!("these sizes add up to {percent}%: percentages may total at most 100%");
        return Err(fail(span, message));
    }
    if !fits(minimum, sizes) {
        let message = format!(
            "these sizes need more than the {minimum} {unit} of {key} = {minimum} (fixed cells, \
             percentages, and one for each \"*\"): make them smaller or raise {key}"
        );
        return Err(fail(span, message));
    }
    Ok(())
}

/// A cell: `"chart 60%"`, `"chart"` (same as `"chart *"`), or tabs: `"log/backtests 40%"`.
fn cell(text: &str) -> Result<Cell, String> {
    let mut words = text.split_whitespace();
    let (Some(panes), width, None) = (words.next(), words.next(), words.next()) else {
        return Err(format!(
            "`{text}` is not a cell: write a pane and an optional size (\"chart 60%\", \"book\"), \
             or tabs separated by / (\"log/backtests *\")"
        ));
    };
    let panes = panes.split('/').map(pane).collect::<Result<Vec<_>, _>>()?;
    let width = width.map_or(Ok(Size::Fill), size)?;
    Ok(Cell { panes, width })
}

fn pane(name: &str) -> Result<Pane, String> {
    Pane::from_name(name).ok_or_else(|| {
        let allowed = one_of(Pane::ALL.iter().map(|p| p.name()));
        format!("unknown pane `{name}`: use one of {allowed}")
    })
}

fn size(text: &str) -> Result<Size, String> {
    let bad = || format!("`{text}` is not a size: use {SIZES}");
    let size = match text.trim() {
        "*" => Size::Fill,
        t => match t.strip_suffix('%') {
            Some(p) => Size::Percent(p.trim().parse().map_err(|_| bad())?),
            None => Size::Cells(t.parse().map_err(|_| bad())?),
        },
    };
    match size {
        Size::Percent(0) | Size::Cells(0) => {
            Err(format!("`{text}` would hide the pane: use {SIZES}"))
        }
        Size::Percent(p) if p > 100 => Err(format!("`{text}` is over 100%: use {SIZES}")),
        size => Ok(size),
    }
}
