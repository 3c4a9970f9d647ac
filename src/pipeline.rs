//! discover → plan → render → inventory → rules. No printing here except progress; the caller reports.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::appset::{self, Cluster, ExpandContext, PrValues, SyntheticPr};
use crate::argo::scope::ScopeRegistry;
use crate::config::{self, FileConfig};
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::discover::{self, Repository};
use crate::inventory::{self, Inventory};
use crate::outcome::Outcome;
use crate::plan::{self, JobKind, PlanOptions, RenderJob};
use crate::render::{self, RenderOptions, Tools};
use crate::repos::RepoMap;
use crate::rules;

/// Everything `preview-gate check` was asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub dir: PathBuf,
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

pub fn check(options: &CheckOptions) -> Result<Outcome, String> {
    let started = Instant::now();
    let root = options
        .dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.dir.display()))?;
    if !root.is_dir() {
        return Err(format!("{} is not a directory", root.display()));
    }
    let mut outcome = Outcome::default();
    let mut profile = match rules::profile::Profile::load(&options.profile) {
        Ok(profile) => profile,
        Err(findings) => {
            outcome.findings = findings;
            return Ok(outcome);
        }
    };

    let config_path = options
        .config
        .clone()
        .or_else(|| Some(root.join(config::FILE_NAME)).filter(|p| p.is_file()));
    let file_config = match config_path.as_deref().map(config::load).transpose() {
        Ok(config) => config.unwrap_or_default(),
        Err(findings) => {
            outcome.findings = findings;
            return Ok(outcome);
        }
    };
    if let Some((rules_node, file)) = &file_config.rules {
        if let Err(findings) = profile.overlay(rules_node, file) {
            outcome.findings = findings;
            return Ok(outcome);
        }
    }

    let mut repos = RepoMap::default();
    for (url, dir) in &options.repo_map {
        repos.add(url, dir.canonicalize().unwrap_or_else(|_| dir.clone()));
    }
    for (url, dir) in &file_config.repositories {
        repos.add(url, dir.canonicalize().unwrap_or_else(|_| dir.clone()));
    }
    repos.add_git_remotes(&root);

    let mut repo = discover::discover(&root);
    outcome.findings.extend(repo.findings.iter().cloned());
    let mut clusters = options.clusters.clone();
    clusters.extend(file_config.clusters.iter().map(|(name, server)| Cluster {
        name: name.clone(),
        server: server.clone(),
    }));
    let mut external_projects = options.external_projects.clone();
    external_projects.extend(file_config.external_projects.iter().cloned());
    let pull_request = options
        .pull_request
        .over(file_config.pull_request.over(SyntheticPr::default()));
    let expand_context = ExpandContext {
        repos: &repos,
        pr: &pull_request,
        clusters: &clusters,
    };
    // Projects an ApplicationSet may have generated unseen Applications for (`None`: any project).
    let mut partially_expanded: Vec<Option<String>> = Vec::new();
    for appset in &repo.application_sets {
        if file_config.excludes(&appset.name) {
            continue;
        }
        let mut expansion = appset::expand(appset, &expand_context);
        if expansion
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error)
        {
            partially_expanded.push(appset.template_project());
        }
        if file_config
            .unevaluated_application_sets
            .contains(&appset.name)
        {
            // Acknowledged in the config: still reported, no longer failing.
            for finding in &mut expansion.findings {
                if finding.rule == Code::GeneratorNotEvaluated {
                    finding.severity = Severity::Warning;
                    finding.help = Some(format!(
                        "{} is listed under unevaluatedApplicationSets in preview-gate.yaml: its Applications are not checked",
                        appset.name
                    ));
                }
            }
        }
        outcome.findings.extend(expansion.findings);
        repo.applications.extend(expansion.applications);
    }

    let (apps, mut fully_checked) = select(&repo, options, &file_config)?;
    for project in &partially_expanded {
        match project {
            Some(name) => fully_checked.remove(name),
            None => {
                fully_checked.clear();
                break;
            }
        };
    }
    let scopes = scope_registry(&repo, &file_config, options, &mut outcome.findings);
    let mut api_versions: Vec<String> = scopes.api_versions().map(str::to_string).collect();
    api_versions.extend(options.api_versions.iter().cloned());
    api_versions.extend(file_config.api_versions.iter().cloned());
    api_versions.sort();
    api_versions.dedup();
    let plan_options = PlanOptions {
        kube_version: options
            .kube_version
            .clone()
            .or(file_config.kube_version.clone())
            .unwrap_or_else(|| DEFAULT_KUBE_VERSION.to_string()),
        api_versions,
        offline: options.offline,
    };
    let plan = plan::plan(&apps, &repos, &plan_options);
    outcome.findings.extend(plan.findings.iter().cloned());
    for bad in &repo.unparseable {
        let read = plan
            .read_paths
            .iter()
            .any(|p| bad.location.file.starts_with(p));
        outcome.findings.push(bad.finding(read));
    }
    outcome.planned = plan.jobs.iter().map(|job| describe(job, &apps)).collect();
    outcome.apps = apps.iter().map(|a| a.name.clone()).collect();
    outcome.app_projects = apps.iter().map(|a| a.project_name().to_string()).collect();

    let render_options = RenderOptions {
        jobs: options.jobs,
        timeout: options.render_timeout,
        tools: Tools::find(options.helm_bin.clone(), options.kustomize_bin.clone()),
    };
    let source_location = |job: &RenderJob| -> Location {
        let source = &apps[job.app].sources[job.source];
        source.path_location.clone()
    };
    let show_progress = options.show_progress;
    let progress = move |done: usize, total: usize| {
        if show_progress {
            eprint!("\rrendering {done}/{total} sources");
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    };
    let (rendered, render_findings) = if plan.jobs.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        render::render_all(&plan.jobs, &render_options, &source_location, &progress)
    };
    outcome.findings.extend(render_findings);
    outcome.renders = rendered.len();

    let mut scopes = scopes;
    for result in rendered.iter().filter_map(|r| r.result.as_ref().ok()) {
        inventory::register_rendered_crds(result, &mut scopes);
    }
    let mut inventory = Inventory::default();
    let mut incomplete_apps: BTreeSet<String> =
        plan.findings.iter().filter_map(|f| f.app.clone()).collect();
    for result in rendered {
        let job = &plan.jobs[result.job];
        match result.result {
            Ok(docs) => inventory::build(
                job.app,
                job.source,
                &apps[job.app],
                docs,
                &scopes,
                &mut inventory,
                &mut outcome.findings,
            ),
            Err(finding) => {
                incomplete_apps.insert(apps[job.app].name.clone());
                outcome.findings.push(finding.app(&apps[job.app].name));
            }
        }
    }
    // An entry is stale only if everything the project deploys was seen.
    for app in apps.iter().filter(|a| incomplete_apps.contains(&a.name)) {
        fully_checked.remove(app.project_name());
    }
    outcome.objects = inventory.objects.len();
    outcome.dropped = inventory.dropped;
    let (pinned_namespaces, namespace_probes) =
        if rules::needs(&profile, rules::Extra::NamespaceProbes) {
            probe_pinned_namespaces(
                &plan.jobs,
                &apps,
                &inventory,
                &scopes,
                &render_options,
                &source_location,
            )
        } else {
            (Vec::new(), 0)
        };

    outcome.namespace_probes = namespace_probes;
    let overlays = if rules::needs(&profile, rules::Extra::AppSetOverlays) {
        build_overlays(&root, &profile, &render_options, &mut outcome.findings)
    } else {
        Vec::new()
    };
    // What `exclude:` skips is not judged by the ApplicationSet rules either.
    let application_sets: Vec<_> = repo
        .application_sets
        .iter()
        .filter(|a| !file_config.excludes(&a.name))
        .cloned()
        .collect();
    let context = rules::Context {
        apps: &apps,
        every_application: &repo.applications,
        projects: &repo.projects,
        inventory: &inventory,
        fully_checked_projects: &fully_checked,
        external_projects: &external_projects,
        pinned_namespaces: &pinned_namespaces,
        clusters: &clusters,
        profile: &profile,
        application_sets: &application_sets,
        pr: &pull_request,
        jobs: &plan.jobs,
        overlays: &overlays,
    };
    let policy_findings = rules::check_all(&context);
    outcome.findings.extend(crate::waiver::apply(
        &file_config.waivers,
        profile.apply(policy_findings),
        crate::waiver::today(),
    ));
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
        .findings
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    // Never suggest edits from an incomplete check.
    if outcome.exit_code() != 2 {
        outcome.fix = crate::fix::plan(&outcome.findings);
    }
    outcome.elapsed = started.elapsed();
    Ok(outcome)
}

/// Kustomize overlays of the ApplicationSets themselves (local-cluster overlays), when the profile
/// asks `preview-appset-hardening` to check them; built like any Kustomize source. A failed build
/// is a `render-failed` finding: the gate could not check what it was asked to.
fn build_overlays(
    root: &std::path::Path,
    profile: &rules::profile::Profile,
    render_options: &RenderOptions,
    findings: &mut Vec<Finding>,
) -> Vec<(PathBuf, Vec<render::RenderedDoc>)> {
    use rules::profile::RuleParams;
    let Some(settings) = profile
        .params(rules::preview_appset_hardening::META.id())
        .map(rules::preview_appset_hardening::Settings::from_params)
    else {
        return Vec::new();
    };
    let jobs: Vec<RenderJob> = rules::preview_appset_hardening::local_overlays(root, &settings)
        .into_iter()
        .map(|dir| RenderJob {
            app: 0,
            source: 0,
            kind: JobKind::Kustomize(plan::KustomizeJob {
                dir,
                repo_root: root.to_path_buf(),
                edits: None,
            }),
        })
        .collect();
    if jobs.is_empty() {
        return Vec::new();
    }
    let dir_of = |job: &RenderJob| match &job.kind {
        JobKind::Kustomize(k) => k.dir.clone(),
        _ => PathBuf::new(),
    };
    let location = |job: &RenderJob| {
        let file = rules::preview_appset_hardening::kustomization_file(&dir_of(job));
        Location::file_start(std::sync::Arc::from(file.as_path()))
    };
    let (results, failures) = render::render_all(&jobs, render_options, &location, &|_, _| {});
    findings.extend(failures);
    let mut built = Vec::new();
    for result in results {
        match result.result {
            Ok(docs) => built.push((dir_of(&jobs[result.job]), docs)),
            Err(finding) => findings.push(finding),
        }
    }
    built
}

/// Applications chosen by `--app`/`--project`, and the projects all of whose Applications are chosen.
/// The namespace Helm charts are rendered into a second time to tell `{{ .Release.Namespace }}`
/// from a namespace that only happens to equal the destination.
const PROBE_NAMESPACE: &str = "preview-gate-namespace-probe";

/// Renders again, into [`PROBE_NAMESPACE`], only the Helm sources that rendered a namespaced object
/// with an explicit namespace equal to the destination whose template line is not plainly
/// `{{ .Release.Namespace }}`, and returns the inventory indices of the
/// objects whose namespace did not move, and the number of probe renders. A failing probe render
/// proves nothing and is ignored.
fn probe_pinned_namespaces(
    jobs: &[RenderJob],
    apps: &[crate::argo::application::Application],
    inventory: &Inventory,
    scopes: &ScopeRegistry,
    render_options: &RenderOptions,
    source_location: &dyn Fn(&RenderJob) -> Location,
) -> (Vec<usize>, usize) {
    let of_job = |job: &RenderJob| -> Vec<usize> {
        (0..inventory.objects.len())
            .filter(|&i| {
                let o = &inventory.objects[i];
                o.app == job.app && o.source == job.source
            })
            .collect()
    };
    let mut templates = rules::fixed_namespace::FileCache::default();
    let mut probes: Vec<(RenderJob, Vec<usize>)> = Vec::new();
    for job in jobs {
        let JobKind::Helm(helm) = &job.kind else {
            continue;
        };
        let destination = &apps[job.app].destination.namespace;
        let objects = of_job(job);
        // A template line that reads `{{ .Release.Namespace }}` follows by construction.
        let candidate = objects.iter().any(|&i| {
            let o = &inventory.objects[i];
            o.scope == Some(crate::argo::scope::Scope::Namespaced)
                && o.explicit_namespace.as_ref() == Some(destination)
                && !templates.follows_release_namespace(&o.origin)
        });
        let Some(at) = helm.args.iter().position(|a| a == "--namespace") else {
            continue;
        };
        if !candidate || helm.args.get(at + 1) != Some(destination) {
            continue;
        }
        let mut probe = job.clone();
        if let JobKind::Helm(helm) = &mut probe.kind {
            helm.args[at + 1] = PROBE_NAMESPACE.to_string();
        }
        probes.push((probe, objects));
    }
    if probes.is_empty() {
        return (Vec::new(), 0);
    }
    let probe_jobs: Vec<RenderJob> = probes.iter().map(|(job, _)| job.clone()).collect();
    let (results, _) = render::render_all(&probe_jobs, render_options, source_location, &|_, _| {});
    let mut pinned = Vec::new();
    for result in results {
        let Ok(docs) = result.result else { continue };
        let (job, objects) = &probes[result.job];
        let mut probed = Inventory::default();
        let mut ignored = Vec::new();
        inventory::build(
            job.app,
            job.source,
            &apps[job.app],
            docs,
            scopes,
            &mut probed,
            &mut ignored,
        );
        let originals: Vec<_> = objects
            .iter()
            .map(|&i| inventory.objects[i].clone())
            .collect();
        pinned.extend(
            rules::fixed_namespace::pinned(&originals, &probed.objects)
                .into_iter()
                .map(|k| objects[k]),
        );
    }
    (pinned, probes.len())
}

fn select(
    repo: &Repository,
    options: &CheckOptions,
    file_config: &FileConfig,
) -> Result<(Vec<crate::argo::application::Application>, BTreeSet<String>), String> {
    let globs = options
        .app_globs
        .iter()
        .map(|g| glob::Pattern::new(g).map_err(|e| format!("--app {g}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let chosen = |app: &crate::argo::application::Application| {
        (globs.is_empty() || globs.iter().any(|g| g.matches(&app.name)))
            && file_config.selects(&app.name)
            && (options.projects.is_empty()
                || options.projects.iter().any(|p| p == app.project_name()))
    };
    let apps: Vec<_> = repo
        .applications
        .iter()
        .filter(|a| chosen(a))
        .cloned()
        .collect();
    let fully_checked = repo
        .projects
        .iter()
        .map(|p| p.name.clone())
        .filter(|name| {
            let of_project: Vec<_> = repo
                .applications
                .iter()
                .filter(|a| a.project_name() == name)
                .collect();
            !of_project.is_empty() && of_project.iter().all(|a| chosen(a))
        })
        .collect();
    Ok((apps, fully_checked))
}

fn scope_registry(
    repo: &Repository,
    file_config: &FileConfig,
    options: &CheckOptions,
    findings: &mut Vec<Finding>,
) -> ScopeRegistry {
    let mut scopes = ScopeRegistry::builtin();
    for (crd, location) in &repo.crds {
        scopes.add_crd(crd, &location.display_path());
    }
    if let Some(path) = &options.api_resources {
        let loaded = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| scopes.add_api_resources(&text));
        if let Err(message) = loaded {
            let file = std::sync::Arc::from(path.as_path());
            findings.push(Finding::new(
                Code::InvalidConfig,
                Severity::Error,
                format!("--api-resources: {message}"),
                Location::file_start(file),
            ));
        }
    }
    for api_version in &file_config.api_versions {
        scopes.add_api_version(api_version);
    }
    for (group, kind, scope) in &file_config.scopes {
        scopes.add_declared(group, kind, *scope);
    }
    scopes
}

/// A shell-like line for `--print-renders`.
fn describe(job: &RenderJob, apps: &[crate::argo::application::Application]) -> String {
    let app = &apps[job.app].name;
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    match &job.kind {
        JobKind::Helm(helm) => {
            let (chart, dir) = match &helm.chart {
                plan::ChartRef::Local { dir, .. } => (".".to_string(), dir.display().to_string()),
                plan::ChartRef::Remote {
                    chart,
                    repo,
                    version,
                } => {
                    let repo = repo
                        .as_ref()
                        .map(|r| format!(" --repo {r}"))
                        .unwrap_or_default();
                    (format!("{chart}{repo} --version {version}"), ".".into())
                }
            };
            let args: Vec<String> = helm.args.iter().map(|a| quote(a)).collect();
            let values = if helm.inline_values.is_some() {
                " --values <inline values>"
            } else {
                ""
            };
            format!(
                "# {app} source {}\n(cd {} && helm template {chart} {}{values})",
                job.source,
                quote(&dir),
                args.join(" ")
            )
        }
        JobKind::Kustomize(k) => {
            let edits = if k.edits.is_some() {
                " # with kustomize options applied to a copy"
            } else {
                ""
            };
            format!(
                "# {app} source {}\nkustomize build {}{edits}",
                job.source,
                quote(&k.dir.display().to_string())
            )
        }
        JobKind::Directory(d) => format!(
            "# {app} source {}\n# read directory {} (recurse: {})",
            job.source,
            d.dir.display(),
            d.options.recurse
        ),
    }
}
