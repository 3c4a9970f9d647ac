//! Where Helm 3 and Helm 4 differ in a way that reaches the gate's verdict. Each test runs both
//! pinned versions (helm v3.17.2 and v4.1.4, both installed by `tools/install-test-tools`) on one
//! small repository and says what each does. Argo CD v3.3–v3.4 bundle Helm 3.19, v3.5 Helm 4.2
//! (`hack/tool-versions.sh`), so both must give Argo's answer.

use std::path::Path;
use std::process::Command;

use crate::common::{
    CHART_YAML, Needs, Run, ToolSet, app, run_gate_with, tiny_repo, tool_set_named,
};

/// The Application `chart` with `helm_options` under `source.helm`, and its chart's files.
fn repo(helm_options: &str, chart_files: &[(&str, &str)]) -> tempfile::TempDir {
    let app = app(
        "chart",
        &format!("    path: chart\n    helm:\n      {helm_options}\n"),
    );
    let mut files = vec![
        ("apps/chart.yaml", app.as_str()),
        ("chart/Chart.yaml", CHART_YAML),
    ];
    let chart_files: Vec<(String, &str)> = chart_files
        .iter()
        .map(|(path, text)| (format!("chart/{path}"), *text))
        .collect();
    files.extend(
        chart_files
            .iter()
            .map(|(path, text)| (path.as_str(), *text)),
    );
    tiny_repo(&files)
}

fn check(set: &ToolSet, repo: &Path) -> (Run, Vec<serde_json::Value>) {
    let run = run_gate_with(set, repo, &["check", "--format", "json", "."], &[]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}\n{}", set.name, run.stdout, run.stderr));
    let findings = json["findings"].as_array().unwrap().clone();
    (run, findings)
}

fn helm_template(set: &ToolSet, chart: &Path, args: &[&str]) -> std::process::Output {
    Command::new(&set.helm)
        .arg("template")
        .arg(".")
        .args(args)
        .current_dir(chart)
        .output()
        .unwrap()
}

/// A vendor suffix on `--kube-version`: Helm 3 reads `v1.35.2-eks-1234` as a semver pre-release
/// that fails `kubeVersion: ">=1.30.0"`; Helm 4 accepts it and templates see the suffix in
/// `.Capabilities.KubeVersion.Version`. Argo CD strips it first (`parseKubeVersion`,
/// reposerver/repository/repository.go), so with the gate both render and both see v1.35.2.
fn kube_version_suffix_is_stripped_for_helm3_and_helm4() {
    let repo = repo(
        "kubeVersion: v1.35.2-eks-1234",
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: chart\nversion: 0.1.0\nkubeVersion: '>=1.30.0'\n",
            ),
            (
                "templates/cm.yaml",
                "{{- if ne .Capabilities.KubeVersion.Version \"v1.35.2\" }}{{ fail (printf \"saw %s\" .Capabilities.KubeVersion.Version) }}{{ end }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
            ),
        ],
    );
    let helm3 = tool_set_named("helm3");
    let helm4 = tool_set_named("helm4");
    let chart = repo.path().join("chart");
    let raw = ["--kube-version", "v1.35.2-eks-1234"];
    let raw3 = helm_template(&helm3, &chart, &raw);
    assert!(
        !raw3.status.success()
            && String::from_utf8_lossy(&raw3.stderr).contains("incompatible with Kubernetes"),
        "helm 3 refuses the raw suffix: {}",
        String::from_utf8_lossy(&raw3.stderr)
    );
    let raw4 = helm_template(&helm4, &chart, &raw);
    assert!(
        String::from_utf8_lossy(&raw4.stderr).contains("saw v1.35.2-eks-1234"),
        "helm 4 passes the constraint but keeps the suffix: {}",
        String::from_utf8_lossy(&raw4.stderr)
    );
    for set in [&helm3, &helm4] {
        let (run, findings) = check(set, repo.path());
        assert_eq!(run.code, 0, "{}: {findings:#?}\n{}", set.name, run.stderr);
    }
}

/// A template error reads `template: chart/templates/cm.yaml:6:15: executing …` in Helm 3 and
/// `chart/templates/cm.yaml:6:15` on a line of its own, then `executing …`, in Helm 4. The
/// finding points at the template line with either.
fn template_errors_point_at_the_template_line_in_helm3_and_helm4() {
    let repo = repo(
        "releaseName: r",
        &[(
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: {{ .Values.missing.deep }}\n",
        )],
    );
    for (set, wording) in [
        (
            tool_set_named("helm3"),
            "Error: template: chart/templates/cm.yaml:6:15: executing",
        ),
        (
            tool_set_named("helm4"),
            "Error: chart/templates/cm.yaml:6:15\n",
        ),
    ] {
        let (run, findings) = check(&set, repo.path());
        assert_eq!(run.code, 2, "{}: {findings:#?}", set.name);
        let finding = &findings[0];
        assert_eq!(finding["rule"], "render-failed", "{}", set.name);
        assert_eq!(finding["file"], "chart/templates/cm.yaml", "{}", set.name);
        assert_eq!(finding["line"], 6, "{}", set.name);
        let message = finding["message"].as_str().unwrap();
        assert!(
            message.contains(wording.trim_start_matches("Error: ")),
            "{}: {message}",
            set.name
        );
    }
}

/// `values.schema.json` with JSON Schema 2020-12 keywords: Helm 3.17 validates with draft-07 and
/// ignores `prefixItems`; Helm 4 knows it and refuses the values. The gate reports whatever the
/// Helm it runs says, so run the Helm of the Argo CD release you predict (README).
fn schema_2020_12_keywords_bind_in_helm4_only() {
    let repo = repo(
        "releaseName: r",
        &[
            (
                "values.schema.json",
                r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"ports":{"type":"array","prefixItems":[{"type":"integer"}]}}}"#,
            ),
            ("values.yaml", "ports: [http]\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
            ),
        ],
    );
    let (run, findings) = check(&tool_set_named("helm3"), repo.path());
    assert_eq!(run.code, 0, "helm 3: {findings:#?}");
    let (run, findings) = check(&tool_set_named("helm4"), repo.path());
    assert_eq!(run.code, 2, "helm 4: {findings:#?}");
    assert_eq!(findings[0]["rule"], "render-failed");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("got string, want integer"),
        "{findings:#?}"
    );
}

pub fn trials() -> Vec<(Needs, libtest_mimic::Trial)> {
    // Each runs both versions itself, so it runs once, in the Helm 3 pass.
    crate::trials!(NoTools:
        kube_version_suffix_is_stripped_for_helm3_and_helm4,
        template_errors_point_at_the_template_line_in_helm3_and_helm4,
        schema_2020_12_keywords_bind_in_helm4_only,
    )
}
