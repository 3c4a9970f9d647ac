//! The synthetic pull request the `pullRequest` generator is evaluated with, and its parameters
//! exactly as Argo CD builds them (`applicationset/generators/pull_request.go`).

use serde_json::{Map, Value};

/// One pull request standing for "this change". Defaults are documented in `preview-gate check --help`.
#[derive(Debug, Clone)]
pub struct SyntheticPr {
    pub number: u64,
    pub branch: String,
    pub target_branch: String,
    pub head_sha: String,
    pub title: String,
    pub author: String,
    /// `None`: the PR carries exactly the labels each generator requires.
    pub labels: Option<Vec<String>>,
}

impl Default for SyntheticPr {
    fn default() -> Self {
        SyntheticPr {
            number: 1234,
            branch: "feature/preview-gate".into(),
            target_branch: "main".into(),
            head_sha: "0123456789abcdef0123456789abcdef01234567".into(),
            title: "preview-gate synthetic pull request".into(),
            author: "preview-gate".into(),
            labels: None,
        }
    }
}

/// Values given for the synthetic pull request (command line, config file); unset ones fall back.
#[derive(Debug, Clone, Default)]
pub struct PrValues {
    pub number: Option<u64>,
    pub branch: Option<String>,
    pub target_branch: Option<String>,
    pub head_sha: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub labels: Option<Vec<String>>,
}

impl PrValues {
    /// `self` where set, else `base`.
    pub fn over(&self, base: SyntheticPr) -> SyntheticPr {
        SyntheticPr {
            number: self.number.unwrap_or(base.number),
            branch: self.branch.clone().unwrap_or(base.branch),
            target_branch: self.target_branch.clone().unwrap_or(base.target_branch),
            head_sha: self.head_sha.clone().unwrap_or(base.head_sha),
            title: self.title.clone().unwrap_or(base.title),
            author: self.author.clone().unwrap_or(base.author),
            labels: self.labels.clone().or(base.labels),
        }
    }
}

impl SyntheticPr {
    /// The labels the PR carries for a generator requiring `required`, or `None` when it lacks one of
    /// them (the provider would not list the PR: all required labels must be present).
    pub fn labels_for(&self, required: &[String]) -> Option<Vec<String>> {
        match &self.labels {
            None => Some(required.to_vec()),
            Some(labels) => required
                .iter()
                .all(|r| labels.contains(r))
                .then(|| labels.clone()),
        }
    }

    /// The generator's parameter set. `labels` only exists in goTemplate mode, as in Argo CD.
    pub fn params(&self, labels: Vec<String>, go_template: bool) -> Map<String, Value> {
        let short = |n: usize| self.head_sha.chars().take(n).collect::<String>();
        let mut params = Map::new();
        let mut put = |k: &str, v: String| {
            params.insert(k.to_string(), Value::String(v));
        };
        put("number", self.number.to_string());
        put("title", self.title.clone());
        put("branch", self.branch.clone());
        put("branch_slug", slug(&self.branch));
        put("target_branch", self.target_branch.clone());
        put("target_branch_slug", slug(&self.target_branch));
        put("head_sha", self.head_sha.clone());
        put("head_short_sha", short(8));
        put("head_short_sha_7", short(7));
        put("author", self.author.clone());
        if go_template {
            params.insert(
                "labels".into(),
                Value::Array(labels.into_iter().map(Value::String).collect()),
            );
        }
        params
    }
}

/// Parameters a pull-request author chooses freely (spec §0.3). `labels` need triage rights but are
/// still set by people, not by the platform.
pub const UNTRUSTED_PARAMS: &[&str] = &[
    "branch",
    "branch_slug",
    "target_branch",
    "target_branch_slug",
    "title",
    "author",
    "labels",
];

/// `github.com/gosimple/slug.Make` as the PR generator configures it: `_` becomes `-`, at most 50
/// characters, cut at the last `-` that fits ("smart truncate").
pub fn slug(text: &str) -> String {
    const MAX_LENGTH: usize = 50;
    let substituted = text
        .trim()
        .replace('_', "-")
        .replace('&', "and")
        .replace('@', "at");
    let ascii: String = substituted.chars().filter_map(transliterate).collect();
    let lower = ascii.to_lowercase();
    let mut slug = String::new();
    for c in lower.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        };
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    let slug = slug.trim_matches(|c| c == '-' || c == '_');
    if slug.len() <= MAX_LENGTH {
        return slug.to_string();
    }
    match slug.as_bytes()[..=MAX_LENGTH]
        .iter()
        .rposition(|&b| b == b'-')
    {
        Some(cut) => slug[..cut].to_string(),
        None => slug[..MAX_LENGTH].to_string(),
    }
}

/// A small stand-in for `unidecode`: common Latin letters lose their accents; other non-ASCII
/// characters become separators.
fn transliterate(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    const TABLE: &[(&str, char)] = &[
        ("àáâãäåā", 'a'),
        ("ÀÁÂÃÄÅĀ", 'A'),
        ("çćč", 'c'),
        ("ÇĆČ", 'C'),
        ("èéêëēę", 'e'),
        ("ÈÉÊËĒĘ", 'E'),
        ("ìíîïī", 'i'),
        ("ÌÍÎÏĪ", 'I'),
        ("ñń", 'n'),
        ("ÑŃ", 'N'),
        ("òóôõöøō", 'o'),
        ("ÒÓÔÕÖØŌ", 'O'),
        ("ùúûüū", 'u'),
        ("ÙÚÛÜŪ", 'U'),
        ("ýÿ", 'y'),
        ("śš", 's'),
        ("ŚŠ", 'S'),
        ("źżž", 'z'),
        ("ŹŻŽ", 'Z'),
        ("ł", 'l'),
        ("Ł", 'L'),
    ];
    Some(
        TABLE
            .iter()
            .find(|(set, _)| set.contains(c))
            .map_or(' ', |(_, plain)| *plain),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_follows_gosimple_with_the_generator_settings() {
        assert_eq!(slug("feature/My_Branch"), "feature-my-branch");
        assert_eq!(slug("  --Fix: the Bug!!  "), "fix-the-bug");
        assert_eq!(
            slug("renovate/helm-chart@1.2.3"),
            "renovate-helm-chartat1-2-3"
        );
        assert_eq!(slug("café"), "cafe");
        // Longer than 50: cut at the last dash within the limit.
        let long = "feature/this-is-a-very-long-branch-name-that-goes-on-and-on";
        assert_eq!(
            slug(long),
            "feature-this-is-a-very-long-branch-name-that-goes"
        );
        assert!(slug(long).len() <= 50);
        let one_word = "a".repeat(60);
        assert_eq!(slug(&one_word).len(), 50);
    }

    #[test]
    fn params_have_argo_shapes() {
        let pr = SyntheticPr {
            head_sha: "abc".into(),
            ..SyntheticPr::default()
        };
        let params = pr.params(vec!["preview".into()], true);
        assert_eq!(params["number"], "1234");
        assert_eq!(params["head_short_sha"], "abc");
        assert_eq!(params["head_short_sha_7"], "abc");
        assert_eq!(params["branch_slug"], "feature-preview-gate");
        assert_eq!(params["labels"], serde_json::json!(["preview"]));
        let fast = SyntheticPr::default().params(vec![], false);
        assert_eq!(fast["head_short_sha"], "01234567");
        assert_eq!(fast["head_short_sha_7"], "0123456");
        assert!(!fast.contains_key("labels"));
    }

    #[test]
    fn required_labels_gate_the_pr() {
        let pr = SyntheticPr {
            labels: Some(vec!["preview".into(), "x".into()]),
            ..SyntheticPr::default()
        };
        assert!(pr.labels_for(&["preview".into()]).is_some());
        assert!(pr.labels_for(&["other".into()]).is_none());
        assert_eq!(
            SyntheticPr::default().labels_for(&["preview".into()]),
            Some(vec!["preview".to_string()])
        );
    }
}
