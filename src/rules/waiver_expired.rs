//! # waiver-expired
//!
//! ## What it does
//! Reports a waiver in `preview-gate.yaml` whose `expires:` date has passed. The waiver no longer
//! applies, so the findings it covered are errors again, and the waiver itself is an error at its
//! line.
//!
//! ## Why is this bad?
//! A waiver is a promise to fix something by a date. Letting it lapse silently would turn a
//! temporary exception into a permanent hole in the preview policy.
//!
//! ## Example
//! ```yaml
//! waivers:
//!   - rule: kind-not-allowed
//!     reason: console needs cluster read access until PLAT-1234 lands
//!     expires: 2026-01-31   # error after this day
//! ```
//!
//! ## How to fix
//! Fix what the waiver covered and delete it, or renew it with a new date and an updated reason.
//!
//! ## Reference
//! preview-gate configuration (`waivers:` in `preview-gate.yaml`).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::WaiverExpired,
    severity: Severity::Error,
    summary: "a waiver in preview-gate.yaml has passed its expiry date",
};
