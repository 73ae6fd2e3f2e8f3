//! Retry timing: exponential backoff with jitter, so many clients that failed together do not
//! retry together. Retry n waits between half and all of `min(max, base * 2^n)`.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base: Duration,
    pub max: Duration,
}

/// A jittered backoff sequence (SplitMix64 for the randomness: no dependency, good enough).
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: RetryPolicy,
    state: u64,
}

impl Backoff {
    pub fn new(policy: RetryPolicy, seed: u64) -> Self {
        Self {
            policy,
            state: seed,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The wait before retry `attempt` (0-based).
    pub fn delay(&mut self, attempt: u32) -> Duration {
        let cap = self
            .policy
            .base
            .saturating_mul(1u32 << attempt.min(20))
            .min(self.policy.max);
        let half = cap / 2;
        let span = u64::try_from((cap - half).as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(if span == 0 {
            0
        } else {
            self.next_u64() % (span + 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_jittered_and_capped() {
        let policy = RetryPolicy {
            max_retries: 8,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
        };
        let mut b = Backoff::new(policy, 42);
        for attempt in 0..12 {
            let cap = (500u64 << attempt).min(30_000);
            let d = b.delay(attempt).as_millis() as u64;
            assert!(
                (cap / 2..=cap).contains(&d),
                "attempt {attempt}: {d} ms outside [{}, {cap}]",
                cap / 2
            );
        }
        let a: Vec<_> = (0..8).map(|_| Backoff::new(policy, 1).delay(5)).collect();
        let mut other = Backoff::new(policy, 2);
        assert!(a.iter().all(|d| *d == a[0]), "deterministic for a seed");
        assert!(
            (0..8).any(|_| other.delay(5) != a[0]),
            "different seeds spread out"
        );
    }
}
