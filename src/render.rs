//! Runs render jobs on a bounded pool: the only module that starts processes. Every child runs in
//! its own process group, is killed as a group on timeout, and has its stderr kept for the report.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::argo::helm::{
    dependency_needs_network, is_missing_dependency_err, missing_dependency_names, repo_adds,
};
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::origin::{self, Origins};
use crate::plan::{ChartRef, Dependency, DirectoryJob, HelmJob, JobKind, KustomizeJob, RenderJob};

/// The external tools, resolved once.
#[derive(Debug, Clone)]
pub struct Tools {
    pub helm: Option<PathBuf>,
    pub kustomize: Kustomize,
}

#[derive(Debug, Clone)]
pub enum Kustomize {
    Binary(PathBuf),
    /// `kubectl kustomize`, when no `kustomize` binary exists.
    Kubectl(PathBuf),
    Missing,
}

impl Tools {
    /// Explicit paths win; else `helm`, `kustomize`, then `kubectl` from `PATH`.
    pub fn find(helm: Option<PathBuf>, kustomize: Option<PathBuf>) -> Tools {
        // Renders run from the chart directory, so a relative path must be made absolute first.
        let absolute = |p: PathBuf| {
            if p.components().count() > 1 {
                std::path::absolute(&p).unwrap_or(p)
            } else {
                which::which(&p).unwrap_or(p)
            }
        };
        let helm = helm.map(absolute).or_else(|| which::which("helm").ok());
        let kustomize = kustomize.map(absolute);
        let kustomize = match kustomize {
            Some(path)
                if path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("kubectl")) =>
            {
                Kustomize::Kubectl(path)
            }
            Some(path) => Kustomize::Binary(path),
            None => match (which::which("kustomize"), which::which("kubectl")) {
                (Ok(path), _) => Kustomize::Binary(path),
                (_, Ok(path)) => Kustomize::Kubectl(path),
                _ => Kustomize::Missing,
            },
        };
        Tools { helm, kustomize }
    }
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The text of the files origins read (chart templates), shared with the reports.
    pub sources: Arc<crate::sources::Sources>,
    pub jobs: usize,
    pub timeout: Duration,
    pub tools: Tools,
    /// `--offline`: a chart dependency that needs the network is a finding, never fetched.
    pub offline: bool,
}

pub use crate::origin::RenderedDoc;

#[derive(Debug)]
pub struct RenderOutcome {
    pub job: usize,
    pub result: Result<Vec<RenderedDoc>, Finding>,
}

/// Renders every job; results come back in job order, with the findings about a job that are
/// not its result (further chart dependencies that cannot be built).
pub fn render_all(
    jobs: &[RenderJob],
    options: &RenderOptions,
    source_locations: &dyn Fn(&RenderJob) -> Location,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (Vec<RenderOutcome>, Vec<Finding>) {
    let scratch = match tempfile::Builder::new().prefix("preview-gate-").tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            let finding = Finding::new(
                Code::RenderFailed,
                Severity::Error,
                format!("cannot create a temporary directory: {e}"),
                source_locations(&jobs[0]),
            );
            return (Vec::new(), vec![finding]);
        }
    };
    let builds = Builds::new(scratch.path());
    let locations: Vec<Location> = jobs.iter().map(source_locations).collect();
    let queue = Mutex::new((0..jobs.len()).collect::<Vec<_>>().into_iter());
    let results = Mutex::new(Vec::with_capacity(jobs.len()));
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1).min(jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let Some(index) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let job = &jobs[index];
                    let result = render_one(
                        job,
                        options,
                        &builds,
                        scratch.path(),
                        index,
                        &locations[index],
                    );
                    results
                        .lock()
                        .unwrap()
                        .push(RenderOutcome { job: index, result });
                    progress(
                        done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1,
                        jobs.len(),
                    );
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.job);
    let findings = builds
        .findings
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    (results, findings)
}

/// A chart's dependencies built in a mirror of its repository: the mirrored chart directory.
type Built = Result<PathBuf, Finding>;

/// The dependency builds of one [`render_all`], each run once per chart directory however many
/// jobs render the chart (`runHelmBuild` runs once per chart and revision under a lock), never
/// in the user's tree.
struct Builds<'a> {
    scratch: &'a Path,
    /// Original repository root → its mirror.
    mirrors: Mutex<Vec<(PathBuf, PathBuf)>>,
    charts: Mutex<HashMap<PathBuf, Arc<OnceLock<Built>>>>,
    /// Findings for further dependencies of a failed build (the first is the jobs' result).
    findings: Mutex<Vec<Finding>>,
}

impl<'a> Builds<'a> {
    fn new(scratch: &'a Path) -> Self {
        Builds {
            scratch,
            mirrors: Mutex::default(),
            charts: Mutex::default(),
            findings: Mutex::default(),
        }
    }

    fn cell(&self, dir: &Path) -> Arc<OnceLock<Built>> {
        let mut charts = self.charts.lock().unwrap_or_else(|e| e.into_inner());
        charts.entry(dir.to_path_buf()).or_default().clone()
    }

    /// The chart directory to render `dir` from when its dependencies were already built.
    fn built(&self, dir: &Path) -> Option<PathBuf> {
        match self.cell(dir).get() {
            Some(Ok(mirrored)) => Some(mirrored.clone()),
            _ => None,
        }
    }

    /// A copy of the repository at `root`, made once.
    fn mirror(&self, root: &Path) -> std::io::Result<PathBuf> {
        let mut mirrors = self.mirrors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, mirror)) = mirrors.iter().find(|(original, _)| original == root) {
            return Ok(mirror.clone());
        }
        let mirror = self.scratch.join(format!("mirror-{}", mirrors.len()));
        copy_tree(root, &mirror)?;
        mirrors.push((root.to_path_buf(), mirror.clone()));
        Ok(mirror)
    }
}

fn helm_missing(location: &Location) -> Finding {
    Finding::new(
        Code::RenderFailed,
        Severity::Error,
        "no `helm` binary found",
        location.clone(),
    )
    .help("install Helm 3.14+ or 4.x, or pass --helm-bin / set PREVIEW_GATE_HELM")
}

/// Helm's configuration and cache, which Argo CD points at a fresh temporary directory for each
/// source (`Cmd.runWithStdin`: `XDG_*_HOME`, `HELM_CONFIG_HOME`): no repository, registry login or
/// cache of the user's takes part. Helm's own path variables are cleared for the same reason.
fn private_helm_home(command: &mut Command, home: &Path) {
    for variable in [
        "HELM_CACHE_HOME",
        "HELM_DATA_HOME",
        "HELM_REPOSITORY_CONFIG",
        "HELM_REPOSITORY_CACHE",
        "HELM_REGISTRY_CONFIG",
        "HELM_CONTENT_CACHE",
        "HELM_PLUGINS",
    ] {
        command.env_remove(variable);
    }
    command
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HELM_CONFIG_HOME", home.join("config"));
}

fn render_one(
    job: &RenderJob,
    options: &RenderOptions,
    builds: &Builds<'_>,
    scratch: &Path,
    index: usize,
    location: &Location,
) -> Result<Vec<RenderedDoc>, Finding> {
    let failed = |message: String| {
        Finding::new(
            Code::RenderFailed,
            Severity::Error,
            message,
            location.clone(),
        )
    };
    match &job.kind {
        JobKind::Helm(helm_job) => render_helm(helm_job, options, builds, scratch, index, location),
        JobKind::Kustomize(kustomize_job) => {
            render_kustomize(kustomize_job, options, scratch, index, location)
        }
        JobKind::Directory(DirectoryJob {
            dir,
            repo_root,
            options: dir_options,
        }) => origin::read_directory(dir, repo_root, dir_options, &options.sources)
            .map_err(|(message, at)| failed(message).at(at.unwrap_or_else(|| location.clone()))),
    }
}

/// `helmTemplate`: `helm template`; when it reports missing dependencies, `helm dependency build`
/// (in a mirror) and `helm template` again.
fn render_helm(
    job: &HelmJob,
    options: &RenderOptions,
    builds: &Builds<'_>,
    scratch: &Path,
    index: usize,
    location: &Location,
) -> Result<Vec<RenderedDoc>, Finding> {
    let helm = options
        .tools
        .helm
        .as_ref()
        .ok_or_else(|| helm_missing(location))?;
    let home = scratch.join(format!("helm-{index}"));
    // Argo CD writes `ValuesYAML()` to a file of its own and passes it last.
    let values = match &job.inline_values {
        Some(values) => {
            let path = scratch.join(format!("values-{index}.yaml"));
            std::fs::write(&path, values)
                .map_err(|e| failed_at(location, format!("cannot write inline values: {e}")))?;
            Some(path)
        }
        None => None,
    };
    // `chart_dir`: where a local chart is rendered from (itself, or its mirror).
    let template = |chart_dir: &Path| -> Result<Output, Finding> {
        let mut command = Command::new(helm);
        command.arg("template");
        match &job.chart {
            ChartRef::Local { .. } => {
                command.arg(".").current_dir(chart_dir);
                private_helm_home(&mut command, &home);
            }
            // A chart from a repository or registry is fetched with the user's Helm settings
            // (registry logins), which stand in for the credentials Argo CD has.
            ChartRef::Remote {
                chart,
                repo,
                version,
            } => {
                command.arg(chart).current_dir(scratch);
                if let Some(repo) = repo {
                    command.args(["--repo", repo]);
                }
                if !version.is_empty() {
                    command.args(["--version", version]);
                }
            }
        }
        command.args(&job.args);
        if let Some(path) = &values {
            command.arg("--values").arg(path);
        }
        run(&mut command, options.timeout)
            .map_err(|e| failed_at(location, format!("helm template {e}")))
    };
    let (origins, mut output) = match &job.chart {
        ChartRef::Local { dir, .. } => {
            let render_dir = builds.built(dir).unwrap_or_else(|| dir.clone());
            let origins =
                Origins::helm(dir.clone(), job.chart_yaml.clone(), options.sources.clone());
            (origins, template(&render_dir)?)
        }
        ChartRef::Remote { .. } => (Origins::fixed(location.clone()), template(scratch)?),
    };
    if let ChartRef::Local { dir, repo_root } = &job.chart {
        if !output.success && is_missing_dependency_err(&output.stderr) {
            let missing = missing_dependency_names(&output.stderr);
            let built = builds
                .cell(dir)
                .get_or_init(|| {
                    build_dependencies(
                        job,
                        dir,
                        repo_root,
                        &missing,
                        &output.stderr,
                        options,
                        builds,
                        &home,
                    )
                })
                .clone()?;
            output = template(&built)?;
            if !output.success && is_missing_dependency_err(&output.stderr) {
                let missing = missing_dependency_names(&output.stderr);
                let at = missing_in(job, &missing);
                return Err(dependency_finding(
                    job,
                    at.first().copied(),
                    location,
                    format!(
                        "is still missing after `helm dependency build`: {}",
                        output.stderr.trim()
                    ),
                ));
            }
        }
    }
    if !output.success {
        let stderr = output.stderr.trim();
        let at = origins
            .location_in_error(stderr)
            .unwrap_or_else(|| location.clone());
        return Err(failed_at(&at, format!("helm template failed: {stderr}"))
            .related("Application source", location.clone()));
    }
    origin::parse_helm_output(&output.stdout, &origins).map_err(|message| {
        failed_at(
            location,
            format!("helm template printed output that is not YAML: {message}"),
        )
    })
}

/// The declared dependencies Helm named as missing (all of them when it named none we know).
fn missing_in<'a>(job: &'a HelmJob, names: &[String]) -> Vec<&'a Dependency> {
    let named: Vec<&Dependency> = job
        .dependencies
        .iter()
        .filter(|d| names.contains(&d.name))
        .collect();
    if named.is_empty() {
        job.dependencies.iter().collect()
    } else {
        named
    }
}

/// `chart-dependency-missing` at the dependency's line (else the source), naming the Application.
fn dependency_finding(
    job: &HelmJob,
    dependency: Option<&Dependency>,
    source: &Location,
    what: String,
) -> Finding {
    let (subject, at) = match dependency {
        Some(d) => (
            format!("chart dependency {} (repository {})", d.name, d.repository),
            d.location.clone(),
        ),
        None => ("a chart dependency".to_string(), source.clone()),
    };
    Finding::new(
        Code::ChartDependencyMissing,
        Severity::Error,
        format!("Application {}: {subject} {what}", job.app_name),
        at,
    )
    .help("fix the dependency's repository or version, or vendor it into charts/")
    .app(&job.app_name)
}

/// `runHelmBuild` in a mirror of the repository: `helm repo add` for each repository of
/// `getHelmRepos`, then `helm dependency build`, as `helm.DependencyBuild` runs them. With
/// `--offline`, nothing runs when the build would fetch anything: each missing dependency that
/// needs the network is a finding (the first is returned, the others kept in `builds`).
#[allow(clippy::too_many_arguments)]
fn build_dependencies(
    job: &HelmJob,
    dir: &Path,
    repo_root: &Path,
    missing_names: &[String],
    template_error: &str,
    options: &RenderOptions,
    builds: &Builds<'_>,
    home: &Path,
) -> Built {
    let missing = missing_in(job, missing_names);
    let first = missing.first().copied();
    let helm_said = template_error.trim();
    if options.offline {
        let remote: Vec<&Dependency> = job
            .dependencies
            .iter()
            .filter(|d| dependency_needs_network(&d.repository))
            .collect();
        if !remote.is_empty() {
            let mut findings: Vec<Finding> = missing
                .iter()
                .filter(|d| dependency_needs_network(&d.repository))
                .map(|d| {
                    dependency_finding(
                        job,
                        Some(d),
                        &d.location,
                        format!(
                            "is not in charts/, and `helm dependency build` would download it, but --offline is set: {helm_said}"
                        ),
                    )
                })
                .collect();
            if findings.is_empty() {
                let names: Vec<&str> = remote.iter().map(|d| d.name.as_str()).collect();
                findings.push(dependency_finding(
                    job,
                    first,
                    &remote[0].location,
                    format!(
                        "is not in charts/, and `helm dependency build` would also download {}, but --offline is set: {helm_said}",
                        names.join(", ")
                    ),
                ));
            }
            let result = findings.remove(0);
            builds
                .findings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(findings);
            return Err(result);
        }
    }
    let fail = |what: String| dependency_finding(job, first, &job_location(job), what);
    let helm = options
        .tools
        .helm
        .as_ref()
        .ok_or_else(|| helm_missing(&job_location(job)))?;
    let mirror = builds.mirror(repo_root).map_err(|e| {
        fail(format!(
            "could not be built: cannot copy the repository: {e}"
        ))
    })?;
    let mirrored = mirror.join(dir.strip_prefix(repo_root).unwrap_or(Path::new("")));
    for (name, url) in repo_adds(&job.repositories) {
        let mut command = Command::new(helm);
        command
            .args(["repo", "add", &name, &url])
            .current_dir(&mirrored);
        private_helm_home(&mut command, home);
        let output = run(&mut command, options.timeout);
        let error = match &output {
            Ok(out) if out.success => continue,
            Ok(out) => out.stderr.trim().to_string(),
            Err(e) => e.to_string(),
        };
        let by_repo = job
            .dependencies
            .iter()
            .find(|d| d.repository.strip_prefix('@') == Some(name.as_str()) || d.repository == url);
        return Err(dependency_finding(
            job,
            by_repo.or(first),
            &job_location(job),
            format!("could not be built: failed to add helm repository {url}: {error}"),
        ));
    }
    let mut command = Command::new(helm);
    command.args(["dependency", "build"]).current_dir(&mirrored);
    private_helm_home(&mut command, home);
    let error = match run(&mut command, options.timeout) {
        Ok(out) if out.success => return Ok(mirrored),
        Ok(out) => out.stderr.trim().to_string(),
        Err(e) => e.to_string(),
    };
    Err(fail(format!("could not be built: {error}")))
}

/// Where a dependency finding points without a dependency: the chart's `Chart.yaml`.
fn job_location(job: &HelmJob) -> Location {
    match (&job.chart_yaml, job.dependencies.first()) {
        (_, Some(d)) => d.location.clone(),
        (Some(path), None) => Location::file_start(Arc::from(path.as_path())),
        (None, None) => Location::file_start(Arc::from(Path::new("Chart.yaml"))),
    }
}

fn render_kustomize(
    job: &KustomizeJob,
    options: &RenderOptions,
    scratch: &Path,
    index: usize,
    location: &Location,
) -> Result<Vec<RenderedDoc>, Finding> {
    let mut build_dir = job.dir.clone();
    if let Some(edits) = &job.edits {
        // Argo CD runs `kustomize edit` on its own checkout; the gate edits a copy.
        let mirror = scratch.join(format!("kustomize-{index}"));
        copy_tree(&job.repo_root, &mirror)
            .map_err(|e| failed_at(location, format!("cannot copy the repository: {e}")))?;
        build_dir = mirror.join(
            job.dir
                .strip_prefix(&job.repo_root)
                .unwrap_or(Path::new("")),
        );
        crate::kustomize_edit::apply(&build_dir, edits)
            .map_err(|message| failed_at(location, message))?;
    }
    let mut command = match &options.tools.kustomize {
        Kustomize::Binary(path) => {
            let mut c = Command::new(path);
            c.arg("build");
            c
        }
        Kustomize::Kubectl(path) => {
            let mut c = Command::new(path);
            c.arg("kustomize");
            c
        }
        Kustomize::Missing => {
            return Err(failed_at(
                location,
                "neither `kustomize` nor `kubectl` was found".into(),
            )
            .help("install kustomize 5.x, or pass --kustomize-bin / set PREVIEW_GATE_KUSTOMIZE"));
        }
    };
    command
        .arg(&build_dir)
        .args(&job.build_options)
        .current_dir(&build_dir);
    let output = run(&mut command, options.timeout)
        .map_err(|e| failed_at(location, format!("kustomize build {e}")))?;
    if !output.success {
        return Err(failed_at(
            location,
            format!("kustomize build failed: {}", output.stderr.trim()),
        ));
    }
    let origins = Origins::kustomize(&job.dir);
    origin::parse_plain_output(&output.stdout, &origins).map_err(|message| {
        failed_at(
            location,
            format!("kustomize printed output that is not YAML: {message}"),
        )
    })
}

fn failed_at(location: &Location, message: String) -> Finding {
    Finding::new(
        Code::RenderFailed,
        Severity::Error,
        message,
        location.clone(),
    )
}

pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not start: {0}")]
    Spawn(std::io::Error),
    #[error("timed out after {0:?} and was killed")]
    Timeout(Duration),
}

/// Runs a command in its own process group with a deadline; stdout and stderr are drained in
/// threads so a chatty child never blocks.
pub fn run(command: &mut Command, timeout: Duration) -> Result<Output, RunError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn().map_err(RunError::Spawn)?;
    let pid = child.id() as i32;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let (sender, receiver) = mpsc::channel();
    // The waiter owns the child; a timeout kills the whole group by pid, which ends the wait.
    let waiter = std::thread::spawn(move || {
        let _ = sender.send(child.wait().ok());
    });
    let status = match receiver.recv_timeout(timeout) {
        Ok(status) => status,
        Err(_) => {
            // SAFETY: signalling our own child's process group.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            let _ = waiter.join();
            let _ = out_reader.join();
            let _ = err_reader.join();
            return Err(RunError::Timeout(timeout));
        }
    };
    let _ = waiter.join();
    // Grandchildren that kept the pipes open are part of the group: end them too.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Ok(Output {
        success: status.is_some_and(|s| s.success()),
        stdout,
        stderr,
    })
}

/// Copies a directory tree, without `.git`, keeping symlinks as links.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == ".git" {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let file_type = entry.file_type()?;
        if file_type.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&source)?, &target)?;
        } else if file_type.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)?;
        }
    }
    Ok(())
}
