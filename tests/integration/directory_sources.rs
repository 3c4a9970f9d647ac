//! Directory sources end to end, as Argo CD v3.5.1's repo-server reads them
//! (`findManifests` and what it calls; `src/origin/directory.rs`, `src/argo/directory.rs`):
//! jsonnet with ext vars, top-level arguments and libs, hidden files, the skip marker, and
//! `exclude` applied before a file is read.

use crate::common::{app, check_json, commit_all, tiny_repo};

/// `rule file:line severity`, and the message, of every finding.
fn findings(json: &serde_json::Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                format!(
                    "{} {}:{} {}",
                    f["rule"].as_str().unwrap(),
                    f["file"].as_str().unwrap(),
                    f["line"],
                    f["severity"].as_str().unwrap()
                ),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules(json: &serde_json::Value) -> Vec<String> {
    findings(json).into_iter().map(|(rule, _)| rule).collect()
}

const CLUSTER_ROLE: &str =
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n";
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

/// `makeJsonnetVM`: ext vars (with `$ARGOCD_APP_*` substituted), a code ext var, top-level
/// arguments, and a lib relative to the repository root; the default import path is the file's
/// directory. A `.libsonnet` next to the file is no manifest.
fn jsonnet_renders_with_ext_vars_tlas_and_libs() {
    let source = "    path: jsonnet\n    directory:\n      jsonnet:\n        extVars:\n          - {name: env, value: $ARGOCD_APP_NAME-dev}\n          - {name: count, value: '1 + 1', code: true}\n        tlas:\n          - {name: prefix, value: cfg}\n          - {name: cluster, value: 'true', code: true}\n        libs: [vendor/k8s]\n";
    let main = "local k = import 'k.libsonnet';\nlocal local_lib = import 'local.libsonnet';\nfunction(prefix, cluster=false)\n  [k.cm('%s-%s-%d' % [prefix, std.extVar('env'), std.extVar('count')]), local_lib.cm]\n  + (if cluster then [{\n    apiVersion: 'rbac.authorization.k8s.io/v1',\n    kind: 'ClusterRole',\n    metadata: { name: std.extVar('env') },\n  }] else [])\n";
    let repo = tiny_repo(&[
        ("apps/web.yaml", &app("web", source)),
        ("jsonnet/main.jsonnet", main),
        (
            "jsonnet/local.libsonnet",
            "{ cm: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'local' } } }\n",
        ),
        (
            "vendor/k8s/k.libsonnet",
            "{ cm(name):: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name } } }\n",
        ),
    ]);
    commit_all(repo.path());
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 1, "{out}");
    let found = findings(&out);
    assert_eq!(
        found.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
        ["kind-not-allowed jsonnet/main.jsonnet:7 error"],
        "{out}"
    );
    assert!(found[0].1.contains("web-dev"), "{}", found[0].1);
    assert_eq!(out["summary"]["objects"], 3, "{out}");
}

/// A jsonnet evaluation error is a render failure at the file and line, no longer a refusal
/// of every jsonnet source.
fn a_jsonnet_error_fails_the_render_at_its_line() {
    let repo = tiny_repo(&[
        ("apps/web.yaml", &app("web", "    path: jsonnet\n")),
        ("jsonnet/cm.yaml", CM),
        (
            "jsonnet/main.jsonnet",
            "{\n  apiVersion: 'v1',\n  kind: error 'no kind yet',\n}\n",
        ),
    ]);
    commit_all(repo.path());
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 2, "{out}");
    let found = findings(&out);
    assert_eq!(
        found[0].0, "render-failed jsonnet/main.jsonnet:3 error",
        "{out}"
    );
    assert!(found[0].1.contains("no kind yet"), "{}", found[0].1);
}

/// `filepath.Walk` does not skip hidden files or directories, and a directory source reads them.
fn hidden_files_are_read() {
    let repo = tiny_repo(&[
        (
            "apps/web.yaml",
            &app("web", "    path: m\n    directory:\n      recurse: true\n"),
        ),
        ("m/cm.yaml", CM),
        ("m/.role.yaml", CLUSTER_ROLE),
        (
            "m/.hidden/role.yaml",
            &CLUSTER_ROLE.replace("name: r", "name: r2"),
        ),
    ]);
    commit_all(repo.path());
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        rules(&out),
        [
            "kind-not-allowed m/.hidden/role.yaml:2 error",
            "kind-not-allowed m/.role.yaml:2 error"
        ]
    );
}

/// `+argocd:skip-file-rendering` anywhere in a file keeps it out, jsonnet included.
fn the_skip_marker_skips_a_file() {
    let repo = tiny_repo(&[
        ("apps/web.yaml", &app("web", "    path: m\n")),
        ("m/cm.yaml", CM),
        (
            "m/role.yaml",
            &format!("# +argocd:skip-file-rendering (a fixture for tests)\n{CLUSTER_ROLE}"),
        ),
        (
            "m/broken.jsonnet",
            "// +argocd:skip-file-rendering\n{ a: error 'never evaluated' }\n",
        ),
    ]);
    commit_all(repo.path());
    let (code, out) = check_json(repo.path());
    assert_eq!((code, rules(&out)), (0, vec![]), "{out}");
    assert_eq!(out["summary"]["objects"], 1);
}

/// `exclude` is tested before a file is read: an excluded file that would fail the render does
/// not. A YAML file that fails to parse and does not look like a manifest is skipped by Argo CD:
/// only a warning.
fn exclude_applies_before_a_file_is_read() {
    let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n";
    let repo = tiny_repo(&[
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: m\n    directory:\n      exclude: 'broken*'\n",
            ),
        ),
        ("m/cm.yaml", CM),
        ("m/broken.yaml", broken),
        ("m/broken.json", "{\"kind\": "),
        ("m/values.yaml", "list: [\n"),
    ]);
    commit_all(repo.path());
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        rules(&out),
        [
            "parse-error m/broken.yaml:4 warning",
            "parse-error m/values.yaml:2 warning"
        ],
        "{out}"
    );
    assert_eq!(out["summary"]["objects"], 1);

    std::fs::write(
        repo.path().join("apps/web.yaml"),
        app("web", "    path: m\n"),
    )
    .unwrap();
    crate::common::git(repo.path(), &["add", "-A"]);
    let (code, out) = check_json(repo.path());
    assert_eq!(code, 2, "not excluded, broken.json fails first: {out}");
    let render = findings(&out)
        .into_iter()
        .find(|(r, _)| r.starts_with("render-failed"))
        .unwrap();
    assert_eq!(render.0, "render-failed m/broken.json:1 error", "{out}");
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    crate::trials!(Renders:
        jsonnet_renders_with_ext_vars_tlas_and_libs,
        a_jsonnet_error_fails_the_render_at_its_line,
        hidden_files_are_read,
        the_skip_marker_skips_a_file,
        exclude_applies_before_a_file_is_read,
    )
}
