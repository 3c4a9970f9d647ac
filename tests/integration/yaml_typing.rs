//! YAML 1.1 where Go decodes YAML, checked against the real Helm of the run: `helm.values` reaches
//! Helm as the text written in the Application (Argo CD's `helmTemplate` writes `ValuesYAML()` to
//! a file), so Helm types it itself; `valuesObject` reaches it as the JSON Kubernetes made of the
//! manifest with go-yaml v2 typing (`010` is 8, `off` is false, quoted `'010'` stays a string).

use crate::common::{CHART_YAML, app, run_gate, tiny_repo};

/// A chart that fails to render unless `port` is 8, `flag` is false and `label` is the string 010.
const CHECKS: &str = r#"{{- if ne (toString .Values.port) "8" }}{{ fail (printf "port is %v" .Values.port) }}{{ end }}
{{- if .Values.flag }}{{ fail (printf "flag is %v" .Values.flag) }}{{ end }}
{{- if ne (kindOf .Values.label) "string" }}{{ fail (printf "label is a %s" (kindOf .Values.label)) }}{{ end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  label: {{ .Values.label | quote }}
"#;

fn check(helm_options: &str) {
    let application = app(
        "chart",
        &format!("    path: chart\n    helm:\n{helm_options}"),
    );
    let repo = tiny_repo(&[
        ("apps/chart.yaml", &application),
        ("chart/Chart.yaml", CHART_YAML),
        ("chart/templates/cm.yaml", CHECKS),
    ]);
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

fn helm_values_reach_helm_as_written() {
    check("      values: |\n        port: 010\n        flag: off\n        label: '010'\n");
}

fn values_object_is_typed_like_kubernetes() {
    check("      valuesObject:\n        port: 010\n        flag: off\n        label: '010'\n");
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    crate::trials!(Renders:
        helm_values_reach_helm_as_written,
        values_object_is_typed_like_kubernetes,
    )
}
