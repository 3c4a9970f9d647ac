//! The `helm template` of a Helm source, as Argo CD v3.5.1's `helmTemplate`
//! (`reposerver/repository/repository.go`) and `Cmd.template` (`util/helm/cmd.go`) build it:
//! the environment of the source (`newEnv`), the ref sources it may read
//! (`runManifestGenAsync`, `GetRefSources` in `util/argo/argo.go`), parameters, file parameters
//! and value files resolved through `crate::argo::value_files`, and the chart's dependency
//! repositories (`getHelmRepos`) for `helm dependency build`.

use std::path::{Path, PathBuf};

use super::{Dependency, PlanOptions, source_root};
use crate::argo::application::{Application, HelmOptions, Source};
use crate::argo::giturl::normalize_git_url;
use crate::argo::helm::{
    self as argo_helm, Env, EnvRequest, HelmRepository, clean_set_parameters, new_env,
};
use crate::argo::value_files::{
    self, DEFAULT_VALUES_FILE_SCHEMES, Resolved, ValueFileErrorKind, get_referenced_source_name,
};
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::repos::RepoMap;
use crate::yaml::{self, Node};

/// The arguments after `helm template <chart>`, and `values`/`valuesObject` as JSON.
pub(super) struct Args {
    pub args: Vec<String>,
    pub inline_values: Option<String>,
}

fn unresolved(message: String, location: &Location) -> Finding {
    Finding::new(
        Code::SourceUnresolved,
        Severity::Error,
        message,
        location.clone(),
    )
}

/// `helmTemplate`'s options, in `Cmd.template`'s order. `chart_dir`: the chart in the checkout
/// (`appPath`); `None` for a chart from a Helm repository or registry.
pub(super) fn helm_args(
    app: &Application,
    source: &Source,
    chart_dir: Option<&Path>,
    repos: &RepoMap,
    options: &PlanOptions,
    read_paths: &mut Vec<PathBuf>,
) -> Result<Args, Finding> {
    let helm = source.helm.clone().unwrap_or_default();
    if !argo_helm::helm_version_supported(&helm.version) {
        return Err(Finding::new(
            Code::RenderFailed,
            Severity::Error,
            format!("helm version '{}' is not supported", helm.version),
            source.location.clone(),
        )
        .help("remove helm.version, or set it to v3 or v4 (Argo CD runs its one bundled Helm)"));
    }
    let mut args = vec![
        "--name-template".to_string(),
        helm.release_name
            .clone()
            .unwrap_or_else(|| app.metadata_name.clone()),
    ];
    let namespace = helm
        .namespace
        .clone()
        .unwrap_or_else(|| app.destination.namespace.clone());
    if !namespace.is_empty() {
        args.extend(["--namespace".into(), namespace]);
    }
    // GetKubeVersionOrDefault, then parseKubeVersion (reposerver/repository/repository.go).
    let kube_version = helm
        .kube_version
        .clone()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| options.kube_version.clone());
    let kube_version =
        crate::argo::kube_version::parse_kube_version(&kube_version).map_err(|e| {
            Finding::new(
                Code::RenderFailed,
                Severity::Error,
                format!("could not parse kubernetes version {kube_version}: {e}"),
                source.location.clone(),
            )
            .help("write the Kubernetes version as major.minor[.patch], e.g. 1.33.0")
        })?;
    if !kube_version.is_empty() {
        args.extend(["--kube-version".into(), kube_version]);
    }

    let env = source_env(app, source, repos, options)?;
    check_referenced_sources(app, source, &helm, repos)?;
    let refs = |name: &str| ref_root(app, name, repos);
    let (app_path, repo_root) = match chart_dir {
        Some(dir) => {
            let root = match source_root(source, repos) {
                Some(Ok(root)) => root,
                _ => dir.to_path_buf(),
            };
            (Some(dir), root)
        }
        None => (None, PathBuf::new()),
    };

    // Parameters are maps in Argo CD: one flag per name, the last value winning.
    let mut set: Vec<(String, String)> = Vec::new();
    let mut set_string: Vec<(String, String)> = Vec::new();
    for p in &helm.parameters {
        let target = if p.force_string {
            &mut set_string
        } else {
            &mut set
        };
        insert(target, &p.name, env.envsubst(&p.value));
    }
    let mut set_file: Vec<(String, String)> = Vec::new();
    for (index, (name, path)) in helm.file_parameters.iter().enumerate() {
        let location = helm
            .file_parameter_locations
            .get(index)
            .unwrap_or(&source.location);
        let resolved = resolve_file_parameter(path, app_path, &repo_root, &env, &refs, location)?;
        if let Resolved::Remote(url) = &resolved {
            if options.offline {
                return Err(unresolved(
                    format!("remote file parameter {url} needs the network, and --offline is set"),
                    location,
                ));
            }
        }
        if let Resolved::Local(path) = &resolved {
            read_paths.push(path.clone());
        }
        insert(&mut set_file, name, resolved.as_arg());
    }
    for (flag, values) in [
        ("--set", &set),
        ("--set-string", &set_string),
        ("--set-file", &set_file),
    ] {
        for (name, value) in values {
            args.extend([
                flag.to_string(),
                format!("{name}={}", clean_set_parameters(value)),
            ]);
        }
    }

    for value_file in value_files(&helm, app_path, &repo_root, &env, &refs, options)? {
        if let Resolved::Local(path) = &value_file {
            read_paths.push(path.clone());
        }
        args.extend(["--values".into(), value_file.as_arg()]);
    }

    let api_versions = if helm.api_versions.is_empty() {
        &options.api_versions
    } else {
        &helm.api_versions
    };
    for api_version in api_versions {
        args.extend(["--api-versions".into(), api_version.clone()]);
    }
    if !helm.skip_crds {
        args.push("--include-crds".into());
    }
    if helm.skip_schema_validation {
        args.push("--skip-schema-validation".into());
    }
    if helm.skip_tests {
        args.push("--skip-tests".into());
    }
    let inline_values = helm.values.clone();
    Ok(Args {
        args,
        inline_values,
    })
}

/// A Go map insert: a new name at the end, a known one replaced in place.
fn insert(map: &mut Vec<(String, String)>, name: &str, value: String) {
    match map.iter_mut().find(|(n, _)| n == name) {
        Some(entry) => entry.1 = value,
        None => map.push((name.to_string(), value)),
    }
}

/// `newEnv(q, revision)` for this source. The revision is the commit the source's
/// `targetRevision` resolves to ([`RepoMap::commit_at`]); without one (not a Git checkout, no
/// commit yet) it is the synthetic pull request's head sha, the commit Argo CD would render
/// once these files are pushed. A chart from a Helm repository or registry has its version.
pub(super) fn source_env(
    app: &Application,
    source: &Source,
    repos: &RepoMap,
    options: &PlanOptions,
) -> Result<Env, Finding> {
    let revision = if source.chart.is_some() {
        source.target_revision.clone()
    } else {
        match repos.commit_at(&source.repo_url, &source.target_revision) {
            Some(Ok(Some(commit))) => commit,
            Some(Err(message)) => {
                return Err(unresolved(message, &source.target_revision_location));
            }
            _ => options.revision_fallback.clone(),
        }
    };
    let app_name = app.instance_name();
    Ok(new_env(
        &EnvRequest {
            app_name: &app_name,
            namespace: &app.destination.namespace,
            project: app.project_name(),
            repo_url: &source.repo_url,
            path: source.path.as_deref().unwrap_or_default(),
            target_revision: &source.target_revision,
        },
        &revision,
    ))
}

/// `q.RefSources` with `gitRepoPaths`: the local tree of the source whose `ref` is `$name`.
fn ref_root(app: &Application, name: &str, repos: &RepoMap) -> Option<Result<PathBuf, String>> {
    let source = app
        .sources
        .iter()
        .find(|s| s.ref_name.as_deref().map(|r| format!("${r}")).as_deref() == Some(name))?;
    Some(match source_root(source, repos) {
        Some(result) => result,
        None => Err(format!(
            "failed to find repo \"{}\": it maps to no local tree",
            source.repo_url
        )),
    })
}

/// What `runManifestGenAsync` checks of a multi-source Application before rendering: every
/// `$name/…` value file and file parameter names a ref source without a chart, each repository is
/// referenced at one revision, and a ref into the source's own repository is at its commit.
fn check_referenced_sources(
    app: &Application,
    source: &Source,
    helm: &HelmOptions,
    repos: &RepoMap,
) -> Result<(), Finding> {
    if !app.has_multiple_sources {
        return Ok(());
    }
    let candidates = helm
        .value_files
        .iter()
        .map(|(file, location)| (file.as_str(), location))
        .chain(
            helm.file_parameters
                .iter()
                .enumerate()
                .map(|(i, (_, path))| {
                    let location = helm
                        .file_parameter_locations
                        .get(i)
                        .unwrap_or(&source.location);
                    (path.as_str(), location)
                }),
        );
    let refs: Vec<(String, &Source)> = app
        .sources
        .iter()
        .filter_map(|s| Some((format!("${}", s.ref_name.as_deref()?), s)))
        .collect();
    let mut seen: Vec<(String, &str, &str)> = Vec::new();
    for (candidate, location) in candidates {
        let Some(name) = get_referenced_source_name(candidate) else {
            continue;
        };
        let Some((_, target)) = refs.iter().find(|(r, _)| r == name) else {
            let message = if refs.is_empty() {
                format!("source referenced \"{name}\", but no source has a 'ref' field defined")
            } else {
                let names: Vec<&str> = refs.iter().map(|(r, _)| r.as_str()).collect();
                format!(
                    "source referenced \"{name}\", which is not one of the available sources ({})",
                    names.join(", ")
                )
            };
            return Err(unresolved(message, location));
        };
        if target.chart.is_some() {
            return Err(unresolved(
                "source has a 'chart' field defined, but Helm charts are not yet not supported for 'ref' sources".into(),
                location,
            ));
        }
        let url = normalize_git_url(&target.repo_url);
        if let Some((_, revision, key)) = seen.iter().find(|(u, _, _)| *u == url) {
            if *revision != target.target_revision {
                return Err(unresolved(
                    format!(
                        "cannot reference multiple revisions for the same repository ({name} references \"{}\" while {key} references \"{revision}\")",
                        target.target_revision
                    ),
                    location,
                ));
            }
            continue;
        }
        if normalize_git_url(&source.repo_url) == url {
            let commit = |s: &Source| {
                repos
                    .commit_at(&s.repo_url, &s.target_revision)
                    .and_then(Result::ok)
                    .flatten()
            };
            let (theirs, ours) = (commit(target), commit(source));
            if theirs != ours {
                return Err(unresolved(
                    format!(
                        "cannot reference a different revision of the same repository ({name} references \"{}\" which resolves to \"{}\" while the application references \"{}\" which resolves to \"{}\")",
                        target.target_revision,
                        theirs.unwrap_or_default(),
                        source.target_revision,
                        ours.unwrap_or_default()
                    ),
                    location,
                ));
            }
        }
        seen.push((url, &target.target_revision, name));
    }
    Ok(())
}

/// A `fileParameters` path as `helmTemplate` resolves it: `$name/…` in a ref source's repository,
/// else substituted and resolved like a value file. Never outside the repository, never globbed,
/// never checked for existence (Helm reads it).
fn resolve_file_parameter(
    path: &str,
    app_path: Option<&Path>,
    repo_root: &Path,
    env: &Env,
    refs: value_files::RefSources<'_>,
    location: &Location,
) -> Result<Resolved, Finding> {
    let schemes = DEFAULT_VALUES_FILE_SCHEMES;
    let resolved = match get_referenced_source_name(path).and_then(refs) {
        Some(repo_path) => value_files::get_resolved_ref_value_file(path, env, schemes, repo_path),
        None => {
            let substituted = env.envsubst(path);
            match app_path {
                Some(app_path) => value_files::resolve_value_file_path_or_url(
                    app_path,
                    repo_root,
                    &substituted,
                    schemes,
                ),
                None if value_files::url_scheme(&substituted).is_some() => {
                    value_files::resolve_value_file_path_or_url(
                        Path::new("/"),
                        Path::new("/"),
                        &substituted,
                        schemes,
                    )
                }
                None => Err(format!(
                    "{path} is relative to a remote chart; use a $ref source to give it offline"
                )),
            }
        }
    };
    resolved.map_err(|e| {
        unresolved(
            format!("error resolving set-file path {path}: {e}"),
            location,
        )
    })
}

/// `getResolvedValueFiles` for the source, as findings at the value file's line: a file or glob
/// that cannot be resolved, a remote file with `--offline`, and a missing file (Helm fails on
/// it) unless `ignoreMissingValueFiles`.
fn value_files(
    helm: &HelmOptions,
    app_path: Option<&Path>,
    repo_root: &Path,
    env: &Env,
    refs: value_files::RefSources<'_>,
    options: &PlanOptions,
) -> Result<Vec<Resolved>, Finding> {
    let raw: Vec<String> = helm.value_files.iter().map(|(f, _)| f.clone()).collect();
    let location = |index: usize| &helm.value_files[index].1;
    let Some(app_path) = app_path else {
        // A chart from a Helm repository: Argo CD resolves value files inside the pulled chart,
        // which the gate does not have before rendering.
        let mut out = Vec::new();
        for (index, file) in raw.iter().enumerate() {
            let substituted = env.envsubst(file);
            let from_ref = get_referenced_source_name(file).and_then(refs);
            let resolved = match from_ref {
                Some(repo_path) => value_files::get_resolved_ref_value_file(
                    file,
                    env,
                    DEFAULT_VALUES_FILE_SCHEMES,
                    repo_path,
                ),
                None if value_files::url_scheme(&substituted).is_some() => {
                    value_files::resolve_value_file_path_or_url(
                        Path::new("/"),
                        Path::new("/"),
                        &substituted,
                        DEFAULT_VALUES_FILE_SCHEMES,
                    )
                }
                None => Err(format!(
                    "value file {file} is relative to a remote chart; use a $ref source to give it offline"
                )),
            };
            let resolved = resolved.map_err(|e| unresolved(e, location(index)))?;
            out.push((resolved, index));
        }
        return finish_value_files(out, options, &raw, location);
    };
    let resolved = value_files::get_resolved_value_files(
        app_path,
        repo_root,
        env,
        DEFAULT_VALUES_FILE_SCHEMES,
        &raw,
        refs,
        helm.ignore_missing_value_files,
    )
    .map_err(|e| match e.kind {
        ValueFileErrorKind::Unresolved => unresolved(e.message, location(e.index)),
        ValueFileErrorKind::GlobNoMatch => Finding::new(
            Code::RenderFailed,
            Severity::Error,
            e.message,
            location(e.index).clone(),
        )
        .help(
            "fix the pattern, or set helm.ignoreMissingValueFiles: true if the files are optional",
        ),
    })?;
    let out = resolved
        .into_iter()
        .map(|v| (v.resolved, v.index))
        .collect();
    finish_value_files(out, options, &raw, location)
}

fn finish_value_files<'a>(
    resolved: Vec<(Resolved, usize)>,
    options: &PlanOptions,
    raw: &[String],
    location: impl Fn(usize) -> &'a Location,
) -> Result<Vec<Resolved>, Finding> {
    let mut out = Vec::new();
    for (resolved, index) in resolved {
        match &resolved {
            Resolved::Remote(url) if options.offline => {
                return Err(unresolved(
                    format!("remote value file {url} needs the network, and --offline is set"),
                    location(index),
                ));
            }
            Resolved::Local(path) if std::fs::metadata(path).is_err() => {
                // Only kept when missing files are not ignored: `helm template` fails on it.
                return Err(Finding::new(
                    Code::RenderFailed,
                    Severity::Error,
                    format!(
                        "value file {} does not exist ({}), and Helm fails on it",
                        raw[index],
                        path.display()
                    ),
                    location(index).clone(),
                )
                .help("fix the path, or set helm.ignoreMissingValueFiles: true if the file is optional"));
            }
            _ => {}
        }
        out.push(resolved);
    }
    Ok(out)
}

/// `repoURL` + `chart` as a `helm template` chart argument: OCI registries (an `oci://` URL, or a
/// URL without scheme, which Argo CD can only reach as OCI) become `oci://host/path/chart`.
pub(super) fn remote_chart(repo_url: &str, chart: &str) -> (String, Option<String>) {
    let repo = repo_url.trim_end_matches('/');
    if let Some(rest) = repo.strip_prefix("oci://") {
        (format!("oci://{rest}/{chart}"), None)
    } else if !repo.contains("://") {
        (format!("oci://{repo}/{chart}"), None)
    } else {
        (chart.to_string(), Some(repo.to_string()))
    }
}

/// `Chart.yaml`'s dependencies, and the repositories Argo CD adds before `helm dependency build`
/// (`getHelmDependencyRepos`, then `getHelmRepos` over the configured repositories). A
/// `Chart.yaml` that does not parse fails the source, as in Argo CD, dependencies or not.
pub(super) fn dependencies(
    chart_yaml: &Path,
    options: &PlanOptions,
) -> Result<(Vec<Dependency>, Vec<HelmRepository>), Finding> {
    let file = std::sync::Arc::from(chart_yaml);
    let text = std::fs::read_to_string(chart_yaml).unwrap_or_default();
    let docs = yaml::parse_documents(&text).map_err(|e| {
        Finding::new(
            Code::RenderFailed,
            Severity::Error,
            format!("Chart.yaml is not valid YAML: {e}"),
            Location::new(std::sync::Arc::clone(&file), e.line, e.col, e.line),
        )
    })?;
    let declared = docs
        .first()
        .and_then(|d| d.root.get("dependencies"))
        .map(Node::items)
        .unwrap_or_default();
    let dependencies: Vec<Dependency> = declared
        .iter()
        .map(|dep| Dependency {
            name: dep.get("name").map(Node::text).unwrap_or_default(),
            repository: dep.get("repository").map(Node::text).unwrap_or_default(),
            location: Location::at_node(&file, dep),
        })
        .collect();
    let repositories: Vec<&str> = dependencies.iter().map(|d| d.repository.as_str()).collect();
    let repos = argo_helm::get_helm_repos(
        &argo_helm::get_helm_dependency_repos(&repositories),
        &options.helm_repositories,
    );
    Ok((dependencies, repos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_chart_refs() {
        assert_eq!(
            remote_chart("https://charts.example.com/", "web"),
            ("web".into(), Some("https://charts.example.com".into()))
        );
        assert_eq!(
            remote_chart("oci://ghcr.io/org/charts", "web"),
            ("oci://ghcr.io/org/charts/web".into(), None)
        );
        assert_eq!(
            remote_chart("ghcr.io/org/charts", "web"),
            ("oci://ghcr.io/org/charts/web".into(), None)
        );
    }

    /// `helmTemplate` keeps parameters in maps: the last value of a name wins.
    #[test]
    fn parameters_are_maps() {
        let mut map = Vec::new();
        insert(&mut map, "a", "1".into());
        insert(&mut map, "b", "2".into());
        insert(&mut map, "a", "3".into());
        assert_eq!(map, [("a".into(), "3".into()), ("b".into(), "2".into())]);
    }
}
