//! ApplicationSets expanded offline: generators evaluated against the working tree and a synthetic
//! pull request, templates rendered per parameter set, as the ApplicationSet controller would
//! (`applicationset/controllers/template`, `applicationset/utils/utils.go`). The generated
//! Applications then go through the same pipeline as plain ones.

mod clusters;
pub mod generators;
mod git;
pub mod params;
pub mod pull_request;
pub mod selector;
pub mod template;

use gotemplate::Options;

use crate::argo::application::Application;
use crate::argo::crd;
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::discover::ApplicationSetDoc;
use crate::repos::RepoMap;
use crate::yaml::{self, Node};

pub use generators::Cluster;
use generators::Env;
pub use pull_request::{PrValues, SyntheticPr};
use template::Mode;

/// The finalizer the controller adds to generated Applications that have none.
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

/// What ApplicationSet expansion reads besides the ApplicationSet.
pub struct ExpandContext<'a> {
    pub repos: &'a RepoMap,
    pub pr: &'a SyntheticPr,
    pub clusters: &'a [Cluster],
}

#[derive(Debug, Default)]
pub struct Expansion {
    pub applications: Vec<Application>,
    pub findings: Vec<Finding>,
}

/// `spec.goTemplate` and `spec.goTemplateOptions`.
pub fn mode_of(spec: &Node) -> Mode {
    let go_template = spec.get("goTemplate").and_then(Node::as_bool) == Some(true);
    let missing_key_error = spec
        .get("goTemplateOptions")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|o| o.as_str() == Some("missingkey=error"));
    Mode {
        go_template,
        options: Options {
            missing_key_error,
            yaml: Some(yaml_to_json),
        },
    }
}

/// `fromYaml`/`fromYamlArray` read YAML like sigs.k8s.io/yaml (`yaml.Unmarshal` in Argo CD's
/// `applicationset/utils/template_functions.go`): go-yaml v2 typing, through JSON, numbers as floats.
fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    let docs = yaml::parse_documents(text).map_err(|e| e.to_string())?;
    match docs.first() {
        None => Ok(serde_json::Value::Null),
        Some(d) => d
            .root
            .to_json()
            .map(params::as_go_json)
            .map_err(|e| e.message),
    }
}

pub fn expand(appset: &ApplicationSetDoc, cx: &ExpandContext) -> Expansion {
    let mut out = Expansion::default();
    let file = &appset.file;
    let invalid = |message: String, node: &Node| {
        Finding::new(
            Code::InvalidArgoManifest,
            Severity::Error,
            message,
            Location::at_node(file, node),
        )
        .app(&appset.name)
    };
    let Some(spec) = appset.root.get("spec").filter(|s| s.as_map().is_some()) else {
        out.findings.push(invalid(
            format!("ApplicationSet {} has no spec", appset.name),
            &appset.root,
        ));
        return out;
    };
    let Some(base_template) = spec.get("template").filter(|t| t.as_map().is_some()) else {
        out.findings.push(invalid(
            format!("ApplicationSet {} has no spec.template", appset.name),
            spec,
        ));
        return out;
    };
    let mode = mode_of(spec);
    let env = Env {
        repos: cx.repos,
        pr: cx.pr,
        clusters: cx.clusters,
        mode,
        file,
    };
    let preserve = spec
        .at(&["syncPolicy", "preserveResourcesOnDeletion"])
        .and_then(Node::as_bool)
        == Some(true);
    let preview = uses_pull_requests(spec.get("generators").map(Node::items).unwrap_or_default());
    let mut names: Vec<(String, Location)> = Vec::new();
    for generator in spec.get("generators").map(Node::items).unwrap_or_default() {
        let generated = env.evaluate(generator, 0).and_then(|params| {
            let (_, kind_spec) = env.kind_of(generator)?;
            Ok((params, kind_spec.get("template")))
        });
        let (param_sets, own_template) = match generated {
            Ok(ok) => ok,
            Err(finding) => {
                out.findings.push(finding.app(&appset.name));
                continue;
            }
        };
        if param_sets.is_empty() {
            // A path typo (`app/*` for `apps/*`) must not look like a pass.
            out.findings.push(
                Finding::new(
                    Code::NothingGenerated,
                    Severity::Warning,
                    format!(
                        "this generator of ApplicationSet {} yields no Application for the synthetic pull request: {}",
                        appset.name,
                        why_nothing(generator, cx.pr)
                    ),
                    Location::at_node(file, generator),
                )
                .app(&appset.name),
            );
        }
        let merged = own_template
            .filter(|t| t.as_map().is_some())
            .map(|t| template::merge_templates(t, base_template));
        let template = merged.as_ref().unwrap_or(base_template);
        for params in &param_sets {
            match generate(appset, spec, template, params, mode, preserve) {
                Ok(mut app) => {
                    app.preview = preview;
                    app.application_set = Some(appset.name.clone());
                    app.generator_params = Some(params.clone());
                    if let Some((_, first)) = names.iter().find(|(n, _)| *n == app.metadata_name) {
                        out.findings.push(
                            Finding::new(
                                Code::TemplateError,
                                Severity::Error,
                                format!(
                                    "ApplicationSet {} generates two Applications named {}; Argo CD refuses to apply it",
                                    appset.name, app.metadata_name
                                ),
                                app.location.clone(),
                            )
                            .related("first generated from", first.clone())
                            .app(&appset.name),
                        );
                        continue;
                    }
                    names.push((app.metadata_name.clone(), app.location.clone()));
                    out.applications.push(app);
                }
                Err(finding) => {
                    // One failure per template field is enough.
                    if !out.findings.iter().any(|f| f.location == finding.location) {
                        out.findings.push(finding.app(&appset.name));
                    }
                }
            }
        }
    }
    out
}

/// One generated Application: render, add the controller's finalizer, apply `templatePatch`
/// (which cannot change the project), and read it like a plain Application.
fn generate(
    appset: &ApplicationSetDoc,
    spec: &Node,
    template: &Node,
    params: &params::Params,
    mode: Mode,
    preserve: bool,
) -> Result<Application, Finding> {
    let file = &appset.file;
    let failure = |f: template::TemplateFailure| {
        Finding::new(
            Code::TemplateError,
            Severity::Error,
            format!("template cannot be evaluated: {}", f.message),
            Location::new(file.clone(), f.line, f.col, f.line),
        )
    };
    let mut rendered = template::render_node(template, params, mode).map_err(failure)?;
    add_finalizer(&mut rendered, template, preserve);
    if let Some(patch_node) = spec.get("templatePatch").filter(|p| !p.is_null()) {
        let project = rendered.at(&["spec", "project"]).cloned();
        let text = template::replace(&patch_node.text(), params, mode).map_err(|message| {
            failure(template::TemplateFailure {
                message: format!("templatePatch: {message}"),
                line: patch_node.line,
                col: patch_node.col,
            })
        })?;
        let docs = yaml::parse_documents(&text).map_err(|e| {
            failure(template::TemplateFailure {
                message: format!("templatePatch does not render to valid YAML: {e}"),
                line: patch_node.line + e.line.saturating_sub(1),
                col: patch_node.col,
            })
        })?;
        if let Some(doc) = docs.first() {
            let patch = shift_lines(&doc.root, patch_node);
            template::apply_patch(&mut rendered, &patch, &mut Vec::new());
        }
        // The controller puts the template's project back after patching, even an empty one.
        if let Some(spec) = rendered_spec(&mut rendered) {
            match project {
                Some(project) => template::set_entry(spec, "project", project),
                None => remove_entry(spec, "project"),
            }
        }
    }
    // The API server validates the generated Application too.
    if let Some(refused) = crd::validate_generated_application(file, &rendered)
        .into_iter()
        .next()
    {
        let finding = Finding::new(
            Code::InvalidArgoManifest,
            Severity::Error,
            format!("generated {}", refused.message),
            refused.location,
        );
        return Err(match refused.help {
            Some(help) => finding.help(help),
            None => finding,
        });
    }
    let mut app = Application::from_node(file, &rendered).map_err(|(message, location)| {
        Finding::new(
            Code::InvalidArgoManifest,
            Severity::Error,
            format!("generated Application is invalid: {message}"),
            location,
        )
    })?;
    app.name = format!("{}/{}", appset.name, app.metadata_name);
    // applicationset/controllers/template/template.go: always the ApplicationSet's namespace.
    app.metadata_namespace = appset
        .root
        .at(&["metadata", "namespace"])
        .map(Node::text)
        .unwrap_or_default();
    Ok(app)
}

/// Why a generator may have yielded nothing, from what it asks for.
fn why_nothing(generator: &Node, pr: &SyntheticPr) -> String {
    let kind = generator
        .as_map()
        .unwrap_or_default()
        .iter()
        .find(|(k, v)| k.as_str() != Some("selector") && !v.is_null())
        .map(|(k, v)| (k.text(), v));
    let mut reason = match &kind {
        Some((name, spec)) if name == "git" => {
            let patterns = |key: &str| -> Vec<String> {
                spec.get(key)
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|i| i.get("path").map(Node::text))
                    .collect()
            };
            let files = patterns("files");
            if files.is_empty() {
                format!(
                    "no directory of the checked tree matches {}",
                    patterns("directories").join(", ")
                )
            } else {
                format!("no file Git tracks matches {}", files.join(", "))
            }
        }
        Some((name, _)) if name == "pullRequest" => format!(
            "the pull request (branch {} into {}, labels {}) lacks a required label or is excluded by its filters; see the --pr-* options",
            pr.branch,
            pr.target_branch,
            pr.labels
                .as_ref()
                .map_or("as required".to_string(), |l| l.join(","))
        ),
        Some((name, _)) if name == "list" => "its list has no elements".to_string(),
        Some((name, _)) if name == "matrix" || name == "merge" => {
            format!("a child of the {name} yields nothing, or no pair combines")
        }
        Some((name, _)) => format!("the {name} generator lists nothing"),
        None => "it sets no generator".to_string(),
    };
    if generator.get("selector").is_some_and(|s| !s.is_null()) {
        reason.push_str(", or its selector matches none of what it lists");
    }
    reason
}

fn remove_entry(map: &mut Node, key: &str) {
    if let yaml::Value::Map(entries) = &mut map.value {
        entries.retain(|(k, _)| k.as_str() != Some(key));
    }
}

fn rendered_spec(app: &mut Node) -> Option<&mut Node> {
    match &mut app.value {
        yaml::Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some("spec"))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// `RenderTemplateParams`: a template without finalizers gets the resources finalizer unless
/// `syncPolicy.preserveResourcesOnDeletion` is true.
fn add_finalizer(app: &mut Node, template: &Node, preserve: bool) {
    let has_finalizers = app
        .at(&["metadata", "finalizers"])
        .is_some_and(|f| !f.items().is_empty());
    if preserve || has_finalizers {
        return;
    }
    let anchor = template.get("metadata").unwrap_or(template);
    let finalizer = Node {
        line: anchor.line,
        col: anchor.col,
        end_line: anchor.line,
        ..Node::scalar(RESOURCES_FINALIZER)
    };
    let list = Node {
        value: yaml::Value::Seq(vec![finalizer.clone()]),
        ..finalizer
    };
    if let yaml::Value::Map(entries) = &mut app.value {
        match entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some("metadata"))
        {
            Some((_, metadata)) => template::set_entry(metadata, "finalizers", list),
            None => {
                let mut metadata = Node {
                    value: yaml::Value::Map(Vec::new()),
                    ..list.clone()
                };
                template::set_entry(&mut metadata, "finalizers", list);
                entries.push((Node::scalar("metadata"), metadata));
            }
        }
    }
}

/// Positions inside a rendered `templatePatch` block, mapped onto the ApplicationSet file (exact
/// while the template adds or removes no lines before the node).
fn shift_lines(node: &Node, patch: &Node) -> Node {
    // A block scalar's node starts at its first content line.
    let offset = patch.line.saturating_sub(1);
    let shift = |n: &Node| Node {
        line: n.line + offset,
        end_line: n.end_line + offset,
        ..n.clone()
    };
    let mut out = shift(node);
    out.value = match &node.value {
        yaml::Value::Scalar { .. } => node.value.clone(),
        yaml::Value::Seq(items) => {
            yaml::Value::Seq(items.iter().map(|i| shift_lines(i, patch)).collect())
        }
        yaml::Value::Map(entries) => yaml::Value::Map(
            entries
                .iter()
                .map(|(k, v)| (shift(k), shift_lines(v, patch)))
                .collect(),
        ),
    };
    out
}

/// Whether an ApplicationSet uses a pull request generator anywhere (its parameters are
/// author-controlled).
pub fn uses_pull_requests(generators: &[Node]) -> bool {
    generators.iter().any(|g| {
        g.get("pullRequest").is_some_and(|p| !p.is_null())
            || ["matrix", "merge"].iter().any(|k| {
                g.at(&[k, "generators"])
                    .is_some_and(|children| uses_pull_requests(children.items()))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    /// Expands an ApplicationSet whose git generator reads `files` from a temporary tree.
    fn expand_yaml(appset: &str, files: &[(&str, &str)]) -> Expansion {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut repos = RepoMap::default();
        repos.add("https://example.com/gitops.git", dir.path().to_path_buf());
        let file: Arc<Path> = Arc::from(Path::new("/appset.yaml"));
        let root = yaml::parse_documents(appset).unwrap().remove(0).root;
        let doc = ApplicationSetDoc {
            name: "set".into(),
            location: Location::at_node(&file, &root),
            root,
            file,
        };
        let pr = SyntheticPr::default();
        expand(
            &doc,
            &ExpandContext {
                repos: &repos,
                pr: &pr,
                clusters: &[],
            },
        )
    }

    const TEMPLATE: &str = "  template:\n    metadata:\n      name: '{{ .name }}-{{ .replicas }}'\n    spec:\n      project: p\n      destination: {server: 'https://kubernetes.default.svc', namespace: ns}\n      source: {repoURL: 'https://example.com/gitops.git', path: '{{ .path.path }}'}\n";

    fn git_files_appset(extra_spec: &str) -> String {
        format!(
            "spec:\n  goTemplate: true\n{extra_spec}  generators:\n    - git:\n        repoURL: https://example.com/gitops.git\n        files: [{{path: 'apps/*/config.yaml'}}]\n{TEMPLATE}"
        )
    }

    /// `generateParamsFromGitFile` (git_test.go "empty file returns path parameters"): an empty,
    /// comment-only or `null` file is one parameter set with the path parameters only; a null
    /// list item is one too.
    #[test]
    fn empty_git_files_give_path_parameters_only() {
        let appset = "spec:\n  goTemplate: true\n  goTemplateOptions: [missingkey=zero]\n  generators:\n    - git:\n        repoURL: https://example.com/gitops.git\n        files: [{path: 'apps/*/config.yaml'}]\n  template:\n    metadata:\n      name: '{{ .path.basename }}{{ if .x }}-x{{ end }}'\n    spec:\n      project: p\n      destination: {server: 'https://kubernetes.default.svc', namespace: ns}\n      source: {repoURL: 'https://example.com/gitops.git', path: '{{ .path.path }}'}\n";
        let out = expand_yaml(
            appset,
            &[
                ("apps/a/config.yaml", ""),
                ("apps/b/config.yaml", "# nothing yet\n"),
                ("apps/c/config.yaml", "null\n"),
                ("apps/d/config.yaml", "- null\n- {x: 1}\n"),
            ],
        );
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        let names: Vec<&str> = out
            .applications
            .iter()
            .map(|a| a.metadata_name.as_str())
            .collect();
        assert_eq!(names, ["a", "b", "c", "d", "d-x"]);
    }

    /// Issue 13 point 4: a generator that yields nothing (here a path typo) is a warning at the
    /// generator, saying which paths matched nothing.
    #[test]
    fn a_generator_that_yields_nothing_says_so() {
        let out = expand_yaml(
            &git_files_appset(""),
            &[("app/web/config.yaml", "name: web\nreplicas: 1\n")],
        );
        assert!(out.applications.is_empty());
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        let finding = &out.findings[0];
        assert_eq!(finding.rule, Code::NothingGenerated);
        assert_eq!(finding.severity, Severity::Warning);
        assert!(
            finding
                .message
                .contains("no file Git tracks matches apps/*/config.yaml"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn git_file_numbers_render_like_go_floats() {
        // Argo CD docs: numbers in git files are float64 in goTemplate mode.
        let out = expand_yaml(
            &git_files_appset(""),
            &[("apps/web/config.yaml", "name: web\nreplicas: 1000000\n")],
        );
        // `web-1e+06` is no DNS-1123 subdomain: the API server refuses the Application.
        assert!(out.applications.is_empty());
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        assert_eq!(out.findings[0].rule, Code::InvalidArgoManifest);
        assert_eq!(out.findings[0].location.line, 9, "points into the template");
        assert!(
            out.findings[0].message.starts_with(
                "generated Application web-1e+06 is invalid: metadata.name: Invalid value: \"web-1e+06\""
            ),
            "{}",
            out.findings[0].message
        );
        let in_namespace = git_files_appset("")
            .replace("-{{ .replicas }}'", "'")
            .replace("namespace: ns", "namespace: 'ns-{{ .replicas }}'");
        let out = expand_yaml(
            &in_namespace,
            &[("apps/web/config.yaml", "name: web\nreplicas: 1000000\n")],
        );
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.applications[0].name, "set/web");
        assert_eq!(out.applications[0].destination.namespace, "ns-1e+06");
        assert_eq!(
            out.applications[0].sources[0].path.as_deref(),
            Some("apps/web")
        );
    }

    #[test]
    fn from_yaml_reads_with_the_gates_yaml_parser() {
        let appset = git_files_appset("").replace(
            "{{ .replicas }}",
            "{{ (fromYaml \"k: v\\ncount: 3\").count }}-{{ fromYamlArray \"[a, b]\" | last }}",
        );
        let out = expand_yaml(&appset, &[("apps/web/config.yaml", "name: web\n")]);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.applications[0].metadata_name, "web-3-b");
    }

    // applicationset/utils/template_functions.go fromYAML: sigs.k8s.io/yaml, so go-yaml v2 typing
    // (and a key `n` is the boolean false, printed "false").
    #[test]
    fn from_yaml_types_like_sigs_k8s_yaml() {
        let appset = git_files_appset("").replace(
            "{{ .replicas }}",
            "{{ (fromYaml \"port: 010\\non: yes\").port }}-{{ get (fromYaml \"on: yes\") \"true\" }}-{{ get (fromYaml \"n: 1\") \"false\" }}",
        );
        let out = expand_yaml(&appset, &[("apps/web/config.yaml", "name: web\n")]);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.applications[0].metadata_name, "web-8-true-1");
    }

    // applicationset/generators/git.go generateParamsFromGitFile: the file is yaml.Unmarshal'ed
    // with sigs.k8s.io/yaml, so `010` is 8 and `yes` is true.
    #[test]
    fn git_file_content_is_typed_like_sigs_k8s_yaml() {
        let out = expand_yaml(
            &git_files_appset("").replace("{{ .replicas }}", "{{ .replicas }}-{{ .enabled }}"),
            &[(
                "apps/web/config.yaml",
                "name: web\nreplicas: 010\nenabled: yes\n",
            )],
        );
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.applications[0].metadata_name, "web-8-true");
        let out = expand_yaml(
            &git_files_appset(""),
            &[("apps/web/config.yaml", "name: web\nreplicas: .nan\n")],
        );
        assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
        assert_eq!(out.findings[0].rule, Code::GeneratorNotEvaluated);
        assert_eq!(out.findings[0].location.line, 2);
        assert!(
            out.findings[0]
                .message
                .contains("json: unsupported value: NaN")
        );
    }

    #[test]
    fn missing_keys_follow_missingkey() {
        let files = [("apps/web/config.yaml", "name: web\n")];
        let lenient = expand_yaml(&git_files_appset(""), &files);
        // Rendered, `web-<no value>` is a name the API server then refuses.
        assert!(lenient.applications.is_empty());
        assert!(
            lenient.findings[0]
                .message
                .contains("metadata.name: Invalid value: \"web-<no value>\""),
            "{:?}",
            lenient.findings
        );
        let strict = expand_yaml(
            &git_files_appset("  goTemplateOptions: [\"missingkey=error\"]\n"),
            &files,
        );
        assert!(strict.applications.is_empty());
        assert_eq!(strict.findings.len(), 1);
        assert_eq!(strict.findings[0].rule, Code::TemplateError);
        assert_eq!(strict.findings[0].location.line, 10);
        assert!(
            strict.findings[0].message.contains("replicas"),
            "{}",
            strict.findings[0].message
        );
    }

    #[test]
    fn the_controller_adds_the_resources_finalizer_unless_told_not_to() {
        let files = [("apps/web/config.yaml", "name: web\nreplicas: 1\n")];
        let added = expand_yaml(&git_files_appset(""), &files);
        let finalizers: Vec<&str> = added.applications[0]
            .finalizers
            .iter()
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(finalizers, vec![RESOURCES_FINALIZER]);
        let preserved = expand_yaml(
            &git_files_appset("  syncPolicy:\n    preserveResourcesOnDeletion: true\n"),
            &files,
        );
        assert!(preserved.applications[0].finalizers.is_empty());
        let own = git_files_appset("").replace(
            "    metadata:\n",
            "    metadata:\n      finalizers: [resources-finalizer.argocd.argoproj.io/background]\n",
        );
        let kept = expand_yaml(&own, &files);
        assert_eq!(
            kept.applications[0].finalizers[0].0,
            "resources-finalizer.argocd.argoproj.io/background"
        );
    }

    #[test]
    fn template_patch_applies_but_cannot_change_the_project() {
        let appset = git_files_appset(
            "  templatePatch: |\n    metadata:\n      labels:\n        replicas: '{{ .replicas }}'\n    spec:\n      project: other\n",
        );
        let out = expand_yaml(
            &appset,
            &[("apps/web/config.yaml", "name: web\nreplicas: 2\n")],
        );
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.applications[0].project, "p");
    }

    #[test]
    fn template_patch_cannot_set_a_project_the_template_leaves_empty() {
        let appset = git_files_appset("  templatePatch: |\n    spec:\n      project: admin\n")
            .replace("      project: p\n", "");
        let out = expand_yaml(
            &appset,
            &[("apps/web/config.yaml", "name: web\nreplicas: 2\n")],
        );
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        assert_eq!(out.applications[0].project_name(), "default");
    }

    #[test]
    fn duplicate_names_are_reported() {
        let out = expand_yaml(
            &git_files_appset(""),
            &[
                ("apps/a/config.yaml", "name: web\nreplicas: 1\n"),
                ("apps/b/config.yaml", "name: web\nreplicas: 1\n"),
            ],
        );
        assert_eq!(out.applications.len(), 1);
        assert_eq!(out.findings[0].rule, Code::TemplateError);
        assert!(
            out.findings[0]
                .message
                .contains("two Applications named web-1")
        );
    }
}
