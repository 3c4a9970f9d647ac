//! Command-line arguments.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use preview_gate::appset::{Cluster, PrValues};
use preview_gate::settings::CheckOptions;

/// Proves an Argo CD GitOps repository safe for PR preview environments.
///
/// Renders every Application source with the real `helm template` / `kustomize build`, exactly as
/// Argo CD's repo-server would, and checks the result against each Application's AppProject.
///
/// Exit status: 0 no errors, 1 policy findings, 2 usage, configuration or render errors.
#[derive(Debug, Parser)]
#[command(name = "preview-gate", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render and check a GitOps checkout.
    Check(Box<CheckArgs>),
    /// Check, then fix the AppProject allowlists in place (kind-not-allowed, stale-allowlist-entry).
    ///
    /// Adds missing whitelist entries and deletes stale ones, keeping comments and layout; prints
    /// the diffs and lists the errors left for a human. Nothing is written when the check could not
    /// complete (exit 2). Exit 0 when no error is left, 1 when some are.
    Fix(Box<FixArgs>),
    /// List the rules with their ids, default severity and summary.
    Rules,
    /// Print a rule's documentation: what, why, example, fix, Argo CD reference.
    Explain {
        /// A rule id, e.g. kind-not-allowed.
        rule: String,
    },
    /// Install a git pre-push hook that checks every pushed commit.
    InstallHook {
        /// Replace an existing pre-push hook that preview-gate did not write.
        #[arg(long)]
        force: bool,
        /// A directory inside the repository.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings grouped by file, with source lines and help.
    Human,
    /// {"findings":[{"rule","severity","message","file","line",...}],"summary":{...}}.
    Json,
    /// GitHub Actions workflow commands (annotations) followed by the human log.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a test case per Application, a failure per error finding.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Write nothing: print the diffs, exit 1 when an edit is pending and 0 when none is.
    #[arg(long)]
    pub check: bool,

    #[command(flatten)]
    pub options: CheckArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The GitOps checkout to check.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Check this commit (a sha, branch or tag) of the checkout, exactly as committed. Without
    /// it the gate checks the files Git tracks, with their working-tree content (untracked and
    /// ignored files are not read, as Argo CD never sees them); a directory that is not a Git
    /// checkout is read whole.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,

    /// Output format. When GITHUB_STEP_SUMMARY is set, a Markdown summary is also appended to
    /// that file, whatever the format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the --format output to FILE (never coloured) instead of stdout; the human log then
    /// goes to stderr and stdout stays empty.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Colour the human log (auto: when it goes to a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Config file [default: DIR/preview-gate.yaml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Check only the Applications of this AppProject (repeatable).
    #[arg(long = "project", value_name = "NAME")]
    pub projects: Vec<String>,

    /// Check only Applications whose name matches this glob (repeatable). Stale-allowlist checks
    /// then skip projects with Applications left out.
    #[arg(long = "app", value_name = "GLOB")]
    pub apps: Vec<String>,

    /// Map a repository URL to a local directory (repeatable). The checkout's own git remotes are
    /// mapped to it automatically.
    #[arg(long = "repo-map", value_name = "URL=DIR", value_parser = parse_repo_map)]
    pub repo_map: Vec<(String, PathBuf)>,

    /// An AppProject defined outside the repository, e.g. `default` (repeatable).
    #[arg(long = "external-project", value_name = "NAME")]
    pub external_projects: Vec<String>,

    /// Kubernetes version passed to `helm template --kube-version` [default: config kubeVersion, else 1.33.0].
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,

    /// Extra API versions for `helm template --api-versions` (repeatable). Built-in Kubernetes
    /// groups and the repository's CRDs are always passed.
    #[arg(long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,

    /// `kubectl api-resources -o wide` output of the target cluster: resource scopes and API versions.
    #[arg(long, value_name = "FILE")]
    pub api_resources: Option<PathBuf>,

    /// Fail Helm repository, OCI and remote value-file sources instead of fetching them.
    #[arg(long)]
    pub offline: bool,

    /// Renders run in parallel [default: available cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Seconds before a render is killed and reported.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub render_timeout: u64,

    /// The helm binary [default: helm on PATH].
    #[arg(long, env = "PREVIEW_GATE_HELM", value_name = "PATH")]
    pub helm_bin: Option<PathBuf>,

    /// The kustomize binary [default: kustomize on PATH, else `kubectl kustomize`].
    #[arg(long, env = "PREVIEW_GATE_KUSTOMIZE", value_name = "PATH")]
    pub kustomize_bin: Option<PathBuf>,

    /// Rule profile: a built-in name (see rules/) or a profile file.
    #[arg(long, value_name = "NAME|FILE", default_value = "default")]
    pub profile: String,

    /// The synthetic pull request's number [default: config pullRequest.number, else 1234].
    #[arg(long, value_name = "N", help_heading = "Synthetic pull request")]
    pub pr_number: Option<u64>,

    /// Its head commit SHA [default: 0123456789abcdef0123456789abcdef01234567].
    #[arg(long, value_name = "SHA", help_heading = "Synthetic pull request")]
    pub pr_head_sha: Option<String>,

    /// Its branch [default: feature/preview-gate].
    #[arg(long, value_name = "NAME", help_heading = "Synthetic pull request")]
    pub pr_branch: Option<String>,

    /// Its target branch [default: main].
    #[arg(long, value_name = "NAME", help_heading = "Synthetic pull request")]
    pub pr_target_branch: Option<String>,

    /// Its title [default: preview-gate synthetic pull request].
    #[arg(long, value_name = "TEXT", help_heading = "Synthetic pull request")]
    pub pr_title: Option<String>,

    /// Its author [default: preview-gate].
    #[arg(long, value_name = "LOGIN", help_heading = "Synthetic pull request")]
    pub pr_author: Option<String>,

    /// Its labels, comma-separated [default: exactly the labels each pull request generator
    /// requires, so label-gated generators produce their Applications]. Values given here win over
    /// `pullRequest:` in preview-gate.yaml.
    #[arg(
        long,
        value_name = "LABELS",
        value_delimiter = ',',
        help_heading = "Synthetic pull request"
    )]
    pub pr_labels: Option<Vec<String>>,

    /// A cluster the clusters generator lists besides the local in-cluster (repeatable).
    #[arg(long = "cluster", value_name = "NAME=SERVER", value_parser = parse_cluster)]
    pub clusters: Vec<(String, String)>,

    /// Print the render commands the gate would run, and exit.
    #[arg(long)]
    pub print_renders: bool,
}

impl CheckArgs {
    pub fn into_options(self, show_progress: bool) -> CheckOptions {
        CheckOptions {
            dir: self.dir,
            rev: self.rev,
            config: self.config,
            repo_map: self.repo_map,
            projects: self.projects,
            app_globs: self.apps,
            external_projects: self.external_projects,
            kube_version: self.kube_version,
            api_versions: self.api_versions,
            api_resources: self.api_resources,
            offline: self.offline,
            jobs: self
                .jobs
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
            render_timeout: Duration::from_secs(self.render_timeout),
            helm_bin: self.helm_bin,
            kustomize_bin: self.kustomize_bin,
            show_progress,
            profile: self.profile,
            pull_request: PrValues {
                number: self.pr_number,
                branch: self.pr_branch,
                target_branch: self.pr_target_branch,
                head_sha: self.pr_head_sha,
                title: self.pr_title,
                author: self.pr_author,
                labels: self.pr_labels,
            },
            clusters: self
                .clusters
                .into_iter()
                .map(|(name, server)| Cluster::new(name, server))
                .collect(),
        }
    }
}

fn parse_repo_map(value: &str) -> Result<(String, PathBuf), String> {
    let (url, dir) = value.split_once('=').ok_or("expected URL=DIR")?;
    Ok((url.to_string(), PathBuf::from(dir)))
}

fn parse_cluster(value: &str) -> Result<(String, String), String> {
    let (name, server) = value.split_once('=').ok_or("expected NAME=SERVER")?;
    Ok((name.to_string(), server.to_string()))
}
