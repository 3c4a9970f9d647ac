//! Argo CD manifests checked as the Kubernetes API server checks them on `kubectl apply`: against
//! the CRDs of Argo CD v3.5.1 (`manifests/crds/*-crd.yaml`, vendored in `crds/` by
//! `tools/vendor-argo-crds`), with strict field validation, and `metadata` as `ObjectMeta`
//! (`apiextensions-apiserver` `schema/objectmeta`, `customResourceStrategy.Validate`'s
//! `ValidateObjectMetaAccessor`). What the API server refuses, Argo CD never sees.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde_json::{Value as J, json};

use super::schema::{self, FieldPath, FieldValidation, SchemaId, Schemas, Segment, Violation};
use crate::diagnostic::Location;
use crate::yaml::Node;

/// The Argo CD release whose CRDs are vendored.
pub const ARGO_CD_VERSION: &str = "v3.5.1";

const VENDORED: &str = include_str!("crds/argo-cd-v3.5.1.json");

/// The kinds the gate reads, each with the group it belongs to.
pub const KINDS: [&str; 3] = ["Application", "ApplicationSet", "AppProject"];

struct Crds {
    schemas: Schemas,
    /// `"<apiVersion> <kind>"` of each served version, and its `openAPIV3Schema`.
    kinds: Vec<(String, SchemaId)>,
    object_meta: SchemaId,
}

/// Parsed on first use, once.
fn crds() -> &'static Crds {
    static CRDS: OnceLock<Crds> = OnceLock::new();
    CRDS.get_or_init(|| parse(VENDORED).expect("the vendored CRD schemas parse (tested)"))
}

fn parse(text: &str) -> Result<Crds, String> {
    let document: J = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let empty = serde_json::Map::new();
    let definitions = document
        .get("definitions")
        .and_then(J::as_object)
        .unwrap_or(&empty);
    let mut schemas = Schemas::default();
    let mut parsed = Vec::new();
    let mut kinds = Vec::new();
    for (name, schema) in document
        .get("kinds")
        .and_then(J::as_object)
        .ok_or("no kinds")?
    {
        kinds.push((
            name.clone(),
            schemas.parse(schema, definitions, &mut parsed)?,
        ));
    }
    let object_meta = schemas.parse(&object_meta_schema(), &empty, &mut Vec::new())?;
    Ok(Crds {
        schemas,
        kinds,
        object_meta,
    })
}

/// `metav1.ObjectMeta` as a schema: its JSON fields and their Go types. The API server decodes
/// `metadata` into it (`GetObjectMetaWithOptions`, `UnmarshalStrict`): an unknown field is a strict
/// decoding error, a value of the wrong type fails the request, and a null is Go's zero value.
fn object_meta_schema() -> J {
    let string = json!({"type": "string"});
    let time = json!({"type": "string", "nullable": true});
    let strings = json!({"type": "object", "additionalProperties": {"type": "string"}});
    json!({
        "type": "object",
        "properties": {
            "name": string, "generateName": string, "namespace": string, "selfLink": string,
            "uid": string, "resourceVersion": string,
            "generation": {"type": "integer"},
            "creationTimestamp": time, "deletionTimestamp": time,
            "deletionGracePeriodSeconds": {"type": "integer"},
            "labels": strings, "annotations": strings,
            "ownerReferences": {"type": "array", "items": {"type": "object", "properties": {
                "apiVersion": string, "kind": string, "name": string, "uid": string,
                "controller": {"type": "boolean"}, "blockOwnerDeletion": {"type": "boolean"},
            }}},
            "finalizers": {"type": "array", "items": string},
            "managedFields": {"type": "array", "items": {"type": "object", "properties": {
                "manager": string, "operation": string, "apiVersion": string, "time": time,
                "fieldsType": string, "subresource": string,
                "fieldsV1": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            }}},
        },
    })
}

/// Something the API server refuses in a manifest, at the line of the field.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub message: String,
    pub location: Location,
    pub help: Option<String>,
}

/// The API server's verdict on an Argo CD manifest as written in the repository (`doc`, an
/// Application, ApplicationSet or AppProject), as `kubectl apply` sends it (strict field
/// validation): every violation, each at the line of its field.
pub fn validate(file: &Arc<Path>, doc: &Node) -> Vec<Invalid> {
    let field = |key: &str| doc.get(key).map(Node::text).unwrap_or_default();
    check(
        file,
        doc,
        &field("apiVersion"),
        &field("kind"),
        Origin::Manifest,
    )
}

/// The verdict on an Application the ApplicationSet controller generated (`doc`, its rendered
/// template, without `apiVersion` and `kind`). The controller builds it from Go structs
/// (`applyTemplatePatch` decodes a `templatePatch` with `json.Unmarshal`, which fails on a wrong
/// type), so unknown fields were dropped on the way and every field the CRD requires — each one
/// without `omitempty` (controller-gen) — is there; names and values are still checked.
pub fn validate_generated_application(file: &Arc<Path>, doc: &Node) -> Vec<Invalid> {
    check(
        file,
        doc,
        "argoproj.io/v1alpha1",
        "Application",
        Origin::Controller,
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Manifest,
    Controller,
}

fn check(
    file: &Arc<Path>,
    doc: &Node,
    api_version: &str,
    kind: &str,
    origin: Origin,
) -> Vec<Invalid> {
    let fields = match origin {
        Origin::Manifest => FieldValidation::Strict,
        Origin::Controller => FieldValidation::Ignore,
    };
    let crds = crds();
    let key = format!("{api_version} {kind}");
    let at = |node: &Node| Location::at_node(file, node);
    let Some((_, root)) = crds.kinds.iter().find(|(k, _)| *k == key) else {
        // The RESTMapper knows only the served versions.
        return vec![Invalid {
            message: format!("no matches for kind \"{kind}\" in version \"{api_version}\""),
            location: at(doc.get("apiVersion").unwrap_or(doc)),
            help: Some(format!(
                "Argo CD {ARGO_CD_VERSION} serves {kind} as argoproj.io/v1alpha1 only"
            )),
        }];
    };
    // kubectl sends JSON (`sigs.k8s.io/yaml` `YAMLToJSON`): what it cannot convert never leaves.
    let value = match doc.to_json() {
        Ok(value) => value,
        Err(e) => {
            return vec![Invalid {
                message: format!("error converting YAML to JSON: {}", e.message),
                location: Location::new(file.clone(), e.line, e.col, e.line),
                help: None,
            }];
        }
    };
    let name = value
        .pointer("/metadata/name")
        .and_then(J::as_str)
        .unwrap_or_default();
    let object = if name.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} {name}")
    };
    let mut violations = schema::validate(
        &crds.schemas,
        *root,
        &value,
        &FieldPath::default(),
        true,
        fields,
    );
    if let Some(metadata) = value.get("metadata") {
        let at = FieldPath::default().key("metadata");
        let before = violations.len();
        violations.extend(schema::validate(
            &crds.schemas,
            crds.object_meta,
            metadata,
            &at,
            false,
            fields,
        ));
        if violations.len() == before {
            violations.extend(object_meta_values(metadata, &at));
        }
    }
    if origin == Origin::Controller {
        violations
            .retain(|v| !matches!(v, Violation::Required { detail, .. } if detail.is_empty()));
    }
    // The request fails on the first strict decoding error, before validation; both are listed.
    violations
        .into_iter()
        .map(|violation| {
            let (key, value) = locate(doc, violation.path());
            let node = match &violation {
                Violation::UnknownField { .. } => key.unwrap_or(value),
                // A missing field: where its object starts.
                Violation::Required { .. } => parent_key(doc, violation.path()).unwrap_or(value),
                _ => value,
            };
            Invalid {
                message: if violation.is_unknown_field() {
                    format!("{object}: strict decoding error: {violation}")
                } else {
                    format!("{object} is invalid: {violation}")
                },
                location: at(node),
                help: help(&violation, value),
            }
        })
        .collect()
}

/// `ValidateObjectMetaAccessor` with `NameIsDNSSubdomain`, for a namespaced kind: a name (or a
/// `generateName`) is required and must be a DNS-1123 subdomain; a namespace, when the file sets
/// one, a DNS-1123 label (`ValidateNamespaceName`). Labels and annotations are not checked.
fn object_meta_values(metadata: &J, at: &FieldPath) -> Vec<Violation> {
    let field = |key: &str| metadata.get(key).and_then(J::as_str).unwrap_or_default();
    let mut out = Vec::new();
    let (name, generate_name, namespace) =
        (field("name"), field("generateName"), field("namespace"));
    if name.is_empty() && generate_name.is_empty() {
        out.push(Violation::Required {
            path: at.key("name"),
            detail: "name or generateName is required".to_string(),
        });
    }
    for (key, value, messages) in [
        ("name", name, is_dns1123_subdomain(name)),
        ("namespace", namespace, is_dns1123_label(namespace)),
    ] {
        if value.is_empty() {
            continue;
        }
        for detail in messages {
            out.push(Violation::Invalid {
                path: at.key(key),
                value: J::String(value.to_string()),
                detail,
            });
        }
    }
    out
}

/// apimachinery `validation.IsDNS1123Subdomain`: its error messages, none when valid.
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 253 {
        errors.push("must be no more than 253 characters".to_string());
    }
    if !value.split('.').all(is_label_shaped) {
        errors.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_string());
    }
    errors
}

/// apimachinery `validation.IsDNS1123Label`: its error messages, none when valid.
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 63 {
        errors.push("must be no more than 63 characters".to_string());
    }
    if !is_label_shaped(value) {
        errors.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_string());
    }
    errors
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, whole.
fn is_label_shaped(s: &str) -> bool {
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    !b.is_empty()
        && alnum(b[0])
        && alnum(b[b.len() - 1])
        && b.iter().all(|&c| alnum(c) || c == b'-')
}

/// The key node (for a field in a mapping) and the value node a JSON path names; where the path
/// leaves the YAML (a field YAML merges in from elsewhere), the deepest node on the way.
fn locate<'a>(doc: &'a Node, path: &FieldPath) -> (Option<&'a Node>, &'a Node) {
    let mut key = None;
    let mut node = doc;
    for segment in &path.0 {
        let next = match segment {
            Segment::Key(k) => node.json_entry(k).map(|(k, v)| (Some(k), v)),
            Segment::Index(i) => node
                .as_seq()
                .and_then(|items| items.get(*i))
                .map(|v| (None, v)),
        };
        match next {
            Some((k, v)) => {
                key = k;
                node = v;
            }
            None => return (None, node),
        }
    }
    (key, node)
}

/// The key of the object that lacks a required field (`spec:` for `spec.destination`).
fn parent_key<'a>(doc: &'a Node, path: &FieldPath) -> Option<&'a Node> {
    let parent = FieldPath(path.0[..path.0.len().saturating_sub(1)].to_vec());
    let (key, value) = locate(doc, &parent);
    key.or(Some(value))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What to change: where a misplaced field belongs, or how to write a value of the right type.
fn help(violation: &Violation, node: &Node) -> Option<String> {
    let ignored = format!(
        "the Argo CD {ARGO_CD_VERSION} CRD does not specify this field: `kubectl apply` refuses it, and without strict validation the API server drops it silently, so Argo CD never sees it"
    );
    match violation {
        Violation::UnknownField { did_you_mean, .. } if !did_you_mean.is_empty() => {
            let places: Vec<String> = did_you_mean.iter().map(ToString::to_string).collect();
            Some(format!(
                "did you mean {}? {}",
                places.join(" or "),
                capitalized(&ignored)
            ))
        }
        Violation::UnknownField { .. } => {
            Some(format!("{ignored}; check its spelling and indentation"))
        }
        Violation::TypeInvalid {
            expected, actual, ..
        } => {
            let text = node.as_str().unwrap_or_default();
            match (expected.as_str(), *actual) {
                ("boolean", "string") if matches!(text, "true" | "false") => {
                    Some(format!("write {text} without quotes"))
                }
                ("integer" | "number", "string") if text.parse::<f64>().is_ok() => {
                    Some(format!("write {text} without quotes"))
                }
                ("string", "integer" | "number" | "boolean") => Some(format!(
                    "quote it ('{text}'): unquoted, YAML reads it as {}",
                    if *actual == "integer" {
                        "an integer"
                    } else if *actual == "number" {
                        "a number"
                    } else {
                        "a boolean"
                    }
                )),
                ("string", "array") => Some("write a single string, not a list".to_string()),
                ("array", _) => Some(format!(
                    "write a list: [{}]",
                    if text.is_empty() { "…" } else { text }
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "crd_tests.rs"]
mod tests;
