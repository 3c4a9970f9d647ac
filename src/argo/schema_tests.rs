//! One test per branch of the structural-schema validation, each citing the
//! `k8s.io/apiextensions-apiserver` (or kube-openapi) code it follows.

use serde_json::json;

use super::*;

fn schemas(schema: J) -> (Schemas, SchemaId) {
    let mut schemas = Schemas::default();
    let root = schemas
        .parse(&schema, &serde_json::Map::new(), &mut Vec::new())
        .unwrap();
    (schemas, root)
}

fn check(schema: J, value: J) -> Vec<String> {
    check_with(schema, value, FieldValidation::Strict)
}

fn check_with(schema: J, value: J, fields: FieldValidation) -> Vec<String> {
    let (schemas, root) = schemas(schema);
    validate(&schemas, root, &value, &FieldPath::default(), false, fields)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn object(properties: J) -> J {
    json!({"type": "object", "properties": properties})
}

// kube-openapi validate/type.go typeValidator, errors.InvalidType (typeFailWithData), as
// kubeOpenAPIResultToFieldErrors wraps it in field.TypeInvalid.
#[test]
fn a_value_of_another_type_is_invalid() {
    let schema = object(json!({"path": {"type": "string"}, "recurse": {"type": "boolean"}}));
    assert_eq!(
        check(schema.clone(), json!({"path": ["x"]})),
        ["path: Invalid value: \"array\": path in body must be of type string: \"array\""]
    );
    assert_eq!(
        check(schema, json!({"recurse": "true"})),
        ["recurse: Invalid value: \"string\": recurse in body must be of type boolean: \"string\""]
    );
}

// typeValidator: isFloatInt (a whole float passes `integer`) and isIntFloat (an integer passes
// `number`); a fraction is a `number`.
#[test]
fn whole_numbers_are_integers_and_integers_are_numbers() {
    let schema = object(json!({"count": {"type": "integer"}, "ratio": {"type": "number"}}));
    assert!(check(schema.clone(), json!({"count": 3.0, "ratio": 2})).is_empty());
    assert_eq!(
        check(schema, json!({"count": 1.5})),
        ["count: Invalid value: \"number\": count in body must be of type integer: \"number\""]
    );
}

// ConvertJSONSchemaPropsWithPostProcess: x-kubernetes-int-or-string is the type
// ["integer", "string"], printed joined by a comma.
#[test]
fn int_or_string_takes_either() {
    let schema = object(json!({"n": {"x-kubernetes-int-or-string": true}}));
    assert!(check(schema.clone(), json!({"n": 1})).is_empty());
    assert!(check(schema.clone(), json!({"n": "25%"})).is_empty());
    assert_eq!(
        check(schema, json!({"n": true})),
        ["n: Invalid value: \"boolean\": n in body must be of type integer,string: \"boolean\""]
    );
}

// defaulting/prunenulls.go PruneNonNullableNullsWithoutDefaults: a null under a non-nullable
// property is dropped (so a required one is then missing); a nullable one stays; an array item
// is not a property, so a null item meets the type check.
#[test]
fn nulls_are_pruned_unless_nullable() {
    let schema = json!({
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string", "nullable": true},
            "c": {"type": "array", "items": {"type": "string"}},
            "m": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    });
    assert!(
        check(
            schema.clone(),
            json!({"a": "x", "b": null, "m": {"k": null}})
        )
        .is_empty()
    );
    assert_eq!(
        check(schema.clone(), json!({"a": null})),
        ["a: Required value"]
    );
    assert_eq!(
        check(schema, json!({"a": "x", "c": [null]})),
        ["c[0]: Invalid value: \"null\": c[0] in body must be of type string: \"null\""]
    );
}

// pruning/algorithm.go prune: a field no property or additionalProperties specifies is pruned
// and, with strict field validation (kubectl apply --validate=strict), reported by its path.
#[test]
fn unknown_fields_are_strict_errors() {
    let schema = object(json!({
        "items": {"type": "array", "items": object(json!({"name": {"type": "string"}}))},
    }));
    let value = json!({"items": [{"name": "a"}, {"nmae": "b"}], "extra": null});
    assert_eq!(
        check(schema.clone(), value.clone()),
        ["unknown field \"items[1].nmae\"", "unknown field \"extra\""]
    );
    assert!(check_with(schema, value, FieldValidation::Ignore).is_empty());
}

// prune: an object under a schema that specifies no field of it (a map where a string belongs)
// loses every field; under an array schema without items, every object item does (prune(v, nil)).
#[test]
fn pruning_walks_into_values_of_another_type() {
    let schema = object(json!({"path": {"type": "string"}, "list": {"type": "array"}}));
    assert_eq!(
        check(schema, json!({"path": {"a": 1}, "list": [{"b": 2}]})),
        [
            "path: Invalid value: \"object\": path in body must be of type string: \"object\"",
            "unknown field \"path.a\"",
            "unknown field \"list[0].b\"",
        ]
    );
}

// prune → skipPrune under x-kubernetes-preserve-unknown-fields: unknown fields stay (and are not
// validated), known properties are still pruned and validated.
#[test]
fn preserve_unknown_fields_keeps_the_unknown_only() {
    let schema = json!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
        "properties": {"known": object(json!({"a": {"type": "string"}}))},
    });
    assert_eq!(
        check(schema, json!({"anything": [1], "known": {"a": 1, "b": 2}})),
        [
            "known.a: Invalid value: \"integer\": known.a in body must be of type string: \"integer\"",
            "unknown field \"known.b\"",
        ]
    );
}

// prune: additionalProperties gives every key the same schema.
#[test]
fn additional_properties_validate_every_value() {
    let schema = json!({"type": "object", "additionalProperties": {"type": "string"}});
    assert_eq!(
        check(schema, json!({"a": "x", "b": 1})),
        ["b: Invalid value: \"integer\": b in body must be of type string: \"integer\""]
    );
}

// kube-openapi objectValidator (RequiredFailCode) → field.Required.
#[test]
fn required_fields_must_be_there() {
    let schema = json!({
        "type": "object",
        "required": ["spec"],
        "properties": {"spec": {"type": "object", "required": ["destination", "project"], "properties": {
            "destination": {"type": "object"}, "project": {"type": "string"},
        }}},
    });
    assert_eq!(check(schema.clone(), json!({})), ["spec: Required value"]);
    assert_eq!(
        check(schema, json!({"spec": {"project": ""}})),
        ["spec.destination: Required value"]
    );
}

// kube-openapi commonValidator (EnumFailCode) → field.NotSupported.
#[test]
fn enums_list_the_supported_values() {
    let schema = object(json!({"sync": {"type": "string", "enum": ["create-only", "sync"]}}));
    assert!(check(schema.clone(), json!({"sync": "sync"})).is_empty());
    assert_eq!(
        check(schema, json!({"sync": "create"})),
        ["sync: Unsupported value: \"create\": supported values: \"create-only\", \"sync\""]
    );
}

// kube-openapi stringValidator: maxLength (TooLongFailCode → field.TooLongMaxLength), minLength
// and pattern (the default branch: field.Invalid with kube-openapi's message), in runes.
#[test]
fn string_lengths_and_patterns() {
    let schema = object(json!({
        "description": {"type": "string", "maxLength": 3},
        "path": {"type": "string", "minLength": 1, "pattern": "^.{2,}|[^./]$"},
    }));
    assert!(check(schema.clone(), json!({"description": "äöü", "path": "a"})).is_empty());
    assert_eq!(
        check(schema.clone(), json!({"description": "abcd", "path": "."})),
        [
            "description: Too long: may not be more than 3 bytes",
            "path: Invalid value: \".\": path in body should match '^.{2,}|[^./]$'",
        ]
    );
    assert_eq!(
        check(schema, json!({"path": ""})),
        [
            "path: Invalid value: \"\": path in body should be at least 1 chars long",
            "path: Invalid value: \"\": path in body should match '^.{2,}|[^./]$'",
        ]
    );
}

// PruneWithOptions with isResourceRoot: apiVersion, kind and metadata are never pruned at the
// root (XEmbeddedResource), though apiVersion and kind are validated; metadata is the caller's.
#[test]
fn the_resource_root_keeps_its_type_meta() {
    let (schemas, root) = schemas(json!({
        "type": "object",
        "properties": {"apiVersion": {"type": "string"}, "metadata": {"type": "object"}},
    }));
    let value = json!({"apiVersion": 1, "kind": "K", "metadata": {"name": "n"}});
    let found: Vec<String> = validate(
        &schemas,
        root,
        &value,
        &FieldPath::default(),
        true,
        FieldValidation::Strict,
    )
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        found,
        [
            "apiVersion: Invalid value: \"integer\": apiVersion in body must be of type string: \"integer\""
        ]
    );
}

// Not the API server's: where a field of the unknown field's name is specified one level up or
// one level down, or a field of nearly its name (letter case, two edits).
#[test]
fn unknown_fields_say_where_the_name_is_specified() {
    let (schemas, root) = schemas(object(json!({
        "generators": {"type": "array", "items": object(json!({
            "git": object(json!({"repoURL": {"type": "string"}, "directories": {"type": "array"}})),
            "selector": object(json!({"matchLabels": {"type": "object"}})),
        }))},
    })));
    let value = json!({"generators": [{"git": {"selector": {}, "repoUrl": "x", "directory": []}, "matchLabels": {}}]});
    let hints: Vec<(String, Vec<String>)> = validate(
        &schemas,
        root,
        &value,
        &FieldPath::default(),
        false,
        FieldValidation::Strict,
    )
    .into_iter()
    .map(|v| match v {
        Violation::UnknownField { path, did_you_mean } => (
            path.to_string(),
            did_you_mean.iter().map(ToString::to_string).collect(),
        ),
        other => panic!("{other}"),
    })
    .collect();
    assert_eq!(
        hints,
        [
            (
                "generators[0].git.selector".to_string(),
                vec!["generators[0].selector".to_string()]
            ),
            (
                "generators[0].git.repoUrl".to_string(),
                vec!["generators[0].git.repoURL".to_string()]
            ),
            (
                "generators[0].git.directory".to_string(),
                vec!["generators[0].git.directories".to_string()]
            ),
            (
                "generators[0].matchLabels".to_string(),
                vec!["generators[0].selector.matchLabels".to_string()]
            ),
        ]
    );
}

// field.Path's String: keys joined by dots, indices in brackets.
#[test]
fn field_paths_print_like_field_path() {
    let path = FieldPath::default()
        .key("spec")
        .key("generators")
        .index(0)
        .key("git");
    assert_eq!(path.to_string(), "spec.generators[0].git");
}

#[test]
fn references_are_parsed_once_and_unknown_keywords_refused() {
    let definitions = json!({"name": {"type": "string"}});
    let mut schemas = Schemas::default();
    let mut parsed = Vec::new();
    let root = schemas
        .parse(
            &object(json!({"a": {"$ref": "name"}, "b": {"$ref": "name"}})),
            definitions.as_object().unwrap(),
            &mut parsed,
        )
        .unwrap();
    let schema = schemas.get(root);
    assert_eq!(schema.property("a"), schema.property("b"));
    assert!(
        Schemas::default()
            .parse(
                &json!({"type": "string", "format": "date-time"}),
                &serde_json::Map::new(),
                &mut Vec::new()
            )
            .unwrap_err()
            .contains("format")
    );
}
