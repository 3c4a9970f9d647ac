//! `--format json`: the stable machine contract.
//! `{"findings":[{"rule","severity","message","file","line",...}],"summary":{...}}`.

use serde_json::{Value, json};

use crate::outcome::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "file": f.location.display_path(),
                "line": f.location.line,
                "column": f.location.col,
                "endLine": f.location.end_line,
                "app": f.app,
                "project": f.project,
                "help": f.help,
                "related": f.related.iter().map(|(label, at)| json!({"message": label, "file": at.display_path(), "line": at.line})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let counts = super::Counts::of(outcome);
    let document = json!({
        "findings": findings,
        "summary": {
            "errors": counts.errors,
            "warnings": counts.warnings,
            "notes": counts.notes,
            "applications": outcome.apps,
            "sourcesRendered": outcome.renders,
            "namespaceProbes": outcome.namespace_probes,
            "objects": outcome.objects,
            "tree": tree(outcome.tree.as_ref()),
            "exitCode": outcome.exit_code(),
        },
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON");
    text.push('\n');
    text
}

/// What was read: `{"kind": "index" | "revision" | "directory", "commit", "rev"}`.
fn tree(kind: Option<&crate::tree::Kind>) -> Value {
    use crate::tree::Kind;
    match kind {
        None => Value::Null,
        Some(Kind::Index { commit }) => json!({"kind": "index", "commit": commit}),
        Some(Kind::Revision { rev, commit }) => {
            json!({"kind": "revision", "commit": commit, "rev": rev})
        }
        Some(Kind::Directory) => json!({"kind": "directory"}),
    }
}
