//! Findings and the positions they point at. Every finding carries a [`Location`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// A place in a file of the checked repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Absolute path of the file.
    pub file: Arc<Path>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub col: u32,
    /// 1-based last line of the construct; equal to `line` when unknown.
    pub end_line: u32,
}

impl Location {
    pub fn new(file: Arc<Path>, line: u32, col: u32, end_line: u32) -> Self {
        let line = line.max(1);
        Location {
            file,
            line,
            col,
            end_line: end_line.max(line),
        }
    }

    /// The start of a file, for problems that belong to the file as a whole.
    pub fn file_start(file: Arc<Path>) -> Self {
        Location::new(file, 1, 0, 1)
    }

    pub fn at_node(file: &Arc<Path>, node: &crate::yaml::Node) -> Self {
        Location::new(file.clone(), node.line, node.col, node.end_line)
    }

    /// The file path as shown to users: relative to the working directory when inside it.
    pub fn display_path(&self) -> String {
        display_path(&self.file)
    }
}

/// Shows `path` relative to the current directory when it is below it (GitHub annotations need paths
/// relative to the workspace, which is where CI runs the gate).
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    let shown: PathBuf = match cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok()) {
        Some(rel) => rel.to_path_buf(),
        None => path.to_path_buf(),
    };
    shown.to_string_lossy().replace('\\', "/")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// Whether a finding judges the repository or says the gate could not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A finding about the repository: exit 1 when it is an error.
    Policy,
    /// The gate could not complete a check: always exit 2.
    Gate,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $id:literal, $class:ident;)+) => {
        /// The stable id of every finding: one variant per rule. Stages and rules both name
        /// findings by these; the ids never change once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)+
        }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant),+];

            /// The kebab-case id users see, configure and waive.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $id,)+
                }
            }

            pub const fn class(self) -> Class {
                match self {
                    $(Code::$variant => Class::$class,)+
                }
            }
        }
    };
}

codes! {
    KindNotAllowed = "kind-not-allowed", Policy;
    DuplicateResource = "duplicate-resource", Policy;
    FixedNamespace = "fixed-namespace", Policy;
    MissingNamespace = "missing-namespace", Policy;
    AppNamespaceNotPermitted = "app-namespace-not-permitted", Policy;
    SourceNotPermitted = "source-not-permitted", Policy;
    DestinationNotPermitted = "destination-not-permitted", Policy;
    CreateNamespaceNotPermitted = "create-namespace-not-permitted", Policy;
    StaleAllowlistEntry = "stale-allowlist-entry", Policy;
    UnknownProject = "unknown-project", Policy;
    TemplatedProject = "templated-project", Policy;
    UntrustedTemplateInput = "untrusted-template-input", Policy;
    WaiverExpired = "waiver-expired", Policy;
    PreviewProjectPolicy = "preview-project-policy", Policy;
    PreviewNamespaceLifecycle = "preview-namespace-lifecycle", Policy;
    PreviewLaneShape = "preview-lane-shape", Policy;
    PreviewSyncPolicy = "preview-sync-policy", Policy;
    PreviewAppsetHardening = "preview-appset-hardening", Policy;
    PreviewImageContract = "preview-image-contract", Policy;
    PreviewRoutes = "preview-routes", Policy;
    PreviewServiceAliases = "preview-service-aliases", Policy;
    ParseError = "parse-error", Gate;
    InvalidArgoManifest = "invalid-argo-manifest", Gate;
    InvalidConfig = "invalid-config", Gate;
    SourceUnresolved = "source-unresolved", Gate;
    RenderFailed = "render-failed", Gate;
    ChartDependencyMissing = "chart-dependency-missing", Gate;
    UnknownResourceScope = "unknown-resource-scope", Gate;
    GeneratorNotEvaluated = "generator-not-evaluated", Gate;
    NothingGenerated = "nothing-generated", Gate;
    TemplateError = "template-error", Gate;
}

impl Code {
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == id)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One problem found by a rule or by the pipeline itself.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule: its stable kebab-case id is `rule.as_str()`.
    pub rule: Code,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// The Application the finding is about, when there is one.
    pub app: Option<String>,
    /// The AppProject the finding is about, when there is one.
    pub project: Option<String>,
    /// Other places that explain the finding (the Application, the AppProject entry, ...).
    pub related: Vec<(String, Location)>,
    /// What to change.
    pub help: Option<String>,
    /// The allowlist edit `preview-gate fix` makes for it.
    pub edit: Option<crate::edit::Change>,
}

impl Finding {
    pub fn new(
        rule: Code,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Finding {
            rule,
            severity,
            message: message.into(),
            location,
            app: None,
            project: None,
            related: Vec::new(),
            help: None,
            edit: None,
        }
    }

    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.app = Some(app.into());
        self
    }

    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    pub fn related(mut self, label: impl Into<String>, location: Location) -> Self {
        self.related.push((label.into(), location));
        self
    }

    /// Moves the finding to another place.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn edit(mut self, change: crate::edit::Change) -> Self {
        self.edit = Some(change);
        self
    }

    /// Points the finding into `to` where it points into `from`: files are read from a copy of
    /// the repository (see `tree`), findings name the repository. Paths in the message move too.
    pub fn relocate(&mut self, from: &Path, to: &Path) {
        let moved = |file: &Arc<Path>| -> Option<Arc<Path>> {
            file.strip_prefix(from)
                .ok()
                .map(|rel| Arc::from(to.join(rel)))
        };
        if let Some(file) = moved(&self.location.file) {
            self.location.file = file;
        }
        for (_, location) in &mut self.related {
            if let Some(file) = moved(&location.file) {
                location.file = file;
            }
        }
        if let Some(edit) = &mut self.edit {
            if let Some(file) = moved(&edit.file) {
                edit.file = file;
            }
        }
        let (from, to) = (from.to_string_lossy(), to.to_string_lossy());
        self.message = self.message.replace(&*from, &to);
        if let Some(help) = &mut self.help {
            *help = help.replace(&*from, &to);
        }
    }

    /// Order for reports: by file, line, then rule.
    pub fn sort_key(&self) -> (&Path, u32, u32, &'static str, &str) {
        (
            &self.location.file,
            self.location.line,
            self.location.col,
            self.rule.as_str(),
            &self.message,
        )
    }
}
