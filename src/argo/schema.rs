//! Structural schemas validated as the Kubernetes API server validates a custom resource on
//! create (`k8s.io/apiextensions-apiserver`, as `kubectl apply` with `--validate=strict`, the
//! default since kubectl 1.25, sends it):
//!
//! 1. `schema/defaulting/prunenulls.go` `PruneNonNullableNullsWithoutDefaults`: a null under a
//!    property (or `additionalProperties`) that is not `nullable` is dropped.
//! 2. `schema/pruning/algorithm.go` `prune`: a field the schema does not specify is dropped and,
//!    with strict field validation, reported as `unknown field "spec.foo"`; nothing under
//!    `x-kubernetes-preserve-unknown-fields` is, but its known properties still are.
//! 3. `validation/validation.go` `ValidateCustomResource`: kube-openapi's `SchemaValidator` over
//!    what is left, its errors turned into `field.Error`s by `kubeOpenAPIResultToFieldErrors`.
//!
//! Only the keywords structural schemas use and Argo CD's CRDs contain are implemented: `type`,
//! `properties`, `additionalProperties`, `items`, `required`, `nullable`, `enum`, `pattern`,
//! `minLength`, `maxLength`, `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`.
//! `tools/vendor-argo-crds` refuses a CRD with any other validating keyword.

use std::fmt;

use serde_json::Value as J;

/// An index into [`Schemas`].
pub type SchemaId = usize;

/// One node of a structural schema.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// `type`: `object`, `array`, `string`, `integer`, `number` or `boolean`; none for a node
    /// with only `x-kubernetes-preserve-unknown-fields` or `x-kubernetes-int-or-string`.
    pub kind: Option<String>,
    pub properties: Vec<(String, SchemaId)>,
    pub additional_properties: Option<SchemaId>,
    pub items: Option<SchemaId>,
    pub required: Vec<String>,
    pub nullable: bool,
    pub enumeration: Option<Vec<J>>,
    pub pattern: Option<(String, regex::Regex)>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub preserve_unknown_fields: bool,
    pub int_or_string: bool,
}

impl Schema {
    pub fn property(&self, name: &str) -> Option<SchemaId> {
        self.properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, id)| *id)
    }

    /// `ConvertJSONSchemaPropsWithPostProcess`: `x-kubernetes-int-or-string` is the type
    /// `["integer", "string"]`.
    fn types(&self) -> Vec<&str> {
        if self.int_or_string {
            vec!["integer", "string"]
        } else {
            self.kind.as_deref().into_iter().collect()
        }
    }
}

/// Schemas in one arena, so that shared subtrees (`$ref`) are stored once.
#[derive(Debug, Default)]
pub struct Schemas {
    nodes: Vec<Schema>,
}

impl Schemas {
    pub fn get(&self, id: SchemaId) -> &Schema {
        &self.nodes[id]
    }

    /// Parses a schema written as JSON; `{"$ref": NAME}` names one of `definitions`, which are
    /// parsed once each. An error names what is wrong; the vendored file is tested to parse.
    pub fn parse(
        &mut self,
        schema: &J,
        definitions: &serde_json::Map<String, J>,
        parsed: &mut Vec<(String, SchemaId)>,
    ) -> Result<SchemaId, String> {
        let object = schema
            .as_object()
            .ok_or_else(|| format!("a schema must be an object: {schema}"))?;
        if let Some(name) = object.get("$ref").and_then(J::as_str) {
            if let Some((_, id)) = parsed.iter().find(|(n, _)| n == name) {
                return Ok(*id);
            }
            let definition = definitions
                .get(name)
                .ok_or_else(|| format!("no definition {name}"))?;
            let id = self.parse(definition, definitions, parsed)?;
            parsed.push((name.to_string(), id));
            return Ok(id);
        }
        let mut node = Schema::default();
        for (key, value) in object {
            let bad = || format!("{key}: unexpected {value}");
            let length = |v: &J| v.as_u64().map(|n| n as usize).ok_or_else(bad);
            match key.as_str() {
                "type" => node.kind = Some(value.as_str().ok_or_else(bad)?.to_string()),
                "properties" => {
                    for (name, property) in value.as_object().ok_or_else(bad)? {
                        let id = self.parse(property, definitions, parsed)?;
                        node.properties.push((name.clone(), id));
                    }
                }
                "additionalProperties" => {
                    node.additional_properties = Some(self.parse(value, definitions, parsed)?)
                }
                "items" => node.items = Some(self.parse(value, definitions, parsed)?),
                "required" => {
                    node.required = value
                        .as_array()
                        .ok_or_else(bad)?
                        .iter()
                        .map(|r| r.as_str().map(str::to_string).ok_or_else(bad))
                        .collect::<Result<_, _>>()?
                }
                "nullable" => node.nullable = value.as_bool().ok_or_else(bad)?,
                "enum" => node.enumeration = Some(value.as_array().ok_or_else(bad)?.clone()),
                "pattern" => {
                    let pattern = value.as_str().ok_or_else(bad)?;
                    let regex = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
                    node.pattern = Some((pattern.to_string(), regex));
                }
                "minLength" => node.min_length = Some(length(value)?),
                "maxLength" => node.max_length = Some(length(value)?),
                "x-kubernetes-preserve-unknown-fields" => {
                    node.preserve_unknown_fields = value.as_bool().ok_or_else(bad)?
                }
                "x-kubernetes-int-or-string" => {
                    node.int_or_string = value.as_bool().ok_or_else(bad)?
                }
                _ => return Err(format!("schema keyword {key} is not implemented")),
            }
        }
        self.nodes.push(node);
        Ok(self.nodes.len() - 1)
    }

    /// Adds a schema built in code (ObjectMeta's); its children must be added first.
    pub fn add(&mut self, schema: Schema) -> SchemaId {
        self.nodes.push(schema);
        self.nodes.len() - 1
    }
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A field path, printed as `field.Path` prints it: `spec.generators[0].git`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    pub fn key(&self, key: &str) -> FieldPath {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_string()));
        path
    }

    pub fn index(&self, index: usize) -> FieldPath {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => write!(f, "{key}")?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// What the API server refuses, with the path of the field.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// Pruning with strict field validation: the schema does not specify the field. `did_you_mean`
    /// lists where a field of that name is specified one level up or down, or one spelt nearly so.
    UnknownField {
        path: FieldPath,
        did_you_mean: Vec<FieldPath>,
    },
    /// `InvalidTypeCode`: `expected` is the schema's type(s), `actual` the value's JSON type.
    TypeInvalid {
        path: FieldPath,
        expected: String,
        actual: &'static str,
    },
    /// `RequiredFailCode` (no detail), or a required ObjectMeta field (with one).
    Required { path: FieldPath, detail: String },
    /// `EnumFailCode`.
    NotSupported {
        path: FieldPath,
        value: J,
        allowed: Vec<J>,
    },
    /// `TooLongFailCode`: longer than `maxLength` (in characters, as kube-openapi counts runes).
    TooLong { path: FieldPath, max: usize },
    /// Every other kube-openapi failure (`pattern`, `minLength`), with kube-openapi's message.
    Invalid {
        path: FieldPath,
        value: J,
        detail: String,
    },
}

impl Violation {
    pub fn path(&self) -> &FieldPath {
        match self {
            Violation::UnknownField { path, .. }
            | Violation::TypeInvalid { path, .. }
            | Violation::Required { path, .. }
            | Violation::NotSupported { path, .. }
            | Violation::TooLong { path, .. }
            | Violation::Invalid { path, .. } => path,
        }
    }

    /// Whether it is a strict decoding error (the request fails before validation) rather than
    /// a validation error.
    pub fn is_unknown_field(&self) -> bool {
        matches!(self, Violation::UnknownField { .. })
    }
}

/// The API server's words: `strict decoding error: unknown field "…"` for pruned fields (the
/// `UnknownFieldPaths` of `PruneWithOptions`), else `field.Error.Error()` of the `field.Error`
/// that `kubeOpenAPIResultToFieldErrors` makes of kube-openapi's error.
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::UnknownField { path, .. } => write!(f, "unknown field \"{path}\""),
            // kube-openapi `errors.InvalidType` (typeFailWithData), inside `field.TypeInvalid`.
            Violation::TypeInvalid {
                path,
                expected,
                actual,
            } => write!(
                f,
                "{path}: Invalid value: \"{actual}\": {path} in body must be of type {expected}: \"{actual}\""
            ),
            Violation::Required { path, detail } if detail.is_empty() => {
                write!(f, "{path}: Required value")
            }
            Violation::Required { path, detail } => write!(f, "{path}: Required value: {detail}"),
            Violation::NotSupported {
                path,
                value,
                allowed,
            } => {
                let allowed: Vec<String> = allowed.iter().map(quoted).collect();
                write!(
                    f,
                    "{path}: Unsupported value: {}: supported values: {}",
                    bad_value(value),
                    allowed.join(", ")
                )
            }
            Violation::TooLong { path, max } => {
                write!(f, "{path}: Too long: may not be more than {max} bytes")
            }
            Violation::Invalid {
                path,
                value,
                detail,
            } => write!(f, "{path}: Invalid value: {}: {detail}", bad_value(value)),
        }
    }
}

/// `field.Error.ErrorBody`: strings quoted (`%q`), simple values as they are.
fn bad_value(value: &J) -> String {
    match value {
        J::String(s) => format!("{s:?}"),
        J::Null => "\"null\"".to_string(),
        other => other.to_string(),
    }
}

/// `field.NotSupported` lists each allowed value quoted (`strconv.Quote`), JSON for non-strings.
fn quoted(value: &J) -> String {
    match value {
        J::String(s) => format!("{s:?}"),
        other => format!("{:?}", other.to_string()),
    }
}

/// kube-openapi's name for a value's type (`validate/type.go` `schemaInfoForType` over the
/// decoded JSON): a number without a fraction is an `integer` — on the way the API server reads
/// `1.0` as written by `sigs.k8s.io/yaml` (`json.Marshal` prints `1`), and kube-openapi accepts a
/// whole float for an integer (`isFloatInt`).
pub fn json_type(value: &J) -> &'static str {
    match value {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(n) if n.is_i64() || n.is_u64() => "integer",
        J::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// How fields the schema does not specify are treated (`metav1.FieldValidation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    /// `Strict` (`kubectl apply --validate=strict`): each one is a violation.
    Strict,
    /// `Ignore`: they are dropped silently, as by a typed client that decoded the object into
    /// Go structs first.
    Ignore,
}

/// Validates a custom resource, or the part of one at `at`, against `root`. `resource_root`:
/// `value` is a whole object, whose `apiVersion`, `kind` and `metadata` pruning skips
/// (`PruneWithOptions` with `isResourceRoot`); the caller validates `metadata` as ObjectMeta.
pub fn validate(
    schemas: &Schemas,
    root: SchemaId,
    value: &J,
    at: &FieldPath,
    resource_root: bool,
    fields: FieldValidation,
) -> Vec<Violation> {
    let mut walk = Walk {
        schemas,
        fields,
        out: Vec::new(),
        maps: Vec::new(),
    };
    walk.node(value, Some(root), at, resource_root);
    walk.out
}

struct Walk<'a> {
    schemas: &'a Schemas,
    fields: FieldValidation,
    out: Vec<Violation>,
    /// The objects entered, outermost first, for "did you mean" one level up.
    maps: Vec<(FieldPath, Option<SchemaId>)>,
}

/// `metaFields` of `pruning/algorithm.go`.
const META_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

impl Walk<'_> {
    /// One value under its schema: `None` where pruning has no schema (under an array whose
    /// schema has no `items`, say), so every field of an object there is unknown.
    fn node(&mut self, value: &J, id: Option<SchemaId>, path: &FieldPath, resource_root: bool) {
        let schema = id.map(|id| self.schemas.get(id));
        if let Some(schema) = schema {
            if !self.type_ok(schema, value, path) {
                // kube-openapi's other validators do not apply to a value of another kind;
                // pruning still walks into it (below).
            } else {
                self.scalar(schema, value, path);
            }
        }
        match value {
            J::Object(entries) => self.object(entries, id, path, resource_root),
            J::Array(items) => {
                let item_schema = schema.and_then(|s| s.items);
                for (i, item) in items.iter().enumerate() {
                    // `skipPrune` and `prune` both walk items with the items schema (or none).
                    self.node(item, item_schema, &path.index(i), false);
                }
            }
            _ => {}
        }
    }

    /// kube-openapi `typeValidator`: null passes only a `nullable` schema (or one without a
    /// type); an integer passes `number`, a whole number passes `integer`.
    fn type_ok(&mut self, schema: &Schema, value: &J, path: &FieldPath) -> bool {
        let types = schema.types();
        if types.is_empty() {
            return true;
        }
        let actual = json_type(value);
        let ok = match actual {
            "null" => schema.nullable,
            "integer" => types.iter().any(|t| *t == "integer" || *t == "number"),
            other => types.contains(&other),
        };
        if !ok {
            self.out.push(Violation::TypeInvalid {
                path: path.clone(),
                expected: types.join(","),
                actual,
            });
        }
        ok
    }

    /// kube-openapi `commonValidator` (`enum`) and `stringValidator` (`maxLength`, `minLength`,
    /// `pattern`, in that order), for a value of the schema's type.
    fn scalar(&mut self, schema: &Schema, value: &J, path: &FieldPath) {
        if let Some(allowed) = &schema.enumeration {
            if !value.is_null() && !allowed.contains(value) {
                self.out.push(Violation::NotSupported {
                    path: path.clone(),
                    value: value.clone(),
                    allowed: allowed.clone(),
                });
            }
        }
        let J::String(text) = value else {
            return;
        };
        let length = text.chars().count();
        if schema.max_length.is_some_and(|max| length > max) {
            self.out.push(Violation::TooLong {
                path: path.clone(),
                max: schema.max_length.unwrap_or_default(),
            });
        }
        if let Some(min) = schema.min_length.filter(|min| length < *min) {
            self.out.push(Violation::Invalid {
                path: path.clone(),
                value: value.clone(),
                detail: format!("{path} in body should be at least {min} chars long"),
            });
        }
        if let Some((pattern, regex)) = &schema.pattern {
            // Go's regexp.MatchString, like Rust's is_match, finds the pattern anywhere.
            if !regex.is_match(text) {
                self.out.push(Violation::Invalid {
                    path: path.clone(),
                    value: value.clone(),
                    detail: format!("{path} in body should match '{pattern}'"),
                });
            }
        }
    }

    fn object(
        &mut self,
        entries: &serde_json::Map<String, J>,
        id: Option<SchemaId>,
        path: &FieldPath,
        resource_root: bool,
    ) {
        let schema = id.map(|id| self.schemas.get(id));
        self.maps.push((path.clone(), id));
        let mut present = Vec::new();
        for (key, value) in entries {
            if resource_root && META_FIELDS.contains(&key.as_str()) {
                // Pruning skips them at the root (XEmbeddedResource); `apiVersion` and `kind`
                // are still validated as strings, `metadata` as ObjectMeta by the caller.
                if key != "metadata" {
                    if let Some(child) = schema.and_then(|s| s.property(key)) {
                        self.node(value, Some(child), &path.key(key), false);
                    }
                }
                present.push(key.as_str());
                continue;
            }
            let child = schema.and_then(|s| s.property(key).or(s.additional_properties));
            match child {
                Some(child) => {
                    // PruneNonNullableNullsWithoutDefaults: as if the field were not there.
                    if value.is_null() && !self.schemas.get(child).nullable {
                        continue;
                    }
                    present.push(key.as_str());
                    self.node(value, Some(child), &path.key(key), false);
                }
                None if schema.is_some_and(|s| s.preserve_unknown_fields) => {
                    present.push(key.as_str());
                }
                None => {
                    if self.fields == FieldValidation::Strict {
                        let did_you_mean = self.did_you_mean(key, schema, path);
                        self.out.push(Violation::UnknownField {
                            path: path.key(key),
                            did_you_mean,
                        });
                    }
                }
            }
        }
        // kube-openapi `objectValidator`: each required property must be there (after pruning).
        for required in schema.map(|s| s.required.as_slice()).unwrap_or_default() {
            if !present.contains(&required.as_str()) {
                self.out.push(Violation::Required {
                    path: path.key(required),
                    detail: String::new(),
                });
            }
        }
        self.maps.pop();
    }

    /// Where a field named `key` is specified near the object at `path`: a property spelt
    /// nearly so (see [`near`]), a property of the enclosing object (the field was written one level
    /// too deep), or a property of one of this object's object properties (one level too high).
    fn did_you_mean(&self, key: &str, schema: Option<&Schema>, path: &FieldPath) -> Vec<FieldPath> {
        let mut out = Vec::new();
        let Some(schema) = schema else {
            return out;
        };
        for (name, _) in &schema.properties {
            if near(name, key) {
                out.push(path.key(name));
            }
        }
        // `maps` ends with this object; the one before it encloses it.
        if let Some((outer_path, Some(outer))) = self.maps.iter().rev().nth(1) {
            if self.schemas.get(*outer).property(key).is_some() {
                out.push(outer_path.key(key));
            }
        }
        for (name, child) in &schema.properties {
            let child = self.schemas.get(*child);
            if child.kind.as_deref() == Some("object") && child.property(key).is_some() {
                out.push(path.key(name).key(key));
            }
        }
        out
    }
}

/// A misspelling of `name`: the same but for letter case, or a few edits away — two for names of
/// four letters or more (`reopURL` for `repoURL`), three from eight (`directory` for
/// `directories`).
fn near(name: &str, key: &str) -> bool {
    let (a, b) = (name.to_ascii_lowercase(), key.to_ascii_lowercase());
    let allowed = match a.chars().count() {
        0..=3 => 0,
        4..=7 => 2,
        _ => 3,
    };
    edit_distance(&a, &b) <= allowed
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
