//! The fixture GitOps repository (`testdata/example`) and every variant in `testdata/variants/`,
//! one trial each (`variant::<name>`). A variant is an overlay: its `files/` are copied over a copy
//! of the example, `delete:` paths removed, and the run must produce exactly the findings (rule,
//! severity, file, line) and exit code of its `variant.yaml`.

use std::path::{Path, PathBuf};

use crate::common::{Needs, copy_dir, run_gate, testdata, trial};
use preview_gate::yaml::{Node, parse_documents};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    rule: String,
    severity: String,
    file: String,
    line: u64,
}

struct Variant {
    name: String,
    dir: PathBuf,
    args: Vec<String>,
    exit: i32,
    findings: Vec<Expected>,
    delete: Vec<String>,
}

fn load_variant(dir: &Path) -> Variant {
    let text = std::fs::read_to_string(dir.join("variant.yaml")).expect("variant.yaml");
    let root = parse_documents(&text)
        .expect("variant.yaml parses")
        .remove(0)
        .root;
    let strings = |key: &str| {
        root.get(key)
            .map(|n| n.items().iter().map(Node::text).collect())
            .unwrap_or_default()
    };
    Variant {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        dir: dir.to_path_buf(),
        args: strings("args"),
        exit: root
            .get("exit")
            .and_then(Node::as_str)
            .and_then(|s| s.parse().ok())
            .expect("exit"),
        delete: strings("delete"),
        findings: root
            .get("findings")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .map(|f| Expected {
                rule: f.get("rule").map(Node::text).unwrap_or_default(),
                severity: f
                    .get("severity")
                    .map(Node::text)
                    .unwrap_or_else(|| "error".into()),
                file: f.get("file").map(Node::text).unwrap_or_default(),
                line: f
                    .get("line")
                    .and_then(Node::as_str)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0),
            })
            .collect(),
    }
}

/// Materialises a variant in a temporary directory and runs the gate there.
fn run_variant(variant: &Variant) -> Result<(), String> {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&testdata().join("example"), work.path());
    if variant.dir.join("files").is_dir() {
        copy_dir(&variant.dir.join("files"), work.path());
    }
    for path in &variant.delete {
        let target = work.path().join(path);
        if target.is_dir() {
            std::fs::remove_dir_all(&target).unwrap();
        } else {
            std::fs::remove_file(&target)
                .unwrap_or_else(|e| panic!("{}: delete {path}: {e}", variant.name));
        }
    }
    crate::common::commit_all(work.path());
    let mut args = vec![
        "check".to_string(),
        "--format".into(),
        "json".into(),
        ".".into(),
    ];
    args.extend(variant.args.iter().cloned());
    let run = run_gate(work.path(), &args);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).map_err(|e| {
        format!(
            "{}: stdout is not JSON ({e}):\n{}\n{}",
            variant.name, run.stdout, run.stderr
        )
    })?;
    let mut actual: Vec<Expected> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Expected {
            rule: f["rule"].as_str().unwrap().into(),
            severity: f["severity"].as_str().unwrap().into(),
            file: f["file"].as_str().unwrap().into(),
            line: f["line"].as_u64().unwrap(),
        })
        .collect();
    let mut expected = variant.findings.clone();
    actual.sort();
    expected.sort();
    if run.code != variant.exit || actual != expected {
        return Err(format!(
            "{}: expected exit {} with {expected:#?}\n got exit {} with {actual:#?}\nmessages: {}\n\
             stderr of the gate:\n{}",
            variant.name,
            variant.exit,
            run.code,
            serde_json::to_string_pretty(&json["findings"]).unwrap(),
            run.stderr
        ));
    }
    Ok(())
}

fn clean_example_passes_with_no_findings() {
    let run = run_gate(
        &testdata().join("example"),
        &["check", "--format", "json", "."],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]), "{}", run.stdout);
    assert_eq!(
        json["summary"]["applications"].as_array().unwrap().len(),
        10
    );
}

fn clean_example_follows_the_preview_spec() {
    let run = run_gate(
        &testdata().join("example"),
        &[
            "check",
            "--format",
            "json",
            ".",
            "--profile",
            "ameide-previews",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["findings"], serde_json::json!([]), "{}", run.stdout);
}

fn every_finding_has_a_file_and_line() {
    // Several variants at once: objects from charts, Kustomize bases and an AppProject.
    let work = tempfile::tempdir().unwrap();
    copy_dir(&testdata().join("example"), work.path());
    for variant in [
        "forbidden-cluster-kind",
        "forbidden-namespaced-kind",
        "blacklisted-kind",
    ] {
        copy_dir(
            &testdata().join("variants").join(variant).join("files"),
            work.path(),
        );
    }
    let run = run_gate(work.path(), &["check", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.len() >= 5, "{}", run.stdout);
    for finding in findings {
        let file = finding["file"].as_str().unwrap();
        assert!(
            !file.is_empty() && work.path().join(file).is_file(),
            "{finding}"
        );
        assert!(finding["line"].as_u64().unwrap() >= 1, "{finding}");
    }
}

pub fn trials() -> Vec<(Needs, libtest_mimic::Trial)> {
    let mut trials = crate::trials!(Renders:
        clean_example_passes_with_no_findings,
        clean_example_follows_the_preview_spec,
        every_finding_has_a_file_and_line,
    );
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(testdata().join("variants"))
        .expect("testdata/variants")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("variant.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 10,
        "expected the fixture variants, found {}",
        dirs.len()
    );
    for dir in dirs {
        let variant = load_variant(&dir);
        trials.push(trial(
            format!("variant::{}", variant.name),
            Needs::Renders,
            move || {
                if let Err(failure) = run_variant(&variant) {
                    panic!("{failure}");
                }
            },
        ));
    }
    trials
}
