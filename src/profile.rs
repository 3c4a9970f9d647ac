//! Rule profiles (`rules/*.yaml`): which policy rules run and at what severity. Built-in profiles
//! are compiled in; `--profile` takes a built-in name or a file path. Validated with positions.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::config;
use crate::diagnostic::{Finding, Location, Severity};
use crate::rules::{self, Class};
use crate::yaml::Node;

const BUILTIN: &[(&str, &str)] = &[("default", include_str!("../rules/default.yaml"))];

#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Rule id → severity; `None` means off.
    overrides: HashMap<&'static str, Option<Severity>>,
}

impl Profile {
    /// Loads a built-in profile by name, or a profile file.
    pub fn load(name_or_path: &str) -> Result<Profile, Vec<Finding>> {
        match BUILTIN.iter().find(|(name, _)| *name == name_or_path) {
            Some((name, text)) => parse(text, Arc::from(Path::new(&format!("rules/{name}.yaml")))),
            None => {
                let path = Path::new(name_or_path);
                let file: Arc<Path> = Arc::from(path);
                let text = std::fs::read_to_string(path).map_err(|e| {
                    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    vec![config::invalid(
                        format!("--profile {name_or_path}: not a built-in profile ({}) nor a readable file: {e}", names.join(", ")),
                        Location::file_start(file.clone()),
                    )]
                })?;
                parse(&text, file)
            }
        }
    }

    /// Drops findings of disabled rules and applies severities (notes stay notes).
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut finding| match self.overrides.get(finding.rule) {
                Some(None) => None,
                Some(Some(severity)) => {
                    // Only findings at the rule's own severity move: a note or a latent warning
                    // the rule chose deliberately keeps its level.
                    let default = rules::meta(finding.rule).map(|m| m.severity);
                    if Some(finding.severity) == default {
                        finding.severity = *severity;
                    }
                    Some(finding)
                }
                None => Some(finding),
            })
            .collect()
    }
}

fn parse(text: &str, file: Arc<Path>) -> Result<Profile, Vec<Finding>> {
    let error =
        |message: String, node: &Node| config::invalid(message, Location::at_node(&file, node));
    let entries = config::top_level_entries(text, &file)?;
    let mut profile = Profile::default();
    let mut problems = Vec::new();
    for (key, value) in &entries {
        match key.text().as_str() {
            "description" => {}
            "rules" if value.as_map().is_none() => {
                problems.push(error("rules must map rule ids to severities".into(), value))
            }
            "rules" => {
                for (rule, severity) in value.as_map().unwrap_or_default() {
                    let Some(meta) = rules::meta(&rule.text()).filter(|m| m.class == Class::Policy)
                    else {
                        problems.push(error(
                            format!(
                                "`{}` is not a policy rule (see `preview-gate rules`)",
                                rule.text()
                            ),
                            rule,
                        ));
                        continue;
                    };
                    let parsed = match severity.text().as_str() {
                        "error" => Some(Severity::Error),
                        "warning" => Some(Severity::Warning),
                        "note" => Some(Severity::Note),
                        "off" => None,
                        other => {
                            problems.push(error(
                                format!(
                                    "severity must be error, warning, note or off, not `{other}`"
                                ),
                                severity,
                            ));
                            continue;
                        }
                    };
                    profile.overrides.insert(meta.id, parsed);
                }
            }
            other => problems.push(error(
                format!("unknown key `{other}` (known: description, rules)"),
                key,
            )),
        }
    }
    if problems.is_empty() {
        Ok(profile)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_are_valid() {
        for (name, _) in BUILTIN {
            Profile::load(name).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
    }

    #[test]
    fn problems_point_at_their_line() {
        let errors = parse("rules:\n  kind-not-allowed: error\n  render-failed: off\n  stale-allowlist-entry: loud\nextra: 1\n", Arc::from(Path::new("p.yaml"))).unwrap_err();
        let lines: Vec<u32> = errors.iter().map(|f| f.location.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
    }

    #[test]
    fn off_drops_and_severity_overrides() {
        let profile = parse(
            "rules:\n  kind-not-allowed: off\n  stale-allowlist-entry: warning\n",
            Arc::from(Path::new("p.yaml")),
        )
        .unwrap();
        let at = Location::file_start(Arc::from(Path::new("x")));
        let findings = vec![
            Finding::new("kind-not-allowed", Severity::Error, "a", at.clone()),
            Finding::new("stale-allowlist-entry", Severity::Error, "b", at.clone()),
            Finding::new("stale-allowlist-entry", Severity::Note, "c", at),
        ];
        let kept: Vec<Severity> = profile.apply(findings).iter().map(|f| f.severity).collect();
        assert_eq!(kept, vec![Severity::Warning, Severity::Note]);
    }

    #[test]
    fn rules_must_be_a_mapping() {
        let errors = parse(
            "rules: [kind-not-allowed]\n",
            Arc::from(Path::new("p.yaml")),
        )
        .unwrap_err();
        assert_eq!(errors[0].location.line, 1);
    }
}
