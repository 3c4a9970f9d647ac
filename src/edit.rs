//! The allowlist edits findings carry: plain data, below the diagnostics that hold them. `fix`
//! plans and writes them; the report shows them.

use std::path::Path;
use std::sync::Arc;

/// One whitelist edit a finding asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub file: Arc<Path>,
    /// The project's `metadata.name` line: tells projects of one file apart.
    pub name_line: u32,
    /// `namespaceResourceWhitelist` or `clusterResourceWhitelist`.
    pub list: &'static str,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Add(Entry),
    /// Delete the list item that starts on this line.
    Remove(u32),
}

/// A `{group, kind[, name]}` entry to add.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    pub group: String,
    pub kind: String,
    /// Only for cluster lists whose entries restrict names.
    pub name: Option<String>,
}
