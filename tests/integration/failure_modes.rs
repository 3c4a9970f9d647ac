//! Fail-closed behaviour: a helm or kustomize that hangs, crashes or prints garbage, a missing
//! binary, a remote chart under --offline. Stub executables stand in for the tools here only.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{CHART_YAML, PROJECT, app, run_gate, run_gate_with_env, tiny_repo};

/// A tiny repository: one project, one Helm Application and one Kustomize Application.
fn repo() -> tempfile::TempDir {
    tiny_repo(&[
        ("apps/chart.yaml", &app("chart", "    path: chart\n")),
        ("apps/kust.yaml", &app("kust", "    path: kust\n")),
        ("chart/Chart.yaml", CHART_YAML),
        (
            "chart/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
        ),
        ("kust/kustomization.yaml", "resources:\n- cm.yaml\n"),
        (
            "kust/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n",
        ),
    ])
}

fn stub(dir: &Path, name: &str, script: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// Runs the gate on the Helm Application of [`repo`] with a stub `helm` running `script`.
fn with_helm_stub(script: &str, extra: &[&str]) -> crate::common::Run {
    let repo = repo();
    let helm = stub(repo.path(), "helm-stub", script);
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--helm-bin",
        &helm,
        "--app",
        "chart",
        ".",
    ];
    args.extend_from_slice(extra);
    run_gate(repo.path(), &args)
}

fn json_findings(stdout: &str) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    json["findings"].as_array().unwrap().clone()
}

fn assert_render_failed(stdout: &str, code: i32, needle: &str) {
    assert_eq!(code, 2, "{stdout}");
    let findings = json_findings(stdout);
    assert!(
        findings.iter().any(|f| f["rule"] == "render-failed"
            && f["message"].as_str().unwrap().contains(needle)
            && f["line"].as_u64().unwrap() >= 1),
        "no render-failed finding containing {needle:?}: {stdout}"
    );
}

fn the_tiny_repo_passes_with_real_tools() {
    let repo = repo();
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

fn a_hanging_helm_is_killed_and_reported() {
    let started = std::time::Instant::now();
    let run = with_helm_stub("sleep 30", &["--render-timeout", "1"]);
    assert!(
        started.elapsed().as_secs() < 20,
        "the timeout did not kill the render"
    );
    assert_render_failed(&run.stdout, run.code, "timed out");
}

fn a_crashing_helm_reports_its_stderr() {
    let run = with_helm_stub(
        "echo 'panic: runtime error: invalid memory address' >&2; kill -SEGV $$",
        &[],
    );
    assert_render_failed(&run.stdout, run.code, "invalid memory address");
}

fn garbage_output_is_a_render_failure() {
    let run = with_helm_stub("printf 'key: [unclosed\\n  - : :\\n'", &[]);
    assert_render_failed(&run.stdout, run.code, "not YAML");
}

fn a_document_without_kind_is_a_render_failure() {
    let run = with_helm_stub(
        "printf -- '---\\n# Source: chart/templates/cm.yaml\\nmetadata:\\n  name: x\\n'",
        &[],
    );
    assert_render_failed(&run.stdout, run.code, "without apiVersion and kind");
}

fn a_failing_kustomize_is_reported() {
    let repo = repo();
    let kustomize = stub(
        repo.path(),
        "kustomize",
        "echo 'Error: accumulating resources: missing' >&2; exit 1",
    );
    let run = run_gate(
        repo.path(),
        &[
            "check",
            "--format",
            "json",
            "--kustomize-bin",
            &kustomize,
            "--app",
            "kust",
            ".",
        ],
    );
    assert_render_failed(&run.stdout, run.code, "accumulating resources");
}

fn a_missing_helm_binary_exits_2() {
    let repo = repo();
    let run = run_gate_with_env(
        repo.path(),
        &["check", "--format", "json", "--app", "chart", "."],
        &[("PREVIEW_GATE_HELM", "/nonexistent/helm")],
    );
    assert_render_failed(&run.stdout, run.code, "could not start");
}

fn remote_charts_fail_under_offline() {
    let repo = repo();
    std::fs::write(
        repo.path().join("apps/remote.yaml"),
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: remote\nspec:\n  project: p\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: ns\n  source:\n    repoURL: https://charts.example.com\n    chart: web\n    targetRevision: 1.0.0\n",
    )
    .unwrap();
    let run = run_gate(
        repo.path(),
        &[
            "check",
            "--format",
            "json",
            "--offline",
            "--app",
            "remote",
            ".",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    let findings = json_findings(&run.stdout);
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["rule"], "source-unresolved");
    assert_eq!(findings[0]["line"], 11, "points at the repoURL line");
}

fn an_unparseable_file_nobody_reads_is_only_a_warning() {
    let repo = repo();
    std::fs::write(repo.path().join("notes.yaml"), "a: [b\n").unwrap();
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let findings = json_findings(&run.stdout);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["rule"], "parse-error");
    assert_eq!(findings[0]["severity"], "warning");
}

/// A Kustomize resource that is not YAML fails the build (exit 2); the same file left out of the
/// kustomization is never read by Argo CD, so it is only a warning (issue 12: only what Argo CD
/// reads is Argo CD input).
fn an_unparseable_file_a_source_reads_is_an_error() {
    let repo = repo();
    std::fs::write(repo.path().join("kust/broken.yaml"), "a: [b\n").unwrap();
    let check = || {
        run_gate(
            repo.path(),
            &["check", "--format", "json", "--app", "kust", "."],
        )
    };
    let unread = check();
    assert_eq!(unread.code, 0, "{}", unread.stdout);
    assert!(
        json_findings(&unread.stdout)
            .iter()
            .any(|f| f["rule"] == "parse-error" && f["severity"] == "warning"),
        "{}",
        unread.stdout
    );
    std::fs::write(
        repo.path().join("kust/kustomization.yaml"),
        "resources:\n- cm.yaml\n- broken.yaml\n",
    )
    .unwrap();
    let read = check();
    assert_eq!(read.code, 2, "{}", read.stdout);
    assert!(
        json_findings(&read.stdout)
            .iter()
            .any(|f| f["rule"] == "render-failed" && f["severity"] == "error"),
        "{}",
        read.stdout
    );
}

fn an_invalid_application_exits_2_at_its_line() {
    let repo = repo();
    std::fs::write(repo.path().join("apps/bad.yaml"), "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: bad\nspec:\n  project: p\n  source:\n    repoURL: x\n").unwrap();
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let findings = json_findings(&run.stdout);
    assert_eq!(findings[0]["rule"], "invalid-argo-manifest");
    assert_eq!(findings[0]["file"], "apps/bad.yaml");
}

/// Issue 13 point 7: an AppProject the API server refuses (here a string where its CRD wants a
/// list) is `invalid-argo-manifest` at the field; its Applications are not "unknown project"s.
fn a_refused_project_is_reported_once() {
    let repo = repo();
    std::fs::write(
        repo.path().join("projects/p.yaml"),
        PROJECT.replace("sourceRepos: ['*']", "sourceRepos: '*'"),
    )
    .unwrap();
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let findings = json_findings(&run.stdout);
    let rules: Vec<(&str, &str, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [("invalid-argo-manifest", "projects/p.yaml", 6)],
        "{}",
        run.stdout
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("spec.sourceRepos in body must be of type array: \"string\""),
        "{}",
        run.stdout
    );
}

fn an_unknown_project_is_reported_unless_external() {
    let repo = repo();
    std::fs::write(
        repo.path().join("apps/chart.yaml"),
        app("chart", "    path: chart\n").replace("project: p", "project: default"),
    )
    .unwrap();
    let run = run_gate(
        repo.path(),
        &["check", "--format", "json", "--app", "chart", "."],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(json_findings(&run.stdout)[0]["rule"], "unknown-project");
    let run = run_gate(
        repo.path(),
        &[
            "check",
            "--format",
            "json",
            "--app",
            "chart",
            "--external-project",
            "default",
            ".",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

fn live_only_generators_fail_closed_unless_acknowledged() {
    let repo = repo();
    std::fs::write(
        repo.path().join("apps/scm.yaml"),
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: scm-apps\nspec:\n  generators:\n    - scmProvider:\n        github: {organization: example}\n  template:\n    metadata: {name: '{{repository}}'}\n    spec:\n      project: p\n      destination: {server: https://kubernetes.default.svc, namespace: ns}\n      source: {repoURL: '{{url}}', path: .}\n",
    )
    .unwrap();
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let findings = json_findings(&run.stdout);
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["rule"], "generator-not-evaluated");
    assert_eq!(findings[0]["line"], 7, "points at the generator type");

    let config = repo.path().join("preview-gate.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("unevaluatedApplicationSets: [scm-apps]\n");
    std::fs::write(&config, text).unwrap();
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let findings = json_findings(&run.stdout);
    assert_eq!(findings[0]["severity"], "warning", "still reported");
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    let mut trials = crate::trials!(NoTools:
        a_hanging_helm_is_killed_and_reported,
        a_crashing_helm_reports_its_stderr,
        garbage_output_is_a_render_failure,
        a_document_without_kind_is_a_render_failure,
        a_failing_kustomize_is_reported,
        a_missing_helm_binary_exits_2,
        remote_charts_fail_under_offline,
    );
    trials.extend(crate::trials!(Renders:
        the_tiny_repo_passes_with_real_tools,
        an_unparseable_file_nobody_reads_is_only_a_warning,
        an_unparseable_file_a_source_reads_is_an_error,
        an_invalid_application_exits_2_at_its_line,
        a_refused_project_is_reported_once,
        an_unknown_project_is_reported_unless_external,
        live_only_generators_fail_closed_unless_acknowledged,
    ));
    trials
}
