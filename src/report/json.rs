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
            "exitCode": outcome.exit_code(),
        },
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON");
    text.push('\n');
    text
}
