//! Go `filepath.Match` and gobwas globs on arbitrary patterns: never panic, and a pattern without
//! metacharacters matches exactly itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use preview_gate::argo::{glob::filepath_match, gobwas::glob_match};

fuzz_target!(|input: (&str, &str)| {
    let (pattern, name) = input;
    let _ = filepath_match(pattern, name);
    let _ = glob_match(pattern, name, &['/']);
    if !pattern.contains(['*', '?', '[', '\\', '{', '}', ',', ']']) {
        assert_eq!(filepath_match(pattern, name), pattern == name);
    }
});
