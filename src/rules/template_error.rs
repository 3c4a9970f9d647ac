//! # template-error
//!
//! ## What it does
//! Reports an ApplicationSet whose template (or generator `values`, or `templatePatch`) cannot be
//! evaluated with the parameters its generators produce: a missing key under
//! `goTemplateOptions: ["missingkey=error"]`, an unknown template function, a template that does
//! not parse, a fasttemplate tag without its closing `}}`, two generated Applications with the same
//! name.
//!
//! ## Why is this bad?
//! The ApplicationSet controller stops at the first such error and generates nothing: the preview
//! never appears, or stays on its previous state. The gate cannot predict the Applications either,
//! so it fails closed (exit 2).
//!
//! ## Example
//! ```yaml
//! spec:
//!   goTemplate: true
//!   goTemplateOptions: ["missingkey=error"]
//!   template:
//!     metadata:
//!       name: 'pr-{{ .number }}-{{ .component }}'   # the generator has no `component`
//! ```
//!
//! ## How to fix
//! Use only parameters the generators produce (the message names the missing key), or give the
//! key a value in every parameter set.
//!
//! ## Reference
//! Argo CD `applicationset/utils/utils.go` (`Render.Replace`, `RenderTemplateParams`);
//! Go `text/template` `missingkey` option.

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::TemplateError,
    severity: Severity::Error,
    summary: "an ApplicationSet template cannot be evaluated",
};
