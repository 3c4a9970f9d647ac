//! Documentation generated from the rule registry stays in step with it: the rule tables of
//! README.md and the parameter table of rules/README.md sit between `<!-- generated:NAME -->` and
//! `<!-- end:NAME -->`. `UPDATE_SNAPSHOTS=1 cargo test --test integration -- docs::` rewrites them.

use std::path::Path;

use crate::common::Needs;
use preview_gate::rules;

fn check_generated(file: &str, name: &str, content: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let begin = format!("<!-- generated:{name} (from the rule registry; do not edit) -->\n");
    let end = format!("<!-- end:{name} -->");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("{file} has no `{}` marker", begin.trim()))
        + begin.len();
    let stop = start
        + text[start..]
            .find(&end)
            .unwrap_or_else(|| panic!("{file} has no `{end}` marker"));
    if text[start..stop] == *content {
        return;
    }
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        let updated = format!("{}{content}{}", &text[..start], &text[stop..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "{file}: the `{name}` table differs from the rule registry; run \
         `UPDATE_SNAPSHOTS=1 cargo test --test integration -- docs::`\n--- expected ---\n{content}\n--- found ---\n{}",
        &text[start..stop]
    );
}

fn readme_rule_tables_follow_the_registry() {
    check_generated("README.md", "rules", &rules::markdown_rules(false));
    check_generated("README.md", "opt-in-rules", &rules::markdown_rules(true));
}

fn rules_readme_parameters_follow_the_registry() {
    check_generated(
        "rules/README.md",
        "parameters",
        &rules::markdown_parameters(),
    );
}

pub fn trials() -> Vec<(Needs, libtest_mimic::Trial)> {
    crate::trials!(NoTools:
        readme_rule_tables_follow_the_registry,
        rules_readme_parameters_follow_the_registry,
    )
}
