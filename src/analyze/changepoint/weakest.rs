//! The weakest change point of the merge step in O(log k) per removal instead of O(k): two
//! tournament trees over the weak points in position order (one for the largest p-value, one
//! for the smallest magnitude) and a doubly linked list of the points still alive.
//!
//! The picks are exactly those of Otava's Python (`max(cps, key=pvalue)`,
//! `min(cps, key=magnitude)`): the first point wins ties, a NaN key is never better than a
//! number, and a NaN key on the *first* alive point wins outright (Python's `max` starts from
//! it and nothing compares greater than NaN). The trees therefore rank NaN below every number
//! and the caller checks the first alive point itself ([`Alive::first`]).

/// No point (an empty subtree, or no neighbour).
const NONE: usize = usize::MAX;

/// A tournament tree over `n` slots: each inner node holds the better of its children's
/// winners, the left one on ties.
pub(super) struct Tourney {
    size: usize,
    nodes: Vec<usize>,
}

impl Tourney {
    /// A tree over slots `0..n`, all present, ranked by `better(a, b)` (b strictly better).
    pub(super) fn new(n: usize, better: &impl Fn(usize, usize) -> bool) -> Tourney {
        let size = n.next_power_of_two().max(1);
        let mut nodes = vec![NONE; 2 * size];
        for (i, slot) in nodes[size..size + n].iter_mut().enumerate() {
            *slot = i;
        }
        let mut t = Tourney { size, nodes };
        for node in (1..size).rev() {
            t.nodes[node] = t.pick(node, better);
        }
        t
    }

    fn pick(&self, node: usize, better: &impl Fn(usize, usize) -> bool) -> usize {
        let (a, b) = (self.nodes[2 * node], self.nodes[2 * node + 1]);
        match (a, b) {
            (NONE, x) | (x, NONE) => x,
            (a, b) if better(a, b) => b,
            (a, _) => a,
        }
    }

    /// Re-ranks slot `i` after its key changed, or takes it out (`present = false`).
    pub(super) fn update(
        &mut self,
        i: usize,
        present: bool,
        better: &impl Fn(usize, usize) -> bool,
    ) {
        let mut node = self.size + i;
        self.nodes[node] = if present { i } else { NONE };
        while node > 1 {
            node /= 2;
            self.nodes[node] = self.pick(node, better);
        }
    }

    /// The winner, if any slot is present.
    pub(super) fn best(&self) -> Option<usize> {
        let w = self.nodes[1.min(self.nodes.len() - 1)];
        (w != NONE).then_some(w)
    }
}

/// The points still alive, in position order.
pub(super) struct Alive {
    prev: Vec<usize>,
    next: Vec<usize>,
    head: usize,
}

impl Alive {
    /// Slots `0..n`, all alive.
    pub(super) fn new(n: usize) -> Alive {
        Alive {
            prev: (0..n).map(|i| i.checked_sub(1).unwrap_or(NONE)).collect(),
            next: (0..n)
                .map(|i| if i + 1 < n { i + 1 } else { NONE })
                .collect(),
            head: if n == 0 { NONE } else { 0 },
        }
    }

    /// The first alive slot.
    pub(super) fn first(&self) -> Option<usize> {
        (self.head != NONE).then_some(self.head)
    }

    /// The alive slot before `i`.
    pub(super) fn before(&self, i: usize) -> Option<usize> {
        (self.prev[i] != NONE).then_some(self.prev[i])
    }

    /// The alive slot after `i`.
    pub(super) fn after(&self, i: usize) -> Option<usize> {
        (self.next[i] != NONE).then_some(self.next[i])
    }

    /// Unlinks `i`; returns the slot that followed it.
    pub(super) fn remove(&mut self, i: usize) -> Option<usize> {
        let (p, n) = (self.prev[i], self.next[i]);
        if p == NONE {
            self.head = n;
        } else {
            self.next[p] = n;
        }
        if n != NONE {
            self.prev[n] = p;
        }
        (n != NONE).then_some(n)
    }

    /// The alive slots in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.first(), |&i| self.after(i))
    }
}

/// `b` has a strictly larger key than `a`, NaN ranking below every number.
pub(super) fn larger(a: f64, b: f64) -> bool {
    match (a.is_nan(), b.is_nan()) {
        (_, true) => false,
        (true, false) => true,
        _ => b > a,
    }
}

/// `b` has a strictly smaller key than `a`, NaN ranking below every number.
pub(super) fn smaller(a: f64, b: f64) -> bool {
    match (a.is_nan(), b.is_nan()) {
        (_, true) => false,
        (true, false) => true,
        _ => b < a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `max(key=…)` scan, for cross-checking.
    fn python_max(keys: &[f64], alive: &[usize]) -> usize {
        let mut w = alive[0];
        for &i in &alive[1..] {
            if keys[i] > keys[w] {
                w = i;
            }
        }
        w
    }

    #[test]
    fn picks_equal_pythons_scan_through_removals_with_ties_and_nans() {
        let keys = [0.5, f64::NAN, 0.9, 0.9, 0.1, f64::NAN, 0.9, 0.3];
        let better = |a: usize, b: usize| larger(keys[a], keys[b]);
        let mut t = Tourney::new(keys.len(), &better);
        let mut alive = Alive::new(keys.len());
        for remove in [2, 0, 3, 6, 4, 7, 1] {
            let order: Vec<usize> = alive.iter().collect();
            let first = alive.first().unwrap();
            let got = if keys[first].is_nan() {
                first
            } else {
                t.best().unwrap()
            };
            assert_eq!(got, python_max(&keys, &order), "alive {order:?}");
            alive.remove(remove);
            t.update(remove, false, &better);
        }
        assert_eq!(alive.iter().collect::<Vec<_>>(), [5]);
    }
}
