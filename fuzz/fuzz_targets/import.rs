//! CSV and JSON-lines import: any text parses into samples or a line-numbered error, and parsed
//! samples are written into an in-memory store (reopened every 512 writes so it stays small).
#![no_main]

use std::cell::RefCell;
use std::path::Path;

use framework0::store::import::{parse_csv, parse_json_lines, CsvOptions};
use framework0::store::Store;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static STORE: RefCell<(Option<Store>, u32)> = const { RefCell::new((None, 0)) };
}

fn write(samples: &[framework0::store::SampleRow]) {
    STORE.with(|cell| {
        let mut cell = cell.borrow_mut();
        let (store, writes) = &mut *cell;
        if store.is_none() || *writes >= 512 {
            *store = Some(Store::open(Path::new(":memory:")).expect("in-memory store"));
            *writes = 0;
        }
        *writes += 1;
        // The store may refuse a sample (e.g. a name too long); it must say so, not panic.
        let _ = store.as_mut().unwrap().import_samples("fuzz", samples);
    });
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = CsvOptions {
        name: Some("fuzz".into()),
        ..CsvOptions::default()
    };
    if let Ok(samples) = parse_csv(text, "fuzz.csv", &opts) {
        write(&samples);
    }
    if let Ok(samples) = parse_json_lines(text, "fuzz.jsonl") {
        write(&samples);
    }
});
