//! Offline generator evaluation (`applicationset/generators/*`): each generator yields parameter
//! sets with Argo CD's exact shapes. Generators that need a live service (scmProvider, plugin,
//! clusterDecisionResource) are reported, never skipped silently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::git::{path_params, select_directories, select_files};
use super::params::{Params, as_go_json, flatten, flatten_for_selector, merge_override};
use super::pull_request::SyntheticPr;
use super::selector::Selector;
use super::template::{self, Mode};
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::repos::RepoMap;
use crate::yaml::{self, Node};

pub use crate::argo::cluster::{Cluster, IN_CLUSTER_SERVER};

/// What generators read besides their own spec.
pub struct Env<'a> {
    pub repos: &'a RepoMap,
    pub pr: &'a SyntheticPr,
    /// Clusters declared with `--cluster`; the local `in-cluster` is always there.
    pub clusters: &'a [Cluster],
    pub mode: Mode,
    pub file: &'a Arc<Path>,
}

pub(super) type Generated = Result<Vec<Params>, Finding>;

/// The generator types Argo CD knows; only the first six are evaluated offline.
const KNOWN: &[&str] = &[
    "list",
    "clusters",
    "git",
    "pullRequest",
    "matrix",
    "merge",
    "scmProvider",
    "clusterDecisionResource",
    "plugin",
];

impl Env<'_> {
    pub(super) fn error(&self, rule: Code, message: impl Into<String>, node: &Node) -> Finding {
        Finding::new(
            rule,
            Severity::Error,
            message,
            Location::at_node(self.file, node),
        )
    }

    /// The generator type a generator entry sets (everything but `selector`).
    pub fn kind_of<'n>(&self, generator: &'n Node) -> Result<(&'n Node, &'n Node), Finding> {
        let kinds: Vec<_> = generator
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter(|(k, v)| k.as_str() != Some("selector") && !v.is_null())
            .collect();
        match kinds.as_slice() {
            [(k, v)] => Ok((k, v)),
            [] => Err(self.error(
                Code::InvalidArgoManifest,
                "generator sets no generator type",
                generator,
            )),
            _ => Err(self.error(
                Code::InvalidArgoManifest,
                format!(
                    "generator sets {} generator types; set exactly one per list entry",
                    kinds.len()
                ),
                generator,
            )),
        }
    }

    /// Evaluates one generator entry. `depth` counts matrix/merge nesting: Argo CD allows one level.
    pub fn evaluate(&self, generator: &Node, depth: usize) -> Generated {
        let (kind_node, spec) = self.kind_of(generator)?;
        let kind = kind_node.text();
        let params = match kind.as_str() {
            "list" => self.list(spec)?,
            "pullRequest" => self.pull_request(spec)?,
            "git" => self.git(spec)?,
            "clusters" => self.clusters(spec)?,
            "matrix" | "merge" if depth >= 2 => {
                return Err(self.error(
                    Code::GeneratorNotEvaluated,
                    format!(
                        "{kind} nested more than one level deep: Argo CD only allows one level of matrix/merge nesting"
                    ),
                    kind_node,
                ));
            }
            "matrix" => self.matrix(spec, depth)?,
            "merge" => self.merge(spec, depth)?,
            _ if KNOWN.contains(&kind.as_str()) => {
                return Err(self.error(
                    Code::GeneratorNotEvaluated,
                    format!(
                        "the {kind} generator needs a live service; its Applications cannot be predicted offline"
                    ),
                    kind_node,
                ));
            }
            _ => {
                return Err(self.error(
                    Code::GeneratorNotEvaluated,
                    format!("unknown generator type {kind:?}"),
                    kind_node,
                ));
            }
        };
        match generator.get("selector").filter(|s| !s.is_null()) {
            None => Ok(params),
            Some(node) => {
                let selector = Selector::from_node(node)
                    .map_err(|e| self.error(Code::InvalidArgoManifest, e, node))?;
                Ok(params
                    .into_iter()
                    .filter(|p| {
                        let labels: HashMap<String, String> =
                            flatten_for_selector(p, self.mode.go_template)
                                .into_iter()
                                .collect();
                        selector.matches(&labels)
                    })
                    .collect())
            }
        }
    }

    /// `appendTemplatedValues`: each `values` entry rendered with the parameter set it joins.
    pub(super) fn append_values(&self, spec: &Node, params: &mut Params) -> Result<(), Finding> {
        let Some(values) = spec.get("values").and_then(Node::as_map) else {
            return Ok(());
        };
        let mut rendered = Map::new();
        for (key, value) in values {
            let text = template::replace(&value.text(), params, self.mode).map_err(|e| {
                self.error(
                    Code::TemplateError,
                    format!("values.{}: {e}", key.text()),
                    value,
                )
            })?;
            rendered.insert(key.text(), Value::String(text));
        }
        if self.mode.go_template {
            params.insert("values".into(), Value::Object(rendered));
        } else {
            for (k, v) in rendered {
                params.insert(format!("values.{k}"), v);
            }
        }
        Ok(())
    }

    fn list(&self, spec: &Node) -> Generated {
        // Elements are raw JSON in the ApplicationSet (`[]apiextensionsv1.JSON`): what
        // sigs.k8s.io/yaml made of the YAML, YAML 1.1 typing included.
        let mut elements: Vec<(Value, &Node)> = spec
            .get("elements")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                e.to_json().map(|json| (json, e)).map_err(|err| {
                    Finding::new(
                        Code::InvalidArgoManifest,
                        Severity::Error,
                        format!("list element cannot be converted to JSON: {}", err.message),
                        Location::new(self.file.clone(), err.line, err.col, err.line),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        if let Some(text_node) = spec.get("elementsYaml").filter(|n| !n.is_null()) {
            let docs = yaml::parse_documents(&text_node.text()).map_err(|e| {
                self.error(
                    Code::GeneratorNotEvaluated,
                    format!("elementsYaml is not valid YAML: {e}"),
                    text_node,
                )
            })?;
            let items = docs
                .first()
                .map(|d| d.root.to_json())
                .transpose()
                .map_err(|e| {
                    self.error(
                        Code::GeneratorNotEvaluated,
                        format!("elementsYaml cannot be converted to JSON: {}", e.message),
                        text_node,
                    )
                })?;
            match items {
                Some(Value::Array(items)) => {
                    elements.extend(items.into_iter().map(|v| (v, text_node)))
                }
                None => {}
                Some(_) => {
                    return Err(self.error(
                        Code::GeneratorNotEvaluated,
                        "elementsYaml must be a list of objects",
                        text_node,
                    ));
                }
            }
        }
        elements
            .into_iter()
            .map(|(element, node)| {
                let Value::Object(element) = as_go_json(element) else {
                    return Err(self.error(
                        Code::InvalidArgoManifest,
                        "list element is not an object",
                        node,
                    ));
                };
                if self.mode.go_template {
                    return Ok(element);
                }
                // fasttemplate: string values only; a `values` map becomes `values.<key>`.
                let mut params = Params::new();
                for (key, value) in element {
                    match (key.as_str(), value) {
                        ("values", Value::Object(values)) => {
                            for (k, v) in values {
                                let Value::String(v) = v else {
                                    return Err(self.error(
                                        Code::TemplateError,
                                        format!("list element values.{k} is {v}, not a string: without goTemplate Argo CD only accepts string values"),
                                        node,
                                    ));
                                };
                                params.insert(format!("values.{k}"), Value::String(v));
                            }
                        }
                        (_, Value::String(s)) => {
                            params.insert(key, Value::String(s));
                        }
                        (_, other) => {
                            return Err(self.error(
                                Code::TemplateError,
                                format!("list element key {key:?} is {other}, not a string: without goTemplate Argo CD only accepts string values"),
                                node,
                            ));
                        }
                    }
                }
                Ok(params)
            })
            .collect()
    }

    fn pull_request(&self, spec: &Node) -> Generated {
        // Every provider filters by labels the same way: all listed labels must be on the PR.
        let required: Vec<String> = spec
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter_map(|(_, provider)| provider.get("labels"))
            .flat_map(|labels| labels.items().iter().map(Node::text))
            .collect();
        let Some(labels) = self.pr.labels_for(&required) else {
            return Ok(Vec::new());
        };
        if !self.pull_request_passes_filters(spec)? {
            return Ok(Vec::new());
        }
        let mut params = self.pr.params(labels, self.mode.go_template);
        self.append_values(spec, &mut params)?;
        Ok(vec![params])
    }

    /// `ListPullRequests` (`services/pull_request/utils.go`): every filter is compiled first
    /// (`compileFilters`; a bad regexp fails the generator), then the pull request passes when
    /// some filter matches it (`matchFilter`: each of `branchMatch`, `targetBranchMatch`,
    /// `titleMatch` that is set must match). No filters: it passes.
    fn pull_request_passes_filters(&self, spec: &Node) -> Result<bool, Finding> {
        let filters = spec.get("filters").map(Node::items).unwrap_or_default();
        if filters.is_empty() {
            return Ok(true);
        }
        let fields = [
            ("branchMatch", "BranchMatch", self.pr.branch.as_str()),
            (
                "targetBranchMatch",
                "TargetBranchMatch",
                self.pr.target_branch.as_str(),
            ),
            ("titleMatch", "TitleMatch", self.pr.title.as_str()),
        ];
        let mut compiled = Vec::new();
        for filter in filters {
            let mut checks = Vec::new();
            for (key, go_name, value) in fields {
                let Some(node) = filter.get(key).filter(|n| !n.is_null()) else {
                    continue;
                };
                let pattern = node.text();
                let regex = regex::Regex::new(&pattern).map_err(|e| {
                    self.error(
                        Code::InvalidArgoManifest,
                        format!("error compiling {go_name} regexp {pattern:?}: {e}"),
                        node,
                    )
                })?;
                checks.push((regex, value));
            }
            compiled.push(checks);
        }
        Ok(compiled
            .iter()
            .any(|checks| checks.iter().all(|(regex, value)| regex.is_match(value))))
    }

    fn git(&self, spec: &Node) -> Generated {
        let repo_node = spec.get("repoURL").unwrap_or(spec);
        let repo_url = repo_node.text();
        let revision_node = spec.get("revision").unwrap_or(repo_node);
        let revision = spec.get("revision").map(Node::text).unwrap_or_default();
        let Some(root) = self.repos.resolve_at(&repo_url, &revision) else {
            return Err(self
                .error(
                    Code::SourceUnresolved,
                    format!("git generator repoURL {repo_url} is not mapped to a local tree"),
                    repo_node,
                )
                .help(format!(
                    "map it in preview-gate.yaml `repositories:` or pass --repo-map {repo_url}=DIR"
                )));
        };
        let root =
            root.map_err(|message| self.error(Code::SourceUnresolved, message, revision_node))?;
        let root = root.as_path();
        let prefix = spec
            .get("pathParamPrefix")
            .map(Node::text)
            .unwrap_or_default();
        let mut out = Vec::new();
        if let Some(directories) = spec.get("directories").filter(|d| !d.items().is_empty()) {
            for dir in select_directories(root, directories.items()) {
                let mut params = path_params(&dir, None, &prefix, self.mode.go_template);
                self.append_values(spec, &mut params)?;
                out.push(params);
            }
        } else if let Some(files) = spec.get("files").filter(|d| !d.items().is_empty()) {
            for file in select_files(root, files.items()) {
                for object in self.read_git_file(root, &file, spec)? {
                    let mut params = if self.mode.go_template {
                        object
                    } else {
                        flatten(&object)
                            .into_iter()
                            .map(|(k, v)| (k, Value::String(v)))
                            .collect()
                    };
                    let path = path_params(&file, Some(()), &prefix, self.mode.go_template);
                    params.extend(path);
                    self.append_values(spec, &mut params)?;
                    out.push(params);
                }
            }
        } else {
            return Err(self.error(
                Code::InvalidArgoManifest,
                "git generator has neither directories nor files",
                spec,
            ));
        }
        Ok(out)
    }

    /// A git files generator file: one object, or a list of objects (`generateParamsFromGitFile`).
    fn read_git_file(&self, root: &Path, file: &str, spec: &Node) -> Result<Vec<Params>, Finding> {
        let path: PathBuf = root.join(file);
        let fail = |message: String| {
            Finding::new(
                Code::GeneratorNotEvaluated,
                Severity::Error,
                format!("git files generator: unable to process file '{file}': {message}"),
                Location::file_start(Arc::from(path.as_path())),
            )
            .related("generator", Location::at_node(self.file, spec))
        };
        let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
        let docs = yaml::parse_documents(&text).map_err(|e| {
            let mut finding = fail(e.message.clone());
            finding.location.line = e.line;
            finding
        })?;
        let content = docs
            .first()
            .map(|d| d.root.to_json())
            .transpose()
            .map_err(|e| {
                let mut finding = fail(e.message.clone());
                finding.location.line = e.line;
                finding
            })?;
        // `generateParamsFromGitFile`: first read as one object — which an empty, comment-only
        // or `null` file also is (an empty map: one parameter set of path parameters only) —,
        // else as a list of objects, where a null item is an empty map.
        match content.map(as_go_json) {
            None | Some(Value::Null) => Ok(vec![Map::new()]),
            Some(Value::Object(object)) => Ok(vec![object]),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::Object(object) => Ok(object),
                    Value::Null => Ok(Map::new()),
                    _ => Err(fail("a list item is not an object".into())),
                })
                .collect(),
            Some(_) => Err(fail(
                "the file is neither an object nor a list of objects".into(),
            )),
        }
    }

    fn matrix(&self, spec: &Node, depth: usize) -> Generated {
        let children = spec.get("generators").map(Node::items).unwrap_or_default();
        if children.len() != 2 {
            return Err(self.error(
                Code::InvalidArgoManifest,
                format!(
                    "found {} generators, matrix generator must have exactly 2",
                    children.len()
                ),
                spec,
            ));
        }
        let mut out = Vec::new();
        for first in self.evaluate(&children[0], depth + 1)? {
            // The second child is interpolated with each parameter set of the first.
            let second = interpolate(&children[1], &first, self.mode)
                .map_err(|f| self.error(Code::TemplateError, f.message, &at(f.line, f.col)))?;
            for second_params in self.evaluate(&second, depth + 1)? {
                if self.mode.go_template {
                    let mut merged = second_params;
                    merge_override(&mut merged, &first);
                    out.push(merged);
                } else {
                    let mut merged = first.clone();
                    for (key, value) in second_params {
                        match merged.get(&key) {
                            Some(existing) if existing != &value => {
                                return Err(self.error(
                                    Code::TemplateError,
                                    format!(
                                        "found duplicate key {key} with different value, a: {} ,b: {}",
                                        existing.as_str().unwrap_or_default(),
                                        value.as_str().unwrap_or_default()
                                    ),
                                    spec,
                                ));
                            }
                            _ => {
                                merged.insert(key, value);
                            }
                        }
                    }
                    out.push(merged);
                }
            }
        }
        Ok(out)
    }

    fn merge(&self, spec: &Node, depth: usize) -> Generated {
        let children = spec.get("generators").map(Node::items).unwrap_or_default();
        let merge_keys: Vec<String> = spec
            .get("mergeKeys")
            .map(|k| k.items().iter().map(Node::text).collect())
            .unwrap_or_default();
        if children.len() < 2 {
            return Err(self.error(
                Code::InvalidArgoManifest,
                "found less than two generators, merge requires two or more",
                spec,
            ));
        }
        if merge_keys.is_empty() {
            return Err(self.error(
                Code::InvalidArgoManifest,
                "no merge keys were specified, merge requires at least one",
                spec,
            ));
        }
        let key_of = |params: &Params| -> String {
            let values: Vec<Value> = merge_keys
                .iter()
                // Argo CD reads `paramSet[mergeKey]`: top-level keys only.
                .map(|k| params.get(k).cloned().unwrap_or(Value::Null))
                .collect();
            Value::Array(values).to_string()
        };
        let mut base = self.evaluate(&children[0], depth + 1)?;
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, params) in base.iter().enumerate() {
            if index.insert(key_of(params), i).is_some() {
                return Err(self.error(
                    Code::TemplateError,
                    format!(
                        "the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was {}",
                        key_of(params)
                    ),
                    &children[0],
                ));
            }
        }
        for child in &children[1..] {
            let mut seen: HashMap<String, ()> = HashMap::new();
            for params in self.evaluate(child, depth + 1)? {
                let key = key_of(&params);
                // getParamSetsByMergeKey: every child's sets must be unique by the merge keys.
                if seen.insert(key.clone(), ()).is_some() {
                    return Err(self.error(
                        Code::TemplateError,
                        format!(
                            "the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was {key}"
                        ),
                        child,
                    ));
                }
                if let Some(&i) = index.get(&key) {
                    merge_override(&mut base[i], &params);
                }
            }
        }
        Ok(base)
    }
}

fn at(line: u32, col: u32) -> Node {
    Node {
        line,
        col,
        end_line: line,
        ..Node::scalar("")
    }
}

/// `InterpolateGenerator`: the matrix's second child with the first child's parameters rendered
/// into every string (its `values` and `template` too, as `RenderGeneratorParams` does). The
/// `selector` is taken before interpolation in `Transform`, so it stays literal.
fn interpolate(
    generator: &Node,
    params: &Params,
    mode: Mode,
) -> Result<Node, template::TemplateFailure> {
    let yaml::Value::Map(entries) = &generator.value else {
        return Ok(generator.clone());
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let rendered = if key.as_str() == Some("selector") {
            value.clone()
        } else {
            template::render_node(value, params, mode)?
        };
        out.push((key.clone(), rendered));
    }
    Ok(Node {
        value: yaml::Value::Map(out),
        ..generator.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appset::git::{base, parent, pathspec_match};
    use serde_json::json;

    #[test]
    fn pathspec_star_crosses_slashes() {
        let p = "environments/_shared/components/apps/*/component.yaml";
        assert!(pathspec_match(
            p,
            "environments/_shared/components/apps/web/www/component.yaml"
        ));
        assert!(pathspec_match(
            p,
            "environments/_shared/components/apps/x/component.yaml"
        ));
        assert!(!pathspec_match(
            p,
            "environments/_shared/components/cluster/x/component.yaml"
        ));
        assert!(pathspec_match("a/b", "a/b/c.yaml"));
        // `git ls-files -- ./envs/*/x.yaml` at the root: `./` is the root itself.
        assert!(pathspec_match("./envs/*/x.yaml", "envs/dev/x.yaml"));
        assert!(!pathspec_match("a/b", "a/bc.yaml"));
        assert!(pathspec_match("cluster-[a-c].json", "cluster-b.json"));
        assert!(!pathspec_match("cluster-[!a-c].json", "cluster-b.json"));
    }

    #[test]
    fn git_file_path_params_match_argo_docs() {
        // Argo CD docs (Generators-Git.md): cluster-config/engineering/prod/config.json.
        let go = path_params(
            "cluster-config/engineering/prod/config.json",
            Some(()),
            "",
            true,
        );
        assert_eq!(
            Value::Object(go),
            json!({"path": {
                "path": "cluster-config/engineering/prod",
                "basename": "prod",
                "filename": "config.json",
                "basenameNormalized": "prod",
                "filenameNormalized": "config.json",
                "segments": ["cluster-config", "engineering", "prod"]
            }})
        );
        let fast = path_params(
            "cluster-config/engineering/prod/config.json",
            Some(()),
            "",
            false,
        );
        assert_eq!(fast["path"], "cluster-config/engineering/prod");
        assert_eq!(fast["path.basename"], "prod");
        assert_eq!(fast["path.filename"], "config.json");
        assert_eq!(fast["path[0]"], "cluster-config");
        assert_eq!(fast["path[2]"], "prod");
        let prefixed = path_params("apps/My_App", None, "app", true);
        assert_eq!(prefixed["app"]["path"]["basenameNormalized"], "my-app");
        let prefixed_fast = path_params("apps/My_App", None, "app", false);
        assert_eq!(prefixed_fast["app.path.basename"], "My_App");
        assert_eq!(prefixed_fast["app.path[1]"], "My_App");
    }

    fn evaluate(yaml_text: &str, go_template: bool) -> Result<Vec<Params>, Finding> {
        let repos = RepoMap::default();
        let pr = SyntheticPr::default();
        let file: Arc<Path> = Arc::from(Path::new("/appset.yaml"));
        let clusters = [Cluster::new("staging", "https://1.2.3.4")];
        let env = Env {
            repos: &repos,
            pr: &pr,
            clusters: &clusters,
            mode: Mode {
                go_template,
                ..Mode::default()
            },
            file: &file,
        };
        let node = yaml::parse_documents(yaml_text).unwrap().remove(0).root;
        env.evaluate(&node, 0)
    }

    fn values(params: Vec<Params>) -> Vec<Value> {
        params.into_iter().map(Value::Object).collect()
    }

    // applicationset/generators/list.go: elements are the JSON sigs.k8s.io/yaml made of the
    // manifest (go-yaml v2 typing), json.Unmarshal'ed into map[string]any.
    #[test]
    fn list_elements_are_typed_like_kubernetes() {
        let spec = "list:\n  elements: [{name: '010', cluster: 010, enabled: yes, port: 0x1f, n: 1_000}]\n";
        assert_eq!(
            values(evaluate(spec, true).unwrap()),
            vec![
                json!({"name": "010", "cluster": 8.0, "enabled": true, "port": 31.0, "false": 1000.0})
            ]
        );
        // Without goTemplate only strings are accepted, and `yes` is no longer one.
        let flat = evaluate("list:\n  elements: [{name: web, enabled: yes}]\n", false).unwrap_err();
        assert_eq!(flat.rule, Code::TemplateError);
        assert!(
            flat.message.contains("\"enabled\" is true, not a string"),
            "{}",
            flat.message
        );
        let yaml_elements = "list:\n  elementsYaml: |\n    - {cluster: 010, enabled: off}\n";
        assert_eq!(
            values(evaluate(yaml_elements, true).unwrap()),
            vec![json!({"cluster": 8.0, "enabled": false})]
        );
        // JSON has no infinity: the ApplicationSet cannot be stored.
        let inf = evaluate("list:\n  elements:\n    - {weight: .inf}\n", true).unwrap_err();
        assert_eq!(inf.rule, Code::InvalidArgoManifest);
        assert_eq!(inf.location.line, 3);
        assert!(
            inf.message.contains("json: unsupported value: +Inf"),
            "{}",
            inf.message
        );
    }

    #[test]
    fn matrix_combines_and_the_first_child_wins_in_go_templates() {
        let out = evaluate(
            "matrix:\n  generators:\n    - list: {elements: [{env: dev, shared: {a: 1, b: 1}}, {env: prod, shared: {a: 1}}]}\n    - list: {elements: [{app: web, shared: {a: 2, c: 3}}]}\n",
            true,
        )
        .unwrap();
        assert_eq!(
            values(out),
            vec![
                json!({"app": "web", "shared": {"a": 1.0, "b": 1.0, "c": 3.0}, "env": "dev"}),
                json!({"app": "web", "shared": {"a": 1.0, "c": 3.0}, "env": "prod"}),
            ]
        );
    }

    #[test]
    fn matrix_rejects_conflicting_flat_keys_and_wrong_arity() {
        let conflict = evaluate(
            "matrix:\n  generators:\n    - list: {elements: [{env: dev}]}\n    - list: {elements: [{env: prod}]}\n",
            false,
        );
        assert!(conflict.unwrap_err().message.contains("duplicate key env"));
        let one = evaluate(
            "matrix:\n  generators:\n    - list: {elements: [{a: b}]}\n",
            false,
        );
        assert!(one.unwrap_err().message.contains("exactly 2"));
    }

    #[test]
    fn matrix_nesting_is_one_level_deep() {
        let nested = "matrix:\n  generators:\n    - matrix:\n        generators:\n          - list: {elements: [{a: '1'}]}\n          - list: {elements: [{b: '2'}]}\n    - list: {elements: [{c: '3'}]}\n";
        assert_eq!(evaluate(nested, false).unwrap().len(), 1);
        let too_deep = "matrix:\n  generators:\n    - matrix:\n        generators:\n          - matrix: {generators: []}\n          - list: {elements: [{b: '2'}]}\n    - list: {elements: [{c: '3'}]}\n";
        assert!(
            evaluate(too_deep, false)
                .unwrap_err()
                .message
                .contains("one level")
        );
    }

    #[test]
    fn merge_overrides_base_sets_by_merge_key() {
        // Argo CD docs (Generators-Merge.md), with list generators standing for the clusters.
        let out = evaluate(
            "merge:\n  mergeKeys: [server]\n  generators:\n    - list: {elements: [{server: a, kafka: 'true', redis: 'false'}, {server: b, kafka: 'true', redis: 'false'}]}\n    - list: {elements: [{server: b, kafka: 'false'}]}\n    - list: {elements: [{server: a, redis: 'true'}, {server: z, redis: 'true'}]}\n",
            false,
        )
        .unwrap();
        assert_eq!(
            values(out),
            vec![
                json!({"server": "a", "kafka": "true", "redis": "true"}),
                json!({"server": "b", "kafka": "false", "redis": "false"}),
            ]
        );
        let duplicate = evaluate(
            "merge:\n  mergeKeys: [server]\n  generators:\n    - list: {elements: [{server: a}, {server: a}]}\n    - list: {elements: []}\n",
            false,
        );
        assert!(duplicate.unwrap_err().message.contains("not unique"));
    }

    #[test]
    fn merge_keys_are_top_level_and_unique_in_every_child() {
        let later_duplicate = evaluate(
            "merge:\n  mergeKeys: [name]\n  generators:\n    - list: {elements: [{name: a, v: '0'}]}\n    - list: {elements: [{name: a, v: '1'}, {name: a, v: '2'}]}\n",
            false,
        );
        assert!(later_duplicate.unwrap_err().message.contains("not unique"));
        // `c.name` is not a path: every set has no such key, so they all collide.
        let dotted = evaluate(
            "merge:\n  mergeKeys: [c.name]\n  generators:\n    - list: {elements: [{c: {name: a}}, {c: {name: b}}]}\n    - list: {elements: []}\n",
            true,
        );
        assert!(dotted.unwrap_err().message.contains("not unique"));
    }

    /// `flattenParameters(normalizeMapForFlatten(...))` (Argo CD ≥ 3.4, #26717): a goTemplate
    /// generator's `values` are flattened for its selector, so `values.tier` selects.
    #[test]
    fn selectors_see_flattened_values() {
        let select = |tier: &str| {
            evaluate(
                &format!("pullRequest:\n  github: {{owner: o, repo: r}}\n  values:\n    tier: prod\nselector:\n  matchLabels: {{values.tier: {tier}}}\n"),
                true,
            )
            .unwrap()
            .len()
        };
        assert_eq!(select("prod"), 1);
        assert_eq!(select("dev"), 0);
    }

    #[test]
    fn matrix_selectors_stay_literal_and_values_are_interpolated() {
        let out = evaluate(
            "matrix:\n  generators:\n    - list: {elements: [{env: dev}]}\n    - list: {elements: [{env2: dev}]}\n      selector: {matchLabels: {env2: '{{ .env }}'}}\n",
            true,
        )
        .unwrap();
        assert!(
            out.is_empty(),
            "the selector compares with the literal text"
        );
    }

    #[test]
    fn pathspec_matching_does_not_backtrack_exponentially() {
        let pattern = format!("{}b", "*a".repeat(30));
        let text = "a".repeat(200);
        let started = std::time::Instant::now();
        assert!(!pathspec_match(&pattern, &text));
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn selectors_filter_on_flattened_values() {
        let out = evaluate(
            "list:\n  elements: [{name: a, phase: 610}, {name: b, phase: 150}, {name: c, phase: 1000000}]\nselector:\n  matchExpressions:\n    - {key: phase, operator: In, values: ['610', '1e+06']}\n",
            true,
        )
        .unwrap();
        let names: Vec<_> = out.iter().map(|p| p["name"].clone()).collect();
        assert_eq!(names, vec![json!("a"), json!("c")]);
    }

    #[test]
    fn list_without_go_template_needs_strings() {
        assert!(evaluate("list: {elements: [{replicas: 3}]}", false).is_err());
        let out = evaluate("list: {elements: [{a: x, values: {k: v}}]}", false).unwrap();
        assert_eq!(values(out), vec![json!({"a": "x", "values.k": "v"})]);
    }

    #[test]
    fn pull_request_labels_gate_and_values_render() {
        let out = evaluate(
            "pullRequest:\n  github: {owner: o, repo: r, labels: [preview]}\n  values: {ns: 'pr-{{ number }}'}\n",
            false,
        )
        .unwrap();
        assert_eq!(out[0]["values.ns"], "pr-1234");
        assert!(!out[0].contains_key("labels"));
    }

    /// `ListPullRequests`/`matchFilter`: filters are OR'ed, the fields of one filter AND'ed; a
    /// bad regexp fails the generator even when another filter would match.
    #[test]
    fn pull_request_filters_apply_to_the_synthetic_pr() {
        // The synthetic PR: branch feature/preview-gate into main, title "preview-gate synthetic pull request".
        let count = |filters: &str| {
            evaluate(
                &format!("pullRequest:\n  github: {{owner: o, repo: r}}\n  filters: {filters}\n"),
                true,
            )
            .map(|out| out.len())
            .map_err(|e| e.message)
        };
        assert_eq!(count("[]"), Ok(1), "no filters");
        assert_eq!(count("[{branchMatch: '^feature/'}]"), Ok(1));
        assert_eq!(count("[{branchMatch: '^release/'}]"), Ok(0));
        assert_eq!(
            count("[{branchMatch: '^feature/', targetBranchMatch: '^develop$'}]"),
            Ok(0),
            "AND"
        );
        assert_eq!(
            count("[{branchMatch: '^release/'}, {titleMatch: synthetic}]"),
            Ok(1),
            "OR"
        );
        assert_eq!(
            count("[{branchMatch: ''}]"),
            Ok(1),
            "an empty pattern matches"
        );
        let bad = count("[{titleMatch: synthetic}, {branchMatch: '('}]").unwrap_err();
        assert!(bad.contains("error compiling BranchMatch regexp"), "{bad}");
    }

    #[test]
    fn live_generators_are_reported() {
        let err = evaluate("scmProvider: {github: {organization: o}}", false).unwrap_err();
        assert_eq!(err.rule, Code::GeneratorNotEvaluated);
        let err = evaluate("bogus: {}", false).unwrap_err();
        assert!(err.message.contains("unknown generator"));
    }

    #[test]
    fn go_path_functions() {
        assert_eq!(parent("a/b/c.json"), "a/b");
        assert_eq!(parent("c.json"), ".");
        assert_eq!(base("a/b"), "b");
        assert_eq!(base("a/b/"), "b");
    }
}
