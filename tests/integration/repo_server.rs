//! What the repo-server makes of a source before rendering (`src/argo/source.rs`), end to end
//! with real Helm and Kustomize: `NormalizeSource`, `ExplicitType`, `discovery.AppType` and
//! `mergeSourceParameters`.

use crate::common::{CHART_YAML, app, commit_all, run_gate, tiny_repo};

fn json(dir: &std::path::Path) -> (i32, serde_json::Value) {
    let run = run_gate(dir, &["check", "--format", "json", "."]);
    let value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, value)
}

fn rules(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

const KUSTOMIZATION: &str = "resources: [cm.yaml]\n";
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

/// `NormalizeSource` drops a zero `helm: {}` of a single source, so discovery finds the
/// kustomization; `NormalizeApplicationSpec` leaves `spec.sources` alone, so there the empty
/// block makes it a Helm source, which fails without a chart.
fn a_zero_helm_block_is_dropped_for_a_single_source_only() {
    let single = tiny_repo(&[
        ("k/kustomization.yaml", KUSTOMIZATION),
        ("k/cm.yaml", CM),
        ("apps/web.yaml", &app("web", "    path: k\n    helm: {}\n")),
    ]);
    commit_all(single.path());
    let (code, out) = json(single.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["summary"]["objects"], 1);

    let multi_app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  project: p\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: ns\n  sources:\n    - repoURL: https://example.com/gitops.git\n      path: k\n      helm: {}\n";
    let multi = tiny_repo(&[
        ("k/kustomization.yaml", KUSTOMIZATION),
        ("k/cm.yaml", CM),
        ("apps/web.yaml", multi_app),
    ]);
    commit_all(multi.path());
    let (code, out) = json(multi.path());
    assert_eq!(code, 2, "helm without a Chart.yaml: {out}");
}

/// `ExplicitType`: two tool blocks that are not zero are Argo CD's "multiple application sources
/// defined" error.
fn several_tool_blocks_are_refused() {
    let repo = tiny_repo(&[
        ("k/kustomization.yaml", KUSTOMIZATION),
        ("k/cm.yaml", CM),
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: k\n    helm: {releaseName: x}\n    kustomize: {namePrefix: p-}\n",
            ),
        ),
    ]);
    commit_all(repo.path());
    let (code, out) = json(repo.path());
    assert_eq!(code, 2);
    let message = out["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("multiple application sources defined: Kustomize,Helm"),
        "{message}"
    );
}

/// `discovery.AppType`: the last `*Chart.yaml` or kustomization in name order decides.
fn the_last_type_file_in_name_order_decides() {
    let repo = tiny_repo(&[
        ("d/kustomization.yaml", KUSTOMIZATION),
        ("d/cm.yaml", CM),
        ("d/myChart.yaml", CHART_YAML),
        ("apps/web.yaml", &app("web", "    path: d\n")),
    ]);
    commit_all(repo.path());
    let (code, out) = json(repo.path());
    // Helm (myChart.yaml sorts last) without a Chart.yaml: Argo CD fails as well.
    assert_eq!(code, 2, "{out}");
}

/// `mergeSourceParameters`: `.argocd-source.yaml`, then `.argocd-source-<app>.yaml`, are merged
/// into the source before it renders (Argo CD Image Updater writes the second).
fn argocd_source_overrides_change_what_renders() {
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n";
    let role = "{{- if .Values.role }}\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n{{- end }}\n";
    let repo = tiny_repo(&[
        ("chart/Chart.yaml", CHART_YAML),
        ("chart/values.yaml", "name: base\nrole: false\n"),
        ("chart/templates/cm.yaml", template),
        ("chart/templates/role.yaml", role),
        ("apps/web.yaml", &app("web", "    path: chart\n")),
        (
            "chart/.argocd-source.yaml",
            "helm:\n  parameters:\n    - name: name\n      value: general\n",
        ),
        (
            "chart/.argocd-source-web.yaml",
            "helm:\n  parameters:\n    - name: role\n      value: 'true'\n",
        ),
        (
            "chart/.argocd-source-other.yaml",
            "helm:\n  parameters: [{name: name, value: not-for-web}]\n",
        ),
    ]);
    commit_all(repo.path());
    let (code, out) = json(repo.path());
    assert_eq!(
        code, 1,
        "the app-specific override adds a ClusterRole: {out}"
    );
    assert_eq!(
        rules(&out),
        ["kind-not-allowed chart/templates/role.yaml:3"]
    );

    std::fs::write(
        repo.path().join("chart/.argocd-source-web.yaml"),
        "helm: {parameters: null}\n",
    )
    .unwrap();
    crate::common::git(repo.path(), &["add", "-A"]);
    let (code, out) = json(repo.path());
    assert_eq!(code, 0, "null deletes the parameters: {out}");

    std::fs::write(repo.path().join("chart/.argocd-source.yaml"), "helm: [\n").unwrap();
    crate::common::git(repo.path(), &["add", "-A"]);
    let (code, out) = json(repo.path());
    assert_eq!(code, 2, "an unparseable override fails the render: {out}");
    assert_eq!(out["findings"][0]["rule"], "render-failed");
    assert_eq!(out["findings"][0]["file"], "chart/.argocd-source.yaml");
}

/// Only what Argo CD parses is Argo CD input: a `configMapGenerator` file is data for
/// Kustomize, so invalid YAML in it (even mentioning argoproj.io) is a warning, not exit 2.
fn a_generator_input_that_is_not_yaml_is_only_a_warning() {
    let repo = tiny_repo(&[
        (
            "k/kustomization.yaml",
            "resources: [cm.yaml]\nconfigMapGenerator:\n  - name: g\n    files: [settings.yaml]\n",
        ),
        ("k/cm.yaml", CM),
        ("k/settings.yaml", "url: https://argoproj.io/x\nbad: [\n"),
        ("apps/web.yaml", &app("web", "    path: k\n")),
    ]);
    commit_all(repo.path());
    let (code, out) = json(repo.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["findings"][0]["rule"], "parse-error");
    assert_eq!(out["findings"][0]["severity"], "warning");
    assert_eq!(
        out["summary"]["objects"], 2,
        "the ConfigMap and the generated one"
    );
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    crate::trials!(Renders:
        a_zero_helm_block_is_dropped_for_a_single_source_only,
        several_tool_blocks_are_refused,
        the_last_type_file_in_name_order_decides,
        argocd_source_overrides_change_what_renders,
        a_generator_input_that_is_not_yaml_is_only_a_warning,
    )
}
