//! The flusher's CPU budget (`performance.collection_overhead_limit`) and the raw-record
//! stride it sets.
//!
//! The budget is a share of one core, kept as a credit of CPU time: each flush cycle earns
//! `limit × wall` nanoseconds and spends the cycle's CPU time, and the credit holds at most
//! [`WINDOW_NS`] worth of earnings (10 ms of CPU for the default 1 %). The recorders are
//! thinned only when the credit is spent, so a burst (the first cycles after `install`, a few
//! hundred calls drained at once, a debug build) is drained whole, and a sustained overrun is
//! still thinned within about one window. Judging each 10 ms cycle alone thinned a burst of
//! 500 calls to one call in eight on a loaded machine and left a profile's call counts wrong.

/// The window the credit covers, ns of wall time: the budget holds on average over this long.
pub(crate) const WINDOW_NS: f64 = 1e9;

/// The credit and the limit it refills at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OverheadBudget {
    limit: f64,
    credit_ns: f64,
}

impl OverheadBudget {
    /// A full budget of `limit` (a share of one core).
    pub(crate) fn new(limit: f64) -> OverheadBudget {
        OverheadBudget {
            limit,
            credit_ns: limit * WINDOW_NS,
        }
    }

    /// The limit, a share of one core.
    pub(crate) fn limit(&self) -> f64 {
        self.limit
    }

    /// The stride after a cycle that used `cpu_ns` of CPU over `wall_ns` since the previous
    /// one, starting from `stride`: it grows only while the credit is spent, and halves once
    /// the cycles use well under the limit.
    pub(crate) fn after_cycle(&mut self, stride: u64, cpu_ns: u64, wall_ns: u64) -> u64 {
        let cap = self.limit * WINDOW_NS;
        let wall = wall_ns.max(1) as f64;
        let earned = (self.credit_ns + self.limit * wall).min(cap);
        self.credit_ns = (earned - cpu_ns as f64).max(-cap);
        let share = cpu_ns as f64 / wall;
        if self.credit_ns >= 0.0 {
            next_stride(stride, share.min(self.limit), self.limit)
        } else {
            next_stride(stride, share, self.limit)
        }
    }
}

/// The raw-record stride after a cycle that used `share` of one CPU against a budget of
/// `limit`: over budget it grows in proportion (to the next power of two, at most 2^20); well
/// under (a quarter of the budget) it halves.
pub(crate) fn next_stride(stride: u64, share: f64, limit: f64) -> u64 {
    // One flusher thread cannot use more than a core: a budget of a whole core never thins,
    // and a share above 1 is the CPU clock's granularity over a short cycle, not a cost.
    if limit >= 1.0 {
        return 1;
    }
    let factor = share.min(1.0) / limit;
    if factor > 1.0 {
        ((stride as f64 * factor).ceil() as u64)
            .next_power_of_two()
            .min(1 << 20)
    } else if factor < 0.25 {
        (stride / 2).max(1)
    } else {
        stride
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_grows_in_proportion_and_decays_by_halves() {
        assert_eq!(
            next_stride(1, 0.5, 0.01),
            64,
            "50x over budget: next power of two >= 50"
        );
        assert_eq!(next_stride(4, 0.02, 0.01), 8);
        assert_eq!(next_stride(8, 0.008, 0.01), 8, "within budget: unchanged");
        assert_eq!(next_stride(8, 0.001, 0.01), 4);
        assert_eq!(next_stride(1, 0.0, 0.01), 1);
        assert_eq!(
            next_stride(1, 1.25, 1.0),
            1,
            "a whole core's budget never thins (regression: a tick-rounded share above 1 thinned call records)"
        );
        assert_eq!(next_stride(8, 1.25, 0.5), 16, "a share is at most one core");
        assert_eq!(next_stride(1 << 20, 1.0, 1e-6), 1 << 20, "capped");
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn a_burst_within_the_windows_credit_is_not_thinned() {
        // Regression: 3 ms of draining in one 10 ms cycle (30 % of a core against 1 %) set
        // the stride to 32 and a profile counted 1 call in 8 or 32.
        let mut b = OverheadBudget::new(0.01);
        assert_eq!(b.after_cycle(1, 3 * MS, 10 * MS), 1);
        assert_eq!(b.after_cycle(1, 3 * MS, 10 * MS), 1);
        assert_eq!(
            b.after_cycle(1, 3 * MS, 10 * MS),
            1,
            "9 ms of a 10 ms credit"
        );
        assert_eq!(
            b.after_cycle(1, 3 * MS, 10 * MS),
            32,
            "spent: 30 % against 1 % → the next power of two of 30"
        );
    }

    #[test]
    fn a_sustained_overrun_is_thinned_within_a_window_and_recovers() {
        let mut b = OverheadBudget::new(0.01);
        let mut stride = 1;
        let mut cycles = 0;
        while stride == 1 {
            stride = b.after_cycle(stride, MS / 2, 10 * MS);
            cycles += 1;
        }
        assert!(
            cycles <= 100,
            "5 % of a core overruns 1 % within a second: {cycles}"
        );
        assert_eq!(stride, 8);
        // The thinned cycles cost little: once the debt is repaid the stride halves back.
        for _ in 0..200 {
            stride = b.after_cycle(stride, 0, 10 * MS);
        }
        assert_eq!(stride, 1);
    }

    #[test]
    fn a_tiny_limit_thins_from_the_first_cycle() {
        let mut b = OverheadBudget::new(1e-6);
        assert!(b.after_cycle(1, 10_000, 1_000_000) > 1);
    }
}
