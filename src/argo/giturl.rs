//! Repository URL normalisation (`util/git/git.go`, `NormalizeGitURL` and `IsSSHURL`).

/// Argo CD's `NormalizeGitURL`: lowercase and trimmed; scp-style `user@host:path` becomes
/// `user@host/path`; a trailing `.git` and the `ssh://` scheme are dropped.
pub fn normalize_git_url(url: &str) -> String {
    let mut repo = url.trim().to_lowercase();
    if is_ssh_url(&repo) && !repo.starts_with("ssh://") {
        repo = repo.replacen(':', "/", 1);
    }
    let repo = repo.strip_prefix("ssh://").unwrap_or(&repo);
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    repo.to_string()
}

/// `IsSSHURL`: `ssh://...` or a `user@host...` form without another `@`.
fn is_ssh_url(url: &str) -> bool {
    let rest = url.strip_prefix("ssh://").unwrap_or(url);
    match rest.split_once('@') {
        Some((user, host)) => !user.contains('/') && !user.contains(':') && !host.contains('@'),
        None => false,
    }
}

/// Whether two repository URLs name the same repository for mapping it to a local tree: equal after
/// [`normalize_git_url`] once scheme and user are set aside, so the `git@host:org/repo` remote of a
/// local clone maps the `https://host/org/repo.git` an Application names.
pub fn same_repository(a: &str, b: &str) -> bool {
    host_and_path(a) == host_and_path(b)
}

fn host_and_path(url: &str) -> String {
    let normalized = normalize_git_url(url);
    let without_scheme = normalized
        .split_once("://")
        .map_or(normalized.as_str(), |(_, rest)| rest);
    let without_user = without_scheme
        .split_once('@')
        .map_or(without_scheme, |(_, rest)| rest);
    without_user.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_matches_argo() {
        assert_eq!(
            normalize_git_url("https://github.com/Org/Repo.git"),
            "https://github.com/org/repo"
        );
        assert_eq!(
            normalize_git_url("  https://github.com/org/repo "),
            "https://github.com/org/repo"
        );
        assert_eq!(
            normalize_git_url("git@github.com:org/repo.git"),
            "git@github.com/org/repo"
        );
        assert_eq!(
            normalize_git_url("ssh://git@github.com/org/repo.git"),
            "git@github.com/org/repo"
        );
        assert_eq!(
            normalize_git_url("https://user@host/org/repo"),
            "https://user@host/org/repo"
        );
    }

    #[test]
    fn same_repository_across_schemes() {
        assert!(same_repository(
            "git@github.com:ameideio/ameide-gitops.git",
            "https://github.com/ameideio/ameide-gitops"
        ));
        assert!(same_repository(
            "https://GitHub.com/ameideio/ameide-gitops.git",
            "https://github.com/ameideio/ameide-gitops"
        ));
        assert!(same_repository(
            "ssh://git@github.com/a/b",
            "https://github.com/a/b/"
        ));
        assert!(!same_repository(
            "https://github.com/a/b",
            "https://github.com/a/c"
        ));
    }
}
