//! Waivers in `preview-gate.yaml`: a policy finding may be accepted for a while, with a reason and
//! an expiry date. A waived finding is still printed, as a note saying who accepted it and until
//! when; an expired waiver no longer applies and is itself an error (`waiver-expired`).
//!
//! ```yaml
//! waivers:
//!   - rule: kind-not-allowed
//!     app: 'preview-apps/*ops-console'      # optional glob over Application names
//!     file: sources/charts/apps/ops-console/** # optional glob over the finding's file
//!     reason: Console needs cluster read access until PLAT-1234 lands
//!     expires: 2026-12-31                   # the last day it applies
//! ```

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Class, Code, Finding, Location, Severity};
use crate::yaml::Node;

#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: Code,
    pub app: Option<glob::Pattern>,
    pub file: Option<glob::Pattern>,
    pub reason: String,
    /// Days since 1970-01-01 of the last day the waiver applies.
    pub expires: i64,
    pub expires_text: String,
    pub location: Location,
}

/// Parses the `waivers:` list; problems are `invalid-config` findings at their line.
pub fn parse(node: &Node, file: &Arc<Path>) -> Result<Vec<Waiver>, Vec<Finding>> {
    let invalid = |message: String, n: &Node| {
        crate::config_syntax::invalid(message, Location::at_node(file, n))
    };
    let Some(items) = node.as_seq() else {
        return Err(vec![invalid("waivers must be a list".into(), node)]);
    };
    let mut waivers = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        if item.as_map().is_none() {
            problems.push(invalid("a waiver must be a mapping".into(), item));
            continue;
        }
        for (key, _) in item.as_map().unwrap_or_default() {
            if !matches!(
                key.text().as_str(),
                "rule" | "app" | "file" | "reason" | "expires"
            ) {
                problems.push(invalid(
                    format!(
                        "unknown waiver key `{}` (known: rule, app, file, reason, expires)",
                        key.text()
                    ),
                    key,
                ));
            }
        }
        let text = |k: &str| item.get(k).map(Node::text).filter(|t| !t.is_empty());
        let rule = match text("rule").and_then(|r| Code::from_id(&r)) {
            Some(code) if code.class() == Class::Policy => code,
            Some(code) => {
                problems.push(invalid(
                    format!(
                        "`{code}` cannot be waived: the gate could not check everything, so it fails closed"
                    ),
                    item.get("rule").unwrap_or(item),
                ));
                continue;
            }
            None => {
                problems.push(invalid(
                    "a waiver needs `rule:` naming a policy rule (see `preview-gate rules`)".into(),
                    item.get("rule").unwrap_or(item),
                ));
                continue;
            }
        };
        let Some(reason) = text("reason") else {
            problems.push(invalid("a waiver needs a `reason:`".into(), item));
            continue;
        };
        let Some((expires, expires_text)) =
            text("expires").and_then(|t| Some((parse_date(&t)?, t)))
        else {
            problems.push(invalid(
                "a waiver needs `expires:` as a date, YYYY-MM-DD".into(),
                item.get("expires").unwrap_or(item),
            ));
            continue;
        };
        let pattern = |k: &str| -> Result<Option<glob::Pattern>, Finding> {
            text(k)
                .map(|p| {
                    glob::Pattern::new(&p)
                        .map_err(|e| invalid(format!("{k}: {e}"), item.get(k).unwrap_or(item)))
                })
                .transpose()
        };
        match (pattern("app"), pattern("file")) {
            (Ok(app), Ok(file_glob)) => waivers.push(Waiver {
                rule,
                app,
                file: file_glob,
                reason,
                expires,
                expires_text,
                location: Location::at_node(file, item),
            }),
            (a, f) => problems.extend(a.err().into_iter().chain(f.err())),
        }
    }
    if problems.is_empty() {
        Ok(waivers)
    } else {
        Err(problems)
    }
}

impl Waiver {
    fn covers(&self, finding: &Finding) -> bool {
        finding.rule == self.rule
            && self
                .app
                .as_ref()
                .is_none_or(|p| finding.app.as_deref().is_some_and(|a| p.matches(a)))
            && self
                .file
                .as_ref()
                .is_none_or(|p| p.matches(&finding.location.display_path()))
    }
}

/// Applies the waivers to policy findings: live ones turn matching errors and warnings into notes;
/// expired ones add a `waiver-expired` error and waive nothing.
pub fn apply(waivers: &[Waiver], findings: Vec<Finding>, today: i64) -> Vec<Finding> {
    let (live, expired): (Vec<&Waiver>, Vec<&Waiver>) =
        waivers.iter().partition(|w| w.expires >= today);
    let mut out: Vec<Finding> = findings
        .into_iter()
        .map(|mut finding| {
            if let Some(waiver) = live.iter().find(|w| w.covers(&finding)) {
                if finding.severity != Severity::Note {
                    finding.severity = Severity::Note;
                    finding.message = format!(
                        "waived until {}: {} ({})",
                        waiver.expires_text, finding.message, waiver.reason
                    );
                    finding = finding.related("waiver", waiver.location.clone());
                }
            }
            finding
        })
        .collect();
    for waiver in expired {
        out.push(
            Finding::new(
                Code::WaiverExpired,
                Severity::Error,
                format!(
                    "the waiver for {} expired on {}: {}",
                    waiver.rule, waiver.expires_text, waiver.reason
                ),
                waiver.location.clone(),
            )
            .help("fix the findings it covered, or renew the waiver with a new date and reason"),
        );
    }
    out
}

/// Today as days since 1970-01-01 (UTC).
pub fn today() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (seconds / 86_400) as i64
}

/// `YYYY-MM-DD` as days since 1970-01-01, for a valid calendar date.
fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day < 1 || day > month_days[(month - 1) as usize] {
        return None;
    }
    // Days from civil (proleptic Gregorian), shifted so that March is the first month.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = (month + 9) % 12;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::yaml::parse_documents;

    #[test]
    fn dates_count_days_since_the_epoch() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2026-11-22"), Some(20_779));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("soon"), None);
    }

    fn waivers(yaml: &str) -> Result<Vec<Waiver>, Vec<Finding>> {
        let file: Arc<Path> = Arc::from(Path::new("/preview-gate.yaml"));
        parse(&parse_documents(yaml).unwrap()[0].root, &file)
    }

    #[test]
    fn waivers_are_validated_with_positions() {
        let problems = waivers(
            "- rule: kind-not-allowed\n  reason: r\n  expires: 2026-02-30\n- rule: render-failed\n  reason: r\n  expires: 2026-01-01\n- rule: kind-not-allowed\n  expires: 2026-01-01\n  owner: me\n",
        )
        .unwrap_err();
        let lines: Vec<u32> = problems.iter().map(|p| p.location.line).collect();
        assert_eq!(lines, vec![3, 4, 9, 7], "{problems:?}");
    }

    #[test]
    fn live_waivers_downgrade_and_expired_ones_fail() {
        let list = waivers(
            "- rule: kind-not-allowed\n  app: 'preview-apps/*'\n  reason: accepted\n  expires: 2026-12-31\n- rule: stale-allowlist-entry\n  reason: old\n  expires: 2026-01-01\n",
        )
        .unwrap();
        let file: Arc<Path> = Arc::from(Path::new("/t.yaml"));
        let finding = |rule, app: &str| {
            Finding::new(
                rule,
                Severity::Error,
                "m",
                Location::file_start(file.clone()),
            )
            .app(app)
        };
        let today = parse_date("2026-11-22").unwrap();
        let out = apply(
            &list,
            vec![
                finding(Code::KindNotAllowed, "preview-apps/x"),
                finding(Code::KindNotAllowed, "other/x"),
                finding(Code::StaleAllowlistEntry, "a"),
            ],
            today,
        );
        let severities: Vec<(&str, Severity)> =
            out.iter().map(|f| (f.rule.as_str(), f.severity)).collect();
        assert_eq!(
            severities,
            vec![
                ("kind-not-allowed", Severity::Note),
                ("kind-not-allowed", Severity::Error),
                ("stale-allowlist-entry", Severity::Error),
                ("waiver-expired", Severity::Error),
            ]
        );
        assert!(out[0].message.starts_with("waived until 2026-12-31"));
        assert_eq!(out[3].location.line, 5);
    }
}
