use super::split::{fits, split};
use super::*;
use proptest::prelude::*;
use std::collections::HashSet;
use std::io::Write;

fn defaults() -> Layouts {
    Layouts::default_layouts().unwrap()
}

fn error(text: &str) -> SourceError {
    match Layouts::parse(text, "layouts.toml") {
        Err(LayoutError::Invalid(e)) => e,
        other => panic!("expected an error for {text}, got {other:?}"),
    }
}

/// A valid grid with `rows` spliced in after its header, to test one thing at a time.
fn with_rows(rows: &str) -> String {
    format!("[[layout]]\nname = \"mine\"\nmin_width = 120\nmin_height = 30\n\n{rows}")
}

const REST: &str = "[[layout.row]]\npanes = [\"positions\", \"orders\", \"fills\", \"strategies\", \"backtests/log\"]\n";

#[test]
fn defaults_parse_in_order() {
    let layouts = defaults();
    let names: Vec<&str> = layouts.all().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["wide", "grid", "tabs"]);
    assert_eq!(layouts.min_size(), (80, 24));
    for layout in layouts.all() {
        let mut panes = layout.panes();
        panes.sort_by_key(|p| *p as usize);
        assert_eq!(panes, Pane::ALL, "{}", layout.name);
    }
}

#[test]
fn pick_by_size() {
    let layouts = defaults();
    let pick = |w, h| layouts.pick(w, h).map(|l| l.name.as_str());
    assert_eq!(pick(250, 70), Some("wide"));
    assert_eq!(pick(160, 45), Some("wide"));
    assert_eq!(pick(159, 60), Some("grid"));
    assert_eq!(pick(200, 44), Some("grid"));
    assert_eq!(pick(120, 32), Some("grid"));
    assert_eq!(pick(119, 50), Some("tabs"));
    assert_eq!(pick(200, 31), Some("tabs"));
    assert_eq!(pick(80, 24), Some("tabs"));
    assert_eq!(pick(79, 24), None);
    assert_eq!(pick(300, 23), None);
}

#[test]
fn wide_at_its_minimum() {
    let layouts = defaults();
    let wide = layouts.get("wide").unwrap();
    let placement = wide.areas(Rect::new(0, 0, 160, 45), 0);
    assert_eq!(placement.tab_bar, None);
    let at = |pane| {
        placement
            .panes
            .iter()
            .find(|(p, _)| *p == pane)
            .map(|(_, r)| *r)
            .unwrap()
    };
    assert_eq!(at(Pane::Chart), Rect::new(0, 0, 96, 22));
    assert_eq!(at(Pane::Book), Rect::new(96, 0, 32, 22));
    assert_eq!(at(Pane::Strategies), Rect::new(128, 0, 32, 22));
    assert_eq!(at(Pane::Positions), Rect::new(0, 22, 54, 11));
    assert_eq!(at(Pane::Fills), Rect::new(107, 22, 53, 11));
    assert_eq!(at(Pane::Backtests), Rect::new(0, 33, 80, 12));
    assert_eq!(at(Pane::Log), Rect::new(80, 33, 80, 12));
}

#[test]
fn grid_shows_backtests_as_a_tab_beside_the_log() {
    let layouts = defaults();
    let grid = layouts.get("grid").unwrap();
    assert_eq!(
        grid.panes(),
        [
            Pane::Chart,
            Pane::Book,
            Pane::Positions,
            Pane::Orders,
            Pane::Strategies,
            Pane::Fills,
            Pane::Log,
            Pane::Backtests
        ]
    );
    assert_eq!(grid.tabs(), [Pane::Log, Pane::Backtests]);
    assert_eq!(grid.tab_index(Pane::Backtests), Some(1));
    assert_eq!(grid.tab_index(Pane::Chart), None);
    let area = Rect::new(0, 1, 120, 32);
    let first = grid.areas(area, 0);
    let second = grid.areas(area, 1);
    let shown = |p: &Placement| p.panes.iter().map(|(pane, _)| *pane).collect::<Vec<_>>();
    assert!(shown(&first).contains(&Pane::Log) && !shown(&first).contains(&Pane::Backtests));
    assert!(shown(&second).contains(&Pane::Backtests) && !shown(&second).contains(&Pane::Log));
    assert_eq!(first.tab_bar, Some(Rect::new(60, 25, 60, 1)));
}

#[test]
fn tabs_put_one_pane_under_the_tab_bar() {
    let layouts = defaults();
    let tabs = layouts.get("tabs").unwrap();
    assert_eq!(tabs.panes(), Pane::ALL);
    let placement = tabs.areas(Rect::new(0, 0, 80, 23), 2);
    assert_eq!(placement.tab_bar, Some(Rect::new(0, 0, 80, 1)));
    assert_eq!(
        placement.panes,
        [(Pane::Positions, Rect::new(0, 1, 80, 22))]
    );
    // Out of range means the last tab.
    assert_eq!(
        tabs.areas(Rect::new(0, 0, 80, 23), 99).panes[0].0,
        Pane::Log
    );
}

#[test]
fn split_is_exact() {
    use Size::{Cells, Fill, Percent};
    assert_eq!(split(10, &[Fill, Fill, Fill]), [4, 3, 3]);
    assert_eq!(
        split(161, &[Percent(60), Percent(20), Percent(20)]),
        [96, 32, 33]
    );
    assert_eq!(split(100, &[Cells(10), Percent(50), Fill]), [10, 50, 40]);
    assert_eq!(split(5, &[Cells(10), Fill]), [5, 0]);
    assert_eq!(split(0, &[Percent(50), Fill]), [0, 0]);
    assert!(fits(120, &[Percent(70), Fill]));
    assert!(!fits(120, &[Cells(90), Cells(90)]));
    assert!(!fits(120, &[Percent(100), Fill]));
}

#[test]
fn user_file_replaces_the_list() {
    let text = "[[layout]]\nname = \"only\"\nmin_width = 40\nmin_height = 10\n\
                tabs = [\"log\", \"chart\", \"book\", \"positions\", \"orders\", \"fills\", \"strategies\", \"backtests\"]\n";
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    let layouts = Layouts::load(Some(file.path())).unwrap();
    assert_eq!(layouts.all().len(), 1);
    assert_eq!(layouts.pick(40, 10).map(|l| l.name.as_str()), Some("only"));
    assert_eq!(layouts.min_size(), (40, 10));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        Layouts::load(Some(&dir.path().join("layouts.toml"))).unwrap(),
        defaults()
    );
    assert!(matches!(
        Layouts::load(Some(dir.path())),
        Err(LayoutError::Read { .. })
    ));
}

#[test]
fn errors_name_line_value_and_allowed() {
    let e = error(&with_rows(&format!(
        "[[layout.row]]\npanes = [\"chart 60%\", \"bok\"]\n\n{REST}"
    )));
    assert_eq!((e.file.as_str(), e.line, e.column), ("layouts.toml", 7, 23));
    assert!(
        e.message.contains("`bok`") && e.message.contains("chart, book, positions"),
        "{}",
        e.message
    );
    assert!(
        e.to_string()
            .contains("    7 | panes = [\"chart 60%\", \"bok\"]"),
        "{e}"
    );

    let e = error(&with_rows(&format!(
        "[[layout.row]]\nheight = \"half\"\npanes = [\"chart\", \"book\"]\n\n{REST}"
    )));
    assert_eq!(e.line, 7);
    assert!(
        e.message.contains("`half`") && e.message.contains("\"60%\""),
        "{}",
        e.message
    );

    let e = error(&with_rows(&format!(
        "[[layout.row]]\npanes = [\"chart 60%\", \"book 50%\"]\n\n{REST}"
    )));
    assert_eq!(e.line, 7);
    assert!(e.message.contains("110%"), "{}", e.message);

    let e = error(&with_rows(&format!(
        "[[layout.row]]\npanes = [\"chart 90\", \"book 40\"]\n\n{REST}"
    )));
    assert!(
        e.message.contains("120 columns of min_width"),
        "{}",
        e.message
    );

    let e = error(&with_rows(&format!(
        "[[layout.row]]\nheight = \"90%\"\npanes = [\"chart\", \"book\"]\n\n{REST}height = \"20%\"\n"
    )));
    assert_eq!(e.line, 12);
    assert!(e.message.contains("110%"), "{}", e.message);

    let e = error(&with_rows(
        "[[layout.row]]\npanes = [\"chart\", \"book\"]\n",
    ));
    assert_eq!((e.line, e.column), (2, 8));
    assert!(
        e.message.contains("no place for `positions`"),
        "{}",
        e.message
    );

    let e = error(&with_rows(&format!(
        "[[layout.row]]\npanes = [\"chart/book\", \"orders\"]\n\n{REST}"
    )));
    assert!(
        e.message.contains("`orders` twice") || e.message.contains("only one cell"),
        "{}",
        e.message
    );

    let e = error(&with_rows(&format!(
        "[[layout.row]]\nheigth = \"50%\"\npanes = [\"chart\", \"book\"]\n\n{REST}"
    )));
    assert_eq!(e.line, 7);
    assert!(
        e.message.contains("heigth") && e.message.contains("height"),
        "{}",
        e.message
    );

    let e = error(
        "[[layout]]\nname = \"x\"\nmin_width = 80\nmin_height = 24\ntabs = [\"chart\"]\n\n[[layout.row]]\npanes = [\"book\"]\n",
    );
    assert!(e.message.contains("not both"), "{}", e.message);

    let e = error("# nothing\n");
    assert!(e.message.contains("at least one"), "{}", e.message);
}

fn tiles_exactly(layout: &Layout, area: Rect, active_tab: usize) -> Result<(), TestCaseError> {
    let placement = layout.areas(area, active_tab);
    let mut rects: Vec<Rect> = placement.panes.iter().map(|(_, r)| *r).collect();
    for (pane, rect) in &placement.panes {
        prop_assert!(
            !rect.is_empty(),
            "{} got no room in {}",
            pane.name(),
            layout.name
        );
    }
    rects.extend(placement.tab_bar);
    let total: u32 = rects
        .iter()
        .map(|r| u32::from(r.width) * u32::from(r.height))
        .sum();
    prop_assert_eq!(total, u32::from(area.width) * u32::from(area.height));
    for (i, a) in rects.iter().enumerate() {
        prop_assert!(
            area.contains(a.as_position())
                && a.right() <= area.right()
                && a.bottom() <= area.bottom()
        );
        for b in &rects[i + 1..] {
            prop_assert!(!a.intersects(*b), "{a:?} overlaps {b:?} in {}", layout.name);
        }
    }
    let shown: HashSet<Pane> = placement.panes.iter().map(|(p, _)| *p).collect();
    let expected = layout.panes().len() - layout.tabs().len().saturating_sub(1);
    prop_assert_eq!(shown.len(), expected);
    prop_assert_eq!(placement.tab_bar.is_some(), !layout.tabs().is_empty());
    Ok(())
}

fn any_size() -> impl Strategy<Value = Size> {
    prop_oneof![
        (1u16..=100).prop_map(Size::Percent),
        (1u16..=300).prop_map(Size::Cells),
        Just(Size::Fill)
    ]
}

proptest! {
    #[test]
    fn default_layouts_tile_their_area(
        extra_w in 0u16..400, extra_h in 0u16..200, x in 0u16..1000, y in 0u16..1000, active in 0usize..10,
    ) {
        for layout in defaults().all() {
            let area = Rect::new(x, y, layout.min_width + extra_w, layout.min_height + extra_h);
            tiles_exactly(layout, area, active)?;
        }
    }

    #[test]
    fn split_always_sums_to_the_total(total in 0u16..2000, sizes in prop::collection::vec(any_size(), 1..8)) {
        let lengths = split(total, &sizes);
        prop_assert_eq!(lengths.len(), sizes.len());
        prop_assert_eq!(lengths.iter().map(|l| u32::from(*l)).sum::<u32>(), u32::from(total));
    }

    #[test]
    fn fitting_at_the_minimum_fits_above_it(
        minimum in 1u16..400, extra in 0u16..1000, sizes in prop::collection::vec(any_size(), 1..6),
    ) {
        prop_assume!(fits(minimum, &sizes));
        prop_assert!(split(minimum + extra, &sizes).iter().all(|l| *l > 0));
    }
}
