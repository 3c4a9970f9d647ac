//! Everything a check runs with, resolved once before any stage: the command line
//! ([`CheckOptions`]) merged with `preview-gate.yaml` and the rule profile, validated. Command-line
//! values win over the file; the file wins over defaults.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::appset::{Cluster, PrValues, SyntheticPr};
use crate::argo::scope::ScopeRegistry;
use crate::config::{self, FileConfig};
use crate::config_syntax::invalid;
use crate::diagnostic::{Finding, Location};
use crate::discover::Repository;
use crate::render::{RenderOptions, Tools};
use crate::repos::RepoMap;
use crate::rules::profile::Profile;
use crate::tree::{Revisions, Tree};

/// What `preview-gate check` was asked on the command line, before the file and profile join in.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub dir: PathBuf,
    /// `--rev`: check this commit of the checkout instead of its tracked files.
    pub rev: Option<String>,
    pub config: Option<PathBuf>,
    pub repo_map: Vec<(String, PathBuf)>,
    pub projects: Vec<String>,
    pub app_globs: Vec<String>,
    pub external_projects: Vec<String>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub api_resources: Option<PathBuf>,
    pub offline: bool,
    pub jobs: usize,
    pub render_timeout: Duration,
    pub helm_bin: Option<PathBuf>,
    pub kustomize_bin: Option<PathBuf>,
    pub show_progress: bool,
    /// A built-in profile name or a profile file.
    pub profile: String,
    /// The pull request that pull request generators see (unset values: config, then defaults).
    pub pull_request: PrValues,
    /// Clusters the clusters generator lists besides in-cluster.
    pub clusters: Vec<Cluster>,
}

pub const DEFAULT_KUBE_VERSION: &str = "1.33.0";

/// The validated settings of one check.
#[derive(Debug)]
pub struct Settings {
    /// Where the checked repository's files are read: the checkout, or a temporary copy of
    /// its tracked files or of `--rev` (see [`Tree`]).
    pub root: PathBuf,
    /// What of the repository is checked, and where findings point.
    pub tree: Tree,
    /// Which tree each `targetRevision` is read from (pinned revisions are copies of commits).
    pub revisions: Arc<Revisions>,
    /// The selected profile with `preview-gate.yaml`'s `rules:` on top.
    pub profile: Profile,
    /// `preview-gate.yaml` (include/exclude, waivers, declared scopes, …).
    pub file: FileConfig,
    pub repos: RepoMap,
    pub clusters: Vec<Cluster>,
    pub external_projects: Vec<String>,
    pub pull_request: SyntheticPr,
    /// `--app` globs and `--project` names.
    pub app_globs: Vec<glob::Pattern>,
    pub projects: Vec<String>,
    pub kube_version: String,
    /// `--api-versions` and the file's `apiVersions`.
    pub api_versions: Vec<String>,
    /// Resource scopes known before discovery: built-in kinds, `--api-resources`, the file's
    /// `apiVersions` and `scopes`. [`Settings::scopes`] adds the repository's CRDs.
    base_scopes: ScopeRegistry,
    pub offline: bool,
    pub render: RenderOptions,
    pub show_progress: bool,
}

/// Why the settings could not be resolved.
#[derive(Debug)]
pub enum Unresolved {
    /// A usage error (exit 2 with the message).
    Usage(String),
    /// `invalid-config` findings at their lines (exit 2 with the report).
    Invalid(Vec<Finding>),
}

impl Settings {
    pub fn resolve(options: &CheckOptions) -> Result<Settings, Unresolved> {
        let root = options
            .dir
            .canonicalize()
            .map_err(|e| Unresolved::Usage(format!("{}: {e}", options.dir.display())))?;
        if !root.is_dir() {
            return Err(Unresolved::Usage(format!(
                "{} is not a directory",
                root.display()
            )));
        }
        let tree = Tree::open(&root, options.rev.as_deref()).map_err(Unresolved::Usage)?;
        let (read, shown) = (tree.root().to_path_buf(), root);
        Settings::resolve_in(options, tree).map_err(|unresolved| match unresolved {
            // The copy is gone with the tree: point into the repository.
            Unresolved::Invalid(mut findings) => {
                for finding in &mut findings {
                    finding.relocate(&read, &shown);
                }
                Unresolved::Invalid(findings)
            }
            usage => usage,
        })
    }

    fn resolve_in(options: &CheckOptions, tree: Tree) -> Result<Settings, Unresolved> {
        let shown = tree.shown().to_path_buf();
        let root = tree.root().to_path_buf();
        let mut profile = load_profile(&options.profile).map_err(Unresolved::Invalid)?;
        let config_path = options
            .config
            .clone()
            .or_else(|| Some(root.join(config::FILE_NAME)).filter(|p| p.is_file()));
        let file = match config_path.as_deref().map(config::load).transpose() {
            Ok(file) => file.unwrap_or_default(),
            Err(findings) => return Err(Unresolved::Invalid(findings)),
        };
        if let Some((rules_node, path)) = &file.rules {
            profile
                .overlay(rules_node, path)
                .map_err(Unresolved::Invalid)?;
        }
        let app_globs = options
            .app_globs
            .iter()
            .map(|g| glob::Pattern::new(g).map_err(|e| format!("--app {g}: {e}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Unresolved::Usage)?;
        let mut base_scopes = ScopeRegistry::builtin();
        if let Some(path) = &options.api_resources {
            add_api_resources(&mut base_scopes, path)
                .map_err(|finding| Unresolved::Invalid(vec![finding]))?;
        }
        for api_version in &file.api_versions {
            base_scopes.add_api_version(api_version);
        }
        for (group, kind, scope) in &file.scopes {
            base_scopes.add_declared(group, kind, *scope);
        }

        let mut repos = RepoMap::default();
        for (url, dir) in options.repo_map.iter().chain(&file.repositories) {
            repos.add(url, dir.canonicalize().unwrap_or_else(|_| dir.clone()));
        }
        repos.add_git_remotes(&shown);
        // What maps into the named directory maps into the tree read in its place.
        repos.rebase(&shown, &root);
        let mut clusters = options.clusters.clone();
        clusters.extend(file.clusters.iter().cloned());
        let mut external_projects = options.external_projects.clone();
        external_projects.extend(file.external_projects.iter().cloned());
        let pull_request = options
            .pull_request
            .over(file.pull_request.over(SyntheticPr::default()));
        let kube_version = options
            .kube_version
            .clone()
            .or(file.kube_version.clone())
            .unwrap_or_else(|| DEFAULT_KUBE_VERSION.to_string());
        // Checked once here; each Helm source normalises it (or its own) as Argo CD does.
        crate::argo::kube_version::parse_kube_version(&kube_version).map_err(|e| {
            Unresolved::Usage(format!(
                "kube version {kube_version} (--kube-version or kubeVersion in {}): {e}",
                config::FILE_NAME
            ))
        })?;
        let mut api_versions = options.api_versions.clone();
        api_versions.extend(file.api_versions.iter().cloned());
        // What Argo CD reads from the branch this check stands for.
        let mut current = vec![
            pull_request.target_branch.clone(),
            pull_request.branch.clone(),
            pull_request.head_sha.clone(),
        ];
        current.extend(file.current_revisions.iter().cloned());
        let revisions = Arc::new(Revisions::new(&tree, current));
        repos.read_revisions_through(revisions.clone());
        Ok(Settings {
            root,
            tree,
            revisions,
            profile,
            repos,
            clusters,
            external_projects,
            pull_request,
            app_globs,
            projects: options.projects.clone(),
            kube_version,
            api_versions,
            base_scopes,
            offline: options.offline,
            render: RenderOptions {
                sources: Default::default(),
                jobs: options.jobs,
                timeout: options.render_timeout,
                tools: Tools::find(options.helm_bin.clone(), options.kustomize_bin.clone()),
                offline: options.offline,
            },
            show_progress: options.show_progress,
            file,
        })
    }

    /// Whether `--app`, `--project` and `include`/`exclude` choose an Application.
    pub fn chooses(&self, app: &crate::argo::application::Application) -> bool {
        (self.app_globs.is_empty() || self.app_globs.iter().any(|g| g.matches(&app.name)))
            && self.file.selects(&app.name)
            && (self.projects.is_empty() || self.projects.iter().any(|p| p == app.project_name()))
    }

    /// The resource scopes: the settings' own, and the repository's CRDs. A CRD never overrides
    /// a discovered or declared scope (`ScopeRegistry` ranks them), so adding CRDs last is the
    /// same as adding them first.
    pub fn scopes(&self, repo: &Repository) -> ScopeRegistry {
        let mut scopes = self.base_scopes.clone();
        for (crd, location) in &repo.crds {
            scopes.add_crd(crd, &location.display_path());
        }
        scopes
    }
}

/// `--profile`: a built-in name, or else a profile file.
fn load_profile(name_or_path: &str) -> Result<Profile, Vec<Finding>> {
    if let Some(profile) = Profile::builtin(name_or_path) {
        return profile;
    }
    let path = Path::new(name_or_path);
    let file: Arc<Path> = Arc::from(path);
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![invalid(
            format!(
                "--profile {name_or_path}: not a built-in profile ({}) nor a readable file: {e}",
                Profile::builtin_names().join(", ")
            ),
            Location::file_start(file.clone()),
        )]
    })?;
    Profile::from_file(&text, file)
}

/// `--api-resources`: the file must read and parse as `kubectl api-resources -o wide` output.
fn add_api_resources(scopes: &mut ScopeRegistry, path: &Path) -> Result<(), Finding> {
    let at = || Location::file_start(Arc::from(path));
    let text = std::fs::read_to_string(path)
        .map_err(|e| invalid(format!("--api-resources: {e}"), at()))?;
    scopes
        .add_api_resources(&text)
        .map_err(|message| invalid(format!("--api-resources: {message}"), at()))?;
    Ok(())
}
