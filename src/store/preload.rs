//! Loading a run's known series into the connection's cache before its first commit.
//!
//! A connection learns series ids one by one: a series new to it costs a `SELECT` (about
//! 7,000 instructions with the string compares of the identity index) even when the store
//! has had it for months. A recipe run again writes the same six step series per step that
//! its last run wrote, so the runner asks for them up front (its watchdog loads them as it
//! starts, beside the first steps: `SharedStore::preload_later`): for each step metric, one
//! range scan of the identity index `(name, metric_type, unit, tags)` over the tag sets that
//! begin with the recipe's tag (`{"recipe":"NAME",...`: canonical JSON sorts the keys, and
//! `recipe` sorts before `step`), which reads each series for a fraction of a lookup.

use std::collections::BTreeMap;

use super::{SeriesKey, Store, StoreError};

/// A series' name, type and unit, without its tags.
pub type SeriesShape<'a> = (&'a str, &'a str, &'a str);

impl Store {
    /// Adds to this connection's series cache every stored series of the `shapes` whose tags'
    /// first key (in sorted order) is `tag.0` with the value `tag.1` and that holds at least
    /// one more tag; returns how many series it added. Only a cache is filled: the store is
    /// not written, and a series missing here is still found (or created) when written.
    pub fn preload_series(
        &mut self,
        shapes: &[SeriesShape<'_>],
        tag: (&str, &str),
    ) -> Result<usize, StoreError> {
        let (low, high) = tag_range(tag);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, tags, source FROM metric_series WHERE name = ?1 AND metric_type = ?2 \
                 AND unit = ?3 AND tags >= ?4 AND tags < ?5",
            )
            .map_err(|e| self.err(e))?;
        let mut found = Vec::new();
        for &(name, metric_type, unit) in shapes {
            let rows = stmt
                .query_map(rusqlite::params![name, metric_type, unit, low, high], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (id, tags, source) = row.map_err(|e| self.err(e))?;
                // A tag set that is not a JSON object of strings is left to the lookup that
                // writes it (which reports it where it matters).
                if let Ok(tags) = serde_json::from_str::<BTreeMap<String, String>>(&tags) {
                    let key = SeriesKey {
                        name: name.to_owned(),
                        metric_type: metric_type.to_owned(),
                        unit: unit.to_owned(),
                        tags,
                        source,
                    };
                    found.push((key, id));
                }
            }
        }
        drop(stmt);
        let added = found.len();
        self.series_ids.extend(found);
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
    use crate::store::SampleRow;

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

    #[test]
    fn a_fresh_connection_learns_the_recipes_step_series_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut first = Store::open(&path).unwrap();
        let rows = [
            sample("step_wall_time", &[("recipe", "r"), ("step", "a")]),
            sample("step_wall_time", &[("recipe", "r"), ("step", "b")]),
            sample("step_wall_time", &[("recipe", "r2"), ("step", "a")]),
            sample("step_wall_time", &[("recipe", "r")]),
            sample("other", &[("recipe", "r"), ("step", "a")]),
        ];
        first.insert_samples(None, &rows).unwrap();
        let mut fresh = Store::open(&path).unwrap();
        let shapes = [("step_wall_time", "timing", "ns")];
        assert_eq!(fresh.preload_series(&shapes, ("recipe", "r")).unwrap(), 2);
        for (row, known) in rows.iter().zip([true, true, false, false, false]) {
            assert_eq!(fresh.series_ids.contains_key(&row.series), known, "{row:?}");
        }
        // The cached ids are the stored ones: writing again adds no series.
        fresh.insert_samples(None, &rows[..2]).unwrap();
        let series: i64 = fresh
            .connection()
            .query_row("SELECT COUNT(*) FROM metric_series", [], |r| r.get(0))
            .unwrap();
        assert_eq!(series, 5);
    }
}
