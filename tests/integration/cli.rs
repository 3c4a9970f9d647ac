//! The command-line contract: help, rules, explain, exit codes and the machine formats.

use crate::common::{example_with, run_gate, testdata};

fn help_lists_commands_and_options() {
    let run = run_gate(&testdata(), &["--help"]);
    assert_eq!(run.code, 0);
    for word in ["check", "rules", "explain", "Exit status"] {
        assert!(
            run.stdout.contains(word),
            "--help lacks {word}:\n{}",
            run.stdout
        );
    }
    let run = run_gate(&testdata(), &["check", "--help"]);
    for option in [
        "--format",
        "sarif",
        "junit",
        "--output",
        "GITHUB_STEP_SUMMARY",
        "--project",
        "--app",
        "--repo-map",
        "--offline",
        "--jobs",
        "--render-timeout",
        "--helm-bin",
        "--kustomize-bin",
        "--kube-version",
        "--api-versions",
        "--api-resources",
        "--print-renders",
    ] {
        assert!(run.stdout.contains(option), "check --help lacks {option}");
    }
}

fn usage_errors_exit_2() {
    assert_eq!(
        run_gate(&testdata(), &["check", "--format", "yaml"]).code,
        2
    );
    assert_eq!(run_gate(&testdata(), &["check", "/does/not/exist"]).code, 2);
    assert_eq!(run_gate(&testdata(), &["explain", "no-such-rule"]).code, 2);
    // parseKubeVersion refuses it before any render starts.
    let bad_version = run_gate(
        &testdata(),
        &["check", "--kube-version", "latest", "example"],
    );
    assert_eq!(bad_version.code, 2);
    assert!(
        bad_version.stderr.contains("could not parse"),
        "{}",
        bad_version.stderr
    );
}

fn rules_and_explain_come_from_the_rule_files() {
    let run = run_gate(&testdata(), &["rules"]);
    assert!(
        run.stdout.contains("kind-not-allowed") && run.stdout.contains("stale-allowlist-entry")
    );
    let run = run_gate(&testdata(), &["explain", "kind-not-allowed"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("IsGroupKindNamePermitted"),
        "{}",
        run.stdout
    );
}

fn forbidden_variant() -> tempfile::TempDir {
    example_with("forbidden-cluster-kind")
}

fn github_format_annotates_the_line_and_keeps_the_log() {
    let work = forbidden_variant();
    let run = run_gate(work.path(), &["check", "--format", "github", "."]);
    assert_eq!(run.code, 1);
    let annotation = run.stdout.lines().next().unwrap();
    assert!(
        annotation.starts_with("::error file=sources/charts/apps/inference-gateway/templates/clusterrole.yaml,line=4,col=1,title=kind-not-allowed::resource rbac.authorization.k8s.io%3AClusterRole")
            || annotation.starts_with("::error file=sources/charts/apps/inference-gateway/templates/clusterrole.yaml,line=4,col=1,title=kind-not-allowed::resource rbac.authorization.k8s.io:ClusterRole"),
        "{annotation}"
    );
    assert!(
        annotation.contains("%0Ahelp: "),
        "newlines are escaped: {annotation}"
    );
    assert!(
        run.stdout.contains("error[kind-not-allowed]"),
        "the human log follows"
    );
}

fn human_format_points_at_file_and_line() {
    let work = forbidden_variant();
    let run = run_gate(work.path(), &["check", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("--> sources/charts/apps/inference-gateway/templates/clusterrole.yaml:4"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("preview-gate failed: 1 error"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\u{1b}'), "NO_COLOR disables colour");
}

fn print_renders_shows_the_commands() {
    let run = run_gate(
        &testdata().join("example"),
        &["check", "--print-renders", "."],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("helm template . --name-template graph-compactor --namespace pr-ameide-1234 --kube-version 1.33.0 --set image.ref="), "{}", run.stdout);
    assert!(run.stdout.contains("kustomize build"), "{}", run.stdout);
}

fn project_selection_limits_the_check() {
    let run = run_gate(
        &testdata().join("example"),
        &[
            "check",
            "--format",
            "json",
            "--project",
            "previews-system",
            ".",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["summary"]["applications"],
        serde_json::json!(["preview-namespaces/pr-ameide-1234-namespace"])
    );
}

fn a_profile_sets_severities_and_is_validated() {
    let work = forbidden_variant();
    std::fs::write(
        work.path().join("lenient.yaml"),
        "rules:\n  kind-not-allowed: warning\n",
    )
    .unwrap();
    let run = run_gate(
        work.path(),
        &[
            "check",
            "--format",
            "json",
            "--profile",
            "lenient.yaml",
            ".",
        ],
    );
    assert_eq!(
        run.code, 0,
        "a warning does not fail the gate: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\"severity\": \"warning\""),
        "{}",
        run.stdout
    );

    std::fs::write(
        work.path().join("bad.yaml"),
        "rules:\n  kind-not-alowed: error\n",
    )
    .unwrap();
    let run = run_gate(
        work.path(),
        &["check", "--format", "json", "--profile", "bad.yaml", "."],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("\"line\": 2"), "{}", run.stdout);
}

/// A rule that is `off` does not run, and the renders only it needs are not planned: the
/// namespace probe of `fixed-namespace` (rules::Extra::NamespaceProbes).
fn an_off_rule_costs_no_extra_renders() {
    let work = example_with("latent-fixed-namespace");
    let probes = |extra: &[&str]| {
        let mut args = vec!["check", "--format", "json", "."];
        args.extend_from_slice(extra);
        let run = run_gate(work.path(), &args);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let rules: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        (json["summary"]["namespaceProbes"].as_u64().unwrap(), rules)
    };
    let (on, rules) = probes(&[]);
    assert_eq!(on, 1, "the latent pin needs one probe render");
    assert_eq!(rules, ["fixed-namespace"]);
    std::fs::write(
        work.path().join("quiet.yaml"),
        "rules:\n  fixed-namespace: off\n",
    )
    .unwrap();
    let (off, rules) = probes(&["--profile", "quiet.yaml"]);
    assert_eq!(off, 0, "fixed-namespace is off: no probe render");
    assert!(rules.is_empty(), "{rules:?}");
}

/// The report is the evidence of the verdict: when it cannot be written, the run fails.
fn a_report_that_cannot_be_written_exits_2() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_preview-gate"));
    command
        .args([
            "check",
            "--format",
            "json",
            "--project",
            "previews-system",
            ".",
        ])
        .current_dir(testdata().join("example"))
        .stdout(full);
    crate::common::with_test_env(&mut command);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot write the report"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    let mut trials = crate::trials!(NoTools:
        help_lists_commands_and_options,
        usage_errors_exit_2,
        rules_and_explain_come_from_the_rule_files,
        print_renders_shows_the_commands,
    );
    trials.extend(crate::trials!(Renders:
        github_format_annotates_the_line_and_keeps_the_log,
        human_format_points_at_file_and_line,
        project_selection_limits_the_check,
        a_profile_sets_severities_and_is_validated,
        an_off_rule_costs_no_extra_renders,
        a_report_that_cannot_be_written_exits_2,
    ));
    trials
}
