//! Whether an AppProject admits an Application's repositories and destination: Argo CD's
//! `AppProject.IsSourcePermitted` and `IsDestinationPermitted` (`isDestinationMatched`,
//! `permitOnlyProjectScopedClusters`) in `pkg/apis/application/v1alpha1/app_project_types.go`, and
//! the destinations project-scoped clusters add (`util/argo/argo.go` `GetAppProjectByName`). How a
//! destination names its cluster is `argo::cluster`.
//!
//! Not modelled here: project-scoped repositories, which `GetAppProjectByName` appends to
//! `sourceRepos`; global projects, whose lists are appended too.

use super::cluster::{Cluster, get_project_clusters};
use super::giturl::normalize_git_url;
use super::gobwas::glob_match;

pub use super::cluster::{IN_CLUSTER_NAME, IN_CLUSTER_SERVER};

/// One `spec.destinations` entry, as parsed by the caller. An absent field is Go's `""`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DestinationRule {
    pub server: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

/// Which `sourceRepos` entry decided, by index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SourceVerdict {
    /// The first entry that matched; no deny entry rejected.
    Permitted { entry: usize },
    /// A `!` entry whose pattern matched the repository (the first one, where Argo CD stops).
    Denied { entry: usize },
    /// Nothing matched (always the case for an empty list).
    NotListed,
}

/// Which `destinations` entry decided, by index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DestinationVerdict {
    /// The first entry that matched; no entry rejected.
    Permitted { rule: usize },
    /// The first entry that rejected; Argo CD returns there.
    Denied { rule: usize },
    /// Nothing matched and nothing rejected.
    NotListed,
}

/// How a negated `name` rejects. The only difference between released Argo CD and master.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum NameDenyScope {
    /// Argo CD v3.0 through v3.5 (the `switch` introduced by argoproj/argo-cd#20045): Go binds `&&`
    /// tighter than `||`, so a `!name` entry rejects its cluster in every namespace.
    #[default]
    AnyNamespace,
    /// Master since argoproj/argo-cd#28854 (merged 2026-07-22, 3.6.0-dev): a `!name` entry rejects only
    /// where its `namespace` also matches, like a `!server` entry.
    MatchingNamespace,
}

/// `globMatch(pattern, value, allowNegation=true, separators…)`: a leading `!` inverts the gobwas match
/// of the rest (and skips the `*` shortcut); a bare `*` matches anything, even `""`.
fn glob_matches(pattern: &str, value: &str, separators: &[char]) -> bool {
    match pattern.strip_prefix('!') {
        Some(denied) => !glob_match(denied, value, separators),
        None => pattern == "*" || glob_match(pattern, value, separators),
    }
}

fn is_deny(pattern: &str) -> bool {
    pattern.starts_with('!')
}

/// The namespace the Argo CD control plane runs in, as installed by default: Applications there
/// may use any project, and their instance name is their plain name.
pub const CONTROL_PLANE_NAMESPACE: &str = "argocd";

/// `AppProject.IsAppNamespacePermitted` (`app_project_types.go`): an Application in the control
/// plane's namespace (or with none) may use the project; any other namespace must match one of
/// its `sourceNamespaces` (`glob.MatchStringInList` in `REGEXP` mode: `/re/` is a regular
/// expression, anything else a gobwas glob).
pub fn app_namespace_permitted(
    source_namespaces: &[String],
    namespace: &str,
    controller: &str,
) -> bool {
    if namespace.is_empty() || namespace == controller {
        return true;
    }
    source_namespaces.iter().any(|pattern| {
        let regex = pattern
            .strip_prefix('/')
            .and_then(|p| p.strip_suffix('/'))
            .filter(|_| pattern.len() >= 2);
        match regex {
            Some(re) if regex::Regex::new(re).is_ok_and(|r| r.is_match(namespace)) => true,
            _ => glob_match(pattern, namespace, &[]),
        }
    })
}

/// [`evaluate_source`] reduced to a yes/no.
pub fn source_permitted(source_repos: &[String], repo_url: &str) -> bool {
    matches!(
        evaluate_source(source_repos, repo_url),
        SourceVerdict::Permitted { .. }
    )
}

/// `IsSourcePermitted` (unchanged from v2.5's deny sources through master).
///
/// Both sides go through [`normalize_git_url`] (a `!` entry is normalised without its `!`), then a
/// gobwas glob with separator `/`: `*` stays within one path segment, `**` crosses them. An entry that
/// matches permits; a `!` entry whose pattern matches the repository rejects, whatever the order and
/// whatever else matched. The quirk: a `!` entry that does *not* match counts as a match, so a list
/// of deny entries alone permits every other repository, while an empty list permits nothing.
/// Since the `!` entry is normalised separately, one whose URL Go cannot parse becomes `!` + `""`
/// and permits every non-empty URL.
pub fn evaluate_source(source_repos: &[String], repo_url: &str) -> SourceVerdict {
    let repo = normalize_git_url(repo_url);
    let mut permitted = None;
    for (entry, pattern) in source_repos.iter().enumerate() {
        let pattern = match pattern.strip_prefix('!') {
            Some(denied) => format!("!{}", normalize_git_url(denied)),
            None => normalize_git_url(pattern),
        };
        if glob_matches(&pattern, &repo, &['/']) {
            permitted.get_or_insert(entry);
        } else if is_deny(&pattern) {
            return SourceVerdict::Denied { entry };
        }
    }
    permitted.map_or(SourceVerdict::NotListed, |entry| SourceVerdict::Permitted {
        entry,
    })
}

/// [`evaluate_destination`] with released Argo CD's name-deny rule, reduced to a yes/no.
pub fn destination_permitted(
    rules: &[DestinationRule],
    server: &str,
    cluster_name: &str,
    namespace: &str,
) -> bool {
    destination_permitted_with(
        NameDenyScope::default(),
        rules,
        server,
        cluster_name,
        namespace,
    )
}

/// [`destination_permitted`] for a chosen Argo CD line.
pub fn destination_permitted_with(
    scope: NameDenyScope,
    rules: &[DestinationRule],
    server: &str,
    cluster_name: &str,
    namespace: &str,
) -> bool {
    matches!(
        evaluate_destination(scope, rules, server, cluster_name, namespace),
        DestinationVerdict::Permitted { .. }
    )
}

/// `isDestinationMatched` for a resolved cluster (`server` and `cluster_name` from
/// `argo::cluster::get_destination_cluster`). `namespace` is the Application's destination namespace, or a resource's
/// own namespace at sync; it may be `""` (an Application without one), which only an entry whose
/// namespace is `*`, absent, or a `!pattern` not matching `""` admits. Argo CD does not call this for
/// cluster-scoped resources at sync (`IsResourcePermitted` skips it when the namespace is empty).
///
/// Each entry, in order, with gobwas globs without separators (`*` crosses `/`) and `!` inverting:
/// 1. it matches when (server matches OR name matches) AND namespace matches, where an absent field
///    is the pattern `""` and a dst name or server that is `""` never matches;
/// 2. else it rejects when `!name` failed (any namespace, or only a matching one: [`NameDenyScope`]),
///    or `!server` failed and the namespace matched;
/// 3. else it rejects when `!namespace` failed and the server matched (the name is not consulted).
///
/// A rejection returns at once; otherwise the result is whether any entry matched. Since each entry is
/// judged alone, order never changes the outcome. Quirks (argoproj/argo-cd#21264, #26743): a `!`
/// pattern that does not reject matches, so `{server: '!X', namespace: '*'}` alone admits every other
/// cluster, and `{server: '*', namespace: '!kube-system'}` admits every other namespace, even next to
/// an explicit allow list; an entry matching by `name` ignores its own `!server`; a `!namespace` on
/// an entry without `server` never rejects.
pub fn evaluate_destination(
    scope: NameDenyScope,
    rules: &[DestinationRule],
    server: &str,
    cluster_name: &str,
    namespace: &str,
) -> DestinationVerdict {
    let mut permitted = None;
    for (rule, item) in rules.iter().enumerate() {
        let item_name = item.name.as_deref().unwrap_or_default();
        let item_server = item.server.as_deref().unwrap_or_default();
        let item_namespace = item.namespace.as_deref().unwrap_or_default();
        let name_matched = !cluster_name.is_empty() && glob_matches(item_name, cluster_name, &[]);
        let server_matched = !server.is_empty() && glob_matches(item_server, server, &[]);
        let namespace_matched = glob_matches(item_namespace, namespace, &[]);

        let name_rejects = !name_matched && is_deny(item_name);
        let server_rejects = !server_matched && is_deny(item_server);
        let rejects_cluster = match scope {
            NameDenyScope::AnyNamespace => name_rejects || (server_rejects && namespace_matched),
            NameDenyScope::MatchingNamespace => {
                (name_rejects || server_rejects) && namespace_matched
            }
        };
        let rejects_namespace = !namespace_matched && is_deny(item_namespace) && server_matched;

        if (server_matched || name_matched) && namespace_matched {
            permitted.get_or_insert(rule);
        } else if rejects_cluster || rejects_namespace {
            return DestinationVerdict::Denied { rule };
        }
    }
    permitted.map_or(DestinationVerdict::NotListed, |rule| {
        DestinationVerdict::Permitted { rule }
    })
}

/// `GetAppProjectByName`: the destinations a cluster scoped to `project` adds to it —
/// `{server, namespace: '*'}` for a cluster without `namespaces`, else one entry per namespace —
/// each with the index of its cluster in `clusters`.
pub fn project_scoped_destinations(
    project: &str,
    clusters: &[Cluster],
) -> Vec<(DestinationRule, usize)> {
    let mut out = Vec::new();
    for cluster in get_project_clusters(project, clusters) {
        let index = clusters
            .iter()
            .position(|c| std::ptr::eq(c, cluster))
            .expect("a cluster of the list");
        let entry = |namespace: &str| DestinationRule {
            server: Some(cluster.url().to_string()),
            name: None,
            namespace: Some(namespace.to_string()),
        };
        if cluster.namespaces.is_empty() {
            out.push((entry("*"), index));
        } else {
            out.extend(cluster.namespaces.iter().map(|ns| (entry(ns), index)));
        }
    }
    out
}

/// What [`is_destination_permitted`] decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Permission {
    /// `isDestinationMatched` decided.
    Matched(DestinationVerdict),
    /// `rule` matched, but the project sets `permitOnlyProjectScopedClusters` and the cluster is
    /// not scoped to it.
    NotProjectScoped { rule: usize },
}

impl Permission {
    pub fn is_permitted(self) -> bool {
        matches!(
            self,
            Permission::Matched(DestinationVerdict::Permitted { .. })
        )
    }
}

/// `AppProject.IsDestinationPermitted` for a resolved cluster (`argo::cluster::get_destination_cluster`).
/// `rules` are the project's destinations with [`project_scoped_destinations`] appended. With
/// `permitOnlyProjectScopedClusters`, a matched destination must also be a cluster scoped to the
/// project (`GetProjectClusters`), by name or by server; nothing else changes.
pub fn is_destination_permitted(
    scope: NameDenyScope,
    rules: &[DestinationRule],
    permit_only_project_scoped_clusters: bool,
    project: &str,
    cluster: &Cluster,
    namespace: &str,
    clusters: &[Cluster],
) -> Permission {
    let verdict = evaluate_destination(scope, rules, cluster.url(), &cluster.name, namespace);
    match verdict {
        DestinationVerdict::Permitted { rule } if permit_only_project_scoped_clusters => {
            let scoped = get_project_clusters(project, clusters)
                .iter()
                .any(|c| c.name == cluster.name || c.url() == cluster.url());
            if scoped {
                Permission::Matched(verdict)
            } else {
                Permission::NotProjectScoped { rule }
            }
        }
        _ => Permission::Matched(verdict),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repos(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|e| e.to_string()).collect()
    }

    /// `server`, `name`, `namespace`; `""` stands for an absent field.
    fn rule(server: &str, name: &str, namespace: &str) -> DestinationRule {
        let field = |v: &str| (!v.is_empty()).then(|| v.to_string());
        DestinationRule {
            server: field(server),
            name: field(name),
            namespace: field(namespace),
        }
    }

    const REMOTE: &str = "https://remote.example.com";

    fn released(rules: &[DestinationRule], server: &str, name: &str, ns: &str) -> bool {
        destination_permitted(rules, server, name, ns)
    }

    fn master(rules: &[DestinationRule], server: &str, name: &str, ns: &str) -> bool {
        destination_permitted_with(NameDenyScope::MatchingNamespace, rules, server, name, ns)
    }

    /// Both Argo CD lines, and every rotation of the list: the order never matters.
    fn both(rules: &[DestinationRule], server: &str, name: &str, ns: &str) -> bool {
        let expected = released(rules, server, name, ns);
        for shift in 0..rules.len() {
            let mut rotated = rules.to_vec();
            rotated.rotate_left(shift);
            assert_eq!(released(&rotated, server, name, ns), expected, "order");
            assert_eq!(master(&rotated, server, name, ns), expected, "master");
            rotated.reverse();
            assert_eq!(released(&rotated, server, name, ns), expected, "order");
        }
        expected
    }

    // --- sourceRepos ---

    #[test]
    fn source_urls_are_normalised_on_both_sides() {
        let list = repos(&["https://github.com/org/repo"]);
        assert!(source_permitted(&list, "https://github.com/Org/Repo.git"));
        assert!(source_permitted(&list, "  HTTPS://GITHUB.COM/org/repo  "));
        let list = repos(&["https://GitHub.com/Org/Repo.git"]);
        assert!(source_permitted(&list, "https://github.com/org/repo"));
    }

    #[test]
    fn source_normalisation_keeps_schemes_and_trailing_slashes_apart() {
        let https = repos(&["https://github.com/org/repo"]);
        assert!(!source_permitted(&https, "git@github.com:org/repo"));
        assert!(!source_permitted(&https, "ssh://git@github.com/org/repo"));
        assert!(!source_permitted(&https, "https://github.com/org/repo/"));
        let scp = repos(&["git@github.com:org/repo.git"]);
        assert!(source_permitted(&scp, "ssh://git@github.com/org/repo"));
        assert!(source_permitted(&scp, "git@github.com:Org/Repo"));
        assert!(!source_permitted(&scp, "https://github.com/org/repo"));
    }

    #[test]
    fn source_globs_use_slash_as_separator() {
        let one = repos(&["https://github.com/org/*"]);
        assert!(source_permitted(&one, "https://github.com/org/repo"));
        assert!(source_permitted(&one, "https://github.com/org/repo.git"));
        assert!(!source_permitted(&one, "https://github.com/org/sub/repo"));
        assert!(!source_permitted(&one, "https://github.com/other/repo"));
        let deep = repos(&["https://github.com/org/**"]);
        assert!(source_permitted(&deep, "https://github.com/org/sub/repo"));
        let scp = repos(&["git@github.com:org/*"]);
        assert!(source_permitted(&scp, "git@github.com:org/repo.git"));
        assert!(!source_permitted(&scp, "git@github.com:org/a/b"));
    }

    #[test]
    fn source_star_permits_anything_and_empty_list_nothing() {
        let all = repos(&["*"]);
        assert!(source_permitted(&all, "https://example.com/x/y/z"));
        assert!(source_permitted(&all, ""));
        assert!(source_permitted(&all, "https://github.com/org/%zz"));
        assert_eq!(
            evaluate_source(&[], "https://github.com/org/repo"),
            SourceVerdict::NotListed
        );
    }

    #[test]
    fn source_braces_in_a_path_never_glob() {
        // url.Parse/String escapes the whole path, `*` too: the entry only matches itself escaped.
        let list = repos(&["https://github.com/{org1,org2}/*"]);
        assert!(!source_permitted(&list, "https://github.com/org1/repo"));
        // In the host, url.Parse fails and the entry normalises to "".
        let list = repos(&["https://{github,gitlab}.com/org/*"]);
        assert!(!source_permitted(&list, "https://github.com/org/repo"));
    }

    #[test]
    fn source_deny_wins_whatever_the_order() {
        for list in [
            repos(&["*", "!https://github.com/bad/*"]),
            repos(&["!https://github.com/bad/*", "*"]),
        ] {
            assert!(source_permitted(&list, "https://github.com/good/repo"));
            assert!(!source_permitted(&list, "https://github.com/bad/repo"));
        }
        // Deny beats an exact allow of the same repository.
        let list = repos(&["https://github.com/bad/repo", "!https://github.com/bad/*"]);
        assert_eq!(
            evaluate_source(&list, "https://github.com/bad/repo"),
            SourceVerdict::Denied { entry: 1 }
        );
    }

    #[test]
    fn source_deny_only_list_permits_everything_else() {
        let list = repos(&["!https://github.com/bad/*"]);
        assert_eq!(
            evaluate_source(&list, "https://github.com/good/repo"),
            SourceVerdict::Permitted { entry: 0 }
        );
        assert!(!source_permitted(&list, "https://github.com/bad/repo"));
        // The deny is glob-with-separator too: it does not reach into sub-paths.
        assert!(source_permitted(&list, "https://github.com/bad/sub/repo"));
        // And it is normalised: case and `.git` do not dodge it.
        assert!(!source_permitted(&list, "https://GitHub.com/Bad/Repo.git"));
        // Only the https form is denied; the scp form of the same repository is not.
        assert!(source_permitted(&list, "git@github.com:bad/repo"));
    }

    #[test]
    fn source_deny_edge_cases() {
        // `!*` (which ValidateProject refuses through the API, not through kubectl) inverts a `*` that
        // stops at `/`: it rejects no URL with a slash. `!**` rejects everything.
        assert!(source_permitted(&repos(&["*", "!*"]), "https://x/y"));
        assert!(!source_permitted(&repos(&["*", "!**"]), "https://x/y"));
        // A deny entry Go cannot parse becomes `!` + "": it matches every non-empty URL.
        let broken = repos(&["!https://github.com/bad/%zz"]);
        assert!(source_permitted(&broken, "https://github.com/bad/repo"));
        // Space before `!` makes it no deny at all (the whole entry fails to parse).
        let spaced = repos(&[" !https://github.com/bad/*", "*"]);
        assert!(source_permitted(&spaced, "https://github.com/bad/repo"));
    }

    // --- destinations: plain matching ---

    #[test]
    fn destination_server_glob() {
        let rules = [rule("https://*.example.com", "", "*")];
        assert!(both(&rules, "https://prod.example.com", "prod", "apps"));
        assert!(!both(&rules, "https://example.com", "prod", "apps"));
        // No separators for destinations: `*` crosses `/`.
        assert!(both(&rules, "https://x/y.example.com", "prod", "apps"));
    }

    #[test]
    fn destination_name_glob() {
        let rules = [rule("", "team-*", "*")];
        assert!(both(&rules, REMOTE, "team-a", "apps"));
        assert!(!both(&rules, REMOTE, "prod", "apps"));
        // A cluster without a name never matches a name pattern, not even `*`.
        assert!(!both(&[rule("", "*", "*")], REMOTE, "", "apps"));
    }

    #[test]
    fn destination_server_or_name_then_namespace() {
        // Either field admits the cluster, even when the other names a different one.
        let rules = [rule("https://elsewhere", IN_CLUSTER_NAME, "*")];
        assert!(both(&rules, IN_CLUSTER_SERVER, IN_CLUSTER_NAME, "apps"));
        let rules = [rule(IN_CLUSTER_SERVER, "", "team-*")];
        assert!(both(&rules, IN_CLUSTER_SERVER, IN_CLUSTER_NAME, "team-a"));
        assert!(!both(
            &rules,
            IN_CLUSTER_SERVER,
            IN_CLUSTER_NAME,
            "kube-system"
        ));
        assert!(!both(&[], IN_CLUSTER_SERVER, IN_CLUSTER_NAME, "apps"));
    }

    #[test]
    fn destination_without_namespace_field_admits_only_empty_namespace() {
        let rules = [rule("*", "", "")];
        assert!(!both(&rules, REMOTE, "remote", "apps"));
        assert!(both(&rules, REMOTE, "remote", ""));
    }

    #[test]
    fn destination_empty_namespace_for_cluster_scoped_checks() {
        assert!(both(&[rule("*", "", "*")], REMOTE, "remote", ""));
        assert!(!both(&[rule("*", "", "team-*")], REMOTE, "remote", ""));
        // `!kube-system` does not match "" as a pattern, so it admits "".
        assert!(both(&[rule("*", "", "!kube-system")], REMOTE, "remote", ""));
        assert!(both(&[rule("*", "", "{,apps}")], REMOTE, "remote", ""));
    }

    // --- destinations: negation ---

    #[test]
    fn destination_negated_namespace() {
        let rules = [rule("*", "", "!kube-system")];
        assert!(!both(&rules, REMOTE, "remote", "kube-system"));
        // The negated entry itself admits every other namespace.
        assert!(both(&rules, REMOTE, "remote", "apps"));
        assert_eq!(
            evaluate_destination(
                NameDenyScope::default(),
                &rules,
                REMOTE,
                "remote",
                "kube-system"
            ),
            DestinationVerdict::Denied { rule: 0 }
        );
    }

    #[test]
    fn destination_negated_namespace_widens_an_allow_list() {
        // argoproj/argo-cd#26743 (open fix #26772): deny entries added to an allow list admit
        // every namespace they do not name.
        let rules = [
            rule("*", "", "allowed-ns"),
            rule("*", "", "!kyverno"),
            rule("*", "", "!argocd"),
        ];
        assert!(both(&rules, REMOTE, "remote", "allowed-ns"));
        assert!(both(&rules, REMOTE, "remote", "not-allowed-ns"));
        assert!(!both(&rules, REMOTE, "remote", "kyverno"));
        assert!(!both(&rules, REMOTE, "remote", "argocd"));
    }

    #[test]
    fn destination_bang_star_rejects_everything_on_matching_servers() {
        let rules = [rule("*", "", "*"), rule("*", "", "!*")];
        assert!(!both(&rules, REMOTE, "remote", "apps"));
        assert!(!both(&rules, REMOTE, "remote", ""));
    }

    #[test]
    fn destination_server_deny_needs_its_namespace() {
        // argoproj/argo-cd#19804, fixed by #20045: the `!server` entry for namespace `other` no longer
        // rejects the cluster in namespace `test`.
        let rules = [
            rule("*", "", "test"),
            rule("!https://test-server", "", "other"),
        ];
        assert!(both(&rules, "https://test-server", "test-server", "test"));
        assert!(!both(&rules, "https://test-server", "test-server", "other"));
        assert!(both(&rules, "https://prod", "prod", "other"));
    }

    #[test]
    fn destination_name_match_ignores_the_entrys_own_negated_server() {
        let rules = [rule("!https://prod", "prod", "*")];
        assert!(both(&rules, "https://prod", "prod", "apps"));
    }

    // --- destinations: argoproj/argo-cd#21264 ---

    #[test]
    fn issue_21264_deny_only_server_entry_admits_every_other_cluster() {
        // The issue's project: `{namespace: '*', server: '!https://kubernetes.default.svc'}`. Nothing
        // allows a remote cluster, yet the negated entry matches it in every namespace.
        let rules = [rule("!https://kubernetes.default.svc", "", "*")];
        assert!(both(&rules, REMOTE, "remote", "anything"));
        assert!(both(&rules, REMOTE, "remote", "kube-system"));
        assert!(!both(&rules, IN_CLUSTER_SERVER, IN_CLUSTER_NAME, "default"));
    }

    #[test]
    fn issue_21264_server_deny_beats_a_name_allow_of_the_same_cluster() {
        let rules = [
            rule("!https://kubernetes.default.svc", "", "*"),
            rule("", IN_CLUSTER_NAME, "default"),
        ];
        assert!(!both(&rules, IN_CLUSTER_SERVER, IN_CLUSTER_NAME, "default"));
        assert!(both(&rules, REMOTE, "remote", "default"));
    }

    #[test]
    fn issue_21264_negated_name_rejects_in_every_namespace_until_28854() {
        let rules = [rule("", "!prod", "team-a"), rule("*", "", "*")];
        // Released v3.x: the `!prod` entry rejects `prod` even in a namespace it does not mention.
        assert!(!released(&rules, "https://prod", "prod", "other"));
        assert!(!released(&rules, "https://prod", "prod", "team-a"));
        // Master since #28854: only in the entry's own namespace.
        assert!(master(&rules, "https://prod", "prod", "other"));
        assert!(!master(&rules, "https://prod", "prod", "team-a"));
        // Other clusters: the negated entry admits them in `team-a`, `*` everywhere.
        assert!(both(&rules, "https://dev", "dev", "other"));
        assert!(both(
            &[rule("", "!prod", "team-a")],
            "https://dev",
            "dev",
            "team-a"
        ));
        assert!(!both(
            &[rule("", "!prod", "team-a")],
            "https://dev",
            "dev",
            "other"
        ));
    }

    #[test]
    fn issue_21264_negated_name_rejects_a_cluster_without_name() {
        // `dst.Name != ""` guards the match, not the rejection.
        let rules = [rule("", "!prod", "*"), rule("*", "", "*")];
        assert!(!both(&rules, REMOTE, "", "apps"));
    }

    #[test]
    fn issue_21264_negated_namespace_on_a_name_entry_never_rejects() {
        // The namespace rejection requires the entry's server to match; a name-only entry has none.
        let by_name = [
            rule("", IN_CLUSTER_NAME, "!kube-system"),
            rule("*", "", "*"),
        ];
        assert!(both(
            &by_name,
            IN_CLUSTER_SERVER,
            IN_CLUSTER_NAME,
            "kube-system"
        ));
        // Alone, it neither rejects nor admits kube-system; it admits every other namespace.
        let alone = [rule("", IN_CLUSTER_NAME, "!kube-system")];
        assert_eq!(
            evaluate_destination(
                NameDenyScope::default(),
                &alone,
                IN_CLUSTER_SERVER,
                IN_CLUSTER_NAME,
                "kube-system"
            ),
            DestinationVerdict::NotListed
        );
        assert!(both(&alone, IN_CLUSTER_SERVER, IN_CLUSTER_NAME, "apps"));
        // The same entry written with `server` does reject.
        let by_server = [
            rule(IN_CLUSTER_SERVER, "", "!kube-system"),
            rule("*", "", "*"),
        ];
        assert!(!both(
            &by_server,
            IN_CLUSTER_SERVER,
            IN_CLUSTER_NAME,
            "kube-system"
        ));
    }

    // --- permitOnlyProjectScopedClusters and project-scoped clusters ---

    fn scoped(name: &str, server: &str, project: &str, namespaces: &[&str]) -> Cluster {
        Cluster {
            project: project.into(),
            namespaces: namespaces.iter().map(|n| n.to_string()).collect(),
            ..Cluster::new(name, server)
        }
    }

    /// `GetAppProjectByName`: a project-scoped cluster adds `{server, namespace: '*'}`, or one entry
    /// per namespace of the cluster; other projects' clusters add nothing.
    #[test]
    fn get_app_project_by_name_appends_project_clusters() {
        let clusters = [
            scoped("a", "https://a/", "p", &[]),
            scoped("b", "https://b", "p", &["x", "y"]),
            scoped("c", "https://c", "other", &[]),
        ];
        let added: Vec<_> = project_scoped_destinations("p", &clusters)
            .into_iter()
            .map(|(rule, cluster)| (rule.server.unwrap(), rule.namespace.unwrap(), cluster))
            .collect();
        assert_eq!(
            added,
            vec![
                ("https://a".into(), "*".into(), 0),
                ("https://b".into(), "x".into(), 1),
                ("https://b".into(), "y".into(), 1)
            ]
        );
    }

    fn permitted(
        rules: &[DestinationRule],
        only_scoped: bool,
        cluster: &Cluster,
        ns: &str,
        clusters: &[Cluster],
    ) -> Permission {
        is_destination_permitted(
            NameDenyScope::default(),
            rules,
            only_scoped,
            "p",
            cluster,
            ns,
            clusters,
        )
    }

    /// `IsDestinationPermitted`, branch by branch.
    #[test]
    fn is_destination_permitted_with_permit_only_project_scoped_clusters() {
        let rules = [rule("*", "", "*")];
        let local = Cluster::local();
        // Off: isDestinationMatched alone.
        assert_eq!(
            permitted(&rules, false, &local, "apps", &[]),
            Permission::Matched(DestinationVerdict::Permitted { rule: 0 })
        );
        // On, but nothing matched: the destinations decide, project clusters are not consulted.
        assert_eq!(
            permitted(&[], true, &local, "apps", &[]),
            Permission::Matched(DestinationVerdict::NotListed)
        );
        // On, matched, the cluster not scoped to the project.
        assert_eq!(
            permitted(&rules, true, &local, "apps", &[]),
            Permission::NotProjectScoped { rule: 0 }
        );
        let other = [scoped("in-cluster", IN_CLUSTER_SERVER, "other", &[])];
        assert_eq!(
            permitted(&rules, true, &local, "apps", &other),
            Permission::NotProjectScoped { rule: 0 }
        );
        // On, matched, scoped: by server or by name.
        let by_server = [scoped(
            "elsewhere",
            "https://kubernetes.default.svc/",
            "p",
            &[],
        )];
        assert!(permitted(&rules, true, &local, "apps", &by_server).is_permitted());
        let by_name = [scoped("in-cluster", "https://other", "p", &[])];
        assert!(permitted(&rules, true, &local, "apps", &by_name).is_permitted());
        // A scoped cluster without a name matches a destination cluster without one (`"" == ""`).
        let nameless = Cluster {
            name: String::new(),
            ..Cluster::new("", "https://x")
        };
        let unnamed = [scoped("", "https://y", "p", &[])];
        assert!(permitted(&rules, true, &nameless, "apps", &unnamed).is_permitted());
    }
}
