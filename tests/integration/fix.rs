//! `preview-gate fix` on the allowlist variants: the edited AppProject makes the gate pass, and
//! nothing but the intended lines changes — every other byte of the checkout stays as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{copy_dir, example_with, run_gate, testdata};

const PROJECT: &str = "argocd/projects/previews.yaml";

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_path_buf();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn example_project() -> String {
    std::fs::read_to_string(testdata().join("example").join(PROJECT)).unwrap()
}

/// The `+`/`-` lines of the printed diff, without the `---`/`+++` headers.
fn changed_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect()
}

/// Runs `fix` and then `check` on a variant; returns the AppProject before and after and
/// the diff `fix` printed, after checking that only the AppProject changed and the gate passes.
fn fix_variant(variant: &str) -> (String, String, String) {
    let work = example_with(variant);
    let before = snapshot(work.path());

    let fixed = run_gate(work.path(), &["fix", "."]);
    assert_eq!(
        fixed.code, 0,
        "{variant}: fix\n{}{}",
        fixed.stdout, fixed.stderr
    );
    assert!(
        fixed
            .stdout
            .contains(&format!("--- a/{PROJECT}\n+++ b/{PROJECT}\n")),
        "{variant}: {}",
        fixed.stdout
    );
    let mut after = snapshot(work.path());
    let project = PathBuf::from(PROJECT);
    let new_project = after.remove(&project).unwrap();
    let old_project = before.get(&project).unwrap().clone();
    let mut others = before.clone();
    others.remove(&project);
    assert_eq!(
        after, others,
        "{variant}: fix changed a file besides {PROJECT}"
    );

    let check = run_gate(work.path(), &["check", "--format", "json", "."]);
    assert_eq!(
        check.code, 0,
        "{variant}: check after fix\n{}",
        check.stdout
    );
    (
        String::from_utf8(old_project).unwrap(),
        String::from_utf8(new_project).unwrap(),
        fixed.stdout,
    )
}

fn fix_check_writes_nothing_and_exits_1_while_an_edit_is_pending() {
    let work = example_with("stale-entry");
    let before = snapshot(work.path());
    let pending = run_gate(work.path(), &["fix", "--check", "."]);
    assert_eq!(pending.code, 1, "{}{}", pending.stdout, pending.stderr);
    assert!(
        pending.stdout.contains("-      kind: Ingress\n"),
        "{}",
        pending.stdout
    );
    assert_eq!(snapshot(work.path()), before, "fix --check wrote a file");
    assert_eq!(run_gate(work.path(), &["fix", "."]).code, 0);
    let done = run_gate(work.path(), &["fix", "--check", "."]);
    assert_eq!(done.code, 0, "{}", done.stdout);
}

fn stale_entry_is_deleted_with_exactly_its_lines() {
    let (_, after, diff) = fix_variant("stale-entry");
    assert_eq!(after, example_project());
    assert_eq!(
        changed_lines(&diff),
        ["-    - group: networking.k8s.io", "-      kind: Ingress"]
    );
}

fn stale_entry_used_only_by_another_project_is_deleted() {
    let (_, after, diff) = fix_variant("stale-entry-kept-by-other-project");
    assert_eq!(after, example_project());
    assert_eq!(
        changed_lines(&diff),
        ["-    - group: policy", "-      kind: PodDisruptionBudget"]
    );
}

fn forbidden_cluster_kind_turns_the_empty_flow_list_into_a_block_list() {
    let (before, after, diff) = fix_variant("forbidden-cluster-kind");
    let expected = before.replace(
        "  clusterResourceWhitelist: []\n",
        "  clusterResourceWhitelist:\n    - group: rbac.authorization.k8s.io\n      kind: ClusterRole\n",
    );
    assert_ne!(expected, before);
    assert_eq!(after, expected);
    assert_eq!(
        changed_lines(&diff),
        [
            "-  clusterResourceWhitelist: []",
            "+  clusterResourceWhitelist:",
            "+    - group: rbac.authorization.k8s.io",
            "+      kind: ClusterRole"
        ]
    );
}

fn forbidden_namespaced_kind_is_appended_in_the_list_style() {
    let (before, after, diff) = fix_variant("forbidden-namespaced-kind");
    assert!(before.ends_with("      kind: UISurface\n"));
    assert_eq!(
        after,
        format!("{before}    - group: policy\n      kind: PodDisruptionBudget\n")
    );
    assert_eq!(
        changed_lines(&diff),
        ["+    - group: policy", "+      kind: PodDisruptionBudget"]
    );
}

fn blacklisted_kind_is_left_to_a_human_and_says_why() {
    let work = example_with("blacklisted-kind");
    let before = snapshot(work.path());
    let pending = run_gate(work.path(), &["fix", "--check", "."]);
    assert_eq!(pending.code, 0, "no edit is pending\n{}", pending.stdout);
    let fixed = run_gate(work.path(), &["fix", "."]);
    assert_eq!(
        fixed.code, 1,
        "errors remain\n{}{}",
        fixed.stdout, fixed.stderr
    );
    assert_eq!(snapshot(work.path()), before, "nothing may be written");
    assert!(!fixed.stdout.contains("+++"), "{}", fixed.stdout);
    assert!(
        fixed.stdout.contains("left for a human (3")
            && fixed.stdout.contains("never edits blacklists")
            && fixed.stdout.contains(&format!("{PROJECT}:83")),
        "{}",
        fixed.stdout
    );
}

fn an_incomplete_check_edits_nothing() {
    // A render error and a stale entry at once: the stale entry must not be touched.
    let work = example_with("helm-render-error");
    copy_dir(&testdata().join("variants/stale-entry/files"), work.path());
    let before = snapshot(work.path());
    for args in [&["fix", "."][..], &["fix", "--check", "."]] {
        let run = run_gate(work.path(), args);
        assert_eq!(run.code, 2, "{args:?}\n{}", run.stdout);
        assert!(run.stdout.contains("nothing was changed"), "{}", run.stdout);
    }
    assert_eq!(snapshot(work.path()), before);
}

fn check_shows_the_diff_in_the_human_report_only() {
    let work = example_with("stale-entry");
    let human = run_gate(work.path(), &["check", "."]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains("suggested AppProject edits")
            && human
                .stdout
                .contains(&format!("--- a/{PROJECT}\n+++ b/{PROJECT}\n"))
            && human.stdout.contains("\n-      kind: Ingress\n"),
        "{}",
        human.stdout
    );
    let json = run_gate(work.path(), &["check", "--format", "json", "."]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let finding = &value["findings"][0];
    let keys: Vec<&String> = finding.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "rule", "severity", "message", "file", "line", "column", "endLine", "app", "project",
            "help", "related"
        ]
    );
    assert!(!json.stdout.contains("+++"), "{}", json.stdout);
    assert_eq!(
        run_gate(work.path(), &["fix", "--format", "json", "."]).code,
        2,
        "fix has no machine format"
    );
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    crate::trials!(Renders:
        fix_check_writes_nothing_and_exits_1_while_an_edit_is_pending,
        stale_entry_is_deleted_with_exactly_its_lines,
        stale_entry_used_only_by_another_project_is_deleted,
        forbidden_cluster_kind_turns_the_empty_flow_list_into_a_block_list,
        forbidden_namespaced_kind_is_appended_in_the_list_style,
        blacklisted_kind_is_left_to_a_human_and_says_why,
        an_incomplete_check_edits_nothing,
        check_shows_the_diff_in_the_human_report_only,
    )
}
