//! preview-gate: proves an Argo CD GitOps repository safe for PR preview environments.
//!
//! The pipeline (ARCHITECTURE.md): [`settings`] → [`discover`] → [`appset`] (expand) → [`plan`] →
//! [`render`] → [`inventory`] → [`rules`] → [`outcome`] → [`report`], driven by [`pipeline::check`].

// Findings are the error type of the pipeline stages; they are built rarely, so their size does
// not matter on the happy path.
#![allow(clippy::result_large_err)]

pub mod appset;
pub mod argo;
pub mod config;
pub mod config_syntax;
pub mod diagnostic;
pub mod discover;
pub mod edit;
pub mod fix;
pub mod hook;
pub mod inventory;
pub mod kustomize_edit;
pub mod origin;
pub mod outcome;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod report;
pub mod repos;
pub mod rules;
pub mod settings;
pub mod sources;
pub mod tree;
pub mod waiver;
pub mod yaml;
