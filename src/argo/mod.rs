//! Argo CD semantics the gate reproduces. Rules call these; they never re-implement them.
//! Each function cites the Argo CD (or gitops-engine) source it follows.

pub mod admission;
pub mod application;
pub mod cluster;
pub mod crd;
pub mod directory;
pub mod doublestar;
pub mod giturl;
pub mod glob;
pub mod gobwas;
pub mod helm;
pub mod hooks;
pub mod kube_version;
pub mod manifests;
pub mod project;
pub mod schema;
pub mod scope;
pub mod source;
pub mod state;
pub mod value_files;
