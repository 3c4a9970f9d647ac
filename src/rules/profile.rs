//! Rule profiles (`rules/*.yaml`): which policy rules run, at what severity, and with which
//! parameters. Built-in profiles are compiled in; `--profile` takes a built-in name or a file path.
//! Validated with positions: every problem is an `invalid-config` finding at its line.
//!
//! A rule entry is a severity (`rule: error`) or a mapping (`rule: {severity: error, <param>: …}`).
//! Opt-in rules (the preview-spec rules) declare their parameters with defaults and run only when
//! a profile enables them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::config_syntax;
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::rules::{self, Class};
use crate::yaml::{self, Node};

const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../rules/default.yaml")),
    (
        "ameide-previews",
        include_str!("../../rules/ameide-previews.yaml"),
    ),
];

/// What a rule parameter holds. Checked when the profile is read, so a rule never sees a bad value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamType {
    /// A string.
    Text,
    /// A list of strings.
    TextList,
    /// A non-negative integer.
    Count,
    /// A string whose `{placeholder}`s come from the given set.
    Template(&'static [&'static str]),
    /// A list of templates.
    TemplateList(&'static [&'static str]),
    /// A mapping whose keys and values are templates.
    TemplateMap(&'static [&'static str]),
    /// A mapping of API groups (`""` for the core group) to lists of kinds.
    KindsByGroup,
    /// A list of path globs (`*` within a path segment, `**` across segments).
    GlobList,
}

impl ParamType {
    /// The type's name in the documentation (rules/README.md).
    pub fn describe(self) -> String {
        let placeholders = |allowed: &[&str]| {
            if allowed.is_empty() {
                return "no placeholders".to_string();
            }
            allowed
                .iter()
                .map(|a| format!("`{{{a}}}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            ParamType::Text => "text".into(),
            ParamType::TextList => "list".into(),
            ParamType::Count => "integer".into(),
            ParamType::Template(allowed) => format!("template ({})", placeholders(allowed)),
            ParamType::TemplateList(allowed) => {
                format!("list of templates ({})", placeholders(allowed))
            }
            ParamType::TemplateMap(allowed) => format!("template map ({})", placeholders(allowed)),
            ParamType::KindsByGroup => "group → kinds".into(),
            ParamType::GlobList => "list of path globs".into(),
        }
    }
}

/// One parameter an opt-in rule accepts.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
    /// The value when a profile does not set it, written as YAML and read like a profile value.
    pub default: &'static str,
    pub doc: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Text(String),
    List(Vec<String>),
    Count(u64),
    Map(Vec<(String, String)>),
    Kinds(Vec<(String, Vec<String>)>),
}

/// A parameter's value and where the profile sets it (`None`: the declared default).
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub location: Option<Location>,
}

impl<T> std::ops::Deref for Setting<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Setting<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl<'a, T> IntoIterator for &'a Setting<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&self.value).into_iter()
    }
}

/// The Rust type of a [`ParamType`]'s value.
pub trait FromParamValue: Sized {
    fn from_value(value: &ParamValue) -> Option<Self>;
}

impl FromParamValue for String {
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromParamValue for Vec<String> {
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::List(items) => Some(items.clone()),
            _ => None,
        }
    }
}

impl FromParamValue for u64 {
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Count(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromParamValue for Vec<(String, String)> {
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Map(entries) => Some(entries.clone()),
            _ => None,
        }
    }
}

impl FromParamValue for Vec<(String, Vec<String>)> {
    fn from_value(value: &ParamValue) -> Option<Self> {
        match value {
            ParamValue::Kinds(entries) => Some(entries.clone()),
            _ => None,
        }
    }
}

/// Declares an opt-in rule's parameters once: the typed struct the rule reads (a misspelt field
/// is a compile error), the `PARAMS` table the profile is validated against, and the conversion.
///
/// ```ignore
/// rule_params! {
///     Settings {
///         finalizer: String = "finalizer", ParamType::Text, "resources-finalizer.argocd.argoproj.io",
///             "the finalizer each Application must carry";
///     }
/// }
/// ```
macro_rules! rule_params {
    ($name:ident {
        $($field:ident: $ty:ty = $key:literal, $param_type:expr, $default:literal, $doc:literal;)+
    }) => {
        /// The rule's parameters as the profile sets them, defaults filled in.
        #[derive(Debug, Clone)]
        pub struct $name {
            $(
                #[doc = $doc]
                pub $field: $crate::rules::profile::Setting<$ty>,
            )+
        }

        pub const PARAMS: &[$crate::rules::profile::Param] = &[$(
            $crate::rules::profile::Param {
                name: $key,
                ty: $param_type,
                default: $default,
                doc: $doc,
            },
        )+];

        impl $crate::rules::profile::RuleParams for $name {
            fn from_params(params: &$crate::rules::profile::Params) -> Self {
                $name {
                    $($field: params.setting($key),)+
                }
            }
        }

        #[cfg(test)]
        impl $name {
            /// Every default, with `overrides` (profile YAML) on top.
            pub fn with(overrides: &str) -> Self {
                <Self as $crate::rules::profile::RuleParams>::from_params(
                    &$crate::rules::profile::Params::with(PARAMS, overrides),
                )
            }
        }
    };
}

pub(crate) use rule_params;

/// A rule's typed parameters, built from validated [`Params`].
pub trait RuleParams: Sized {
    fn from_params(params: &Params) -> Self;
}

/// The parameters of one enabled rule, defaults filled in. A value set in a profile keeps its line.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Vec<(&'static str, ParamValue, Option<Location>)>,
}

impl Params {
    /// A declared parameter as the type the rule declared it with.
    pub fn setting<T: FromParamValue>(&self, name: &str) -> Setting<T> {
        let (_, value, location) = self
            .values
            .iter()
            .find(|(n, _, _)| *n == name)
            .unwrap_or_else(|| panic!("parameter {name} is not declared"));
        Setting {
            value: T::from_value(value).unwrap_or_else(|| {
                panic!("parameter {name}: declared Rust type and ParamType disagree")
            }),
            location: location.clone(),
        }
    }

    /// Parameters with every default and `overrides` on top, for tests.
    #[cfg(test)]
    pub fn with(declared: &'static [Param], overrides: &str) -> Params {
        let file: Arc<Path> = Arc::from(Path::new("test-profile.yaml"));
        let mut params = Params::default();
        let mut problems = Vec::new();
        let docs = yaml::parse_documents(overrides).expect("overrides parse");
        let map = docs
            .first()
            .and_then(|d| d.root.as_map())
            .unwrap_or_default();
        for (key, value) in map {
            let param = declared
                .iter()
                .find(|p| p.name == key.text())
                .unwrap_or_else(|| panic!("undeclared parameter {}", key.text()));
            if let Some(v) = read_value(param, value, &file, &mut problems) {
                params
                    .values
                    .push((param.name, v, Some(Location::at_node(&file, value))));
            }
        }
        assert!(problems.is_empty(), "{problems:?}");
        params.fill_defaults(declared);
        params
    }

    fn fill_defaults(&mut self, declared: &'static [Param]) {
        for param in declared {
            if self.values.iter().any(|(n, _, _)| *n == param.name) {
                continue;
            }
            self.values.push((param.name, default_value(param), None));
        }
    }
}

/// A parameter's default; the declarations are checked by the tests, so this cannot fail.
fn default_value(param: &Param) -> ParamValue {
    let file: Arc<Path> = Arc::from(Path::new("<default>"));
    let docs = yaml::parse_documents(param.default).unwrap_or_default();
    let null = Node::scalar("");
    let node = docs.first().map_or(&null, |d| &d.root);
    let mut problems = Vec::new();
    read_value(param, node, &file, &mut problems).unwrap_or(ParamValue::List(Vec::new()))
}

/// Replaces each `{name}` of a template with its value.
pub fn expand(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The placeholders of a template, or what is wrong with it.
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("`}` without `{`".into());
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| "`{` without `}`".to_string())?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!(
                "`{{{name}}}` is not a placeholder (lowercase letters and `_` between braces)"
            ));
        }
        found.push(name);
        rest = &after[close + 1..];
    }
    Ok(found)
}

#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Rule id → severity; `None` means off.
    overrides: HashMap<&'static str, Option<Severity>>,
    /// Parameters of the enabled opt-in rules.
    params: HashMap<&'static str, Params>,
}

impl Profile {
    /// A built-in profile, when `name` is one.
    pub fn builtin(name: &str) -> Option<Result<Profile, Vec<Finding>>> {
        BUILTIN
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .map(|(name, text)| parse(text, Arc::from(Path::new(&format!("rules/{name}.yaml")))))
    }

    /// The names of the built-in profiles.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(name, _)| *name).collect()
    }

    /// A profile file's text, read by the caller (settings).
    pub fn from_file(text: &str, file: Arc<Path>) -> Result<Profile, Vec<Finding>> {
        parse(text, file)
    }

    /// Applies a `rules:` mapping on top of this profile (the repository's `preview-gate.yaml`
    /// tunes the selected profile: severities, `off`, parameters).
    pub fn overlay(&mut self, rules_node: &Node, file: &Arc<Path>) -> Result<(), Vec<Finding>> {
        let mut problems = Vec::new();
        if rules_node.as_map().is_none() {
            problems.push(config_syntax::invalid(
                "rules must map rule ids to severities or {severity, parameters} mappings",
                Location::at_node(file, rules_node),
            ));
        } else {
            self.read_rules(rules_node, file, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn read_rules(&mut self, value: &Node, file: &Arc<Path>, problems: &mut Vec<Finding>) {
        for (rule, setting) in value.as_map().unwrap_or_default() {
            let Some(meta) = rules::meta(&rule.text()).filter(|m| m.class() == Class::Policy)
            else {
                problems.push(config_syntax::invalid(
                    format!(
                        "`{}` is not a policy rule (see `preview-gate rules`)",
                        rule.text()
                    ),
                    Location::at_node(file, rule),
                ));
                continue;
            };
            if let Some((severity, params)) = rule_setting(meta, setting, file, problems) {
                self.overrides.insert(meta.id(), severity);
                // A bare severity keeps parameters an earlier layer (the profile) gave.
                let keeps_params =
                    setting.as_map().is_none() && self.params.contains_key(meta.id());
                match (severity, params) {
                    (Some(_), Some(params)) if !keeps_params => {
                        self.params.insert(meta.id(), params);
                    }
                    (None, _) => {
                        self.params.remove(meta.id());
                    }
                    _ => {}
                }
            }
        }
    }

    /// Whether a rule runs: not `off`, and for an opt-in rule, enabled by the profile.
    pub fn runs(&self, code: Code) -> bool {
        match self.overrides.get(code.as_str()) {
            Some(None) => false,
            _ => rules::rule_of(code).params.is_none() || self.params.contains_key(code.as_str()),
        }
    }

    /// The parameters of an opt-in rule, when the profile enables it; `None` means do not run it.
    pub fn params(&self, id: &str) -> Option<&Params> {
        self.params.get(id)
    }

    /// An opt-in rule's typed parameters when the profile enables it; `None`: do not run it.
    pub fn settings<T: RuleParams>(&self, code: Code) -> Option<T> {
        self.params(code.as_str()).map(T::from_params)
    }

    /// Drops findings of disabled rules and applies severities (notes stay notes).
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(
                |mut finding| match self.overrides.get(finding.rule.as_str()) {
                    Some(None) => None,
                    Some(Some(severity)) => {
                        // Only findings at the rule's own severity move: a note or a latent warning
                        // the rule chose deliberately keeps its level.
                        if finding.severity == rules::meta_of(finding.rule).severity {
                            finding.severity = *severity;
                        }
                        Some(finding)
                    }
                    // An opt-in rule the profile does not name stays off.
                    None if rules::rule_of(finding.rule).params.is_some() => None,
                    None => Some(finding),
                },
            )
            .collect()
    }
}

fn parse(text: &str, file: Arc<Path>) -> Result<Profile, Vec<Finding>> {
    let error = |message: String, node: &Node| {
        config_syntax::invalid(message, Location::at_node(&file, node))
    };
    let entries = config_syntax::top_level_entries(text, &file)?;
    let mut profile = Profile::default();
    let mut problems = Vec::new();
    for (key, value) in &entries {
        match key.text().as_str() {
            "description" => {}
            "rules" if value.as_map().is_none() => problems.push(error(
                "rules must map rule ids to severities or {severity, parameters} mappings".into(),
                value,
            )),
            "rules" => profile.read_rules(value, &file, &mut problems),
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

/// One rule's entry: a severity, or a mapping with an optional `severity` and the rule's
/// parameters. Returns the severity (`None`: off) and, for opt-in rules, the parameters.
fn rule_setting(
    meta: &'static rules::Meta,
    setting: &Node,
    file: &Arc<Path>,
    problems: &mut Vec<Finding>,
) -> Option<(Option<Severity>, Option<Params>)> {
    let error = |message: String, node: &Node| {
        config_syntax::invalid(message, Location::at_node(file, node))
    };
    let declared = rules::rule_of(meta.code).params;
    let Some(entries) = setting.as_map() else {
        let severity = severity(setting)
            .map_err(|e| problems.push(error(e, setting)))
            .ok()?;
        let params = declared.map(|declared| {
            let mut params = Params::default();
            params.fill_defaults(declared);
            params
        });
        return Some((severity, params));
    };
    let mut chosen = Some(meta.severity);
    let mut params = Params::default();
    let before = problems.len();
    for (key, value) in entries {
        let name = key.text();
        if name == "severity" {
            match severity(value) {
                Ok(s) => chosen = s,
                Err(e) => problems.push(error(e, value)),
            }
            continue;
        }
        let Some(param) = declared.and_then(|d| d.iter().find(|p| p.name == name)) else {
            let known: Vec<&str> = declared
                .unwrap_or_default()
                .iter()
                .map(|p| p.name)
                .collect();
            let hint = if known.is_empty() {
                format!("{} takes no parameters, only `severity`", meta.id())
            } else {
                format!("{} takes severity, {}", meta.id(), known.join(", "))
            };
            problems.push(error(format!("unknown parameter `{name}`: {hint}"), key));
            continue;
        };
        if let Some(v) = read_value(param, value, file, problems) {
            params
                .values
                .push((param.name, v, Some(Location::at_node(file, value))));
        }
    }
    if problems.len() > before {
        return None;
    }
    let params = declared.map(|declared| {
        params.fill_defaults(declared);
        params
    });
    Some((chosen, params))
}

fn severity(node: &Node) -> Result<Option<Severity>, String> {
    match node.text().as_str() {
        "error" => Ok(Some(Severity::Error)),
        "warning" => Ok(Some(Severity::Warning)),
        "note" => Ok(Some(Severity::Note)),
        "off" => Ok(None),
        other => Err(format!(
            "severity must be error, warning, note or off, not `{other}`"
        )),
    }
}

/// Reads a parameter value of the declared type; problems point at the offending node.
fn read_value(
    param: &Param,
    node: &Node,
    file: &Arc<Path>,
    problems: &mut Vec<Finding>,
) -> Option<ParamValue> {
    let before = problems.len();
    let mut fail = |message: String, at: &Node| {
        problems.push(config_syntax::invalid(
            format!("parameter `{}`: {message}", param.name),
            Location::at_node(file, at),
        ))
    };
    let scalar = |n: &Node| n.as_str().map(str::to_string);
    let template = |n: &Node, allowed: &[&str], fail: &mut dyn FnMut(String, &Node)| {
        let Some(text) = scalar(n) else {
            fail("expected a string".into(), n);
            return None;
        };
        match placeholders(&text) {
            Err(e) => fail(format!("bad pattern `{text}`: {e}"), n),
            Ok(found) => {
                if let Some(unknown) = found.iter().find(|p| !allowed.contains(p)) {
                    let known: Vec<String> = allowed.iter().map(|a| format!("{{{a}}}")).collect();
                    let known = if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    };
                    fail(
                        format!(
                            "bad pattern `{text}`: unknown placeholder {{{unknown}}} (known: {known})"
                        ),
                        n,
                    );
                }
            }
        }
        Some(text)
    };
    let value = match param.ty {
        ParamType::Text => match scalar(node) {
            Some(text) => ParamValue::Text(text),
            None => {
                fail("expected a string".into(), node);
                return None;
            }
        },
        ParamType::Template(allowed) => ParamValue::Text(template(node, allowed, &mut fail)?),
        ParamType::Count => match node.as_str().and_then(|t| t.parse::<u64>().ok()) {
            Some(n) => ParamValue::Count(n),
            _ => {
                fail("expected a non-negative integer".into(), node);
                return None;
            }
        },
        ParamType::GlobList => {
            let Some(items) = node.as_seq() else {
                fail("expected a list of path globs".into(), node);
                return None;
            };
            let mut out = Vec::new();
            for item in items {
                match scalar(item) {
                    Some(text) => match glob::Pattern::new(&text) {
                        Ok(_) => out.push(text),
                        Err(e) => fail(format!("bad pattern `{text}`: {e}"), item),
                    },
                    None => fail("expected a path glob".into(), item),
                }
            }
            ParamValue::List(out)
        }
        ParamType::TextList | ParamType::TemplateList(_) => {
            let Some(items) = node.as_seq() else {
                fail("expected a list".into(), node);
                return None;
            };
            let allowed = match param.ty {
                ParamType::TemplateList(allowed) => Some(allowed),
                _ => None,
            };
            let mut out = Vec::new();
            for item in items {
                let text = match allowed {
                    Some(allowed) => template(item, allowed, &mut fail),
                    None => scalar(item).or_else(|| {
                        fail("expected a string".into(), item);
                        None
                    }),
                };
                out.extend(text);
            }
            ParamValue::List(out)
        }
        ParamType::TemplateMap(allowed) => {
            let Some(entries) = node.as_map() else {
                fail("expected a mapping".into(), node);
                return None;
            };
            let mut out = Vec::new();
            for (key, value) in entries {
                let key = template(key, allowed, &mut fail);
                let value = template(value, allowed, &mut fail);
                if let (Some(k), Some(v)) = (key, value) {
                    out.push((k, v));
                }
            }
            ParamValue::Map(out)
        }
        ParamType::KindsByGroup => {
            let Some(entries) = node.as_map() else {
                fail(
                    "expected a mapping of API groups to lists of kinds".into(),
                    node,
                );
                return None;
            };
            let mut out = Vec::new();
            for (group, kinds) in entries {
                let Some(items) = kinds.as_seq() else {
                    fail(
                        format!("kinds of group `{}` must be a list", group.text()),
                        kinds,
                    );
                    continue;
                };
                let mut names = Vec::new();
                for kind in items {
                    match scalar(kind).filter(|k| !k.is_empty()) {
                        Some(k) => names.push(k),
                        None => fail("expected a kind name".into(), kind),
                    }
                }
                out.push((group.text(), names));
            }
            ParamValue::Kinds(out)
        }
    };
    (problems.len() == before).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    #[test]
    fn builtin_profiles_are_valid() {
        for (name, _) in BUILTIN {
            Profile::builtin(name)
                .unwrap()
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
    }

    #[test]
    fn problems_point_at_their_line() {
        let errors = parse("rules:\n  kind-not-allowed: error\n  render-failed: off\n  stale-allowlist-entry: loud\nextra: 1\n", Arc::from(Path::new("p.yaml"))).unwrap_err();
        let lines: Vec<u32> = errors.iter().map(|f| f.location.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
    }

    #[test]
    fn a_config_overlay_tunes_the_profile_and_keeps_parameters() {
        let mut profile = Profile::builtin("ameide-previews").unwrap().unwrap();
        let before = profile.params("preview-routes").cloned();
        assert!(before.is_some());
        let file: Arc<Path> = Arc::from(Path::new("/preview-gate.yaml"));
        let node = yaml::parse_documents("preview-routes: warning\nkind-not-allowed: off\n")
            .unwrap()
            .remove(0)
            .root;
        profile.overlay(&node, &file).unwrap();
        assert_eq!(profile.overrides["preview-routes"], Some(Severity::Warning));
        assert_eq!(profile.overrides["kind-not-allowed"], None);
        assert_eq!(
            format!("{:?}", profile.params("preview-routes")),
            format!("{before:?}"),
            "a bare severity keeps the profile's parameters"
        );
        let bad = yaml::parse_documents("render-failed: off\n")
            .unwrap()
            .remove(0)
            .root;
        assert_eq!(
            profile.overlay(&bad, &file).unwrap_err()[0].location.line,
            1
        );
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
            Finding::new(Code::KindNotAllowed, Severity::Error, "a", at.clone()),
            Finding::new(Code::StaleAllowlistEntry, Severity::Error, "b", at.clone()),
            Finding::new(Code::StaleAllowlistEntry, Severity::Note, "c", at),
        ];
        let kept: Vec<Severity> = profile.apply(findings).iter().map(|f| f.severity).collect();
        assert_eq!(kept, vec![Severity::Warning, Severity::Note]);
    }

    #[test]
    fn every_declared_default_is_valid() {
        let file: Arc<Path> = Arc::from(Path::new("<default>"));
        for rule in rules::REGISTRY {
            let id = rule.meta.id();
            for param in rule.params.unwrap_or_default() {
                let docs = yaml::parse_documents(param.default).unwrap();
                let mut problems = Vec::new();
                let node = docs
                    .first()
                    .map(|d| d.root.clone())
                    .unwrap_or(Node::scalar(""));
                assert!(
                    read_value(param, &node, &file, &mut problems).is_some(),
                    "{id}.{}: {problems:?}",
                    param.name
                );
            }
        }
    }

    #[test]
    fn opt_in_rules_are_off_unless_a_profile_enables_them() {
        let default = Profile::builtin("default").unwrap().unwrap();
        let spec = Profile::builtin("ameide-previews").unwrap().unwrap();
        let at = Location::file_start(Arc::from(Path::new("x")));
        for rule in rules::REGISTRY.iter().filter(|r| r.params.is_some()) {
            let id = rule.meta.id();
            assert!(default.params(id).is_none(), "{id} runs by default");
            assert!(
                spec.params(id).is_some(),
                "{id} is not enabled by ameide-previews"
            );
            let finding = Finding::new(
                rules::meta(id).unwrap().code,
                Severity::Error,
                "m",
                at.clone(),
            );
            assert!(default.apply(vec![finding]).is_empty());
        }
    }

    #[test]
    fn rule_entries_take_typed_parameters() {
        let profile = parse(
            "rules:\n  preview-namespace-lifecycle:\n    severity: warning\n    applicationSet: lane\n    labels: {'pr': '{number}'}\n  kind-not-allowed: {severity: note}\n",
            Arc::from(Path::new("p.yaml")),
        )
        .unwrap();
        let params = profile.params("preview-namespace-lifecycle").unwrap();
        let lane: Setting<String> = params.setting("applicationSet");
        assert_eq!(*lane, "lane");
        assert_eq!(lane.location.unwrap().line, 4);
        let labels: Setting<Vec<(String, String)>> = params.setting("labels");
        assert_eq!(labels[0], ("pr".into(), "{number}".into()));
        let namespace: Setting<String> = params.setting("namespace");
        assert_eq!(*namespace, "pr-{number}", "defaults fill in");
        assert!(namespace.location.is_none());
        assert_eq!(
            profile.overrides["preview-namespace-lifecycle"],
            Some(Severity::Warning)
        );
        assert_eq!(profile.overrides["kind-not-allowed"], Some(Severity::Note));
        // A bare severity enables an opt-in rule with its defaults; `off` leaves it off.
        let bare = parse(
            "rules:\n  preview-namespace-lifecycle: error\n  preview-lane-shape: off\n",
            Arc::from(Path::new("p.yaml")),
        )
        .unwrap();
        let defaults = bare.params("preview-namespace-lifecycle").unwrap();
        assert_eq!(*defaults.setting::<String>("applicationSet"), "");
        assert!(bare.params("preview-lane-shape").is_none());
    }

    #[test]
    fn bad_parameters_point_at_their_line() {
        let errors = parse(
            "rules:\n  preview-namespace-lifecycle:\n    aplicationSet: lane\n    gitopsRepos: https://x\n    labels: {'a': 'pr-{numbr}'}\n  preview-image-contract:\n    image: 'x:{head_sha'\n  kind-not-allowed: {severity: error, exclude: [a]}\n  preview-appset-hardening: {maxRequeueAfterSeconds: soon, localOverlays: ['[']}\n",
            Arc::from(Path::new("p.yaml")),
        )
        .unwrap_err();
        let found: Vec<(u32, bool)> = errors
            .iter()
            .map(|f| (f.location.line, f.rule == Code::InvalidConfig))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, true),
                (4, true),
                (5, true),
                (7, true),
                (8, true),
                (9, true),
                (9, true)
            ],
            "{errors:#?}"
        );
        assert!(
            errors[0]
                .message
                .contains("unknown parameter `aplicationSet`")
        );
        assert!(errors[1].message.contains("expected a list"));
        assert!(errors[2].message.contains("unknown placeholder {numbr}"));
        assert!(errors[3].message.contains("bad pattern"));
        assert!(errors[4].message.contains("takes no parameters"));
        assert!(errors[5].message.contains("non-negative integer"));
        assert!(errors[6].message.contains("bad pattern `[`"));
    }

    #[test]
    fn templates_expand_and_reject_stray_braces() {
        assert_eq!(expand("pr-{number}", &[("number", "7")]), "pr-7");
        assert_eq!(placeholders("{a}-{b_c}").unwrap(), vec!["a", "b_c"]);
        assert!(placeholders("x}").is_err());
        assert!(placeholders("{X}").is_err());
        assert!(placeholders("{}").is_err());
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
