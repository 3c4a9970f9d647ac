//! How Argo CD v3.5.1's repo-server drives Helm, beyond the paths of value files
//! (`super::value_files`): the build environment (`newEnv`, `shortenRevision` in
//! `reposerver/repository/repository.go`; `Env.Envsubst` in
//! `pkg/apis/application/v1alpha1/types.go`), `--set` escaping (`cleanSetParameters` in
//! `util/helm/cmd.go`), the supported `helm.version`s (`NewCmd`), and chart dependencies: the
//! error that makes it build them (`IsMissingDependencyErr` in `util/helm/helm.go`), the
//! repositories it adds first (`getHelmDependencyRepos`, `getHelmRepos`, `helm.DependencyBuild`).

use super::value_files::url_scheme;

/// The `ARGOCD_APP_*` variables of one source, as `newEnv` builds them, in its order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env(pub Vec<(&'static str, String)>);

/// What `newEnv` reads from the manifest request.
#[derive(Debug, Clone, Default)]
pub struct EnvRequest<'a> {
    /// `q.AppName`: the Application's instance name (`Application.InstanceName`).
    pub app_name: &'a str,
    /// `q.Namespace`: the destination namespace.
    pub namespace: &'a str,
    /// `q.ProjectName`.
    pub project: &'a str,
    /// `q.Repo.Repo`: the source's repository URL.
    pub repo_url: &'a str,
    /// `q.ApplicationSource.Path`.
    pub path: &'a str,
    /// `q.ApplicationSource.TargetRevision`, as written.
    pub target_revision: &'a str,
}

/// `newEnv(q, revision)`: `revision` is what the source resolved to (a commit SHA for Git).
pub fn new_env(q: &EnvRequest<'_>, revision: &str) -> Env {
    Env(vec![
        ("ARGOCD_APP_NAME", q.app_name.to_string()),
        ("ARGOCD_APP_NAMESPACE", q.namespace.to_string()),
        ("ARGOCD_APP_PROJECT_NAME", q.project.to_string()),
        ("ARGOCD_APP_REVISION", revision.to_string()),
        ("ARGOCD_APP_REVISION_SHORT", shorten_revision(revision, 7)),
        ("ARGOCD_APP_REVISION_SHORT_8", shorten_revision(revision, 8)),
        ("ARGOCD_APP_SOURCE_REPO_URL", q.repo_url.to_string()),
        ("ARGOCD_APP_SOURCE_PATH", q.path.to_string()),
        (
            "ARGOCD_APP_SOURCE_TARGET_REVISION",
            q.target_revision.to_string(),
        ),
    ])
}

/// `shortenRevision`: the first `length` bytes.
pub fn shorten_revision(revision: &str, length: usize) -> String {
    if revision.len() > length {
        String::from_utf8_lossy(&revision.as_bytes()[..length]).into_owned()
    } else {
        revision.to_string()
    }
}

impl Env {
    /// `Env.Envsubst`: `os.Expand` where `$$` is `$` and unknown names are empty.
    pub fn envsubst(&self, s: &str) -> String {
        os_expand(s, |name| {
            if name == "$" {
                return "$".into();
            }
            // A map: the last entry of a name wins.
            self.0
                .iter()
                .rev()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Go's `os.Expand`: `$name` and `${name}` through `mapping`; `${}` and an unclosed `${` are
/// eaten; a `$` not followed by a name stays.
pub fn os_expand(s: &str, mapping: impl Fn(&str) -> String) -> String {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut j = 0;
    let is_special = |c: u8| b"*#$@!?-0123456789".contains(&c);
    let is_alnum = |c: u8| c == b'_' || c.is_ascii_alphanumeric();
    while j < bytes.len() {
        if bytes[j] == b'$' && j + 1 < bytes.len() {
            out.push_str(&s[i..j]);
            let rest = &s[j + 1..];
            let rb = rest.as_bytes();
            // getShellName
            let (name, width): (&str, usize) = if rb[0] == b'{' {
                if rb.len() > 2 && is_special(rb[1]) && rb[2] == b'}' {
                    (&rest[1..2], 3)
                } else {
                    match rest[1..].find('}') {
                        Some(0) => ("", 2),
                        Some(end) => (&rest[1..=end], end + 2),
                        None => ("", 1),
                    }
                }
            } else if is_special(rb[0]) {
                (&rest[0..1], 1)
            } else {
                let n = rb.iter().take_while(|&&c| is_alnum(c)).count();
                (&rest[..n], n)
            };
            if name.is_empty() && width == 0 {
                out.push('$');
            } else if !name.is_empty() {
                out.push_str(&mapping(name));
            }
            j += width;
            i = j + 1;
        }
        j += 1;
    }
    out.push_str(&s[i.min(s.len())..]);
    out
}

/// `cleanSetParameters`: commas are escaped for `--set`, `--set-string` and `--set-file`, unless
/// the value is a `{...}` list or the comma is already escaped.
pub fn clean_set_parameters(value: &str) -> String {
    if value.starts_with('{') && value.ends_with('}') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut previous = None;
    for c in value.chars() {
        if c == ',' && previous != Some('\\') {
            out.push('\\');
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// `NewCmd`: the `helm.version` values Argo CD accepts (all run the one bundled Helm).
pub fn helm_version_supported(version: &str) -> bool {
    matches!(version, "" | "v3" | "v4")
}

/// `IsMissingDependencyErr`: the `helm template` failure after which Argo CD runs
/// `helm dependency build` and templates again.
pub fn is_missing_dependency_err(message: &str) -> bool {
    message.contains("found in requirements.yaml, but missing in charts")
        || message.contains("found in Chart.yaml, but missing in charts/ directory")
}

/// The dependency names Helm lists in that error (Helm's `action.CheckDependencies`:
/// `...missing in charts/ directory: a, b`).
pub fn missing_dependency_names(message: &str) -> Vec<String> {
    let Some((_, list)) = message.split_once("missing in charts/ directory: ") else {
        return Vec::new();
    };
    list.lines()
        .next()
        .unwrap_or_default()
        .split(", ")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Whether `helm dependency build` fetches a dependency with this `repository` over the network:
/// Helm (`pkg/downloader/manager.go`, `downloadAll`) reads an empty repository from `charts/`
/// and packages a `file://` one from disk; it downloads every other one, even when `charts/`
/// already holds it.
pub fn dependency_needs_network(repository: &str) -> bool {
    !(repository.is_empty() || repository.starts_with("file://"))
}

/// A repository Argo CD sets up before `helm dependency build` (`helm.HelmRepository`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmRepository {
    pub name: String,
    pub repo: String,
    pub enable_oci: bool,
}

/// `getHelmDependencyRepos`: the `repository` of each `Chart.yaml` dependency, as a repository:
/// `@name` and `alias:name` by name only, an `https://` or `oci://` URL under its name with `/`
/// replaced by `-` (`oci://` trimmed from the URL). Every other value (`file://`, `http://`,
/// empty) adds nothing.
pub fn get_helm_dependency_repos(repositories: &[&str]) -> Vec<HelmRepository> {
    let mut repos = Vec::new();
    for repository in repositories {
        if let Some(name) = repository.strip_prefix('@') {
            repos.push(HelmRepository {
                name: name.to_string(),
                repo: String::new(),
                enable_oci: false,
            });
        } else if let Some(name) = repository.strip_prefix("alias:") {
            repos.push(HelmRepository {
                name: name.to_string(),
                repo: String::new(),
                enable_oci: false,
            });
        } else if let Some(scheme @ ("https" | "oci")) = url_scheme(repository).as_deref() {
            repos.push(HelmRepository {
                name: sanitize_repo_name(repository),
                repo: repository
                    .strip_prefix("oci://")
                    .unwrap_or(repository)
                    .to_string(),
                enable_oci: scheme == "oci",
            });
        }
    }
    repos
}

/// `sanitizeRepoName`.
pub fn sanitize_repo_name(name: &str) -> String {
    name.replace('/', "-")
}

/// A Helm repository Argo CD knows (a repository secret): its name and URL (`oci://` for OCI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredRepository {
    pub name: String,
    pub url: String,
}

/// `getHelmRepos` without credentials: each dependency repository is the configured repository
/// with its URL (without `oci://`), else the one with its name, else itself.
pub fn get_helm_repos(
    dependency_repos: &[HelmRepository],
    configured: &[ConfiguredRepository],
) -> Vec<HelmRepository> {
    dependency_repos
        .iter()
        .map(|dep| {
            let by_url = configured
                .iter()
                .rev()
                .find(|r| r.url.strip_prefix("oci://").unwrap_or(&r.url) == dep.repo);
            let by_name = || {
                (!dep.name.is_empty())
                    .then(|| configured.iter().rev().find(|r| r.name == dep.name))
                    .flatten()
            };
            match by_url.or_else(by_name) {
                Some(repo) => HelmRepository {
                    name: repo.name.clone(),
                    repo: repo.url.clone(),
                    enable_oci: repo.url.starts_with("oci://"),
                },
                None => dep.clone(),
            }
        })
        .collect()
}

/// `helm.DependencyBuild`: `helm repo add NAME URL` for each non-OCI repository, in order (OCI
/// registries are only logged into, with credentials).
pub fn repo_adds(repos: &[HelmRepository]) -> Vec<(String, String)> {
    repos
        .iter()
        .filter(|r| !r.enable_oci)
        .map(|r| (r.name.clone(), r.repo.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> EnvRequest<'static> {
        EnvRequest {
            app_name: "web",
            namespace: "ns",
            project: "p",
            repo_url: "https://example.com/r.git",
            path: "chart",
            target_revision: "main",
        }
    }

    /// `newEnv`: every variable, the revision shortened to 7 and 8 bytes (`shortenRevision`).
    #[test]
    fn new_env_builds_every_variable() {
        let env = new_env(&request(), "0123456789abcdef0123456789abcdef01234567");
        let names: Vec<&str> = env.0.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "ARGOCD_APP_NAME",
                "ARGOCD_APP_NAMESPACE",
                "ARGOCD_APP_PROJECT_NAME",
                "ARGOCD_APP_REVISION",
                "ARGOCD_APP_REVISION_SHORT",
                "ARGOCD_APP_REVISION_SHORT_8",
                "ARGOCD_APP_SOURCE_REPO_URL",
                "ARGOCD_APP_SOURCE_PATH",
                "ARGOCD_APP_SOURCE_TARGET_REVISION",
            ]
        );
        assert_eq!(env.get("ARGOCD_APP_REVISION_SHORT"), Some("0123456"));
        assert_eq!(env.get("ARGOCD_APP_REVISION_SHORT_8"), Some("01234567"));
        // shortenRevision: shorter revisions stay whole.
        assert_eq!(shorten_revision("1.2.3", 7), "1.2.3");
    }

    /// `Env.Envsubst` over `os.Expand`.
    #[test]
    fn envsubst_is_os_expand_with_dollar_escape() {
        let env = new_env(&request(), "abc");
        assert_eq!(env.envsubst("img:$ARGOCD_APP_NAME"), "img:web");
        assert_eq!(env.envsubst("${ARGOCD_APP_NAME}-x"), "web-x");
        assert_eq!(
            env.envsubst("values-$ARGOCD_APP_REVISION.yaml"),
            "values-abc.yaml"
        );
        assert_eq!(env.envsubst("cost $$5"), "cost $5");
        assert_eq!(env.envsubst("$UNKNOWN/x"), "/x");
        assert_eq!(env.envsubst("$values/x"), "/x");
        assert_eq!(env.envsubst("trailing $"), "trailing $");
        assert_eq!(env.envsubst("a$/b"), "a$/b");
        assert_eq!(env.envsubst("${}x"), "x");
        assert_eq!(env.envsubst("${ARGOCD_APP_NAME"), "ARGOCD_APP_NAME");
        assert_eq!(
            env.envsubst("$1x"),
            "x",
            "a special variable is one character"
        );
    }

    /// `cleanSetParameters` (with `replaceAllWithLookbehind`).
    #[test]
    fn commas_escaped_unless_list() {
        assert_eq!(clean_set_parameters("a,b"), "a\\,b");
        assert_eq!(clean_set_parameters("a\\,b"), "a\\,b");
        assert_eq!(clean_set_parameters("{a,b}"), "{a,b}");
    }

    /// `NewCmd`: "", v3 and v4; anything else is refused.
    #[test]
    fn helm_versions() {
        assert!(helm_version_supported(""));
        assert!(helm_version_supported("v3"));
        assert!(helm_version_supported("v4"));
        assert!(!helm_version_supported("v2"));
    }

    /// `IsMissingDependencyErr`, and the names Helm lists.
    #[test]
    fn missing_dependency_error() {
        let helm3 = "Error: An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: sub, other\n";
        assert!(is_missing_dependency_err(helm3));
        assert_eq!(missing_dependency_names(helm3), ["sub", "other"]);
        assert!(is_missing_dependency_err(
            "found in requirements.yaml, but missing in charts"
        ));
        assert!(!is_missing_dependency_err("Error: parse error"));
    }

    /// Helm's `downloadAll`: only empty and `file://` repositories stay offline.
    #[test]
    fn which_dependencies_need_the_network() {
        assert!(!dependency_needs_network(""));
        assert!(!dependency_needs_network("file://../sub"));
        for remote in [
            "https://charts.example.com",
            "http://x",
            "oci://r/x",
            "@stable",
            "alias:s",
        ] {
            assert!(dependency_needs_network(remote), "{remote}");
        }
    }

    /// `getHelmDependencyRepos`, branch by branch, and `sanitizeRepoName`.
    #[test]
    fn dependency_repos_by_branch() {
        let repos = get_helm_dependency_repos(&[
            "@stable",
            "alias:bitnami",
            "https://charts.example.com/stable",
            "oci://ghcr.io/org/charts",
            "http://plain.example.com",
            "file://../sub",
            "",
        ]);
        let repo = |name: &str, repo: &str, enable_oci| HelmRepository {
            name: name.into(),
            repo: repo.into(),
            enable_oci,
        };
        assert_eq!(
            repos,
            [
                repo("stable", "", false),
                repo("bitnami", "", false),
                repo(
                    "https:--charts.example.com-stable",
                    "https://charts.example.com/stable",
                    false
                ),
                repo("oci:--ghcr.io-org-charts", "ghcr.io/org/charts", true),
            ]
        );
    }

    /// `getHelmRepos`: a configured repository wins by URL, then by name; `DependencyBuild` adds
    /// the non-OCI ones.
    #[test]
    fn helm_repos_prefer_configured_repositories() {
        let deps = get_helm_dependency_repos(&[
            "@stable",
            "https://charts.example.com",
            "oci://ghcr.io/org",
            "@unknown",
        ]);
        let configured = [
            ConfiguredRepository {
                name: "stable".into(),
                url: "https://stable.example.com".into(),
            },
            ConfiguredRepository {
                name: "example".into(),
                url: "https://charts.example.com".into(),
            },
        ];
        let repos = get_helm_repos(&deps, &configured);
        assert_eq!(
            repo_adds(&repos),
            [
                (
                    "stable".to_string(),
                    "https://stable.example.com".to_string()
                ),
                (
                    "example".to_string(),
                    "https://charts.example.com".to_string()
                ),
                ("unknown".to_string(), String::new()),
            ]
        );
        assert!(repos[2].enable_oci);
    }
}
