//! Rolling windows shared by the indicators: `Ring`, the last N values in a fixed buffer;
//! `RunningMean`, TA-Lib's own SMA (a float running sum, for smoothing inner values the way TA-Lib
//! does, where `Sma`'s exact sums buy nothing); and `Extreme`, a monotonic deque that keeps a
//! window's maximum or minimum and the bar it came from in O(1) amortised per bar. Invariant of `Extreme`: its front is the extreme of the window and,
//! among equal values, the most recent one (TA-Lib's AROON rule).

/// The last `capacity` values. The n-th value pushed (from 0) lives in slot `n % capacity`, so
/// `slots()` is in the order TA-Lib's circular buffers are summed in.
#[derive(Debug, Clone)]
pub(super) struct Ring {
    slots: Vec<f64>,
    next: usize,
    len: usize,
}

impl Ring {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            slots: vec![0.0; capacity.max(1)],
            next: 0,
            len: 0,
        }
    }

    /// Stores `x`; returns the value it replaced once the ring is full.
    pub(super) fn push(&mut self, x: f64) -> Option<f64> {
        let evicted = self.is_full().then(|| self.slots[self.next]);
        self.slots[self.next] = x;
        // Wrap by comparison: an integer `%` per bar costs more than the rest of most indicators.
        self.next += 1;
        if self.next == self.slots.len() {
            self.next = 0;
        }
        if self.len < self.slots.len() {
            self.len += 1;
        }
        evicted
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_full(&self) -> bool {
        self.len == self.slots.len()
    }

    /// The value pushed `age` pushes ago (0 is the newest).
    pub(super) fn back(&self, age: usize) -> Option<f64> {
        (age < self.len).then(|| {
            let cap = self.slots.len();
            let at = self.next + cap - 1 - age;
            self.slots[if at >= cap { at - cap } else { at }]
        })
    }

    /// Every slot in storage order (unfilled slots hold 0).
    pub(super) fn slots(&self) -> &[f64] {
        &self.slots
    }
}

/// Mean of the last `period` values from a running sum: add the newest, divide, subtract the
/// oldest (TA-Lib's SMA, operation for operation).
#[derive(Debug, Clone)]
pub(super) struct RunningMean {
    window: Ring,
    sum: f64,
}

impl RunningMean {
    pub(super) fn new(period: usize) -> Self {
        Self {
            window: Ring::new(period),
            sum: 0.0,
        }
    }

    pub(super) fn period(&self) -> usize {
        self.window.slots().len()
    }

    pub(super) fn push(&mut self, x: f64) -> Option<f64> {
        self.sum += x;
        self.window.push(x);
        if !self.window.is_full() {
            return None;
        }
        let mean = self.sum / self.period() as f64;
        // The value leaving next time is the oldest now in the window.
        self.sum -= self.window.back(self.period() - 1).unwrap_or(0.0);
        Some(mean)
    }
}

/// The maximum (or minimum) of the last `window` values pushed, with its bar index: a monotonic
/// deque in a fixed ring (at most `window` entries), values non-increasing from the front. A
/// minimum is kept as the maximum of the negated values (negation is exact).
#[derive(Debug, Clone)]
pub(super) struct Extreme {
    window: usize,
    sign: f64,
    bars: Vec<usize>,
    values: Vec<f64>,
    mask: usize,
    head: usize,
    len: usize,
}

impl Extreme {
    pub(super) fn max(window: usize) -> Self {
        Self::new(window, 1.0)
    }

    pub(super) fn min(window: usize) -> Self {
        Self::new(window, -1.0)
    }

    fn new(window: usize, sign: f64) -> Self {
        let window = window.max(1);
        let capacity = window.next_power_of_two();
        Self {
            window,
            sign,
            bars: vec![0; capacity],
            values: vec![0.0; capacity],
            mask: capacity - 1,
            head: 0,
            len: 0,
        }
    }

    /// Adds the value of bar `index` (indices must increase by one each call).
    pub(super) fn push(&mut self, index: usize, x: f64) {
        let x = self.sign * x;
        // Drop what the new value ties or beats: among equals the latest wins.
        while self.len > 0 && self.values[(self.head + self.len - 1) & self.mask] <= x {
            self.len -= 1;
        }
        if self.len > 0 && self.bars[self.head] + self.window <= index {
            self.head = (self.head + 1) & self.mask;
            self.len -= 1;
        }
        let at = (self.head + self.len) & self.mask;
        self.bars[at] = index;
        self.values[at] = x;
        self.len += 1;
    }

    /// (bar index, value) of the extreme; `None` before the first push.
    pub(super) fn get(&self) -> Option<(usize, f64)> {
        (self.len > 0).then(|| (self.bars[self.head], self.sign * self.values[self.head]))
    }
}

/// TA-Lib's `TA_IS_ZERO`: |v| below 1e-14.
pub(super) fn is_zero(v: f64) -> bool {
    -1e-14 < v && v < 1e-14
}

/// The true range of a bar given the previous close, compared in TA-Lib's order.
pub(super) fn true_range(high: f64, low: f64, prev_close: f64) -> f64 {
    let mut greatest = high - low;
    let to_high = (prev_close - high).abs();
    if to_high > greatest {
        greatest = to_high;
    }
    let to_low = (prev_close - low).abs();
    if to_low > greatest {
        greatest = to_low;
    }
    greatest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_last_values_in_slot_order() {
        let mut r = Ring::new(3);
        assert_eq!(r.push(1.0), None);
        assert_eq!(r.push(2.0), None);
        assert_eq!(r.push(3.0), None);
        assert!(r.is_full());
        assert_eq!(r.push(4.0), Some(1.0));
        assert_eq!(
            (r.back(0), r.back(2), r.back(3)),
            (Some(4.0), Some(2.0), None)
        );
        assert_eq!(r.slots(), &[4.0, 2.0, 3.0]);
    }

    #[test]
    fn extreme_tracks_the_window_and_prefers_the_latest_tie() {
        let mut hi = Extreme::max(3);
        let mut lo = Extreme::min(3);
        for (i, x) in [5.0, 1.0, 5.0, 2.0, 3.0, 3.0].into_iter().enumerate() {
            hi.push(i, x);
            lo.push(i, x);
            let want_hi = match i {
                0 | 1 => (0, 5.0),
                2 | 3 => (2, 5.0),
                4 => (2, 5.0),
                _ => (5, 3.0),
            };
            assert_eq!(hi.get(), Some(want_hi), "max at bar {i}");
        }
        assert_eq!(lo.get(), Some((3, 2.0)));
        assert_eq!(Extreme::min(2).get(), None);
    }

    #[test]
    fn running_mean_is_a_sliding_average() {
        let mut m = RunningMean::new(2);
        assert_eq!(m.push(1.0), None);
        assert_eq!(m.push(3.0), Some(2.0));
        assert_eq!(m.push(7.0), Some(5.0));
        assert_eq!(m.period(), 2);
    }

    #[test]
    fn true_range_takes_the_largest_of_three() {
        assert_eq!(true_range(10.0, 8.0, 9.0), 2.0);
        assert_eq!(true_range(10.0, 8.0, 13.0), 5.0);
        assert_eq!(true_range(10.0, 8.0, 5.0), 5.0);
        assert!(is_zero(1e-15) && !is_zero(1e-13));
    }
}
