//! One side of a book: price keys and quantities in two parallel vectors, keys strictly
//! ascending with the best level at the end. Storing best-last makes the common case (changes
//! near the top) cheap: the search gallops from the end and an insert or removal near the top
//! shifts only the few levels above it. Invariant: keys strictly ascending, no zero quantity.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Ladder {
    keys: Vec<u64>,
    qtys: Vec<Decimal>,
}

impl Ladder {
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(super) fn clear(&mut self) {
        self.keys.clear();
        self.qtys.clear();
    }

    /// Sets the level at `key` to `qty`; zero removes it (a no-op when absent).
    #[inline]
    pub(super) fn set(&mut self, key: u64, qty: Decimal) {
        match self.find(key) {
            Ok(i) if qty.is_zero() => {
                self.keys.remove(i);
                self.qtys.remove(i);
            }
            Ok(i) => self.qtys[i] = qty,
            Err(_) if qty.is_zero() => {}
            Err(i) => {
                self.keys.insert(i, key);
                self.qtys.insert(i, qty);
            }
        }
    }

    /// Replaces the content with `levels` in any order; a repeated key keeps its last quantity
    /// and zero quantities are left out.
    pub(super) fn load(&mut self, levels: &mut Vec<(u64, Decimal)>) {
        self.clear();
        levels.sort_by_key(|l| l.0); // stable: repeats stay in arrival order
        levels.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                *kept = *later;
            }
            same
        });
        for &(key, qty) in levels.iter().filter(|l| !l.1.is_zero()) {
            self.keys.push(key);
            self.qtys.push(qty);
        }
    }

    pub(super) fn best(&self) -> Option<(u64, Decimal)> {
        Some((*self.keys.last()?, *self.qtys.last()?))
    }

    /// Levels best first.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u64, Decimal)> + '_ {
        self.keys
            .iter()
            .rev()
            .copied()
            .zip(self.qtys.iter().rev().copied())
    }

    /// Galloping search from the best end: `Ok(index)` of `key`, or `Err(insertion index)`.
    #[inline]
    fn find(&self, key: u64) -> Result<usize, usize> {
        let n = self.keys.len();
        let (mut lo, mut hi, mut step) = (0, n, 1);
        while step <= n {
            let i = n - step;
            if self.keys[i] <= key {
                lo = i;
                break;
            }
            hi = i;
            step *= 2;
        }
        match self.keys[lo..hi].binary_search(&key) {
            Ok(j) => Ok(lo + j),
            Err(j) => Err(lo + j),
        }
    }
}
