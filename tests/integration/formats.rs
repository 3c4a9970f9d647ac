//! Every output format, on variants that break the example in different ways, compared with the
//! snapshots in `tests/snapshots/` once what changes between runs (elapsed time, temporary paths,
//! the crate version, the rules' documentation in SARIF) is blanked. `UPDATE_SNAPSHOTS=1 cargo test --test integration -- formats::` rewrites them.
//!
//! SARIF is also validated against the OASIS SARIF 2.1.0 schema (`tests/schemas/`) and GitHub's
//! extra demands; JUnit is parsed as XML and its counts checked.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::common::{Needs, example_with, run_gate, run_gate_with_env, testdata, trial};
use preview_gate::diagnostic::{Code, Finding, Location, Severity};
use preview_gate::outcome::Outcome;
use preview_gate::report;
use serde_json::Value;

const VARIANTS: &[&str] = &[
    "forbidden-cluster-kind",
    "stale-entry",
    "duplicate-across-apps",
];

/// What one variant prints in each format, normalised.
struct Outputs {
    /// Schema and structure problems of the raw SARIF and JUnit.
    sarif_errors: Option<String>,
    junit_errors: Option<String>,
    human: String,
    json: String,
    github: String,
    sarif: String,
    junit: String,
    summary: String,
}

fn outputs(variant: &str) -> Outputs {
    let work = example_with(variant);
    let out = tempfile::tempdir().unwrap();
    let normalise = |text: &str| normalise(text, &[work.path(), out.path()]);

    let json = run_gate(work.path(), &check(&["--format", "json"]));

    let summary_file = out.path().join("summary.md");
    let earlier = "earlier step\n";
    std::fs::write(&summary_file, earlier).unwrap();
    let github = run_gate_with_env(
        work.path(),
        &check(&["--format", "github"]),
        &[("GITHUB_STEP_SUMMARY", summary_file.to_str().unwrap())],
    );
    let summary = std::fs::read_to_string(&summary_file).unwrap();
    let summary = summary
        .strip_prefix(earlier)
        .unwrap_or_else(|| panic!("{variant}: the step summary was not appended:\n{summary}"));

    let mut files = Vec::new();
    let mut logs = Vec::new();
    for format in ["sarif", "junit"] {
        let file = out.path().join(format!("report.{format}"));
        let file_arg = file.to_str().unwrap();
        let run = run_gate(
            work.path(),
            &check(&["--format", format, "--output", file_arg]),
        );
        assert_eq!(run.code, 1, "{variant} {format}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{variant} {format}: stdout must stay empty");
        logs.push(run.stderr);
        files.push(std::fs::read_to_string(&file).unwrap());
    }
    for run in [&json, &github] {
        assert_eq!(run.code, 1, "{variant}: {}\n{}", run.stdout, run.stderr);
    }
    // The GitHub format ends with the human log as stdout would carry it.
    let human = normalise(&logs[0]);
    assert!(
        normalise(&github.stdout).ends_with(&human) && normalise(&logs[1]) == human,
        "{variant}: with --output the human log goes to stderr unchanged"
    );
    Outputs {
        sarif_errors: check_sarif(variant, &files[0]).err(),
        junit_errors: check_junit(variant, &files[1]).err(),
        human,
        json: normalise(&json.stdout),
        github: normalise(&github.stdout),
        sarif: normalise(&blank_version(&files[0])),
        junit: normalise(&files[1]),
        summary: normalise(summary),
    }
}

fn check<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["check", "--color", "never"];
    all.extend_from_slice(args);
    all.push(".");
    all
}

fn normalise(text: &str, dirs: &[&Path]) -> String {
    let mut text = text.to_string();
    for (dir, name) in dirs.iter().zip(["<work>", "<out>"]) {
        let canonical = dir.canonicalize().unwrap();
        for form in [canonical.as_path(), *dir] {
            text = text.replace(form.to_str().unwrap(), name);
        }
    }
    let elapsed = regex::Regex::new(r"objects in [0-9.]+s").unwrap();
    let text = elapsed.replace_all(&text, "objects in <elapsed>");
    let time = regex::Regex::new(r#"time="[0-9.]+""#).unwrap();
    time.replace_all(&text, r#"time="ELAPSED""#).into_owned()
}

/// Blanks the crate version, and keeps only the ids of the rule descriptors: their text is each
/// rule's documentation, which changes on its own (the unit tests and the schema check cover it).
fn blank_version(sarif: &str) -> String {
    let mut log: Value = serde_json::from_str(sarif).expect("SARIF is JSON");
    let driver = &mut log["runs"][0]["tool"]["driver"];
    driver["version"] = "<version>".into();
    for rule in driver["rules"].as_array_mut().unwrap() {
        *rule = serde_json::json!({ "id": rule["id"] });
    }
    serde_json::to_string_pretty(&log).unwrap() + "\n"
}

fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares with (or, under UPDATE_SNAPSHOTS=1, rewrites) `tests/snapshots/<name>`.
fn snapshot(name: &str, actual: &str) -> Result<(), String> {
    let path = snapshots_dir().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(snapshots_dir()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path)
        .map_err(|e| format!("{name}: {e}; run with UPDATE_SNAPSHOTS=1 to create it"))?;
    if expected == actual {
        return Ok(());
    }
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Err(format!(
        "{name} differs from its snapshot at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
         (UPDATE_SNAPSHOTS=1 cargo test --test integration -- formats:: rewrites the snapshots)\n--- actual ---\n{actual}",
        line + 1,
        expected.lines().nth(line).unwrap_or("<end>"),
        actual.lines().nth(line).unwrap_or("<end>"),
    ))
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

/// The schema, and what GitHub code scanning requires beyond it.
fn check_sarif(name: &str, text: &str) -> Result<(), String> {
    let log: Value = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "{name}: not valid SARIF 2.1.0:\n{}",
            errors.join("\n")
        ));
    }
    let results = log["runs"][0]["results"].as_array().unwrap();
    for result in results {
        let related = result["relatedLocations"].as_array().cloned();
        let locations = result["locations"].as_array().unwrap();
        for location in locations.iter().chain(related.iter().flatten()) {
            let physical = &location["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            let start = physical["region"]["startLine"].as_u64().unwrap_or(0);
            if start < 1 || uri.starts_with('/') || uri.contains('\\') {
                return Err(format!("{name}: GitHub would reject {location}"));
            }
        }
        if result["partialFingerprints"]["previewGate/v1"]
            .as_str()
            .is_none()
        {
            return Err(format!("{name}: no fingerprint in {result}"));
        }
    }
    Ok(())
}

/// Well-formed XML whose counts agree with its test cases.
fn check_junit(name: &str, text: &str) -> Result<(), String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("{name}: {e}"))?;
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .ok_or(format!("{name}: no testsuite"))?;
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let failed = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    let count = |attr: &str| suite.attribute(attr).and_then(|v| v.parse::<usize>().ok());
    if count("tests") != Some(cases.len()) || count("failures") != Some(failed) || failed == 0 {
        return Err(format!(
            "{name}: counts disagree with {} cases, {failed} failed",
            cases.len()
        ));
    }
    Ok(())
}

/// Findings with what the formats must escape: odd file names, control characters, no column,
/// a line 0 from a careless caller, a file outside the working directory.
fn awkward_outcome() -> Outcome {
    let here = |path: &str| Location::new(Arc::from(Path::new(path)), 3, 0, 3);
    let mut zero = here("dir with space/a:b,c%d.yaml");
    zero.line = 0;
    zero.end_line = 0;
    Outcome {
        apps: vec!["app <&>".into()],
        app_projects: vec!["p\"'".into()],
        findings: vec![
            Finding::new(
                Code::KindNotAllowed,
                Severity::Error,
                "100% a,b: c\r\nd \u{1b}[31mred\u{1b}[0m \u{0} <x> & \"q\" 'a' | *b*",
                zero,
            )
            .app("app <&>")
            .project("p\"'")
            .related("AppProject p", here("/outside/the/checkout.yaml"))
            .help("add `x`\nthere"),
            Finding::new(
                Code::ParseError,
                Severity::Warning,
                "tab\there",
                here("ünïcode/ファイル.yaml"),
            ),
        ],
        ..Outcome::default()
    }
}

fn awkward_findings_still_give_valid_sarif_and_xml() {
    let outcome = awkward_outcome();
    let sarif = report::sarif::render(&outcome);
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}\n{sarif}", errors.join("\n"));
    // The validator does judge: a driver without a name, a level SARIF does not know.
    let mut broken = log.clone();
    broken["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(!sarif_validator().is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_validator().is_valid(&broken));
    let result = &log["runs"][0]["results"][0];
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "dir%20with%20space/a%3Ab%2Cc%25d.yaml"
    );
    assert_eq!(physical["region"]["startLine"], 1);
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({ "uri": "file:///outside/the/checkout.yaml" })
    );

    let xml = report::junit::render(&outcome);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("100% a,b: c\r\nd \\x1b[31mred\\x1b[0m \\x00 <x> & \"q\" 'a' | *b*")
    );
    let case = failure.parent().unwrap();
    assert_eq!(case.attribute("name"), Some("app <&>"));
    assert_eq!(case.attribute("classname"), Some("p\"'"));
    let out = doc
        .descendants()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(out.text().unwrap().contains("tab\there"));
}

fn an_unwritable_output_file_exits_2_and_still_logs() {
    let missing = tempfile::tempdir()
        .unwrap()
        .path()
        .join("no/such/dir/report.sarif");
    let run = run_gate(
        &testdata().join("example"),
        &[
            "check",
            "--project",
            "no-such-project",
            "--format",
            "sarif",
            "--output",
            missing.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("--output"), "{}", run.stderr);
    assert!(run.stderr.contains("preview-gate passed"), "{}", run.stderr);
}

/// The outputs of a variant, computed once for all its format trials (the others wait).
fn shared_outputs(variant: &'static str) -> &'static Outputs {
    static OUTPUTS: [OnceLock<Outputs>; VARIANTS.len()] =
        [const { OnceLock::new() }; VARIANTS.len()];
    let index = VARIANTS.iter().position(|v| *v == variant).unwrap();
    OUTPUTS[index].get_or_init(|| outputs(variant))
}

const FORMATS: &[&str] = &[
    "human.txt",
    "json",
    "github.txt",
    "sarif",
    "junit.xml",
    "summary.md",
];

fn check_format(variant: &'static str, extension: &'static str) {
    let o = shared_outputs(variant);
    let (text, structure) = match extension {
        "human.txt" => (&o.human, None),
        "json" => (&o.json, None),
        "github.txt" => (&o.github, None),
        "sarif" => (&o.sarif, o.sarif_errors.as_ref()),
        "junit.xml" => (&o.junit, o.junit_errors.as_ref()),
        "summary.md" => (&o.summary, None),
        _ => unreachable!("{extension}"),
    };
    let mut errors: Vec<String> = structure.cloned().into_iter().collect();
    errors.extend(snapshot(&format!("{variant}.{extension}"), text).err());
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}

pub fn trials() -> Vec<(Needs, libtest_mimic::Trial)> {
    let mut trials = crate::trials!(NoTools:
        awkward_findings_still_give_valid_sarif_and_xml,
        an_unwritable_output_file_exits_2_and_still_logs,
    );
    for &variant in VARIANTS {
        for &extension in FORMATS {
            trials.push(trial(
                format!("formats::{variant}.{extension}"),
                Needs::Renders,
                move || check_format(variant, extension),
            ));
        }
    }
    trials
}
