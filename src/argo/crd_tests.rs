//! The vendored Argo CD v3.5.1 CRDs as the API server applies them (`kubectl apply
//! --validate=strict`), on manifests written as YAML.

use super::*;

fn check(text: &str) -> Vec<Invalid> {
    let doc = crate::yaml::parse_documents(text).unwrap().remove(0).root;
    validate(&Arc::from(Path::new("/m.yaml")), &doc)
}

fn check_generated(text: &str) -> Vec<Invalid> {
    let doc = crate::yaml::parse_documents(text).unwrap().remove(0).root;
    validate_generated_application(&Arc::from(Path::new("/m.yaml")), &doc)
}

fn messages(found: &[Invalid]) -> Vec<(u32, &str)> {
    found
        .iter()
        .map(|i| (i.location.line, i.message.as_str()))
        .collect()
}

const APP: &str = "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: default
  destination: {server: 'https://kubernetes.default.svc', namespace: web}
  source:
    repoURL: https://example.com/gitops.git
    path: apps/web
    targetRevision: HEAD
    directory: {recurse: true, include: '*.yaml'}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
";

const APPSET: &str = "apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: apps
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://example.com/gitops.git
        revision: HEAD
        directories: [{path: 'apps/*'}]
      selector:
        matchLabels: {tier: web}
  template:
    metadata: {name: '{{.path.basename}}'}
    spec:
      project: default
      destination: {server: 'https://kubernetes.default.svc', namespace: '{{.path.basename}}'}
      source: {repoURL: https://example.com/gitops.git, path: '{{.path.path}}'}
";

const PROJECT: &str = "apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: previews}
spec:
  sourceRepos: ['*']
  destinations: [{server: '*', namespace: 'pr-*'}]
  clusterResourceWhitelist: []
  namespaceResourceWhitelist: [{group: '', kind: ConfigMap}]
";

#[test]
fn the_vendored_schemas_parse_and_serve_v1alpha1() {
    let names: Vec<&str> = crds().kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "argoproj.io/v1alpha1 Application",
            "argoproj.io/v1alpha1 ApplicationSet",
            "argoproj.io/v1alpha1 AppProject"
        ]
    );
    assert!(VENDORED.contains(ARGO_CD_VERSION));
}

#[test]
fn valid_manifests_pass() {
    for text in [APP, APPSET, PROJECT] {
        assert_eq!(messages(&check(text)), [], "{text}");
    }
}

// Issue 13 point 7: a `selector` inside `git` is not a git generator field (pruned; with strict
// validation refused), and the hint names where it belongs.
#[test]
fn a_misplaced_selector_is_an_unknown_field_with_a_hint() {
    let text = APPSET.replace(
        "        directories: [{path: 'apps/*'}]\n      selector:\n",
        "        directories: [{path: 'apps/*'}]\n        selector:\n  ",
    );
    let found = check(&text);
    assert_eq!(
        messages(&found),
        [(
            12,
            "ApplicationSet apps: strict decoding error: unknown field \"spec.generators[0].git.selector\""
        )]
    );
    assert!(
        found[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean spec.generators[0].selector? "),
        "{:?}",
        found[0].help
    );
}

// Wrong types the gate used to coerce: each at its value's line, worded as the API server does.
#[test]
fn wrong_types_are_invalid_at_their_line() {
    let text = APP.replace("path: apps/web", "path: [apps/web]").replace(
        "recurse: true, include: '*.yaml'",
        "recurse: \"true\", include: 5",
    );
    let found = check(&text);
    assert_eq!(
        messages(&found),
        [
            (
                12,
                "Application web is invalid: spec.source.path: Invalid value: \"array\": spec.source.path in body must be of type string: \"array\""
            ),
            (
                14,
                "Application web is invalid: spec.source.directory.recurse: Invalid value: \"string\": spec.source.directory.recurse in body must be of type boolean: \"string\""
            ),
            (
                14,
                "Application web is invalid: spec.source.directory.include: Invalid value: \"integer\": spec.source.directory.include in body must be of type string: \"integer\""
            ),
        ]
    );
    let help: Vec<Option<&str>> = found.iter().map(|i| i.help.as_deref()).collect();
    assert_eq!(
        help,
        [
            Some("write a single string, not a list"),
            Some("write true without quotes"),
            Some("quote it ('5'): unquoted, YAML reads it as an integer"),
        ]
    );
}

// The Application CRD requires spec.destination and spec.project; the finding is at `spec:`.
#[test]
fn missing_required_fields_point_at_their_object() {
    let text = APP.replace(
        "  destination: {server: 'https://kubernetes.default.svc', namespace: web}\n",
        "",
    );
    assert_eq!(
        messages(&check(&text)),
        [(
            7,
            "Application web is invalid: spec.destination: Required value"
        )]
    );
}

// The RESTMapper has no other version of the kinds.
#[test]
fn an_unserved_version_has_no_match() {
    let text = APP.replace("argoproj.io/v1alpha1", "argoproj.io/v1beta1");
    assert_eq!(
        messages(&check(&text)),
        [(
            1,
            "no matches for kind \"Application\" in version \"argoproj.io/v1beta1\""
        )]
    );
}

// schema/objectmeta GetObjectMetaWithOptions (UnmarshalStrict: unknown fields under metadata),
// then ValidateObjectMetaAccessor with NameIsDNSSubdomain.
#[test]
fn metadata_is_object_meta() {
    let text = APP.replace(
        "  namespace: argocd\n",
        "  namespace: argocd\n  label: {a: b}\n",
    );
    assert_eq!(
        messages(&check(&text)),
        [(
            6,
            "Application web: strict decoding error: unknown field \"metadata.label\""
        )]
    );
    let text = APP.replace("name: web", "name: Web_App");
    assert_eq!(
        messages(&check(&text))[0].1,
        "Application Web_App is invalid: metadata.name: Invalid value: \"Web_App\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    );
    let text = APP.replace("  name: web\n", "  labels: {tier: 1}\n");
    assert_eq!(
        messages(&check(&text)),
        [(
            4,
            "Application is invalid: metadata.labels.tier: Invalid value: \"integer\": metadata.labels.tier in body must be of type string: \"integer\""
        )]
    );
    let text = APP.replace("  name: web\n", "");
    assert_eq!(
        messages(&check(&text)),
        [(
            3,
            "Application is invalid: metadata.name: Required value: name or generateName is required"
        )]
    );
    assert!(is_dns1123_label("pr-ameide-42").is_empty());
    assert_eq!(is_dns1123_label(&"a".repeat(64)).len(), 1);
    assert!(is_dns1123_subdomain("a.b-c").is_empty());
}

// sigs.k8s.io/yaml YAMLToJSON: what JSON cannot hold never reaches the API server.
#[test]
fn what_json_cannot_hold_is_refused_first() {
    let text = APP.replace("path: apps/web", "path: .inf");
    assert_eq!(
        messages(&check(&text)),
        [(
            12,
            "error converting YAML to JSON: json: unsupported value: +Inf"
        )]
    );
}

// An Application the ApplicationSet controller built from Go structs has no unknown fields left
// and every required field; its values are still validated.
#[test]
fn generated_applications_are_checked_for_values_only() {
    let generated = APP
        .replace("apiVersion: argoproj.io/v1alpha1\nkind: Application\n", "")
        .replace("  project: default\n", "  extra: 1\n");
    assert_eq!(messages(&check_generated(&generated)), []);
    let text = generated.replace("name: web", "name: web-");
    assert_eq!(check_generated(&text).len(), 1);
    let text = generated.replace("recurse: true", "recurse: 'yes'");
    assert_eq!(
        messages(&check_generated(&text)),
        [(
            12,
            "Application web is invalid: spec.source.directory.recurse: Invalid value: \"string\": spec.source.directory.recurse in body must be of type boolean: \"string\""
        )]
    );
}

// Positions follow go-yaml v2's reading: a field merged in with `<<` is found where it is written.
#[test]
fn merged_fields_are_found_where_written() {
    let text = APP.replace("  source:\n", "  source:\n    <<: {chart: [x]}\n");
    assert_eq!(
        messages(&check(&text)),
        [(
            11,
            "Application web is invalid: spec.source.chart: Invalid value: \"array\": spec.source.chart in body must be of type string: \"array\""
        )]
    );
}

#[test]
fn projects_are_checked_too() {
    let text = PROJECT.replace(
        "{group: '', kind: ConfigMap}",
        "{group: '', knd: ConfigMap}",
    );
    let found = check(&text);
    assert_eq!(
        messages(&found),
        [
            (
                8,
                "AppProject previews: strict decoding error: unknown field \"spec.namespaceResourceWhitelist[0].knd\""
            ),
            (
                8,
                "AppProject previews is invalid: spec.namespaceResourceWhitelist[0].kind: Required value"
            ),
        ]
    );
}
