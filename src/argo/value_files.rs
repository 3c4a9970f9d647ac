//! Where Argo CD v3.5.1 reads Helm value files and file parameters from:
//! `getResolvedValueFiles`, `getResolvedRefValueFile`, `getReferencedSourceName`, `isGlobPath`,
//! `verifyGlobMatchesWithinRoot` (`reposerver/repository/repository.go`), and
//! `ResolveValueFilePathOrUrl` with `resolveFileOrDirectory` and `resolveSymbolicLinkRecursive`
//! (`util/io/path/resolved.go`). The scheme test is Go's `net/url.Parse` as it applies here.
//!
//! Like the Go code, these read the file system (`os.Readlink`, `os.Stat`,
//! `filepath.EvalSymlinks`, and the glob of [`super::doublestar`]).

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::doublestar::{self, clean};
use super::helm::Env;

/// `helm.valuesFileSchemes` when `argocd-cm` does not set it (`GetHelmSettings`).
pub const DEFAULT_VALUES_FILE_SCHEMES: &[&str] = &["https", "http"];

/// A resolved value file: always an absolute path or a URL (`pathutil.ResolvedFilePath`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resolved {
    Local(PathBuf),
    Remote(String),
}

impl Resolved {
    pub fn as_arg(&self) -> String {
        match self {
            Resolved::Local(path) => path.display().to_string(),
            Resolved::Remote(url) => url.clone(),
        }
    }
}

/// `ResolveValueFilePathOrUrl(appPath, repoRoot, valueFile, allowedURLSchemes)`: a URL with an
/// allowed scheme stays a URL; a relative path is joined to `app_path`, an absolute one to
/// `repo_root`; a final symbolic link is followed; the result must lie inside `repo_root`.
pub fn resolve_value_file_path_or_url(
    app_path: &Path,
    repo_root: &Path,
    value_file: &str,
    allowed_schemes: &[&str],
) -> Result<Resolved, String> {
    if let Some(scheme) = url_scheme(value_file) {
        return if is_url_scheme_allowed(&scheme, allowed_schemes) {
            Ok(Resolved::Remote(value_file.to_string()))
        } else {
            Err(format!("the URL scheme '{scheme}' is not allowed"))
        };
    }
    resolve_file_or_directory(app_path, repo_root, value_file, false).map(Resolved::Local)
}

/// `isURLSchemeAllowed`: case-insensitive, never the empty scheme.
fn is_url_scheme_allowed(scheme: &str, allowed: &[&str]) -> bool {
    !scheme.is_empty() && allowed.iter().any(|a| a.eq_ignore_ascii_case(scheme))
}

/// `resolveFileOrDirectory`.
fn resolve_file_or_directory(
    app_path: &Path,
    repo_root: &Path,
    file: &str,
    allow_resolve_to_root: bool,
) -> Result<PathBuf, String> {
    let root = abs(repo_root);
    let path = if file.starts_with('/') {
        go_join(&root, file)
    } else {
        go_join(&abs(app_path), file)
    };
    let path = resolve_symbolic_link_recursive(&path, 10)
        .map_err(|e| format!("cannot resolve {file}: {e}"))?;
    let path = abs(&path);
    let mut required = root.as_os_str().as_bytes().to_vec();
    if required.last() != Some(&b'/') {
        required.push(b'/');
    }
    let mut with_slash = path.as_os_str().as_bytes().to_vec();
    with_slash.push(b'/');
    if with_slash == required {
        if !allow_resolve_to_root {
            return Err(format!(
                "{file} resolved to the repository root, which is not allowed"
            ));
        }
    } else if !path.as_os_str().as_bytes().starts_with(&required) {
        return Err(format!("file '{file}' resolved to outside repository root"));
    }
    Ok(path)
}

/// `resolveSymbolicLinkRecursive`: follows `path` while it is a symbolic link, at most
/// `max_depth` times; a relative target is joined to the link's directory.
fn resolve_symbolic_link_recursive(path: &Path, max_depth: usize) -> Result<PathBuf, String> {
    let Ok(target) = std::fs::read_link(path) else {
        return Ok(path.to_path_buf());
    };
    if max_depth == 0 {
        return Err("maximum nesting level reached".into());
    }
    let resolved = if target.as_os_str().as_bytes().starts_with(b"/") {
        target
    } else {
        let dir = path.parent().unwrap_or(Path::new("/"));
        go_join(dir, &target.to_string_lossy())
    };
    resolve_symbolic_link_recursive(&resolved, max_depth - 1)
}

/// Go's `filepath.Join(dir, rel)`: joined and cleaned.
fn go_join(dir: &Path, rel: &str) -> PathBuf {
    let mut joined = dir.as_os_str().as_bytes().to_vec();
    if !rel.is_empty() {
        joined.push(b'/');
        joined.extend_from_slice(rel.as_bytes());
    }
    bytes_path(&clean(&joined))
}

/// Go's `filepath.Abs`.
fn abs(path: &Path) -> PathBuf {
    let bytes = path.as_os_str().as_bytes();
    if bytes.starts_with(b"/") {
        return bytes_path(&clean(bytes));
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    go_join(&cwd, &path.to_string_lossy())
}

fn bytes_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// The scheme of `raw` when Go's `url.Parse(raw)` succeeds with one (lower-cased), else `None`
/// (a plain path). `url.Parse` fails, so the text counts as a path, on control characters, a
/// leading `:`, a bad `%` escape, or an authority with a bad host or port.
pub fn url_scheme(raw: &str) -> Option<String> {
    let (url, fragment) = raw.split_once('#').unwrap_or((raw, ""));
    if url.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None;
    }
    // getScheme
    let mut scheme = None;
    for (i, c) in url.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i > 0 => {
                scheme = Some(i);
                break;
            }
            _ => break,
        }
    }
    let end = scheme?;
    let rest = &url[end + 1..];
    if !valid_escapes(fragment) {
        return None;
    }
    let rest = match rest.split_once('?') {
        Some((path, _)) if !(rest.ends_with('?') && rest.matches('?').count() == 1) => path,
        _ => rest.strip_suffix('?').unwrap_or(rest),
    };
    // An opaque URL (`scheme:rest`) is not checked further.
    if !rest.starts_with('/') {
        return Some(url[..end].to_ascii_lowercase());
    }
    let path = if let Some(authority) = rest.strip_prefix("//") {
        let (authority, path) = match authority.find('/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        };
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if !valid_host(host) {
            return None;
        }
        path
    } else {
        rest
    };
    valid_escapes(path).then(|| url[..end].to_ascii_lowercase())
}

/// Every `%` starts two hex digits (`unescape`).
fn valid_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !b[i + 1].is_ascii_hexdigit() || !b[i + 2].is_ascii_hexdigit() {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// `parseHost`: a bracketed IPv6 literal needs its `]`, a port only digits, and the name only
/// the characters `unescape(…, encodeHost)` accepts.
fn valid_host(host: &str) -> bool {
    let port_ok = |port: &str| port.is_empty() || port[1..].bytes().all(|b| b.is_ascii_digit());
    if let Some(bracketed) = host.strip_prefix('[') {
        let Some(close) = bracketed.rfind(']') else {
            return false;
        };
        let after = &bracketed[close + 1..];
        return (after.is_empty() || after.starts_with(':')) && port_ok(after);
    }
    let (name, port) = match host.rfind(':') {
        Some(i) => (&host[..i], &host[i..]),
        None => (host, ""),
    };
    port_ok(port)
        && valid_escapes(name)
        && name.bytes().all(|b| {
            b >= 0x80 || b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"%".contains(&b)
        })
}

/// `getReferencedSourceName`: `$name` of `$name/...`, for a value file starting with `$`.
pub fn get_referenced_source_name(raw: &str) -> Option<&str> {
    raw.starts_with('$')
        .then(|| raw.split('/').next().unwrap_or(raw))
}

/// `isGlobPath`: `*`, `?` or `[` anywhere.
pub fn is_glob_path(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// The ref sources of the request (`q.RefSources`): for a `$name`, `None` when no source has that
/// ref, else the directory its repository is checked out in (`gitRepoPaths`), or why there is
/// none.
pub type RefSources<'a> = &'a dyn Fn(&str) -> Option<Result<PathBuf, String>>;

/// `getResolvedRefValueFile`: `$name/rest` is `/rest` (environment substituted) inside the ref
/// source's repository.
pub fn get_resolved_ref_value_file(
    raw: &str,
    env: &Env,
    allowed_schemes: &[&str],
    repo_path: Result<PathBuf, String>,
) -> Result<Resolved, String> {
    let repo_path = repo_path?;
    let mut parts: Vec<&str> = raw.split('/').collect();
    parts[0] = "";
    let substituted = env.envsubst(&parts.join("/"));
    resolve_value_file_path_or_url(&repo_path, &repo_path, &substituted, allowed_schemes)
}

/// Why `getResolvedValueFiles` failed, and for which raw value file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueFileError {
    /// Index into the raw value files.
    pub index: usize,
    pub kind: ValueFileErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFileErrorKind {
    /// The path or URL is not allowed or cannot be resolved.
    Unresolved,
    /// `GlobNoMatchError`: a glob matched nothing (and missing files are not ignored).
    GlobNoMatch,
}

/// One entry of the resolved list, with the raw value file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueFile {
    pub resolved: Resolved,
    pub index: usize,
}

/// `getResolvedValueFiles`, with the environment `env` and `q.RefSources` as `refs`:
/// - each raw value file is resolved: `$name/…` of a ref source in that source's repository
///   (substituted after), anything else substituted, then [`resolve_value_file_path_or_url`];
/// - a local path with `*?[` is a glob (`doublestar.FilepathGlob`): no match is an error unless
///   missing files are ignored; every match must resolve inside its repository; a match that is
///   also listed explicitly is left for its explicit position;
/// - a missing local file is skipped when `ignore_missing`, else kept (Helm then fails on it);
/// - a path already listed is not listed again.
pub fn get_resolved_value_files(
    app_path: &Path,
    repo_root: &Path,
    env: &Env,
    allowed_schemes: &[&str],
    raw_value_files: &[String],
    refs: RefSources<'_>,
    ignore_missing: bool,
) -> Result<Vec<ValueFile>, ValueFileError> {
    let resolve = |raw: &str| -> (Result<Resolved, String>, Option<PathBuf>) {
        match get_referenced_source_name(raw).and_then(refs) {
            Some(repo_path) => {
                let root = repo_path.as_ref().ok().cloned();
                (
                    get_resolved_ref_value_file(raw, env, allowed_schemes, repo_path),
                    root,
                )
            }
            None => (
                resolve_value_file_path_or_url(
                    app_path,
                    repo_root,
                    &env.envsubst(raw),
                    allowed_schemes,
                ),
                None,
            ),
        }
    };
    let explicit: Vec<Resolved> = raw_value_files
        .iter()
        .filter_map(|raw| resolve(raw).0.ok())
        .filter(|r| !is_glob_path(&r.as_arg()))
        .collect();
    let mut out: Vec<ValueFile> = Vec::new();
    let append = |resolved: Resolved, index: usize, out: &mut Vec<ValueFile>| {
        if !out.iter().any(|v| v.resolved == resolved) {
            out.push(ValueFile { resolved, index });
        }
    };
    for (index, raw) in raw_value_files.iter().enumerate() {
        let error = |kind, message| ValueFileError {
            index,
            kind,
            message,
        };
        let (resolved, ref_root) = resolve(raw);
        let resolved = resolved.map_err(|e| {
            error(
                ValueFileErrorKind::Unresolved,
                format!("error resolving value file path: {e}"),
            )
        })?;
        let effective_root = ref_root.unwrap_or_else(|| repo_root.to_path_buf());
        let Resolved::Local(path) = &resolved else {
            append(resolved, index, &mut out);
            continue;
        };
        let pattern = path.to_string_lossy();
        if is_glob_path(&pattern) {
            let matches = doublestar::filepath_glob(&pattern).map_err(|_| {
                error(
                    ValueFileErrorKind::Unresolved,
                    format!("error expanding glob pattern \"{raw}\": syntax error in pattern"),
                )
            })?;
            if matches.is_empty() {
                if ignore_missing {
                    continue;
                }
                return Err(error(
                    ValueFileErrorKind::GlobNoMatch,
                    format!("values file glob \"{raw}\" matched no files"),
                ));
            }
            verify_glob_matches_within_root(&matches, &effective_root).map_err(|e| {
                error(
                    ValueFileErrorKind::Unresolved,
                    format!("glob pattern \"{raw}\": {e}"),
                )
            })?;
            for m in matches {
                let m = Resolved::Local(m);
                if !explicit.contains(&m) {
                    append(m, index, &mut out);
                }
            }
            continue;
        }
        let missing =
            std::fs::metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        if missing && ignore_missing {
            continue;
        }
        append(resolved, index, &mut out);
    }
    Ok(out)
}

/// `verifyGlobMatchesWithinRoot`: each match, links resolved, is `root` or below it.
pub fn verify_glob_matches_within_root(matches: &[PathBuf], root: &Path) -> Result<(), String> {
    let canonical_root = abs(root)
        .canonicalize()
        .map_err(|e| format!("error resolving symlinks in repo root: {e}"))?;
    for m in matches {
        let real = m.canonicalize().map_err(|e| {
            format!(
                "error resolving symlink for glob match {:?}: {e}",
                m.display().to_string()
            )
        })?;
        if !real.starts_with(&canonical_root) {
            return Err(format!(
                "glob match {:?} resolved to outside repository root",
                m.display().to_string()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argo::helm::{EnvRequest, new_env};

    fn write(root: &Path, files: &[&str]) {
        for file in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
    }

    fn repo(files: &[&str]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        write(&root, files);
        (dir, root)
    }

    fn env() -> Env {
        new_env(
            &EnvRequest {
                app_name: "web",
                namespace: "ns",
                ..EnvRequest::default()
            },
            "0123456789abcdef0123456789abcdef01234567",
        )
    }

    const SCHEMES: &[&str] = DEFAULT_VALUES_FILE_SCHEMES;

    /// `ResolveValueFilePathOrUrl`, branch by branch.
    #[test]
    fn resolve_value_file_path_or_url_branches() {
        let (_dir, root) = repo(&["chart/values.yaml", "x.yaml"]);
        let chart = root.join("chart");
        let resolve = |f: &str| resolve_value_file_path_or_url(&chart, &root, f, SCHEMES);
        // Relative: the chart directory.
        assert_eq!(
            resolve("values.yaml"),
            Ok(Resolved::Local(chart.join("values.yaml")))
        );
        // Absolute: the repository root.
        assert_eq!(resolve("/x.yaml"), Ok(Resolved::Local(root.join("x.yaml"))));
        // `..` may leave the chart, never the repository.
        assert_eq!(
            resolve("../x.yaml"),
            Ok(Resolved::Local(root.join("x.yaml")))
        );
        assert!(
            resolve("../../x.yaml")
                .unwrap_err()
                .contains("outside repository root")
        );
        // The root itself is not a value file.
        assert!(resolve("/").is_err());
        // Allowed schemes (case-insensitive) stay URLs; others are refused.
        assert_eq!(
            resolve("HTTPS://example.com/v.yaml"),
            Ok(Resolved::Remote("HTTPS://example.com/v.yaml".into()))
        );
        assert_eq!(
            resolve("s3://bucket/v.yaml"),
            Err("the URL scheme 's3' is not allowed".into())
        );
        assert!(resolve_value_file_path_or_url(&chart, &root, "https://x/v.yaml", &[]).is_err());
    }

    /// `resolveSymbolicLinkRecursive`: a link's target decides, and must stay inside.
    #[test]
    fn symbolic_links_are_followed_then_checked() {
        let (_dir, root) = repo(&["chart/real.yaml"]);
        let chart = root.join("chart");
        std::os::unix::fs::symlink("real.yaml", chart.join("link.yaml")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", chart.join("out.yaml")).unwrap();
        std::os::unix::fs::symlink("loop.yaml", chart.join("loop.yaml")).unwrap();
        let resolve = |f: &str| resolve_value_file_path_or_url(&chart, &root, f, SCHEMES);
        assert_eq!(
            resolve("link.yaml"),
            Ok(Resolved::Local(chart.join("real.yaml")))
        );
        assert!(
            resolve("out.yaml")
                .unwrap_err()
                .contains("outside repository root")
        );
        assert!(resolve("loop.yaml").unwrap_err().contains("nesting"));
    }

    /// Go's `url.Parse` decides what is a URL.
    #[test]
    fn url_schemes_as_go_parses_them() {
        assert_eq!(
            url_scheme("https://example.com/a.yaml").as_deref(),
            Some("https")
        );
        assert_eq!(url_scheme("values:prod.yaml").as_deref(), Some("values"));
        assert_eq!(url_scheme("values.yaml"), None);
        assert_eq!(url_scheme("./a:b.yaml"), None);
        assert_eq!(
            url_scheme(":x"),
            None,
            "missing protocol scheme: a parse error"
        );
        assert_eq!(
            url_scheme("https://exa mple.com/x"),
            None,
            "bad host: a parse error"
        );
        assert_eq!(url_scheme("https://example.com:8x/x"), None, "bad port");
        assert_eq!(url_scheme("https://example.com/%zz"), None, "bad escape");
        assert_eq!(url_scheme("https://[::1]:8443/x").as_deref(), Some("https"));
        assert_eq!(url_scheme("1http://x"), None);
    }

    fn resolved(
        root: &Path,
        raw: &[&str],
        refs: RefSources<'_>,
        ignore: bool,
    ) -> Result<Vec<String>, ValueFileError> {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        get_resolved_value_files(
            &root.join("chart"),
            root,
            &env(),
            SCHEMES,
            &raw,
            refs,
            ignore,
        )
        .map(|files| {
            files
                .iter()
                .map(|f| match &f.resolved {
                    Resolved::Local(p) => p
                        .strip_prefix(root)
                        .map(|r| r.display().to_string())
                        .unwrap_or_else(|_| p.display().to_string()),
                    Resolved::Remote(u) => u.clone(),
                })
                .collect()
        })
    }

    const NO_REFS: RefSources<'static> = &|_| None;

    /// `getResolvedValueFiles`: globs expand in name order, an explicit entry keeps its own
    /// position, duplicates stay at their first, missing files are kept unless ignored.
    #[test]
    fn get_resolved_value_files_orders_and_deduplicates() {
        let (_dir, root) = repo(&[
            "chart/values/a.yaml",
            "chart/values/b.yaml",
            "chart/values/c.yaml",
            "chart/web.yaml",
        ]);
        assert_eq!(
            resolved(&root, &["values/*.yaml", "values/a.yaml"], NO_REFS, false).unwrap(),
            [
                "chart/values/b.yaml",
                "chart/values/c.yaml",
                "chart/values/a.yaml"
            ],
            "the explicit a.yaml is placed where it is listed"
        );
        assert_eq!(
            resolved(
                &root,
                &["values/b.yaml", "values/*.yaml", "values/b.yaml"],
                NO_REFS,
                false
            )
            .unwrap(),
            [
                "chart/values/b.yaml",
                "chart/values/a.yaml",
                "chart/values/c.yaml"
            ],
        );
        // Environment substitution before resolving.
        assert_eq!(
            resolved(&root, &["$ARGOCD_APP_NAME.yaml"], NO_REFS, false).unwrap(),
            ["chart/web.yaml"]
        );
        // Missing: kept for Helm to fail on, or skipped.
        assert_eq!(
            resolved(&root, &["nope.yaml", "web.yaml"], NO_REFS, false).unwrap(),
            ["chart/nope.yaml", "chart/web.yaml"]
        );
        assert_eq!(
            resolved(&root, &["nope.yaml", "web.yaml"], NO_REFS, true).unwrap(),
            ["chart/web.yaml"]
        );
        // A glob without a match: GlobNoMatchError, unless ignored.
        let error = resolved(&root, &["web.yaml", "env/*.yaml"], NO_REFS, false).unwrap_err();
        assert_eq!(
            (error.index, error.kind),
            (1, ValueFileErrorKind::GlobNoMatch)
        );
        assert_eq!(
            resolved(&root, &["env/*.yaml"], NO_REFS, true).unwrap(),
            Vec::<String>::new()
        );
        // Remote URLs pass through, never globbed.
        assert_eq!(
            resolved(&root, &["https://x/*.yaml"], NO_REFS, false).unwrap(),
            ["https://x/*.yaml"]
        );
        // A resolution error names the entry.
        let error = resolved(&root, &["web.yaml", "../../x.yaml"], NO_REFS, false).unwrap_err();
        assert_eq!(
            (error.index, error.kind),
            (1, ValueFileErrorKind::Unresolved)
        );
        assert!(resolved(&root, &["values/[.yaml"], NO_REFS, false).is_err());
    }

    /// `verifyGlobMatchesWithinRoot`: a glob match that links outside the repository fails.
    #[test]
    fn glob_matches_must_stay_inside() {
        let (_dir, root) = repo(&["chart/values/a.yaml"]);
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), &["secret.yaml"]);
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            root.join("chart/values/z.yaml"),
        )
        .unwrap();
        let error = resolved(&root, &["values/*.yaml"], NO_REFS, false).unwrap_err();
        assert!(
            error.message.contains("outside repository root"),
            "{error:?}"
        );
    }

    /// `getResolvedRefValueFile`: `$name/…` inside the ref source's repository, substituted after
    /// the ref is taken off; a `$name` that is no ref is substituted like any path.
    #[test]
    fn ref_value_files_resolve_in_their_repository() {
        let (_dir, root) = repo(&["chart/values.yaml"]);
        let (_other, values) = repo(&["env/web.yaml", "env/a.yaml"]);
        let refs = |name: &str| match name {
            "$values" => Some(Ok(values.clone())),
            "$gone" => Some(Err("failed to find repo \"https://gone\"".to_string())),
            _ => None,
        };
        assert_eq!(
            resolved(&root, &["$values/env/$ARGOCD_APP_NAME.yaml"], &refs, false).unwrap(),
            [values.join("env/web.yaml").display().to_string()]
        );
        assert_eq!(
            resolved(&root, &["$values/env/*.yaml"], &refs, false).unwrap(),
            [
                values.join("env/a.yaml").display().to_string(),
                values.join("env/web.yaml").display().to_string()
            ]
        );
        assert!(resolved(&root, &["$values/../x"], &refs, false).is_err());
        assert!(
            resolved(&root, &["$values"], &refs, false).is_err(),
            "the root itself"
        );
        assert!(
            resolved(&root, &["$gone/x.yaml"], &refs, false)
                .unwrap_err()
                .message
                .contains("failed to find repo")
        );
        // Not a ref: `$other` expands to nothing, so the path is from the repository root.
        assert_eq!(
            resolved(&root, &["$other/chart/values.yaml"], &refs, false).unwrap(),
            ["chart/values.yaml"]
        );
    }

    #[test]
    fn referenced_source_names() {
        assert_eq!(get_referenced_source_name("$values/a/b"), Some("$values"));
        assert_eq!(get_referenced_source_name("$values"), Some("$values"));
        assert_eq!(get_referenced_source_name("values/a"), None);
        assert!(is_glob_path("a/*.yaml") && is_glob_path("a?") && is_glob_path("[ab]"));
        assert!(
            !is_glob_path("{a,b}.yaml"),
            "alternatives alone are no glob"
        );
    }
}
