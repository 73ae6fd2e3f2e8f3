//! Dividing a length among sizes with integer arithmetic only. Invariant: the lengths `split`
//! returns always add up to exactly the total, so rectangles built from them tile the area with no
//! gap and no overlap, at any terminal size (even one below the layout's minimum).

use super::Size;

/// Lengths for `sizes` out of `total`, in order. Cells are granted first, then percentages
/// (rounded down, of the whole total), each clamped to what is left; the remainder is shared
/// equally by the `*` sizes (the first ones get the odd cells), or goes to the last entry when
/// there is no `*`.
pub(super) fn split(total: u16, sizes: &[Size]) -> Vec<u16> {
    let mut left = total;
    let mut take = |want: u16| {
        let got = want.min(left);
        left -= got;
        got
    };
    let mut lengths: Vec<u16> = sizes
        .iter()
        .map(|size| match *size {
            Size::Cells(n) => take(n),
            Size::Percent(_) | Size::Fill => 0,
        })
        .collect();
    for (length, size) in lengths.iter_mut().zip(sizes) {
        if let Size::Percent(p) = *size {
            *length = take(percent_of(total, p));
        }
    }
    let fills = sizes.iter().filter(|s| **s == Size::Fill).count();
    if fills == 0 {
        if let Some(last) = lengths.last_mut() {
            *last += left;
        }
        return lengths;
    }
    // `fills` is at most the number of sizes, which fits a u16 whenever `total` can be shared.
    let fills = u16::try_from(fills).unwrap_or(u16::MAX);
    let (share, mut odd) = (left / fills, left % fills);
    for (length, size) in lengths.iter_mut().zip(sizes) {
        if *size == Size::Fill {
            *length = share + u16::from(odd > 0);
            odd = odd.saturating_sub(1);
        }
    }
    lengths
}

/// `p`% of `total`, rounded down, in exact integer arithmetic.
pub(super) fn percent_of(total: u16, p: u16) -> u16 {
    let cells = u32::from(total) * u32::from(p) / 100;
    u16::try_from(cells).unwrap_or(total)
}

/// Whether every entry gets at least one cell out of `total` and out of any larger total: the
/// percentages' shares grow with the total, and what they leave (at least
/// `total × (100 − Σp) / 100` before rounding) must cover the fixed cells plus a cell per `*`.
pub(super) fn fits(total: u16, sizes: &[Size]) -> bool {
    let mut percent = 0u32;
    let mut reserved = 0u32;
    for size in sizes {
        match *size {
            Size::Percent(p) if u32::from(p) * u32::from(total) < 100 => return false,
            Size::Percent(p) => percent += u32::from(p),
            Size::Cells(n) => reserved += u32::from(n),
            Size::Fill => reserved += 1,
        }
    }
    percent <= 100 && u32::from(total) * (100 - percent) >= 100 * reserved
}
