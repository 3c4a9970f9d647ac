//! The import direction ARCHITECTURE.md promises, checked on the source: every top-level module
//! of the library sits in a layer and uses only modules of lower layers, so the modules form no
//! cycle, the stages never see rules, reports or the pipeline, and the model sees no stage.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::Needs;

/// Lowest first. A module may use modules of earlier layers only (never its own layer's peers).
const LAYERS: &[(&str, &[&str])] = &[
    ("model: syntax", &["yaml", "edit", "sources"]),
    ("model: findings", &["diagnostic"]),
    ("model: settings syntax", &["config_syntax"]),
    ("model: Argo CD semantics", &["argo"]),
    ("model: checkout", &["tree"]),
    ("model: repositories", &["repos", "kustomize_edit"]),
    ("stage: discover", &["discover"]),
    ("stage: expand", &["appset"]),
    ("stage: plan", &["plan"]),
    ("stage: origin", &["origin"]),
    ("stage: render", &["render"]),
    ("stage: inventory", &["inventory"]),
    ("waivers", &["waiver"]),
    ("settings file", &["config"]),
    ("rules", &["rules"]),
    ("settings", &["settings"]),
    ("fix", &["fix"]),
    ("outcome", &["outcome"]),
    ("report", &["report"]),
    ("pipeline", &["pipeline"]),
    ("hook", &["hook"]),
];

const STAGES: &[&str] = &[
    "discover",
    "appset",
    "plan",
    "origin",
    "render",
    "inventory",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source file names through `crate::`, including inside `use crate::{…}`.
fn crate_references(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: at brace depth 0, before `::`, `,` or `}`.
            let mut depth = 0;
            let mut name = String::new();
            let mut at_start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !name.is_empty() {
                            found.insert(std::mem::take(&mut name));
                        }
                        at_start = true;
                    }
                    c if depth == 0 && at_start && (c.is_alphanumeric() || c == '_') => {
                        name.push(c)
                    }
                    _ if depth == 0 && at_start && !name.is_empty() => {
                        found.insert(std::mem::take(&mut name));
                        at_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found
}

fn imports_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        // The binary (main.rs, cli.rs) and the crate root sit above everything.
        if matches!(top.as_str(), "main" | "cli" | "lib") {
            continue;
        }
        let Some(layer) = layer_of(&top) else {
            problems.push(format!(
                "src/{}: module `{top}` is in no layer of tests/integration/architecture.rs (and ARCHITECTURE.md)",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains("super::super::") {
            problems.push(format!(
                "src/{}: `super::super::` hides a cross-module import; write `crate::…`",
                relative.display()
            ));
        }
        for used in crate_references(&text) {
            if used == top || used.is_empty() {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < layer => {}
                Some(l) => problems.push(format!(
                    "src/{}: `{top}` ({}) uses `{used}` ({}), which is not below it",
                    relative.display(),
                    LAYERS[layer].0,
                    LAYERS[l].0
                )),
                None => problems.push(format!(
                    "src/{}: `{top}` uses `{used}`, which is in no layer",
                    relative.display()
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The stages produce typed findings (`diagnostic::Code`) and never reach up to the rules, the
/// reports, the settings or the pipeline: a direct statement of the layering above.
fn stages_know_no_rules_or_reports() {
    for stage in STAGES {
        let stage_layer = layer_of(stage).unwrap();
        for above in [
            "rules", "report", "config", "pipeline", "outcome", "fix", "waiver",
        ] {
            assert!(
                layer_of(above).unwrap() > stage_layer,
                "{above} must sit above the stage {stage}"
            );
        }
    }
}

/// Small, focused files: none over 1,000 lines in the gate or its crates.
fn no_source_file_is_over_1000_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("crates"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > 1000).then(|| {
                format!(
                    "{} has {lines} lines",
                    f.strip_prefix(root).unwrap().display()
                )
            })
        })
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}

/// Source text is read once, through `sources::Sources`: rules and reports never touch the disk
/// for it (their unit tests may write fixtures).
fn rules_and_reports_read_no_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("rules"), &mut files);
    rust_files(&src.join("report"), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for needle in ["std::fs::read", "read_to_string", "read_dir", "File::open"] {
            if code.contains(needle) {
                problems.push(format!(
                    "{}: {needle}",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The template engine is a crate of its own: it depends on nothing of the gate.
fn gotemplate_depends_on_nothing_of_the_gate() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/gotemplate/Cargo.toml"),
    )
    .unwrap();
    assert!(!manifest.contains("preview-gate"), "{manifest}");
}

fn the_reference_scanner_sees_grouped_imports() {
    let found = crate_references(
        "use crate::{diagnostic::{Code, Finding}, rules, yaml::Node};\n// crate::report\nlet x = crate::plan::normalize(p);",
    );
    let expected: BTreeSet<String> = ["diagnostic", "rules", "yaml", "plan"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, expected);
}

pub fn trials() -> Vec<(Needs, libtest_mimic::Trial)> {
    crate::trials!(NoTools:
        imports_point_one_way,
        stages_know_no_rules_or_reports,
        no_source_file_is_over_1000_lines,
        rules_and_reports_read_no_files,
        gotemplate_depends_on_nothing_of_the_gate,
        the_reference_scanner_sees_grouped_imports,
    )
}
