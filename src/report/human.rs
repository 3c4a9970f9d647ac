//! The default format: findings grouped by file, each with `file:line`, the source line, and help.

use std::fmt::Write as _;

use owo_colors::OwoColorize;

use super::fix;
use crate::diagnostic::{Finding, Severity};
use crate::outcome::Outcome;
use crate::sources::Sources;

pub fn render(outcome: &Outcome, color: bool) -> String {
    let mut out = String::new();
    let mut current_file = None;
    for finding in &outcome.findings {
        let path = finding.location.display_path();
        if current_file.as_ref() != Some(&path) {
            if current_file.is_some() {
                out.push('\n');
            }
            let header = format!("── {path}");
            let _ = writeln!(out, "{}", paint(&header, color, |s| s.bold().to_string()));
            current_file = Some(path);
        }
        write_finding(&mut out, finding, &outcome.sources, color);
    }
    if !outcome.findings.is_empty() {
        out.push('\n');
    }
    out.push_str(&fix::section(outcome, color));
    let summary = super::summary_line(outcome);
    let status = match outcome.exit_code() {
        0 => paint("passed", color, |s| s.green().bold().to_string()),
        1 => paint("failed", color, |s| s.red().bold().to_string()),
        _ => paint("incomplete", color, |s| s.red().bold().to_string()),
    };
    let _ = writeln!(out, "preview-gate {status}: {summary}");
    out
}

fn write_finding(out: &mut String, finding: &Finding, sources: &Sources, color: bool) {
    let label = format!("{}[{}]", finding.severity, finding.rule);
    let label = match finding.severity {
        Severity::Error => paint(&label, color, |s| s.red().bold().to_string()),
        Severity::Warning => paint(&label, color, |s| s.yellow().bold().to_string()),
        Severity::Note => paint(&label, color, |s| s.cyan().bold().to_string()),
    };
    let location = &finding.location;
    let _ = writeln!(out, "{label}: {}", finding.message);
    let col = if location.col > 0 {
        format!(":{}", location.col)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {} {}:{}{col}",
        paint("-->", color, |s| s.blue().to_string()),
        location.display_path(),
        location.line
    );
    if let Some(text) = source_line(sources, &location.file, location.line) {
        let number = location.line.to_string();
        let gutter = " ".repeat(number.len());
        let bar = paint("|", color, |s| s.blue().to_string());
        let _ = writeln!(
            out,
            "  {gutter} {bar}\n  {} {bar} {text}\n  {gutter} {bar}",
            paint(&number, color, |s| s.blue().to_string())
        );
    }
    match (&finding.app, &finding.project) {
        (Some(app), Some(project)) => {
            let _ = writeln!(out, "   = Application {app} (project {project})");
        }
        (Some(app), None) => {
            let _ = writeln!(out, "   = Application {app}");
        }
        (None, Some(project)) => {
            let _ = writeln!(out, "   = AppProject {project}");
        }
        (None, None) => {}
    }
    for (label, related) in &finding.related {
        let _ = writeln!(
            out,
            "   = {label}: {}:{}",
            related.display_path(),
            related.line
        );
    }
    if let Some(help) = &finding.help {
        let help = help.replace('\n', "\n           ");
        let _ = writeln!(
            out,
            "   = {}: {help}",
            paint("help", color, |s| s.green().bold().to_string())
        );
    }
}

fn source_line(sources: &Sources, file: &std::path::Path, line: u32) -> Option<String> {
    let content = sources.line(file, line)?;
    let trimmed = content.trim_end();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(200).collect())
}

fn paint(text: &str, color: bool, style: impl Fn(&str) -> String) -> String {
    if color { style(text) } else { text.to_string() }
}
