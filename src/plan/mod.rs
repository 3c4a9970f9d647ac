//! Turns every Application source into a [`RenderJob`]: plain data describing the `helm template` or
//! `kustomize build` the repo-server would run (`reposerver/repository/repository.go`,
//! `util/helm/cmd.go`, `util/kustomize/kustomize.go`), or the directory it would read. The Helm
//! arguments are built in [`helm`].

mod helm;

use std::path::{Component, Path, PathBuf};

use crate::argo::application::{Application, DirectoryOptions, KustomizeOptions, Source};
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::repos::RepoMap;

/// Settings the plan needs from the command line and config.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub kube_version: String,
    pub api_versions: Vec<String>,
    pub offline: bool,
    /// `ARGOCD_APP_REVISION` of a source whose tree has no commit (see `helm::source_env`).
    pub revision_fallback: String,
    /// The Helm repositories Argo CD knows, for chart dependencies (`getHelmRepos`).
    pub helm_repositories: Vec<crate::argo::helm::ConfiguredRepository>,
    /// `kustomize.buildOptions` of the installation (`argocd:` in preview-gate.yaml).
    pub kustomize_build_options: Vec<String>,
    /// Kustomize versions the installation registers (`kustomize.version.<v>`).
    pub kustomize_versions: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RenderJob {
    /// Index into the checked Applications.
    pub app: usize,
    /// Index of the source within the Application.
    pub source: usize,
    pub kind: JobKind,
}

#[derive(Debug, Clone)]
pub enum JobKind {
    Helm(HelmJob),
    Kustomize(Box<KustomizeJob>),
    Directory(DirectoryJob),
}

#[derive(Debug, Clone)]
pub struct HelmJob {
    /// The chart directory in the checkout, or a remote chart reference.
    pub chart: ChartRef,
    /// Arguments after `helm template <chart>`.
    pub args: Vec<String>,
    /// `values`/`valuesObject`, written to a temporary file and passed as the last `--values`.
    pub inline_values: Option<String>,
    /// `Chart.yaml`'s dependencies: when `helm template` reports some missing, Argo CD runs
    /// `helm dependency build` and templates again.
    pub dependencies: Vec<Dependency>,
    /// The repositories added before that build (`getHelmRepos`).
    pub repositories: Vec<crate::argo::helm::HelmRepository>,
    pub chart_yaml: Option<PathBuf>,
    /// The Application, for messages.
    pub app_name: String,
}

#[derive(Debug, Clone)]
pub enum ChartRef {
    Local {
        dir: PathBuf,
        repo_root: PathBuf,
    },
    /// `helm template <chart> [--repo URL] --version V`; needs the network.
    Remote {
        chart: String,
        repo: Option<String>,
        version: String,
    },
}

#[derive(Debug, Clone)]
pub struct Dependency {
    pub name: String,
    pub repository: String,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct KustomizeJob {
    pub dir: PathBuf,
    pub repo_root: PathBuf,
    pub edits: Option<KustomizeOptions>,
    /// Arguments after the path: `kustomize.buildOptions`, and the Helm capabilities
    /// `parseKustomizeBuildOptions` adds when they enable Helm.
    pub build_options: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DirectoryJob {
    pub dir: PathBuf,
    /// The repository's root: symbolic links must stay inside it, jsonnet `libs` are relative to it.
    pub repo_root: PathBuf,
    /// With `$ARGOCD_APP_*` substituted in the jsonnet variables.
    pub options: DirectoryOptions,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub jobs: Vec<RenderJob>,
    pub findings: Vec<Finding>,
    /// Files and directories Argo CD reads for these Applications (value files, source paths).
    pub read_paths: Vec<PathBuf>,
}

pub fn plan(apps: &[Application], repos: &RepoMap, options: &PlanOptions) -> Plan {
    let mut plan = Plan::default();
    for (app_index, app) in apps.iter().enumerate() {
        if let Err(finding) = check_ref_names(app) {
            plan.findings.push(finding.app(&app.name));
            continue;
        }
        for source in &app.sources {
            match plan_source(app, source, repos, options, &mut plan.read_paths) {
                Ok(Some(kind)) => plan.jobs.push(RenderJob {
                    app: app_index,
                    source: source.index,
                    kind,
                }),
                Ok(None) => {}
                Err(finding) => plan.findings.push(finding.app(&app.name)),
            }
        }
    }
    plan
}

/// `GetRefSources` (`util/argo/argo.go`): every `ref` is `[a-zA-Z0-9_-]+` and no two are the
/// same, or no source of the Application renders.
fn check_ref_names(app: &Application) -> Result<(), Finding> {
    let mut seen: Vec<&str> = Vec::new();
    for source in &app.sources {
        let Some(name) = source.ref_name.as_deref() else {
            continue;
        };
        let error = |message: String| {
            Finding::new(
                Code::SourceUnresolved,
                Severity::Error,
                message,
                source.location.clone(),
            )
        };
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(error(format!(
                "sources.ref {name} cannot contain any special characters except '_' and '-'"
            )));
        }
        if seen.contains(&name) {
            return Err(error(
                "invalid sources: multiple sources had the same `ref` key".into(),
            ));
        }
        seen.push(name);
    }
    Ok(())
}

fn plan_source(
    app: &Application,
    source: &Source,
    repos: &RepoMap,
    options: &PlanOptions,
    read_paths: &mut Vec<PathBuf>,
) -> Result<Option<JobKind>, Finding> {
    let unresolved = |message: String, location: &Location| {
        Finding::new(
            Code::SourceUnresolved,
            Severity::Error,
            message,
            location.clone(),
        )
    };
    if source.plugin {
        return Err(unresolved(
            "config management plugin sources cannot be rendered offline".into(),
            &source.location,
        )
        .help("render the plugin's output into the repository, or exclude this Application from the gate"));
    }
    // Helm repository or OCI charts are fetched by Helm itself.
    if let Some(chart) = &source.chart {
        if options.offline {
            return Err(unresolved(
                format!(
                    "chart {chart} from {} needs the network, and --offline is set",
                    source.repo_url
                ),
                &source.repo_location,
            ));
        }
        let (chart, repo) = helm::remote_chart(&source.repo_url, chart);
        let args = helm::helm_args(app, source, None, repos, options, read_paths)?;
        return Ok(Some(JobKind::Helm(HelmJob {
            chart: ChartRef::Remote {
                chart,
                repo,
                version: source.target_revision.clone(),
            },
            args: args.args,
            inline_values: args.inline_values,
            dependencies: Vec::new(),
            repositories: Vec::new(),
            chart_yaml: None,
            app_name: app.name.clone(),
        })));
    }
    let root = source_root(source, repos)
        .ok_or_else(|| {
            unresolved(
                format!("repoURL {} does not map to a local tree", source.repo_url),
                &source.repo_location,
            )
            .help(
                "add it to `repositories:` in preview-gate.yaml or pass --repo-map URL=DIR; \
                 the checkout's own git remotes are mapped automatically",
            )
        })?
        .map_err(|message| unresolved(message, &source.target_revision_location))?;
    let root = root.as_path();
    if source.is_ref_only() {
        return Ok(None);
    }
    let relative = source.path.as_deref().unwrap_or(".");
    let dir = join_inside(root, relative).ok_or_else(|| {
        unresolved(
            format!("path {relative} leaves the repository"),
            &source.path_location,
        )
    })?;
    if !dir.is_dir() {
        return Err(unresolved(
            format!("path {relative} does not exist in {}", source.repo_url),
            &source.path_location,
        ));
    }
    let merged = source_overrides(app, source, &dir)?;
    let source = merged.as_ref().unwrap_or(source);
    let kind = source_type(source, &dir)?;
    // What Argo CD parses as YAML itself and fails on: a chart's Chart.yaml and values.yaml, a
    // kustomization file. Other files under a chart or a Kustomize directory are templates or
    // generator inputs that the tools read (or not) as they see fit. A directory source's file
    // that does not parse fails only when it looks like a manifest (`getObjsFromYAMLOrJSON`):
    // the render decides.
    match kind {
        SourceType::Directory => {}
        SourceType::Helm => read_paths.extend([dir.join("Chart.yaml"), dir.join("values.yaml")]),
        SourceType::Kustomize => read_paths.push(crate::discover::kustomization_file(&dir)),
    }
    match kind {
        SourceType::Helm => {
            let args = helm::helm_args(app, source, Some(&dir), repos, options, read_paths)?;
            let chart_yaml = dir.join("Chart.yaml");
            if !chart_yaml.is_file() {
                return Err(unresolved(
                    format!("{relative} has no Chart.yaml, but the source is a Helm source"),
                    &source.path_location,
                ));
            }
            let (dependencies, repositories) = helm::dependencies(&chart_yaml, options)?;
            Ok(Some(JobKind::Helm(HelmJob {
                dependencies,
                repositories,
                chart: ChartRef::Local {
                    dir,
                    repo_root: root.to_path_buf(),
                },
                args: args.args,
                inline_values: args.inline_values,
                chart_yaml: Some(chart_yaml),
                app_name: app.name.clone(),
            })))
        }
        SourceType::Kustomize => {
            let edits = source
                .kustomize
                .clone()
                .filter(|k| k.has_edits() || !k.unsupported.is_empty());
            if let Some((option, location)) = edits.as_ref().and_then(|k| k.unsupported.first()) {
                return Err(unresolved(
                    format!("kustomize option {option} is not supported by preview-gate"),
                    location,
                ));
            }
            if options.offline {
                if let Some(remote) = crate::kustomize_edit::remote_references(&dir).first() {
                    let file: std::sync::Arc<Path> = std::sync::Arc::from(remote.file.as_path());
                    return Err(unresolved(
                        format!(
                            "kustomize build of {relative} fetches {}, and --offline is set",
                            remote.entry
                        ),
                        &Location::new(file, remote.line, 0, remote.line),
                    ));
                }
            }
            // `Build` expands `$ARGOCD_APP_*` in images and label values, and in annotation
            // values with `commonAnnotationsEnvsubst`.
            let env = helm::source_env(app, source, repos, options)?;
            let edits = edits.map(|mut k| {
                for image in &mut k.images {
                    *image = env.envsubst(image);
                }
                for (_, value) in &mut k.common_labels {
                    *value = env.envsubst(value);
                }
                if k.common_annotations_envsubst {
                    for (_, value) in &mut k.common_annotations {
                        *value = env.envsubst(value);
                    }
                }
                k
            });
            // `GetKustomizeBinaryPath`: a version the installation does not register fails.
            if let Some((version, location)) =
                source.kustomize.as_ref().and_then(|k| k.version.as_ref())
            {
                if !options.kustomize_versions.contains(version) {
                    return Err(Finding::new(
                        Code::RenderFailed,
                        Severity::Error,
                        format!("kustomize version {version} is not registered"),
                        location.clone(),
                    )
                    .help("register it as kustomize.version.<v> under argocd: in preview-gate.yaml, as argocd-cm does, or drop kustomize.version"));
                }
            }
            let mut build_options = options.kustomize_build_options.clone();
            if build_options.iter().any(|o| o.contains("--enable-helm")) {
                build_options.extend([
                    "--helm-kube-version".to_string(),
                    options.kube_version.clone(),
                ]);
                for api_version in &options.api_versions {
                    build_options.extend(["--helm-api-versions".to_string(), api_version.clone()]);
                }
            }
            Ok(Some(JobKind::Kustomize(Box::new(KustomizeJob {
                dir,
                repo_root: root.to_path_buf(),
                edits,
                build_options,
            }))))
        }
        SourceType::Directory => {
            let mut directory = source.directory.clone().unwrap_or_default();
            // makeJsonnetVM: `$ARGOCD_APP_*` in ext var and top-level argument values.
            let env = helm::source_env(app, source, repos, options)?;
            for var in directory
                .jsonnet
                .ext_vars
                .iter_mut()
                .chain(directory.jsonnet.tlas.iter_mut())
            {
                var.value = env.envsubst(&var.value);
            }
            Ok(Some(JobKind::Directory(DirectoryJob {
                dir,
                repo_root: root.to_path_buf(),
                options: directory,
            })))
        }
    }
}

enum SourceType {
    Helm,
    Kustomize,
    Directory,
}

/// `GetAppSourceType`: the one explicit tool block (`ExplicitType`; several is an error), else
/// what `discovery.AppType` finds among the directory's top-level files. Plugins were refused
/// before this.
fn source_type(source: &Source, dir: &Path) -> Result<SourceType, Finding> {
    use crate::argo::source::{self as argo_source, SourceType as Argo};
    let explicit = argo_source::explicit_type(&source.node).map_err(|message| {
        Finding::new(
            Code::RenderFailed,
            Severity::Error,
            message,
            source.location.clone(),
        )
    })?;
    let kind = explicit
        .unwrap_or_else(|| argo_source::discovered_type(&crate::tree::walk_files(dir, false)));
    Ok(match kind {
        Argo::Helm => SourceType::Helm,
        Argo::Kustomize => SourceType::Kustomize,
        Argo::Directory | Argo::Plugin => SourceType::Directory,
    })
}

/// The source with the `.argocd-source.yaml` and `.argocd-source-<app>.yaml` of its directory
/// merged in, as `mergeSourceParameters` does before the type is decided; `None` without
/// overrides. An override that does not parse fails the render, as in Argo CD.
fn source_overrides(
    app: &Application,
    source: &Source,
    dir: &Path,
) -> Result<Option<Source>, Finding> {
    let instance = app.instance_name();
    let mut patches = Vec::new();
    for path in crate::argo::source::override_files(dir, &instance) {
        if !path.is_file() {
            continue;
        }
        let file: std::sync::Arc<Path> = std::sync::Arc::from(path.as_path());
        let failed = |message: String, line: u32| {
            Finding::new(
                Code::RenderFailed,
                Severity::Error,
                format!("{}: {message}", path.display()),
                Location::new(file.clone(), line, 0, line),
            )
        };
        let text = std::fs::read_to_string(&path).map_err(|e| failed(e.to_string(), 1))?;
        let docs = crate::yaml::parse_documents(&text).map_err(|e| failed(e.message, e.line))?;
        let Some(patch) = docs.into_iter().next().map(|d| d.root) else {
            continue; // An empty override changes nothing.
        };
        if patch.is_null() {
            continue;
        }
        if patch.as_map().is_none() {
            return Err(failed(
                "an override must be a mapping of source fields".into(),
                patch.line,
            ));
        }
        patches.push(patch);
    }
    if patches.is_empty() {
        return Ok(None);
    }
    source
        .with_overrides(&source.location.file, &patches)
        .map(Some)
        .map_err(|(message, location)| {
            Finding::new(Code::RenderFailed, Severity::Error, message, location)
        })
}

/// The local tree a Git source is read from: its repoURL's mapping, at its `targetRevision`
/// (`tree::Revisions`). `None`: the URL maps nowhere; `Err`: the revision cannot be read.
fn source_root(source: &Source, repos: &RepoMap) -> Option<Result<PathBuf, String>> {
    repos.resolve_at(&source.repo_url, &source.target_revision)
}

/// Joins a repository-relative path, refusing `..` escapes.
fn join_inside(root: &Path, relative: &str) -> Option<PathBuf> {
    let joined = normalize(&root.join(relative.trim_start_matches('/')));
    joined.starts_with(root).then_some(joined)
}

/// Lexical normalisation (`.` and `..`), like Go's `filepath.Clean`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `GetRefSources`: ref names are checked before anything renders.
    #[test]
    fn ref_names_are_validated() {
        let file: std::sync::Arc<Path> = std::sync::Arc::from(Path::new("app.yaml"));
        let app = |refs: &str| {
            let text = format!(
                "metadata: {{name: a}}\nspec:\n  destination: {{namespace: n}}\n  sources:\n{refs}"
            );
            let docs = crate::yaml::parse_documents(&text).unwrap();
            Application::from_node(&file, &docs[0].root).unwrap()
        };
        let ok = app("  - {repoURL: r, ref: values}\n  - {repoURL: r, path: c}\n");
        assert!(check_ref_names(&ok).is_ok());
        let bad = app("  - {repoURL: r, ref: 'va/lues'}\n");
        assert!(
            check_ref_names(&bad)
                .unwrap_err()
                .message
                .contains("special characters")
        );
        let twice = app("  - {repoURL: r, ref: v}\n  - {repoURL: s, ref: v}\n");
        assert!(
            check_ref_names(&twice)
                .unwrap_err()
                .message
                .contains("same `ref` key")
        );
    }

    #[test]
    fn joins_stay_inside() {
        let root = Path::new("/repo");
        assert_eq!(join_inside(root, "a/../b"), Some(PathBuf::from("/repo/b")));
        assert_eq!(join_inside(root, "../etc"), None);
        assert_eq!(
            join_inside(root, "/abs/x"),
            Some(PathBuf::from("/repo/abs/x"))
        );
    }
}
