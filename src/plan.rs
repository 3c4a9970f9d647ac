//! Turns every Application source into a [`RenderJob`]: plain data describing the `helm template` or
//! `kustomize build` the repo-server would run (`reposerver/repository/repository.go`,
//! `util/helm/cmd.go`, `util/kustomize/kustomize.go`), or the directory it would read.

use std::path::{Component, Path, PathBuf};

use crate::argo::application::{Application, DirectoryOptions, KustomizeOptions, Source};
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::repos::RepoMap;
use crate::yaml::{self, Node};

/// Settings the plan needs from the command line and config.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub kube_version: String,
    pub api_versions: Vec<String>,
    pub offline: bool,
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
    Kustomize(KustomizeJob),
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
    /// Declared dependencies (Chart.yaml) missing from `charts/`: `helm dependency build` first.
    pub missing_dependencies: Vec<Dependency>,
    pub chart_yaml: Option<PathBuf>,
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
        let (chart, repo) = remote_chart(&source.repo_url, chart);
        let helm = source.helm.clone().unwrap_or_default();
        let (args, inline_values) = helm_args(
            app,
            source,
            &helm,
            None,
            app.sources.as_slice(),
            repos,
            options,
            read_paths,
        )?;
        return Ok(Some(JobKind::Helm(HelmJob {
            chart: ChartRef::Remote {
                chart,
                repo,
                version: source.target_revision.clone(),
            },
            args,
            inline_values,
            missing_dependencies: Vec::new(),
            chart_yaml: None,
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
            let helm = source.helm.clone().unwrap_or_default();
            let (args, inline_values) = helm_args(
                app,
                source,
                &helm,
                Some(&dir),
                app.sources.as_slice(),
                repos,
                options,
                read_paths,
            )?;
            let chart_yaml = dir.join("Chart.yaml");
            if !chart_yaml.is_file() {
                return Err(unresolved(
                    format!("{relative} has no Chart.yaml, but the source is a Helm source"),
                    &source.path_location,
                ));
            }
            Ok(Some(JobKind::Helm(HelmJob {
                missing_dependencies: missing_dependencies(&dir, &chart_yaml)?,
                chart: ChartRef::Local {
                    dir,
                    repo_root: root.to_path_buf(),
                },
                args,
                inline_values,
                chart_yaml: Some(chart_yaml),
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
            Ok(Some(JobKind::Kustomize(KustomizeJob {
                dir,
                repo_root: root.to_path_buf(),
                edits,
            })))
        }
        SourceType::Directory => {
            let mut options = source.directory.clone().unwrap_or_default();
            // makeJsonnetVM: `$ARGOCD_APP_*` in ext var and top-level argument values.
            let env = ArgoEnv::new(app, source);
            for var in options
                .jsonnet
                .ext_vars
                .iter_mut()
                .chain(options.jsonnet.tlas.iter_mut())
            {
                var.value = env.substitute(&var.value);
            }
            Ok(Some(JobKind::Directory(DirectoryJob {
                dir,
                repo_root: root.to_path_buf(),
                options,
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
    let kind = explicit.unwrap_or_else(|| {
        let names: Vec<String> = crate::tree::walk_files(dir)
            .into_iter()
            .filter(|f| !f.contains('/'))
            .collect();
        argo_source::discovered_type(&names)
    });
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
    let instance = crate::argo::source::instance_name(&app.metadata_name, &app.namespace, "argocd");
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
        let docs = yaml::parse_documents(&text).map_err(|e| failed(e.message, e.line))?;
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

/// `repoURL` + `chart` as a `helm template` chart argument: OCI registries (an `oci://` URL, or a
/// URL without scheme, which Argo CD can only reach as OCI) become `oci://host/path/chart`.
fn remote_chart(repo_url: &str, chart: &str) -> (String, Option<String>) {
    let repo = repo_url.trim_end_matches('/');
    if let Some(rest) = repo.strip_prefix("oci://") {
        (format!("oci://{rest}/{chart}"), None)
    } else if !repo.contains("://") {
        (format!("oci://{repo}/{chart}"), None)
    } else {
        (chart.to_string(), Some(repo.to_string()))
    }
}

/// The `helm template` arguments Argo CD's `util/helm/cmd.go` builds, in its order.
#[allow(clippy::too_many_arguments)]
fn helm_args(
    app: &Application,
    source: &Source,
    helm: &crate::argo::application::HelmOptions,
    chart_dir: Option<&Path>,
    sources: &[Source],
    repos: &RepoMap,
    options: &PlanOptions,
    read_paths: &mut Vec<PathBuf>,
) -> Result<(Vec<String>, Option<String>), Finding> {
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

    let env = ArgoEnv::new(app, source);
    let mut set = Vec::new();
    let mut set_string = Vec::new();
    for p in &helm.parameters {
        let value = clean_set_parameter(&env.substitute(&p.value));
        let target = if p.force_string {
            &mut set_string
        } else {
            &mut set
        };
        target.push(format!("{}={value}", p.name));
    }
    args.extend(set.into_iter().flat_map(|s| ["--set".to_string(), s]));
    args.extend(
        set_string
            .into_iter()
            .flat_map(|s| ["--set-string".to_string(), s]),
    );
    for (name, path) in &helm.file_parameters {
        let base = chart_dir.unwrap_or(Path::new("."));
        args.extend([
            "--set-file".into(),
            format!("{name}={}", base.join(path).display()),
        ]);
    }

    for (value_file, location) in &helm.value_files {
        let Some(path) = resolve_value_file(
            value_file, source, sources, chart_dir, repos, location, options,
        )?
        else {
            args.extend(["--values".into(), value_file.clone()]);
            continue;
        };
        if path.is_file() {
            read_paths.push(path.clone());
            args.extend(["--values".into(), path.display().to_string()]);
        } else if !helm.ignore_missing_value_files {
            return Err(Finding::new(
                Code::RenderFailed,
                Severity::Error,
                format!(
                    "value file {value_file} does not exist ({})",
                    path.display()
                ),
                location.clone(),
            )
            .help(
                "fix the path, or set helm.ignoreMissingValueFiles: true if the file is optional",
            ));
        }
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
    Ok((args, inline_values))
}

/// `getResolvedValueFiles`: `$ref/...` resolves against the ref source's repository root; URLs pass
/// through (Helm fetches them); anything else is relative to the chart directory and must stay in
/// the repository. Returns `None` for a URL.
fn resolve_value_file(
    value_file: &str,
    source: &Source,
    sources: &[Source],
    chart_dir: Option<&Path>,
    repos: &RepoMap,
    location: &Location,
    options: &PlanOptions,
) -> Result<Option<PathBuf>, Finding> {
    let error = |message: String| {
        Finding::new(
            Code::SourceUnresolved,
            Severity::Error,
            message,
            location.clone(),
        )
    };
    if value_file.starts_with("http://") || value_file.starts_with("https://") {
        if options.offline {
            return Err(error(format!(
                "remote value file {value_file} needs the network, and --offline is set"
            )));
        }
        return Ok(None);
    }
    if let Some(reference) = value_file.strip_prefix('$') {
        let (name, rest) = reference.split_once('/').unwrap_or((reference, ""));
        if let Some(ref_source) = sources.iter().find(|s| s.ref_name.as_deref() == Some(name)) {
            let root = source_root(ref_source, repos)
                .ok_or_else(|| {
                    error(format!(
                        "ref source ${name} ({}) does not map to a local tree",
                        ref_source.repo_url
                    ))
                })?
                .map_err(|message| error(format!("ref source ${name}: {message}")))?;
            return join_inside(&root, rest)
                .map(Some)
                .ok_or_else(|| error(format!("value file {value_file} leaves the repository")));
        }
        // No source has that ref: Argo CD expands `$name` as an (unset) environment variable, which
        // leaves a path from the repository root.
        let root = source_root(source, repos)
            .ok_or_else(|| error(format!("no source has ref {name}")))?
            .map_err(error)?;
        return join_inside(&root, rest)
            .map(Some)
            .ok_or_else(|| error(format!("value file {value_file} leaves the repository")));
    }
    let Some(chart_dir) = chart_dir else {
        return Err(error(format!(
            "value file {value_file} is relative to a remote chart; use a $ref source to give it offline"
        )));
    };
    let root = match source_root(source, repos) {
        Some(Ok(root)) => root,
        _ => chart_dir.to_path_buf(),
    };
    let joined = normalize(&chart_dir.join(value_file));
    if !joined.starts_with(&root) {
        return Err(error(format!(
            "value file {value_file} resolves outside the repository"
        )));
    }
    Ok(Some(joined))
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

/// Declared dependencies with nothing for them in `charts/`. Helm renders such a chart without the
/// dependency's objects and without complaint, so the gate checks itself.
fn missing_dependencies(chart_dir: &Path, chart_yaml: &Path) -> Result<Vec<Dependency>, Finding> {
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
    Ok(declared
        .iter()
        .map(|dep| Dependency {
            name: dep.get("name").map(Node::text).unwrap_or_default(),
            repository: dep.get("repository").map(Node::text).unwrap_or_default(),
            location: Location::at_node(&file, dep),
        })
        .filter(|dep| !dependency_present(chart_dir, &dep.name))
        .collect())
}

/// `charts/<name>/Chart.yaml` or `charts/<name>-<version>.tgz`.
pub fn dependency_present(chart_dir: &Path, name: &str) -> bool {
    let charts = chart_dir.join("charts");
    if charts.join(name).join("Chart.yaml").is_file() {
        return true;
    }
    let prefix = format!("{name}-");
    std::fs::read_dir(&charts)
        .map(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                let file = e.file_name().to_string_lossy().into_owned();
                file.ends_with(".tgz")
                    && file.strip_prefix(&prefix).is_some_and(|version| {
                        version.starts_with(|c: char| c.is_ascii_digit() || c == 'v')
                    })
            })
        })
        .unwrap_or(false)
}

/// The build environment Argo CD substitutes into Helm parameter values and jsonnet variables
/// (`newEnv` in reposerver/repository/repository.go). `ARGOCD_APP_NAME` is the request's
/// `AppName`, the Application's `InstanceName`. The revision variables are not known offline.
struct ArgoEnv(Vec<(&'static str, String)>);

impl ArgoEnv {
    fn new(app: &Application, source: &Source) -> Self {
        let instance =
            crate::argo::source::instance_name(&app.metadata_name, &app.namespace, "argocd");
        ArgoEnv(vec![
            ("ARGOCD_APP_NAME", instance),
            ("ARGOCD_APP_NAMESPACE", app.destination.namespace.clone()),
            ("ARGOCD_APP_PROJECT_NAME", app.project_name().to_string()),
            ("ARGOCD_APP_SOURCE_REPO_URL", source.repo_url.clone()),
            (
                "ARGOCD_APP_SOURCE_PATH",
                source.path.clone().unwrap_or_default(),
            ),
            (
                "ARGOCD_APP_SOURCE_TARGET_REVISION",
                source.target_revision.clone(),
            ),
        ])
    }

    /// Go's `os.Expand` with Argo CD's mapping: `$$` is `$`, unknown names are empty.
    fn substitute(&self, s: &str) -> String {
        let lookup = |name: &str| -> String {
            if name == "$" {
                return "$".into();
            }
            self.0
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        go_expand(s, lookup)
    }
}

/// Go's `os.Expand`.
fn go_expand(s: &str, mapping: impl Fn(&str) -> String) -> String {
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

/// `cleanSetParameters`: commas are escaped for `--set` unless the value is a `{...}` list.
fn clean_set_parameter(value: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `newEnv`: `ARGOCD_APP_NAME` is the instance name, `<namespace>_<name>` outside `argocd`.
    #[test]
    fn new_env_names_the_instance() {
        let app = |namespace: &str| {
            let text = format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\n  namespace: {namespace}\nspec:\n  destination: {{namespace: ns}}\n  source: {{repoURL: https://x/y, path: p}}\n"
            );
            let file: std::sync::Arc<Path> = std::sync::Arc::from(Path::new("/a.yaml"));
            Application::from_node(&file, &yaml::parse_documents(&text).unwrap()[0].root).unwrap()
        };
        for (namespace, expected) in [("argocd", "web-ns"), ("team", "team_web-ns")] {
            let app = app(namespace);
            let env = ArgoEnv::new(&app, &app.sources[0]);
            assert_eq!(
                env.substitute("$ARGOCD_APP_NAME-$ARGOCD_APP_NAMESPACE"),
                expected
            );
        }
    }

    #[test]
    fn parameter_values_expand_like_os_expand() {
        let map = |name: &str| match name {
            "ARGOCD_APP_NAME" => "web".to_string(),
            "$" => "$".to_string(),
            _ => String::new(),
        };
        assert_eq!(go_expand("img:$ARGOCD_APP_NAME", map), "img:web");
        assert_eq!(go_expand("${ARGOCD_APP_NAME}-x", map), "web-x");
        assert_eq!(go_expand("cost $$5", map), "cost $5");
        assert_eq!(go_expand("$UNKNOWN/x", map), "/x");
        assert_eq!(go_expand("trailing $", map), "trailing $");
        assert_eq!(go_expand("a$/b", map), "a$/b");
        assert_eq!(go_expand("${}x", map), "x");
    }

    #[test]
    fn commas_escaped_unless_list() {
        assert_eq!(clean_set_parameter("a,b"), "a\\,b");
        assert_eq!(clean_set_parameter("a\\,b"), "a\\,b");
        assert_eq!(clean_set_parameter("{a,b}"), "{a,b}");
    }

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
