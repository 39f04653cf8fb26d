//! Loading a run's known step series into the connection's group cache before its first
//! commit.
//!
//! A connection learns series ids one by one: a series new to it costs a `SELECT` (about
//! 7,000 instructions with the string compares of the identity index) even when the store
//! has had it for months. A recipe run again writes the same six step series per step that
//! its last run wrote, so the runner asks for them up front (its watchdog loads them as it
//! starts, beside the first steps: `SharedStore::preload_later`): for each step metric, one
//! range scan of the identity index `(name, metric_type, unit, tags)` over the tag sets that
//! begin with the recipe's tag (`{"recipe":"NAME",...`: canonical JSON sorts the keys, and
//! `recipe` sorts before `step`), which reads each series for a fraction of a lookup. The
//! rows are gathered per tag text, and only each step's tag set is decoded, once for its six
//! series (callgrind, 1,000 steps: 45 M instructions when every series was decoded into its
//! own key).

use std::collections::BTreeMap;

use super::{Store, StoreError};

/// A series' name, type and unit, without its tags.
pub type SeriesShape<'a> = (&'a str, &'a str, &'a str);

impl Store {
    /// Adds to this connection's group cache, as groups from `source`, every stored group of
    /// `shapes` whose tags' first key (in sorted order) is `tag.0` with the value `tag.1` and
    /// that holds at least one more tag; a group counts when every one of its shapes' series
    /// is stored. A series' stored source does not matter: its identity (name, type, unit,
    /// tags) is unique, and a commit would find the same id for it, so the scan reads the
    /// identity index alone (with the id it holds), not the table. Returns how many groups it
    /// added. Only a cache is filled: the store is not
    /// written, and a group missing here is still found (or created) when written.
    pub fn preload_groups(
        &mut self,
        shapes: &'static [SeriesShape<'static>],
        source: Option<&'static str>,
        tag: (&str, &str),
    ) -> Result<usize, StoreError> {
        let (low, high) = tag_range(tag);
        // Per tag text, the series id of each shape (0: not stored; ids start at 1).
        let mut found: hashbrown::HashMap<String, Vec<i64>, foldhash::fast::RandomState> =
            Default::default();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, tags FROM metric_series WHERE name = ?1 AND metric_type = ?2 \
                 AND unit = ?3 AND tags >= ?4 AND tags < ?5",
            )
            .map_err(|e| self.err(e))?;
        for (at, &(name, metric_type, unit)) in shapes.iter().enumerate() {
            let mut rows = stmt
                .query(rusqlite::params![name, metric_type, unit, low, high])
                .map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let read = || -> rusqlite::Result<(i64, &str)> {
                    Ok((row.get(0)?, row.get_ref(1)?.as_str()?))
                };
                let (id, tags) = read().map_err(|e| self.err(e))?;
                let ids = found
                    .entry_ref(tags)
                    .or_insert_with(|| vec![0; shapes.len()]);
                ids[at] = id;
            }
        }
        drop(stmt);
        let mut added = 0;
        for (text, ids) in found {
            // A tag set that is not a JSON object of strings is left to the lookup that
            // writes it (which reports it where it matters).
            let tags = serde_json::from_str::<BTreeMap<String, String>>(&text);
            if let (Ok(tags), true) = (tags, ids.iter().all(|&id| id > 0)) {
                self.group_ids
                    .insert(shapes, tags, source, ids.into_boxed_slice());
                added += 1;
            }
        }
        Ok(added)
    }
}

/// The half-open range of canonical tag texts that begin with `{"KEY":"VALUE",`.
fn tag_range((key, value): (&str, &str)) -> (String, String) {
    let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let low = format!("{{{}:{},", json(key), json(value));
    // ',' + 1 = '-': every text with the prefix sorts below it, nothing else between.
    let high = format!("{}-", &low[..low.len() - 1]);
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SampleGroup, SampleRow, SeriesKey};

    fn sample(name: &str, tags: &[(&str, &str)]) -> SampleRow {
        SampleRow {
            series: SeriesKey {
                name: name.to_owned(),
                metric_type: "timing".to_owned(),
                unit: "ns".to_owned(),
                tags: tags
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                source: Some("runner".to_owned()),
            },
            ts_ns: 1,
            value: 1.0,
            context: None,
        }
    }

    #[test]
    fn the_range_holds_exactly_the_tag_sets_that_begin_with_the_tag() {
        let (low, high) = tag_range(("recipe", "a\"b"));
        assert_eq!(low, r#"{"recipe":"a\"b","#);
        for inside in [
            r#"{"recipe":"a\"b","step":"s"}"#,
            r#"{"recipe":"a\"b","z":""}"#,
        ] {
            assert!(low.as_str() <= inside && inside < high.as_str(), "{inside}");
        }
        for outside in [
            r#"{"recipe":"a\"b"}"#,
            r#"{"recipe":"a\"bc","step":"s"}"#,
            r#"{"recipe":"a\"","step":"s"}"#,
            r#"{"other":"x","recipe":"a\"b"}"#,
        ] {
            assert!(
                !(low.as_str() <= outside && outside < high.as_str()),
                "{outside}"
            );
        }
    }

    const SHAPES: [SeriesShape<'static>; 2] = [
        ("step_wall_time", "timing", "ns"),
        ("step_peak_rss", "resource", "bytes"),
    ];

    fn group(recipe: &str, step: &str) -> SampleGroup {
        SampleGroup {
            shapes: &SHAPES,
            tags: [("recipe", recipe), ("step", step)]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            source: Some("runner"),
            ts_ns: 1,
            values: vec![1.0, 2.0],
        }
    }

    #[test]
    fn a_fresh_connection_learns_the_recipes_step_groups_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut first = Store::open(&path).unwrap();
        for (recipe, step) in [("r", "a"), ("r", "b"), ("r2", "a")] {
            first.stage_group(None, group(recipe, step)).unwrap();
        }
        // Not a whole group: one shape only, or the recipe tag alone. A group stored from
        // another source has the same series ids, so it counts.
        let rows = [
            sample("step_wall_time", &[("recipe", "r"), ("step", "c")]),
            sample("step_wall_time", &[("recipe", "r")]),
        ];
        first.insert_samples(None, &rows).unwrap();
        let mut other = group("r", "d");
        other.source = Some("collector");
        first.stage_group(None, other).unwrap();
        first.flush_staged().unwrap();
        let mut fresh = Store::open(&path).unwrap();
        assert_eq!(
            fresh
                .preload_groups(&SHAPES, Some("runner"), ("recipe", "r"))
                .unwrap(),
            3
        );
        assert_eq!(fresh.group_ids.len(), 3);
        for (step, known) in [("a", true), ("b", true), ("c", false), ("d", true)] {
            assert_eq!(
                fresh.group_ids.get(&group("r", step)).is_some(),
                known,
                "{step}"
            );
        }
        assert!(fresh.group_ids.get(&group("r2", "a")).is_none());
        // The cached ids are the stored ones: writing again adds no series.
        let count = |s: &Store| -> i64 {
            s.connection()
                .query_row("SELECT COUNT(*) FROM metric_series", [], |r| r.get(0))
                .unwrap()
        };
        let before = count(&fresh);
        fresh.stage_group(None, group("r", "a")).unwrap();
        fresh.stage_group(None, group("r", "b")).unwrap();
        fresh.flush_staged().unwrap();
        assert_eq!(count(&fresh), before);
        let walls = fresh.samples("step_wall_time", &BTreeMap::new()).unwrap();
        assert_eq!(walls.len(), 8, "six earlier samples and two new ones");
    }
}
