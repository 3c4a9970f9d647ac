//! ApplicationSet templates come from the repository: parsing and executing any text must return
//! a result or a `TemplateError`, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use gotemplate::{Options, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(template) = parse(text) {
        let params = serde_json::json!({
            "number": "1234",
            "branch": "feature/x",
            "path": {"path": "a/b", "segments": ["a", "b"]},
            "replicas": 1000000.0,
        });
        let _ = template.execute(&params, Options::default());
        let strict = Options {
            missing_key_error: true,
            ..Options::default()
        };
        let _ = template.execute(&params, strict);
        let _ = template.data_references();
    }
});
