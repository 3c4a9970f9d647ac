//! A Go `text/template` engine with the function map of Argo CD's ApplicationSet controller:
//! the text/template builtins, sprig v3 (without `env`, `expandenv` and `getHostByName`) and
//! Argo CD's `normalize`, `slugify`, `toYaml`, `fromYaml` and `fromYamlArray`; and `tpl`, which
//! Argo CD v3.5.1 does not have.
//!
//! Data is a [`serde_json::Value`], as Argo CD decodes generator parameters through JSON.
//! A number serde_json holds as a float is a Go `float64` (so `1000000` prints as `1e+06`,
//! exactly as Argo CD renders it); an integer number is a Go `int`.
//!
//! Functions that depend on the clock, randomness or key material (`now`, `date`, `uuidv4`,
//! `randAlpha`, `genCA`, …) are known names, so templates using them parse, but calling them
//! is an execution error saying they are not supported offline.
//!
//! The crate's README says which versions of Go, sprig and Argo CD it mirrors and lists the known
//! differences.

mod crypto;
mod exec;
mod funcs;
mod gofmt;
mod lexer;
mod parse;
mod refs;
mod value;
mod yaml;

#[cfg(test)]
mod tests;

use value::V;

pub use funcs::sanitize_name;

/// A parsed template.
pub struct Template {
    tree: parse::Tree,
    src: String,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template").field("src", &self.src).finish()
    }
}

/// A parse or execution error, worded like Go's.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    pub message: String,
    /// Byte offset into the template source where the error arose (best effort).
    pub offset: usize,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TemplateError {}

/// Execution options; Argo CD's `goTemplateOptions: ["missingkey=error"]` sets
/// `missing_key_error`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub missing_key_error: bool,
    /// The YAML parser behind `fromYaml`/`fromYamlArray`; the caller owns it. Without one,
    /// calling either function is an execution error.
    pub yaml: Option<YamlParser>,
}

/// Parses YAML into JSON for `fromYaml`/`fromYamlArray` (Argo CD reads it with
/// sigs.k8s.io/yaml, through JSON).
pub type YamlParser = fn(&str) -> Result<serde_json::Value, String>;

/// Parses template text. Unknown function names and undefined variables are parse errors,
/// as in Go.
pub fn parse(text: &str) -> Result<Template, TemplateError> {
    match parse::parse(text, &funcs::is_known) {
        Ok(tree) => Ok(Template {
            tree,
            src: text.to_string(),
        }),
        Err(e) => {
            let pos = e.pos.min(text.len());
            let line = 1 + text.as_bytes()[..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            Err(TemplateError {
                message: format!("template: :{line}: {}", e.msg),
                offset: pos,
            })
        }
    }
}

impl Template {
    /// Executes the template against `data` (Go's `Template.Execute`).
    pub fn execute(
        &self,
        data: &serde_json::Value,
        options: Options,
    ) -> Result<String, TemplateError> {
        self.execute_value(V::from_json(data), options, 0)
    }

    pub(crate) fn execute_value(
        &self,
        data: V,
        options: Options,
        depth: usize,
    ) -> Result<String, TemplateError> {
        exec::execute(&self.tree, &self.src, data, options, depth)
    }

    /// Every path of map keys read from the top-level data anywhere in the template:
    /// `.branch` gives `["branch"]`, `index . "title"` gives `["title"]`, fields read inside
    /// `with .path` give the full path, and the whole data handed to a function or printed
    /// (`toJson .`) gives `[]`.
    pub fn data_references(&self) -> Vec<Vec<String>> {
        refs::collect(&self.tree)
    }
}

/// How Go's `fmt` `%v` prints a value decoded from JSON (`map[a:1 b:x]`, `[a b]`, `1e+06`).
pub fn go_format_value(v: &serde_json::Value) -> String {
    gofmt::sprint_value(&V::from_json(v))
}
