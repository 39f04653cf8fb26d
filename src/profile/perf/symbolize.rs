//! Frame names: ELF symbols and DWARF (inlined functions included), demangled, through
//! blazesym, one batch per file. Frames that cannot be named keep the file they are in
//! (`[libfoo.so]`), special mappings their own name (`[vdso]`), kernel code `[kernel]`.

use std::collections::BTreeMap;
use std::path::Path;

use blazesym::symbolize::source::{Elf, Source};
use blazesym::symbolize::{Input, Symbolized, Symbolizer};

use super::resolve::FrameKey;

/// One frame's name, outermost function first (inlined callees after it).
pub type FrameNames = Vec<String>;

/// How many frames were named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SymbolStats {
    /// Distinct frames.
    pub frames: usize,
    /// Frames named from symbols.
    pub symbolized: usize,
}

fn file_label(path: &str) -> String {
    let base = Path::new(path)
        .file_name()
        .map_or(path.into(), |b| b.to_string_lossy());
    format!("[{base}]")
}

/// Names every frame of `frames` (same order).
pub fn symbolize(frames: &[FrameKey]) -> (Vec<FrameNames>, SymbolStats) {
    let mut names: Vec<FrameNames> = frames
        .iter()
        .map(|f| match f {
            FrameKey::File { path, .. } => vec![file_label(path)],
            FrameKey::Special(p) => vec![if p.starts_with('[') {
                p.to_string()
            } else {
                format!("[{p}]")
            }],
            FrameKey::Kernel => vec!["[kernel]".to_owned()],
            FrameKey::Unknown => vec!["[unknown]".to_owned()],
        })
        .collect();
    let mut by_file: BTreeMap<&str, Vec<(usize, u64)>> = BTreeMap::new();
    for (i, f) in frames.iter().enumerate() {
        if let FrameKey::File { path, offset } = f {
            by_file.entry(path).or_default().push((i, *offset));
        }
    }
    let symbolizer = Symbolizer::builder()
        .enable_code_info(false)
        .enable_inlined_fns(true)
        .enable_demangling(true)
        .build();
    let mut stats = SymbolStats {
        frames: frames.len(),
        symbolized: 0,
    };
    for (path, entries) in by_file {
        let src = Source::Elf(Elf::new(path));
        let offsets: Vec<u64> = entries.iter().map(|e| e.1).collect();
        let Ok(syms) = symbolizer.symbolize(&src, Input::FileOffset(&offsets)) else {
            continue;
        };
        for ((i, _), sym) in entries.iter().zip(syms) {
            if let Symbolized::Sym(s) = sym {
                let mut chain = vec![s.name.to_string()];
                chain.extend(s.inlined.iter().map(|f| f.name.to_string()));
                names[*i] = chain;
                stats.symbolized += 1;
            }
        }
    }
    (names, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    #[no_mangle]
    extern "C" fn f0_profile_symbolize_probe() -> u64 {
        std::hint::black_box(42)
    }

    #[test]
    fn a_function_of_this_test_binary_is_named_by_file_offset() {
        let addr = f0_profile_symbolize_probe as *const () as usize as u64;
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let (path, offset) = maps
            .lines()
            .find_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                let (a, b) = f[0].split_once('-')?;
                let (a, b) = (
                    u64::from_str_radix(a, 16).ok()?,
                    u64::from_str_radix(b, 16).ok()?,
                );
                let off = u64::from_str_radix(f[2], 16).ok()?;
                (a <= addr && addr < b && f.len() >= 6).then(|| (f[5].to_owned(), addr - a + off))
            })
            .unwrap();
        let frames = vec![
            FrameKey::File {
                path: path.as_str().into(),
                offset,
            },
            FrameKey::Kernel,
            FrameKey::Special("[vdso]".into()),
        ];
        let (names, stats) = symbolize(&frames);
        assert_eq!(names[0], vec!["f0_profile_symbolize_probe".to_owned()]);
        assert_eq!(names[1], vec!["[kernel]".to_owned()]);
        assert_eq!(names[2], vec!["[vdso]".to_owned()]);
        assert_eq!(stats.symbolized, 1);
    }
}
