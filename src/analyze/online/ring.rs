//! A fixed-capacity ring buffer: the bounded memory every online detector keeps of its past.
//!
//! Pushing into a full ring evicts (and returns) the oldest value, so a window of `capacity`
//! points costs exactly `capacity` slots however long the stream runs.

/// A ring of at most `capacity` values, oldest first.
#[derive(Debug, Clone)]
pub struct Ring<T> {
    slots: Vec<T>,
    capacity: usize,
    /// Index of the oldest value once the ring is full.
    head: usize,
}

impl<T: Copy> Ring<T> {
    /// An empty ring holding at most `capacity` (≥ 1) values.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Ring {
            slots: Vec::with_capacity(capacity),
            capacity,
            head: 0,
        }
    }

    /// Appends `value`; returns the evicted oldest value when the ring was full.
    pub fn push(&mut self, value: T) -> Option<T> {
        if self.slots.len() < self.capacity {
            self.slots.push(value);
            return None;
        }
        let old = std::mem::replace(&mut self.slots[self.head], value);
        self.head = (self.head + 1) % self.capacity;
        Some(old)
    }

    /// Number of values held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// True when the next push evicts.
    pub fn is_full(&self) -> bool {
        self.slots.len() == self.capacity
    }

    /// The maximum number of values.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The `i`-th value, 0 = oldest; `None` past the end.
    pub fn get(&self, i: usize) -> Option<T> {
        (i < self.slots.len()).then(|| self.slots[(self.head + i) % self.slots.len()])
    }

    /// The `k`-th most recent value, 0 = newest; `None` past the start.
    pub fn back(&self, k: usize) -> Option<T> {
        let n = self.slots.len();
        (k < n).then(|| self.slots[(self.head + n - 1 - k) % n])
    }

    /// Values oldest first.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        let (newer, older) = self.slots.split_at(self.head);
        older.iter().chain(newer.iter()).copied()
    }

    /// Heap bytes held (the bound the state tests check).
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<T>()
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;

    #[test]
    fn evicts_oldest_and_indexes_both_ways() {
        let mut r = Ring::new(3);
        assert_eq!(r.push(1), None);
        assert_eq!(r.push(2), None);
        assert_eq!(r.push(3), None);
        assert_eq!(r.push(4), Some(1));
        assert_eq!(r.iter().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!((r.get(0), r.get(2), r.get(3)), (Some(2), Some(4), None));
        assert_eq!((r.back(0), r.back(2), r.back(3)), (Some(4), Some(2), None));
        assert!(r.is_full());
        assert_eq!(r.heap_bytes(), 3 * std::mem::size_of::<i32>());
    }
}
