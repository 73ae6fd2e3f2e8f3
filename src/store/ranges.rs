//! Sets of half-open millisecond ranges `[start, end)`, kept sorted, disjoint and merged. The store
//! uses one per series to remember which spans its source has vouched for ("coverage"), so a fetch
//! asks only for what is missing and a hole inside coverage is a real exchange gap.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Range {
    pub start: i64,
    pub end: i64,
}

impl Range {
    pub fn new(start: i64, end: i64) -> Self {
        Self { start, end }
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }

    pub fn intersect(&self, other: &Range) -> Range {
        Range::new(self.start.max(other.start), self.end.min(other.end))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RangeSet(Vec<Range>);

impl RangeSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn ranges(&self) -> &[Range] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `r`, merging it with every range it overlaps or touches.
    pub fn insert(&mut self, r: Range) {
        if r.is_empty() {
            return;
        }
        let lo = self.0.partition_point(|x| x.end < r.start);
        let hi = self.0.partition_point(|x| x.start <= r.end);
        let merged = if lo < hi {
            Range::new(r.start.min(self.0[lo].start), r.end.max(self.0[hi - 1].end))
        } else {
            r
        };
        self.0.splice(lo..hi, [merged]);
    }

    /// Removes `r` from the set.
    pub fn remove(&mut self, r: Range) {
        if r.is_empty() {
            return;
        }
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for x in &self.0 {
            if x.end <= r.start || x.start >= r.end {
                out.push(*x);
                continue;
            }
            if x.start < r.start {
                out.push(Range::new(x.start, r.start));
            }
            if x.end > r.end {
                out.push(Range::new(r.end, x.end));
            }
        }
        self.0 = out;
    }

    pub fn contains(&self, t: i64) -> bool {
        let i = self.0.partition_point(|x| x.end <= t);
        self.0.get(i).is_some_and(|x| x.contains(t))
    }

    /// The parts of `within` that the set does not cover, in order.
    pub fn missing(&self, within: Range) -> Vec<Range> {
        let mut out = Vec::new();
        let mut cursor = within.start;
        for x in &self.0 {
            if x.end <= cursor {
                continue;
            }
            if x.start >= within.end {
                break;
            }
            if x.start > cursor {
                out.push(Range::new(cursor, x.start.min(within.end)));
            }
            cursor = cursor.max(x.end);
        }
        if cursor < within.end {
            out.push(Range::new(cursor, within.end));
        }
        out
    }

    /// The parts of `within` that the set covers, in order.
    pub fn covered(&self, within: Range) -> Vec<Range> {
        self.0
            .iter()
            .map(|x| x.intersect(&within))
            .filter(|r| !r.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(rs: &[(i64, i64)]) -> RangeSet {
        let mut s = RangeSet::new();
        for &(a, b) in rs {
            s.insert(Range::new(a, b));
        }
        s
    }

    #[test]
    fn merges_touching_and_overlapping_ranges() {
        let s = set(&[(10, 20), (30, 40), (20, 25), (35, 50), (60, 70)]);
        assert_eq!(
            s.ranges(),
            &[Range::new(10, 25), Range::new(30, 50), Range::new(60, 70)]
        );
        assert_eq!(set(&[(0, 100), (10, 20)]).ranges(), &[Range::new(0, 100)]);
    }

    #[test]
    fn missing_and_covered_partition_a_window() {
        let s = set(&[(10, 20), (30, 40)]);
        assert_eq!(
            s.missing(Range::new(0, 50)),
            [(0, 10), (20, 30), (40, 50)].map(|(a, b)| Range::new(a, b))
        );
        assert_eq!(s.missing(Range::new(12, 18)), []);
        assert_eq!(
            s.covered(Range::new(15, 35)),
            [Range::new(15, 20), Range::new(30, 35)]
        );
    }

    #[test]
    fn remove_cuts_holes() {
        let mut s = set(&[(0, 100)]);
        s.remove(Range::new(40, 60));
        assert_eq!(s.ranges(), &[Range::new(0, 40), Range::new(60, 100)]);
        assert!(s.contains(39) && !s.contains(40) && s.contains(60) && !s.contains(100));
    }

    proptest! {
        #[test]
        fn behaves_like_a_set_of_points(ops in prop::collection::vec((any::<bool>(), 0i64..200, 0i64..40), 0..30), probe in 0i64..260) {
            let mut s = RangeSet::new();
            let mut points = std::collections::BTreeSet::new();
            for (add, start, len) in ops {
                let r = Range::new(start, start + len);
                if add { s.insert(r); points.extend(start..start + len); }
                else { s.remove(r); for p in start..start + len { points.remove(&p); } }
            }
            prop_assert_eq!(s.contains(probe), points.contains(&probe));
            for w in s.ranges().windows(2) {
                prop_assert!(w[0].end < w[1].start, "ranges stay disjoint and unmerged gaps stay open");
            }
            let window = Range::new(0, 260);
            let missing: usize = s.missing(window).iter().map(|r| (r.end - r.start) as usize).sum();
            prop_assert_eq!(missing, 260 - points.len());
        }
    }
}
