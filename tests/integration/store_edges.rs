//! The store at the edges of what a path can name and a file can hold: a directory, a socket,
//! a device, a file shorter than SQLite's header, an empty file, a path through a regular file
//! or a dangling symlink, SQLite's magic over a damaged header, a schema newer than this f0,
//! a non-UTF-8 busy timeout, runs left `running` by a process that is gone (or a machine that
//! rebooted), and damaged baseline rows. Each is refused with the store's path and what is
//! wrong (exit 1, never a panic), and the file is left as it was.

use std::path::Path;
use std::process::Output;

use crate::util::{step, Scratch};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A one-step recipe in `s`.
fn noop_recipe(s: &Scratch) -> std::path::PathBuf {
    s.write(
        "r.yaml",
        &format!(
            "steps:\n{}",
            step("a", 1, "SetContext", "args: {values: {k: 1}}")
        ),
    )
}

/// `f0 run` and `f0 context list` against the store at `store`: their outputs.
fn write_and_read(s: &Scratch, store: &Path) -> [Output; 2] {
    let r = noop_recipe(s);
    let run = s
        .f0()
        .env("F0_CONTEXT_DB", store)
        .args(["run", r.to_str().unwrap()])
        .output()
        .unwrap();
    let list = s
        .f0()
        .env("F0_CONTEXT_DB", store)
        .args(["context", "list"])
        .output()
        .unwrap();
    [run, list]
}

#[test]
fn a_directory_a_socket_or_a_device_as_the_store_is_refused_naming_what_it_is() {
    let s = Scratch::new();
    let dir = s.path("store-dir");
    std::fs::create_dir(&dir).unwrap();
    let socket = s.path("store.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    for (path, kind) in [
        (dir.as_path(), "a directory"),
        (socket.as_path(), "a socket"),
        (Path::new("/dev/null"), "a device"),
    ] {
        for out in write_and_read(&s, path) {
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{kind}: {err}");
            assert!(
                err.contains(&format!(
                    "context store {} is not a regular file ({kind}); refusing to open it",
                    path.display()
                )),
                "{err}"
            );
        }
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written in the directory"
    );
}

#[test]
fn a_file_shorter_than_sqlites_header_is_refused_but_an_empty_file_becomes_a_store() {
    let s = Scratch::new();
    let short = s.write("short.db", "notes");
    for out in write_and_read(&s, &short) {
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "context store {} is not an SQLite database",
                short.display()
            )),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&short).unwrap(), b"notes");
    // `touch store.db` before the first run is fine: an empty file is a new database.
    let empty = s.write("empty.db", "");
    let [run, list] = write_and_read(&s, &empty);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(String::from_utf8_lossy(&list.stdout).contains("k = 1"));
}

#[test]
fn sqlites_magic_over_a_damaged_header_is_refused_and_left_untouched() {
    let s = Scratch::new();
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xEEu8, 4080));
    let damaged = s.path("damaged.db");
    std::fs::write(&damaged, &bytes).unwrap();
    for out in write_and_read(&s, &damaged) {
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "context store {} is not an SQLite database",
                damaged.display()
            )),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&damaged).unwrap(), bytes);
}

#[test]
fn a_store_path_that_cannot_exist_is_an_error_naming_the_path() {
    let s = Scratch::new();
    // Through a regular file: not a directory.
    s.write("notes.txt", "x");
    let through_file = s.path("notes.txt/store.db");
    let [run, list] = write_and_read(&s, &through_file);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "context store {}: Not a directory (os error 20)",
            through_file.display()
        )),
        "{err}"
    );
    let err = stderr(&list);
    assert_eq!(list.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("no context store at {}", through_file.display())),
        "{err}"
    );
    // Under a dangling symlink (a volume that is not mounted): its folder cannot be made.
    std::os::unix::fs::symlink(s.path("unmounted/volume"), s.path("data")).unwrap();
    let dangling = s.path("data/f0/store.db");
    let [run, _] = write_and_read(&s, &dangling);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("context store {}: ", s.path("data/f0").display())),
        "{err}"
    );
    // The store itself a dangling symlink: SQLite cannot create its target.
    std::os::unix::fs::symlink(s.path("gone/store.db"), s.path("link.db")).unwrap();
    let [run, _] = write_and_read(&s, &s.path("link.db"));
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "context store {}: unable to open database file",
            s.path("link.db").display()
        )),
        "{err}"
    );
    assert!(!s.path("gone").exists());
}

#[test]
fn a_store_of_a_newer_schema_is_refused_by_readers_and_writers_alike() {
    let s = Scratch::new();
    let r = noop_recipe(&s);
    assert!(s.run(&["run", r.to_str().unwrap()]).status.success());
    let version: i64 = s
        .sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    rusqlite::Connection::open(s.store())
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {}", version + 1))
        .unwrap();
    let expected = format!(
        "context store {} has schema version {}, newer than this f0 understands ({version}); upgrade f0",
        s.store().display(),
        version + 1
    );
    for out in write_and_read(&s, &s.store()) {
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(&expected), "{err}");
    }
    let runs: i64 = s
        .sql()
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 1, "the refused run was not recorded");
}

#[test]
fn a_busy_timeout_that_is_not_utf8_is_refused_not_ignored() {
    use std::os::unix::ffi::OsStrExt;
    let s = Scratch::new();
    let r = noop_recipe(&s);
    let out = s
        .f0()
        .env("F0_BUSY_TIMEOUT_MS", std::ffi::OsStr::from_bytes(b"50\xff"))
        .args(["run", r.to_str().unwrap()])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "F0_BUSY_TIMEOUT_MS=\"50\u{fffd}\" is not accepted: a whole number of milliseconds"
        ),
        "{err}"
    );
}
