//! Grouping series into families: every series of one final name goes into one family, names
//! stay unique across kinds, and a label set appears once per family — what both formats
//! require and what free-form store names and tags do not guarantee.

use std::collections::{HashMap, HashSet};

use super::model::{Family, Kind, KindMismatch, Value};

/// Families under construction.
#[derive(Debug, Default)]
pub struct FamilySet {
    families: Vec<Family>,
    /// (source name, kind, unit) → family index.
    by_source: HashMap<(String, Kind, Option<&'static str>), usize>,
    /// Final names taken.
    names: HashMap<String, usize>,
    labels_seen: HashSet<(usize, Vec<(String, String)>)>,
    duplicates: u64,
}

impl FamilySet {
    /// An empty set.
    pub fn new() -> FamilySet {
        FamilySet::default()
    }

    /// The index of the family for the source name `name` of `kind` in `unit`, created (with
    /// `help()`) on first use. Its final name is `name` sanitised with the unit suffix; when a
    /// family of another kind already has that name, `_2`, `_3`, … is appended.
    pub fn family(
        &mut self,
        name: &str,
        kind: Kind,
        unit: Option<&'static str>,
        help: impl FnOnce() -> String,
    ) -> usize {
        let key = (name.to_owned(), kind, unit);
        if let Some(&i) = self.by_source.get(&key) {
            return i;
        }
        let mut family = Family::new(name, kind, help());
        if let Some(u) = unit {
            family = family.with_unit(u);
        }
        let i = match self.names.get(family.name()) {
            Some(&j) if self.families[j].kind() == kind => j,
            Some(_) => {
                let base = family.name().to_owned();
                let free = (2..)
                    .map(|n| format!("{base}_{n}"))
                    .find(|n| !self.names.contains_key(n))
                    .expect("an unused suffix exists");
                family.name = free;
                self.insert(family)
            }
            None => self.insert(family),
        };
        self.by_source.insert(key, i);
        i
    }

    fn insert(&mut self, family: Family) -> usize {
        let i = self.families.len();
        self.names.insert(family.name().to_owned(), i);
        self.families.push(family);
        i
    }

    /// Adds a series to family `family`; a label set the family already holds is dropped
    /// (the first one wins) and counted in [`FamilySet::duplicates`].
    pub fn push<K, V>(
        &mut self,
        family: usize,
        labels: impl IntoIterator<Item = (K, V)>,
        value: Value,
    ) -> Result<(), KindMismatch>
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let f = &mut self.families[family];
        f.push(labels, value)?;
        let added = f
            .series
            .last()
            .map(|s| s.labels.clone())
            .unwrap_or_default();
        if !self.labels_seen.insert((family, added)) {
            f.series.pop();
            self.duplicates += 1;
        }
        Ok(())
    }

    /// Series dropped because their family already held their label set.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// The families, in order of first use.
    pub fn into_families(self) -> Vec<Family> {
        self.families
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_final_name_same_kind_shares_a_family() {
        let mut set = FamilySet::new();
        let a = set.family("wall", Kind::Histogram, Some("seconds"), || "a".into());
        let b = set.family("wall_seconds", Kind::Histogram, Some("seconds"), || {
            "b".into()
        });
        assert_eq!(a, b);
        let fams = set.into_families();
        assert_eq!((fams[0].name(), fams[0].help()), ("wall_seconds", "a"));
    }

    #[test]
    fn a_clash_across_kinds_gets_a_numbered_name() {
        let mut set = FamilySet::new();
        let g = set.family("jobs", Kind::Gauge, None, String::new);
        let c = set.family("jobs_total", Kind::Counter, None, String::new);
        assert_ne!(g, c);
        let names: Vec<_> = set
            .into_families()
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        assert_eq!(names, ["jobs", "jobs_2"]);
    }

    #[test]
    fn duplicate_label_sets_are_dropped_and_counted() {
        let mut set = FamilySet::new();
        let f = set.family("cpu", Kind::Gauge, Some("percent"), String::new);
        set.push(f, [("core.0", "x")], Value::Gauge(1.0)).unwrap();
        set.push(f, [("core_0", "x")], Value::Gauge(2.0)).unwrap();
        set.push(f, [("core_0", "y")], Value::Gauge(3.0)).unwrap();
        assert_eq!(set.duplicates(), 1);
        let fams = set.into_families();
        let values: Vec<_> = fams[0].series().iter().map(|s| s.value().clone()).collect();
        assert_eq!(values, [Value::Gauge(1.0), Value::Gauge(3.0)]);
    }
}
