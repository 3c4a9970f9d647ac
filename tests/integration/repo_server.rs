//! What the repo-server makes of a source before rendering (`src/argo/source.rs`), end to end
//! with real Helm and Kustomize: `NormalizeSource`, `ExplicitType`, `discovery.AppType` and
//! `mergeSourceParameters`.

use crate::common::{CHART_YAML, app, check_json, commit_all, run_gate, tiny_repo};

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
    let (code, out) = check_json(single.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["summary"]["objects"], 1);

    let multi_app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  project: p\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: ns\n  sources:\n    - repoURL: https://example.com/gitops.git\n      path: k\n      helm: {}\n";
    let multi = tiny_repo(&[
        ("k/kustomization.yaml", KUSTOMIZATION),
        ("k/cm.yaml", CM),
        ("apps/web.yaml", multi_app),
    ]);
    commit_all(multi.path());
    let (code, out) = check_json(multi.path());
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
    let (code, out) = check_json(repo.path());
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
    let (code, out) = check_json(repo.path());
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
    let (code, out) = check_json(repo.path());
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
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 0, "null deletes the parameters: {out}");

    std::fs::write(repo.path().join("chart/.argocd-source.yaml"), "helm: [\n").unwrap();
    crate::common::git(repo.path(), &["add", "-A"]);
    let (code, out) = check_json(repo.path());
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
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["findings"][0]["rule"], "parse-error");
    assert_eq!(out["findings"][0]["severity"], "warning");
    assert_eq!(
        out["summary"]["objects"], 2,
        "the ConfigMap and the generated one"
    );
}

/// `kustomize edit add label` (util/kustomize `Build`, kustomize `writeToMapEntry`): a label the
/// kustomization already has fails without `forceCommonLabels`, as it fails in Argo CD.
fn an_existing_common_label_fails_without_force() {
    let repo = tiny_repo(&[
        (
            "k/kustomization.yaml",
            "resources: [cm.yaml]\ncommonLabels: {team: old}\n",
        ),
        ("k/cm.yaml", CM),
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: k\n    kustomize:\n      commonLabels: {team: $ARGOCD_APP_NAME}\n",
            ),
        ),
    ]);
    commit_all(repo.path());
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 2, "{out}");
    let message = out["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("label team already in kustomization file"),
        "{message}"
    );

    let forced = app(
        "web",
        "    path: k\n    kustomize:\n      forceCommonLabels: true\n      commonLabels: {team: $ARGOCD_APP_NAME}\n",
    );
    std::fs::write(repo.path().join("apps/web.yaml"), forced).unwrap();
    crate::common::git(repo.path(), &["add", "-A"]);
    let run = run_gate(
        repo.path(),
        &["check", "--format", "json", "--print-renders", "."],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 0, "forced: {out}");
}

/// `--offline`: a remote Kustomize base is refused at its line before anything runs, and no
/// connection is tried (a proxy that accepts nothing would make any attempt fail differently).
fn offline_refuses_remote_kustomize_bases() {
    let repo = tiny_repo(&[
        ("overlay/kustomization.yaml", "resources:\n  - ../base\n"),
        (
            "base/kustomization.yaml",
            "resources:\n  - cm.yaml\n  - https://github.com/example/remote//deploy?ref=v1\n",
        ),
        ("base/cm.yaml", CM),
        ("apps/web.yaml", &app("web", "    path: overlay\n")),
    ]);
    commit_all(repo.path());
    let proxy = "http://127.0.0.1:9";
    let run = crate::common::run_gate_with_env(
        repo.path(),
        &["check", "--offline", "--format", "json", "."],
        &[
            ("HTTPS_PROXY", proxy),
            ("HTTP_PROXY", proxy),
            ("ALL_PROXY", proxy),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let out: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(rules(&out), ["source-unresolved base/kustomization.yaml:3"]);
    let message = out["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("https://github.com/example/remote//deploy?ref=v1"),
        "{message}"
    );
}

/// argocd-cm `kustomize.buildOptions` (`parseKustomizeBuildOptions`) and `kustomize.version.<v>`
/// (`GetKustomizeBinaryPath`) under `argocd:`: options reach `kustomize build`, an unregistered
/// version fails as in Argo CD, and options that run code are refused.
fn argocd_kustomize_settings() {
    let config = |argocd: &str| {
        format!("repositories:\n  https://example.com/gitops.git: .\nargocd:\n{argocd}")
    };
    let repo = tiny_repo(&[
        ("shared/cm.yaml", CM),
        ("k/kustomization.yaml", "resources: [../shared/cm.yaml]\n"),
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: k\n    kustomize:\n      version: v5.4.3\n",
            ),
        ),
    ]);
    let write_config = |text: &str| {
        std::fs::write(repo.path().join("preview-gate.yaml"), text).unwrap();
    };
    write_config(&config(
        "  kustomize.buildOptions: --load-restrictor LoadRestrictionsNone\n",
    ));
    commit_all(repo.path());
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 2, "{out}");
    assert_eq!(rules(&out), ["render-failed apps/web.yaml:14"]);
    assert!(
        out["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("kustomize version v5.4.3 is not registered")
    );

    write_config(&config(
        "  kustomize.buildOptions: --load-restrictor LoadRestrictionsNone\n  kustomize.version.v5.4.3: /custom-tools/kustomize\n",
    ));
    crate::common::git(repo.path(), &["add", "-A"]);
    let (code, out) = check_json(repo.path());
    assert_eq!(
        code, 0,
        "a file outside the overlay needs LoadRestrictionsNone: {out}"
    );

    write_config(&config("  kustomize.version.v5.4.3: x\n"));
    crate::common::git(repo.path(), &["add", "-A"]);
    let (code, _) = check_json(repo.path());
    assert_eq!(
        code, 2,
        "without the option the root-only load restrictor refuses the file"
    );

    write_config(&config(
        "  kustomize.buildOptions: --enable-alpha-plugins --enable-exec\n",
    ));
    crate::common::git(repo.path(), &["add", "-A"]);
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 2);
    assert_eq!(out["findings"][0]["rule"], "invalid-config");
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    crate::trials!(Renders:
        a_zero_helm_block_is_dropped_for_a_single_source_only,
        several_tool_blocks_are_refused,
        the_last_type_file_in_name_order_decides,
        argocd_source_overrides_change_what_renders,
        a_generator_input_that_is_not_yaml_is_only_a_warning,
        an_existing_common_label_fails_without_force,
        offline_refuses_remote_kustomize_bases,
        argocd_kustomize_settings,
    )
}
