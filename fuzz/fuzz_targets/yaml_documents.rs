//! Any input: parsing never panics, and every node of a parsed document has a position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use preview_gate::yaml::{Node, Value, parse_documents};

fn check(node: &Node) {
    assert!(node.line >= 1 && node.end_line >= node.line);
    match &node.value {
        Value::Seq(items) => items.iter().for_each(check),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            check(k);
            check(v);
        }),
        Value::Scalar { .. } => {}
    }
    let _ = node.to_json();
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(docs) = parse_documents(text) {
            docs.iter().for_each(|d| check(&d.root));
        }
    }
});
