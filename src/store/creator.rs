//! Finding or creating the `metric_series` rows of a commit's series new to the connection.
//!
//! A store's series mostly exist already when the same recipe runs again (then a `SELECT`
//! finds each one), and mostly do not on its first run (then an `INSERT` that does not
//! conflict is all it takes): each lookup guesses from the one before, within a commit
//! (callgrind, 1,000 no-op steps on a fresh store: a `SELECT` that misses is a quarter of a
//! new series' cost). The statements are prepared once per commit, not looked up in the
//! connection's statement cache per series, and a series with the tags of the one before (a
//! step's six series share theirs) reuses their JSON text (callgrind, 6,000 new series:
//! 2,300 instructions of statement handling per series before, besides SQLite's 7,200).

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Statement, Transaction};

use super::metrics::{tags_json, SeriesRef};

/// Which statement [`SeriesCreator::id_of`] tries first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// `SELECT`, then `INSERT` if it is missing.
    SelectFirst,
    /// `INSERT ... ON CONFLICT DO NOTHING`, then `SELECT` if it conflicted.
    InsertFirst,
}

const INSERT_OR_IGNORE: &str = "INSERT INTO metric_series (name, metric_type, unit, tags, source) \
     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";
const INSERT: &str = "INSERT INTO metric_series (name, metric_type, unit, tags, source) \
     VALUES (?1, ?2, ?3, ?4, ?5)";
const SELECT: &str = "SELECT id FROM metric_series WHERE name = ?1 AND metric_type = ?2 \
     AND unit = ?3 AND tags = ?4";

/// Finds or creates series inside one transaction, for series borrowed for `'s`.
pub(super) struct SeriesCreator<'t, 's> {
    tx: &'t Transaction<'t>,
    guess: Lookup,
    insert_or_ignore: Option<Statement<'t>>,
    insert: Option<Statement<'t>>,
    select: Option<Statement<'t>>,
    /// The tags last turned into JSON and their text. Compared by address: the borrow keeps
    /// them alive (and unchanged) as long as the creator, so the same address is the same
    /// tags.
    last_tags: Option<(&'s BTreeMap<String, String>, String)>,
}

/// The statement in `slot`, prepared on first use.
fn prepared<'s, 't>(
    tx: &'t Transaction<'t>,
    slot: &'s mut Option<Statement<'t>>,
    sql: &str,
) -> rusqlite::Result<&'s mut Statement<'t>> {
    if slot.is_none() {
        *slot = Some(tx.prepare(sql)?);
    }
    Ok(slot.as_mut().expect("prepared just above"))
}

impl<'t, 's> SeriesCreator<'t, 's> {
    /// A creator inside `tx` (nothing is prepared until a series needs it).
    pub fn new(tx: &'t Transaction<'t>) -> Self {
        SeriesCreator {
            tx,
            guess: Lookup::SelectFirst,
            insert_or_ignore: None,
            insert: None,
            select: None,
            last_tags: None,
        }
    }

    /// The id of series `k`, inserting it if new. The guess of which statement to try
    /// first learns whether `k` existed, for the next series.
    pub fn id_of(&mut self, k: SeriesRef<'s>) -> rusqlite::Result<i64> {
        let tags = match self.last_tags.take() {
            Some((last, text)) if std::ptr::eq(last, k.tags) => text,
            _ => tags_json(k.tags),
        };
        let id = self.find_or_insert(k, &tags);
        self.last_tags = Some((k.tags, tags));
        id
    }

    fn find_or_insert(&mut self, k: SeriesRef<'_>, tags: &str) -> rusqlite::Result<i64> {
        let row = params![k.name, k.metric_type, k.unit, tags, k.source];
        if self.guess == Lookup::InsertFirst {
            let stmt = prepared(self.tx, &mut self.insert_or_ignore, INSERT_OR_IGNORE)?;
            if stmt.execute(row)? == 1 {
                return Ok(self.tx.last_insert_rowid());
            }
        }
        let select = prepared(self.tx, &mut self.select, SELECT)?;
        let found = select
            .query_row(params![k.name, k.metric_type, k.unit, tags], |r| r.get(0))
            .optional()?;
        if let Some(id) = found {
            self.guess = Lookup::SelectFirst;
            return Ok(id);
        }
        prepared(self.tx, &mut self.insert, INSERT)?.execute(row)?;
        self.guess = Lookup::InsertFirst;
        Ok(self.tx.last_insert_rowid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn key<'a>(name: &'a str, tags: &'a BTreeMap<String, String>) -> SeriesRef<'a> {
        SeriesRef {
            name,
            metric_type: "timing",
            unit: "ns",
            tags,
            source: Some("runner"),
        }
    }

    #[test]
    fn series_are_created_once_and_found_again_whichever_statement_is_tried_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let a: BTreeMap<String, String> = [("step".to_owned(), "a".to_owned())].into();
        let b: BTreeMap<String, String> = [("step".to_owned(), "b".to_owned())].into();
        let tx = store.conn.transaction().unwrap();
        let mut c = SeriesCreator::new(&tx);
        // New, new (insert first now), existing (the insert conflicts), existing, new.
        let x = c.id_of(key("x", &a)).unwrap();
        let y = c.id_of(key("y", &a)).unwrap();
        assert_ne!(x, y);
        assert_eq!(c.id_of(key("x", &a)).unwrap(), x);
        assert_eq!(c.id_of(key("y", &a)).unwrap(), y);
        // Same name, other tags (the cached JSON text must not be reused).
        let xb = c.id_of(key("x", &b)).unwrap();
        assert!(xb != x && xb != y);
        drop(c);
        let tags: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare("SELECT name, tags FROM metric_series ORDER BY id")
                .unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            rows.map(Result::unwrap).collect()
        };
        assert_eq!(
            tags,
            [
                ("x".to_owned(), r#"{"step":"a"}"#.to_owned()),
                ("y".to_owned(), r#"{"step":"a"}"#.to_owned()),
                ("x".to_owned(), r#"{"step":"b"}"#.to_owned()),
            ]
        );
    }
}
