//! The YAML shape `preview-gate.yaml`, rule profiles and waivers share: a top-level mapping whose
//! problems are `invalid-config` errors at their line.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::yaml::{self, Node, Value};

/// An `invalid-config` error at `location`.
pub fn invalid(message: impl Into<String>, location: Location) -> Finding {
    Finding::new(Code::InvalidConfig, Severity::Error, message, location)
}

/// Parses a settings file (this config, or a rule profile) into its top-level mapping entries.
/// An empty file has none; anything but a mapping is an `invalid-config` error at its line.
pub fn top_level_entries(text: &str, file: &Arc<Path>) -> Result<Vec<(Node, Node)>, Vec<Finding>> {
    let docs = yaml::parse_documents(text).map_err(|e| {
        vec![invalid(
            format!("invalid YAML: {e}"),
            Location::new(file.clone(), e.line, e.col, e.line),
        )]
    })?;
    let Some(root) = docs.into_iter().next().map(|d| d.root) else {
        return Ok(Vec::new());
    };
    match root.value {
        Value::Map(entries) => Ok(entries),
        _ => Err(vec![invalid(
            "the file must be a mapping",
            Location::at_node(file, &root),
        )]),
    }
}
