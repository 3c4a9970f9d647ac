//! Repository URL normalisation (`util/git/git.go`, `NormalizeGitURL` and `IsSSHURL`).

/// Argo CD's `NormalizeGitURL`: lowercased and trimmed; scp-style `user@host:path` becomes
/// `user@host/path`; a trailing `.git` is dropped; then the string goes through Go's `url.Parse` and
/// `URL.String()` and loses a leading `ssh://`. That round trip is not the identity: a path holding a
/// character Go must escape (`{`, `}`, `\`, space, non-ASCII…) comes back fully escaped, `*` included,
/// and a URL Go cannot parse (bad `%` escape, non-numeric port, `{` in the host…) normalises to `""`.
/// A trailing `/` is kept: `…/repo/` and `…/repo` differ.
pub fn normalize_git_url(url: &str) -> String {
    // Go's `strings.ToLower` maps rune by rune: no final-sigma rule, and U+0130 becomes a plain `i`.
    let mut repo = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            '\u{130}' => repo.push('i'),
            c => repo.extend(c.to_lowercase()),
        }
    }
    if is_ssh_url(&repo) && !repo.starts_with("ssh://") {
        // So that url.Parse does not read the scp-style `:` as a port.
        repo = format!("ssh://{}", repo.replacen(':', "/", 1));
    }
    let repo = repo.strip_suffix(".git").unwrap_or(&repo);
    match go_url::round_trip(repo) {
        Some(normalized) => match normalized.strip_prefix("ssh://") {
            Some(rest) => rest.to_string(),
            None => normalized,
        },
        None => String::new(),
    }
}

/// `IsSSHURL`, the regexp `^(ssh://)?([^/:]*?)@[^@]+$`: optional `ssh://`, then everything before the
/// last `@` free of `/` and `:`, and at least one character after it.
fn is_ssh_url(url: &str) -> bool {
    let rest = url.strip_prefix("ssh://").unwrap_or(url);
    match rest.rsplit_once('@') {
        Some((user, host)) => !host.is_empty() && !user.contains(['/', ':']),
        None => false,
    }
}

/// Whether two repository URLs name the same repository for mapping it to a local tree: equal after
/// [`normalize_git_url`] once scheme and user are set aside, so the `git@host:org/repo` remote of a
/// local clone maps the `https://host/org/repo.git` an Application names. URLs that do not normalise
/// (`""`) match nothing, like Argo CD's `SameURL`.
pub fn same_repository(a: &str, b: &str) -> bool {
    let (a, b) = (host_and_path(a), host_and_path(b));
    !a.is_empty() && a == b
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

/// Go's `net/url`: `Parse(s)` then `(*URL).String()`, the parts `NormalizeGitURL` depends on.
mod go_url {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Path,
        Host,
        UserPassword,
        Fragment,
    }

    #[derive(Default)]
    struct Url {
        scheme: String,
        opaque: String,
        user: Option<(Vec<u8>, Option<Vec<u8>>)>,
        host: Vec<u8>,
        path: Vec<u8>,
        raw_path: String,
        omit_host: bool,
        force_query: bool,
        raw_query: String,
        fragment: Vec<u8>,
        raw_fragment: String,
    }

    pub fn round_trip(raw: &str) -> Option<String> {
        parse(raw).map(|url| url.string())
    }

    fn parse(raw: &str) -> Option<Url> {
        let (rest, fragment) = match raw.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (raw, None),
        };
        let mut url = parse_without_fragment(rest)?;
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            url.fragment = unescape(fragment, Mode::Fragment)?;
            if escape(&url.fragment, Mode::Fragment) != fragment {
                url.raw_fragment = fragment.to_string();
            }
        }
        Some(url)
    }

    fn parse_without_fragment(raw: &str) -> Option<Url> {
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return None;
        }
        let mut url = Url::default();
        if raw == "*" {
            url.path = b"*".to_vec();
            return Some(url);
        }
        let (scheme, rest) = split_scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        let mut rest = rest;
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((before, query)) = rest.split_once('?') {
            url.raw_query = query.to_string();
            rest = before;
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Some(url);
            }
            // A relative reference's first segment cannot hold a colon.
            if rest.split('/').next().is_some_and(|s| s.contains(':')) {
                return None;
            }
        }
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let authority = &rest[2..];
            let (authority, path) = match authority.find('/') {
                Some(i) => authority.split_at(i),
                None => (authority, ""),
            };
            parse_authority(authority, &mut url)?;
            rest = path;
        } else if !url.scheme.is_empty() && rest.starts_with('/') {
            url.omit_host = true;
        }
        url.path = unescape(rest, Mode::Path)?;
        if escape(&url.path, Mode::Path) != rest {
            url.raw_path = rest.to_string();
        }
        Some(url)
    }

    /// `getScheme`: letters, then letters, digits, `+`, `-`, `.` up to a `:`; no scheme otherwise.
    fn split_scheme(raw: &str) -> Option<(&str, &str)> {
        for (i, c) in raw.bytes().enumerate() {
            match c {
                b'a'..=b'z' | b'A'..=b'Z' => {}
                b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
                b':' if i == 0 => return None,
                b':' => return Some((&raw[..i], &raw[i + 1..])),
                _ => return Some(("", raw)),
            }
        }
        Some(("", raw))
    }

    fn parse_authority(authority: &str, url: &mut Url) -> Option<()> {
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        url.host = parse_host(host)?;
        if let Some(userinfo) = userinfo {
            let valid = userinfo
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b));
            if !valid {
                return None;
            }
            url.user = Some(match userinfo.split_once(':') {
                Some((user, password)) => (
                    unescape(user, Mode::UserPassword)?,
                    Some(unescape(password, Mode::UserPassword)?),
                ),
                None => (unescape(userinfo, Mode::UserPassword)?, None),
            });
        }
        Some(())
    }

    fn parse_host(host: &str) -> Option<Vec<u8>> {
        let port = if host.starts_with('[') {
            &host[host.rfind(']')? + 1..]
        } else {
            host.rfind(':').map_or("", |i| &host[i..])
        };
        let valid_port = port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()));
        if !valid_port {
            return None;
        }
        unescape(host, Mode::Host)
    }

    fn should_escape(c: u8, mode: Mode) -> bool {
        if c.is_ascii_alphanumeric() {
            return false;
        }
        if mode == Mode::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
            return false;
        }
        match c {
            b'-' | b'_' | b'.' | b'~' => return false,
            b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
                Mode::Path => return c == b'?',
                Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => return false,
                Mode::Host => {}
            },
            _ => {}
        }
        !(mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
    }

    fn unescape(s: &str, mode: Mode) -> Option<Vec<u8>> {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                let hi = (*bytes.get(i + 1)? as char).to_digit(16)?;
                let lo = (*bytes.get(i + 2)? as char).to_digit(16)?;
                // In a host, `%` may only encode non-ASCII bytes (or `%25`).
                if mode == Mode::Host && hi < 8 && &s[i..i + 3] != "%25" {
                    return None;
                }
                out.push((hi * 16 + lo) as u8);
                i += 3;
            } else {
                if mode == Mode::Host && b < 0x80 && should_escape(b, mode) {
                    return None;
                }
                out.push(b);
                i += 1;
            }
        }
        Some(out)
    }

    fn escape(bytes: &[u8], mode: Mode) -> String {
        let mut out = String::with_capacity(bytes.len());
        for &b in bytes {
            if should_escape(b, mode) {
                out.push_str(&format!("%{b:02X}"));
            } else {
                out.push(b as char);
            }
        }
        out
    }

    /// `validEncoded`: the raw form may be kept as written.
    fn valid_encoded(s: &str, mode: Mode) -> bool {
        s.bytes()
            .all(|b| b"!$&'()*+,;=:@[]%".contains(&b) || !should_escape(b, mode))
    }

    fn escaped(raw: &str, decoded: &[u8], mode: Mode) -> String {
        if !raw.is_empty()
            && valid_encoded(raw, mode)
            && unescape(raw, mode).as_deref() == Some(decoded)
        {
            return raw.to_string();
        }
        escape(decoded, mode)
    }

    impl Url {
        fn string(&self) -> String {
            let mut buf = String::new();
            if !self.scheme.is_empty() {
                buf.push_str(&self.scheme);
                buf.push(':');
            }
            if !self.opaque.is_empty() {
                buf.push_str(&self.opaque);
            } else {
                let authority =
                    !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some();
                if authority && !(self.omit_host && self.host.is_empty() && self.user.is_none()) {
                    if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                        buf.push_str("//");
                    }
                    if let Some((user, password)) = &self.user {
                        buf.push_str(&escape(user, Mode::UserPassword));
                        if let Some(password) = password {
                            buf.push(':');
                            buf.push_str(&escape(password, Mode::UserPassword));
                        }
                        buf.push('@');
                    }
                    buf.push_str(&escape(&self.host, Mode::Host));
                }
                let path = if self.path == b"*" && self.raw_path.is_empty() {
                    "*".to_string()
                } else {
                    escaped(&self.raw_path, &self.path, Mode::Path)
                };
                if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                    buf.push('/');
                }
                if buf.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
                    buf.push_str("./");
                }
                buf.push_str(&path);
            }
            if self.force_query || !self.raw_query.is_empty() {
                buf.push('?');
                buf.push_str(&self.raw_query);
            }
            if !self.fragment.is_empty() {
                buf.push('#');
                buf.push_str(&escaped(&self.raw_fragment, &self.fragment, Mode::Fragment));
            }
            buf
        }
    }
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
    fn scheme_forms_stay_distinct() {
        // Argo compares normalised strings: https and scp-style SSH never become equal.
        assert_ne!(
            normalize_git_url("https://github.com/org/repo"),
            normalize_git_url("git@github.com:org/repo")
        );
        assert_eq!(
            normalize_git_url("ssh://git@github.com/org/repo"),
            normalize_git_url("git@github.com:org/repo")
        );
        // `ssh://` without a user is not an SSH URL, but the prefix is still trimmed at the end.
        assert_eq!(normalize_git_url("ssh://host/org/repo"), "host/org/repo");
    }

    #[test]
    fn trailing_slash_and_git_suffix() {
        assert_eq!(
            normalize_git_url("https://github.com/org/repo/"),
            "https://github.com/org/repo/"
        );
        // `.git` is only stripped at the very end, before url.Parse.
        assert_eq!(
            normalize_git_url("https://github.com/org/repo.git/"),
            "https://github.com/org/repo.git/"
        );
        assert_eq!(
            normalize_git_url("https://github.com/org/repo.GIT"),
            "https://github.com/org/repo"
        );
    }

    #[test]
    fn ssh_detection_follows_the_regexp() {
        assert!(is_ssh_url("git@github.com:org/repo"));
        assert!(is_ssh_url("ssh://git@github.com/org/repo"));
        assert!(!is_ssh_url("https://user@host/org/repo"));
        assert!(!is_ssh_url("git@"));
        // The user part may contain `@`: only the last `@` separates.
        assert!(is_ssh_url("a@b@host:org/repo"));
        assert_eq!(
            normalize_git_url("a@b@host:org/repo"),
            "a%40b@host/org/repo"
        );
    }

    #[test]
    fn go_url_round_trip_escapes_and_failures() {
        // Globs survive when the path is otherwise valid-encoded…
        assert_eq!(
            normalize_git_url("https://github.com/org/*"),
            "https://github.com/org/*"
        );
        assert_eq!(
            normalize_git_url("https://github.com/org/[a-c]*"),
            "https://github.com/org/[a-c]*"
        );
        // …but one character Go must escape re-escapes the whole path, `*` included.
        assert_eq!(
            normalize_git_url("https://github.com/{a,b}/*"),
            "https://github.com/%7Ba,b%7D/%2A"
        );
        assert_eq!(
            normalize_git_url("https://github.com/my org/repo"),
            "https://github.com/my%20org/repo"
        );
        // Unparseable: invalid escape, bad port, `{` in the host, scp colon after `ssh://`.
        assert_eq!(normalize_git_url("https://github.com/org/%zz"), "");
        assert_eq!(normalize_git_url("https://github.com:abc/org/repo"), "");
        assert_eq!(normalize_git_url("https://{a,b}.com/org/repo"), "");
        assert_eq!(normalize_git_url("ssh://git@github.com:org/repo"), "");
        // `?` and `#` are query and fragment, kept as written.
        assert_eq!(
            normalize_git_url("https://github.com/org/re?o"),
            "https://github.com/org/re?o"
        );
        assert_eq!(
            normalize_git_url("https://github.com/org/repo#x"),
            "https://github.com/org/repo#x"
        );
        assert_eq!(normalize_git_url("*"), "*");
        assert_eq!(normalize_git_url("**"), "**");
        assert_eq!(normalize_git_url(""), "");
        // An explicit port and a percent-escape are kept.
        assert_eq!(
            normalize_git_url("ssh://git@host:2222/org/repo"),
            "git@host:2222/org/repo"
        );
        assert_eq!(
            normalize_git_url("https://host/org/my%2Drepo"),
            "https://host/org/my%2drepo"
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
        assert!(!same_repository("https://x/%zz", "https://y/%zz"));
    }
}
