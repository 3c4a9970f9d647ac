//! Helm sources as Argo CD v3.5.1's `helmTemplate` renders them (`src/plan/helm.rs`,
//! `src/argo/value_files.rs`, `src/argo/helm.rs`): value files (globs, `$ARGOCD_APP_*`, order,
//! duplicates, absolute paths), file parameters, the `ARGOCD_APP_*` environment with the
//! resolved commit, and chart dependencies built (or, with `--offline`, refused) like
//! `runHelmBuild`. Every trial renders with the real Helm of the pass (3 and 4).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::common::{CHART_YAML, app, check_json_with, commit_all, git, tiny_repo, tool_set};

/// A template that fails with the values it was given, so the test can read them.
const SHOW_VALUES: &str = "{{ fail (printf \"VALUES %s\" (toJson .Values)) }}\n";

const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\n";

fn findings(json: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The values the `SHOW_VALUES` template saw.
fn values_seen(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let (_, json, stderr) = check_json_with(dir, extra, &[]);
    let found = findings(&json);
    let message = found
        .iter()
        .find_map(|f| f.3.split_once("VALUES ").map(|(_, v)| v.to_string()))
        .unwrap_or_else(|| panic!("no values in {found:#?}\n{stderr}"));
    let line = message.lines().next().unwrap();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// `getResolvedValueFiles`: a glob expands in name order but leaves a file listed explicitly for
/// its own position, an absolute path is from the repository root, `$ARGOCD_APP_*` is
/// substituted, and a file listed twice is read once, at its first position.
fn value_files_resolve_as_argo_does() {
    let repo = tiny_repo(&[
        ("chart/Chart.yaml", CHART_YAML),
        ("chart/templates/show.yaml", SHOW_VALUES),
        ("chart/values/a.yaml", "a: true\nlast: a\n"),
        ("chart/values/b.yaml", "b: true\nlast: b\n"),
        ("chart/values/c.yaml", "c: true\nlast: c\n"),
        ("chart/envs/ns.yaml", "ns: true\nlast: ns\n"),
        ("shared/common.yaml", "common: true\nlast: common\n"),
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: chart\n    helm:\n      valueFiles:\n        - values/*.yaml\n        - values/a.yaml\n        - /shared/common.yaml\n        - envs/$ARGOCD_APP_NAMESPACE.yaml\n        - values/b.yaml\n        - values/a.yaml\n",
            ),
        ),
    ]);
    commit_all(repo.path());
    let seen = values_seen(repo.path(), &[]);
    // c (the glob's only file not listed explicitly), a, common, ns, b.
    assert_eq!(seen["last"], "b", "{seen}");
    for key in ["a", "b", "c", "ns", "common"] {
        assert_eq!(seen[key], true, "{key}: {seen}");
    }
}

/// A glob that matches nothing is an error unless missing value files are ignored.
fn a_glob_without_matches_fails_unless_ignored() {
    let files = |ignore: &str| {
        let application = app(
            "web",
            &format!(
                "    path: chart\n    helm:\n      ignoreMissingValueFiles: {ignore}\n      valueFiles: ['envs/*.yaml']\n"
            ),
        );
        let repo = tiny_repo(&[
            ("chart/Chart.yaml", CHART_YAML),
            ("chart/templates/cm.yaml", CONFIGMAP),
            ("apps/web.yaml", &application),
        ]);
        commit_all(repo.path());
        check_json_with(repo.path(), &[], &[])
    };
    let (code, failed, _) = files("false");
    assert_eq!(code, 2, "{failed}");
    let found = findings(&failed);
    assert!(
        found.iter().any(|f| f.0 == "render-failed"
            && f.1 == "apps/web.yaml"
            && f.3
                .contains("values file glob \"envs/*.yaml\" matched no files")),
        "{found:#?}"
    );
    let (code, passed, _) = files("true");
    assert_eq!(code, 0, "{passed}");
}

fn head(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

const ENV_PARAMETERS: &str = "    helm:\n      parameters:\n        - {name: rev, value: $ARGOCD_APP_REVISION}\n        - {name: short, value: $ARGOCD_APP_REVISION_SHORT}\n        - {name: short8, value: $ARGOCD_APP_REVISION_SHORT_8}\n        - {name: app, value: $ARGOCD_APP_NAME}\n        - {name: ns, value: $ARGOCD_APP_NAMESPACE}\n        - {name: project, value: $ARGOCD_APP_PROJECT_NAME}\n        - {name: repo, value: $ARGOCD_APP_SOURCE_REPO_URL}\n        - {name: path, value: $ARGOCD_APP_SOURCE_PATH}\n        - {name: target, value: '${ARGOCD_APP_SOURCE_TARGET_REVISION}'}\n";

fn env_repo(target_revision: &str) -> tempfile::TempDir {
    let source =
        format!("    path: chart\n    targetRevision: '{target_revision}'\n{ENV_PARAMETERS}");
    tiny_repo(&[
        ("chart/Chart.yaml", CHART_YAML),
        ("chart/templates/show.yaml", SHOW_VALUES),
        ("apps/web.yaml", &app("web", &source)),
    ])
}

/// `newEnv`: `ARGOCD_APP_REVISION` is the commit the source resolved to, shortened to 7 and 8
/// characters; the other variables come from the Application and the source.
fn the_environment_names_the_checked_commit() {
    let repo = env_repo("HEAD");
    commit_all(repo.path());
    let commit = head(repo.path());
    let seen = values_seen(repo.path(), &[]);
    assert_eq!(seen["rev"], commit.as_str(), "{seen}");
    assert_eq!(seen["short"], &commit[..7]);
    assert_eq!(seen["short8"], &commit[..8]);
    assert_eq!(seen["app"], "web");
    assert_eq!(seen["ns"], "ns");
    assert_eq!(seen["project"], "p");
    assert_eq!(seen["repo"], "https://example.com/gitops.git");
    assert_eq!(seen["path"], "chart");
    assert_eq!(seen["target"], "HEAD");
}

/// A source pinned to another revision renders that commit, and names it.
fn a_pinned_revision_names_its_commit() {
    let repo = env_repo("v1");
    commit_all(repo.path());
    git(repo.path(), &["tag", "v1"]);
    let pinned = head(repo.path());
    std::fs::write(repo.path().join("chart/values.yaml"), "later: true\n").unwrap();
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "--no-verify", "-m", "later"]);
    assert_ne!(head(repo.path()), pinned);
    let seen = values_seen(repo.path(), &[]);
    assert_eq!(seen["rev"], pinned.as_str(), "{seen}");
    assert!(
        seen.get("later").is_none(),
        "the pinned commit's files: {seen}"
    );
}

/// Outside Git there is no commit: the revision is the synthetic pull request's head sha, the
/// commit Argo CD would render once the files are pushed.
fn outside_git_the_revision_is_the_pull_requests_head() {
    let repo = env_repo("HEAD");
    let seen = values_seen(repo.path(), &[]);
    assert_eq!(
        seen["rev"], "0123456789abcdef0123456789abcdef01234567",
        "{seen}"
    );
    assert_eq!(seen["short"], "0123456");
}

/// `fileParameters`: resolved like value files (an absolute path from the repository root, the
/// environment substituted), never outside the repository.
fn file_parameters_stay_in_the_repository() {
    let repo = tiny_repo(&[
        ("chart/Chart.yaml", CHART_YAML),
        ("chart/templates/show.yaml", SHOW_VALUES),
        ("files/ns.txt", "from a file"),
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: chart\n    helm:\n      fileParameters:\n        - name: config\n          path: /files/$ARGOCD_APP_NAMESPACE.txt\n",
            ),
        ),
        (
            "apps/escape.yaml",
            &app(
                "escape",
                "    path: chart\n    helm:\n      fileParameters:\n        - name: config\n          path: ../../../../../../etc/hostname\n",
            ),
        ),
    ]);
    commit_all(repo.path());
    let (code, json, _) = check_json_with(repo.path(), &[], &[]);
    assert_eq!(code, 2);
    let found = findings(&json);
    assert!(
        found.iter().any(|f| f.0 == "source-unresolved"
            && f.1 == "apps/escape.yaml"
            && f.2 == 16
            && f.3.contains("outside repository root")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.0 == "render-failed" && f.3.contains("\"config\":\"from a file\"")),
        "{found:#?}"
    );
}

const REMOTE_DEPENDENCY: &str = "apiVersion: v2\nname: chart\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com/stable\n";

/// A `helm` that logs its arguments, then runs the real one.
fn logging_helm(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("helm.log");
    let script = dir.join("helm");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            tool_set().helm.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (script, log)
}

/// Every proxy at a port nothing listens on: a connection attempt fails at once.
const NO_NETWORK: [(&str, &str); 8] = [
    ("HTTPS_PROXY", "http://127.0.0.1:9"),
    ("HTTP_PROXY", "http://127.0.0.1:9"),
    ("ALL_PROXY", "http://127.0.0.1:9"),
    ("https_proxy", "http://127.0.0.1:9"),
    ("http_proxy", "http://127.0.0.1:9"),
    ("all_proxy", "http://127.0.0.1:9"),
    ("NO_PROXY", ""),
    ("no_proxy", ""),
];

fn with_helm<'a>(helm: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![("PREVIEW_GATE_HELM", helm)];
    env.extend(extra.iter().copied());
    env
}

/// With `--offline`, a dependency `helm dependency build` would download is a
/// `chart-dependency-missing` error at its line, naming the Application and quoting Helm, and
/// neither `helm repo add` nor `helm dependency build` runs.
fn offline_dependencies_touch_no_network() {
    let repo = tiny_repo(&[
        ("chart/Chart.yaml", REMOTE_DEPENDENCY),
        ("chart/templates/cm.yaml", CONFIGMAP),
        ("apps/web.yaml", &app("web", "    path: chart\n")),
    ]);
    commit_all(repo.path());
    let tools = tempfile::tempdir().unwrap();
    let (helm, log) = logging_helm(tools.path());
    let helm = helm.display().to_string();
    let (code, json, stderr) =
        check_json_with(repo.path(), &["--offline"], &with_helm(&helm, &NO_NETWORK));
    assert_eq!(code, 2, "{json}\n{stderr}");
    let found = findings(&json);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (rule, file, line, message) = &found[0];
    assert_eq!(
        (rule.as_str(), file.as_str(), *line),
        ("chart-dependency-missing", "chart/Chart.yaml", 5)
    );
    assert!(message.contains("Application web"), "{message}");
    assert!(message.contains("redis"), "{message}");
    assert!(message.contains("--offline"), "{message}");
    assert!(
        message.contains("found in Chart.yaml, but missing in charts/ directory: redis"),
        "Helm's own message: {message}"
    );
    let ran = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(ran.contains("template"), "{ran}");
    assert!(!ran.contains("dependency"), "no dependency build: {ran}");
    assert!(!ran.contains("repo add"), "no repo add: {ran}");
}

/// Without `--offline`, Argo CD adds the `https://` repository under its sanitized name before
/// `helm dependency build`; when that fails, the finding says so.
fn dependency_repositories_are_added_first() {
    let repo = tiny_repo(&[
        ("chart/Chart.yaml", REMOTE_DEPENDENCY),
        ("chart/templates/cm.yaml", CONFIGMAP),
        ("apps/web.yaml", &app("web", "    path: chart\n")),
    ]);
    commit_all(repo.path());
    let tools = tempfile::tempdir().unwrap();
    let (helm, log) = logging_helm(tools.path());
    let helm = helm.display().to_string();
    let (code, json, _) = check_json_with(repo.path(), &[], &with_helm(&helm, &NO_NETWORK));
    assert_eq!(code, 2, "{json}");
    let found = findings(&json);
    assert!(
        found.iter().any(|f| f.0 == "chart-dependency-missing"
            && f.2 == 5
            && f.3
                .contains("failed to add helm repository https://charts.example.com/stable")),
        "{found:#?}"
    );
    let ran = std::fs::read_to_string(&log).unwrap();
    assert!(
        ran.contains(
            "repo add https:--charts.example.com-stable https://charts.example.com/stable"
        ),
        "{ran}"
    );
    assert!(
        !repo.path().join("chart/charts").exists(),
        "never in the checkout"
    );
}

/// Serves the files of `dir` over plain HTTP on a free local port, for as long as the tests run.
fn serve(dir: PathBuf) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let request = String::from_utf8_lossy(&request);
            let path = request.split(' ').nth(1).unwrap_or("/");
            let file = dir.join(path.trim_start_matches('/'));
            let (status, body) = match std::fs::read(&file) {
                Ok(body) if file.is_file() => ("200 OK", body),
                _ => ("404 Not Found", Vec::new()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    port
}

/// An `http://` dependency: Argo CD adds no repository for it, and `helm dependency build` fetches
/// it itself; the gate builds in a copy, renders the dependency's objects, and leaves the checkout
/// alone.
fn an_http_dependency_is_built_in_a_copy() {
    let charts = tempfile::tempdir().unwrap();
    let dependency = charts.path().join("src/redis");
    std::fs::create_dir_all(dependency.join("templates")).unwrap();
    std::fs::write(
        dependency.join("Chart.yaml"),
        "apiVersion: v2\nname: redis\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(dependency.join("templates/cm.yaml"), CONFIGMAP).unwrap();
    let served = charts.path().join("served");
    let helm = |args: &[&str]| {
        let status = std::process::Command::new(&tool_set().helm)
            .args(args)
            .env("HELM_CONFIG_HOME", charts.path().join("home"))
            .env("HELM_CACHE_HOME", charts.path().join("home"))
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "helm {args:?}");
    };
    let port = serve(served.clone());
    let url = format!("http://127.0.0.1:{port}");
    helm(&[
        "package",
        &dependency.display().to_string(),
        "-d",
        &served.display().to_string(),
    ]);
    helm(&[
        "repo",
        "index",
        &served.display().to_string(),
        "--url",
        &url,
    ]);

    let chart_yaml = format!(
        "apiVersion: v2\nname: chart\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: {url}\n"
    );
    let repo = tiny_repo(&[
        ("chart/Chart.yaml", &chart_yaml),
        ("chart/templates/cm.yaml", CONFIGMAP),
        ("apps/web.yaml", &app("web", "    path: chart\n")),
    ]);
    commit_all(repo.path());
    let tools = tempfile::tempdir().unwrap();
    let (helm, log) = logging_helm(tools.path());
    let helm = helm.display().to_string();
    let direct = [
        ("HTTPS_PROXY", ""),
        ("HTTP_PROXY", ""),
        ("ALL_PROXY", ""),
        ("https_proxy", ""),
        ("http_proxy", ""),
        ("all_proxy", ""),
    ];
    let (code, json, stderr) = check_json_with(repo.path(), &[], &with_helm(&helm, &direct));
    assert_eq!(code, 0, "{json}\n{stderr}");
    assert_eq!(
        json["summary"]["objects"], 2,
        "the chart's and the dependency's: {json}"
    );
    let ran = std::fs::read_to_string(&log).unwrap();
    assert!(ran.contains("dependency build"), "{ran}");
    assert!(!ran.contains("repo add"), "http:// is not added: {ran}");
    assert!(
        !repo.path().join("chart/charts").exists(),
        "never in the checkout"
    );

    let (code, json, _) = check_json_with(repo.path(), &["--offline"], &with_helm(&helm, &direct));
    assert_eq!(code, 2, "{json}");
    assert_eq!(findings(&json)[0].0, "chart-dependency-missing");
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    crate::trials!(Renders:
        value_files_resolve_as_argo_does,
        a_glob_without_matches_fails_unless_ignored,
        the_environment_names_the_checked_commit,
        a_pinned_revision_names_its_commit,
        outside_git_the_revision_is_the_pull_requests_head,
        file_parameters_stay_in_the_repository,
        offline_dependencies_touch_no_network,
        dependency_repositories_are_added_first,
        an_http_dependency_is_built_in_a_copy,
    )
}
