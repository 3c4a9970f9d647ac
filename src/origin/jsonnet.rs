//! The `.jsonnet` files of a directory source, evaluated as Argo CD v3.5.1's repo-server does
//! with go-jsonnet (`makeJsonnetVM` and `vm.EvaluateFile` in reposerver/repository/repository.go):
//! - `extVars` and `tlas` are strings, or jsonnet code with `code: true`; of two with one name
//!   the last wins (the VM keeps them in a map);
//! - a top-level function is called with the `tlas` as named arguments (none is a call too);
//!   any other value ignores them;
//! - `import`, `importstr` and `importbin` look next to the importing file, then in the `libs`
//!   (resolved against the repository root, the last first), then in the source directory
//!   (`jsonnet.FileImporter` over the VM's library paths);
//! - the value is manifested as JSON.
//!
//! The evaluator is `rsjsonnet-lang`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rsjsonnet_lang::arena::Arena;
use rsjsonnet_lang::interner::InternedStr;
use rsjsonnet_lang::lexer::LexError;
use rsjsonnet_lang::parser::ParseError;
use rsjsonnet_lang::program::{
    AnalyzeError, Callbacks, EvalError, EvalErrorKind, EvalStackTraceItem, ImportError, LoadError,
    NativeError, Program, Thunk, Value,
};
use rsjsonnet_lang::span::{SourceId, SpanContext, SpanId};

use crate::argo::application::{JsonnetOptions, JsonnetVar};
use crate::argo::directory::{clean, resolve_file_or_directory_path};

/// Why a jsonnet file did not evaluate, and where, when the evaluator says.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonnetError {
    pub message: String,
    pub file: Option<PathBuf>,
    pub line: Option<u32>,
}

impl JsonnetError {
    fn plain(message: impl Into<String>) -> Self {
        JsonnetError {
            message: message.into(),
            file: None,
            line: None,
        }
    }
}

/// A loaded source: a file, or the code of a variable (no path).
struct Loaded {
    path: Option<PathBuf>,
    text: Vec<u8>,
}

/// `jsonnet.FileImporter`, with what the evaluator needs to name an error's file and line.
struct Importer<'p> {
    /// The VM's library paths in their order: the source directory, then the `libs`.
    jpaths: Vec<PathBuf>,
    loaded: HashMap<SourceId, Loaded>,
    cache: HashMap<PathBuf, Thunk<'p>>,
    /// Why the last import failed; the evaluator only says that it did.
    import_error: Option<JsonnetError>,
}

/// Evaluates the jsonnet file `path` of the source directory `app_path` into JSON.
pub fn evaluate(
    path: &Path,
    app_path: &Path,
    repo_root: &Path,
    options: &JsonnetOptions,
) -> Result<serde_json::Value, JsonnetError> {
    // makeJsonnetVM: the source directory, then each lib, which must stay in the repository.
    let mut jpaths = vec![app_path.to_path_buf()];
    for lib in &options.libs {
        jpaths.push(
            resolve_file_or_directory_path(repo_root, repo_root, lib)
                .map_err(JsonnetError::plain)?,
        );
    }
    let arena = Arena::new();
    let mut program = Program::new(&arena);
    let mut importer = Importer {
        jpaths,
        loaded: HashMap::new(),
        cache: HashMap::new(),
        import_error: None,
    };
    for var in last_of_each_name(&options.ext_vars) {
        let thunk = importer.variable(&mut program, "extvar", var)?;
        let name = program.intern_str(&var.name);
        program.add_ext_var(name, &thunk);
    }
    let text = std::fs::read(path)
        .map_err(|e| JsonnetError::plain(format!("cannot read {}: {e}", path.display())))?;
    let main = importer.load(&mut program, path, text)?;
    let mut value = program
        .eval_value(&main, &mut importer)
        .map_err(|e| importer.eval_error(&program, &e))?;
    if value.is_function() {
        let mut named: Vec<(InternedStr<'_>, Thunk<'_>)> = Vec::new();
        for var in last_of_each_name(&options.tlas) {
            let thunk = importer.variable(&mut program, "top-level-arg", var)?;
            named.push((program.intern_str(&var.name), thunk));
        }
        value = program
            .eval_call(&main, &[], &named, &mut importer)
            .map_err(|e| importer.eval_error(&program, &e))?;
    }
    let json = program
        .manifest_json(&value, false)
        .map_err(|e| importer.eval_error(&program, &e))?;
    serde_json::from_str(&json)
        .map_err(|e| JsonnetError::plain(format!("jsonnet output is not JSON: {e}")))
}

/// The variables in order, each name once with its last value (the VM's map).
fn last_of_each_name(vars: &[JsonnetVar]) -> Vec<&JsonnetVar> {
    vars.iter()
        .enumerate()
        .filter(|(i, v)| !vars[i + 1..].iter().any(|later| later.name == v.name))
        .map(|(_, v)| v)
        .collect()
}

impl<'p> Importer<'p> {
    /// An ext var or top-level argument: its string, or its code (`<extvar:NAME>`).
    fn variable(
        &mut self,
        program: &mut Program<'p>,
        kind: &str,
        var: &JsonnetVar,
    ) -> Result<Thunk<'p>, JsonnetError> {
        if !var.code {
            return Ok(program.value_to_thunk(&Value::string(&var.value)));
        }
        let name = format!("<{kind}:{}>", var.name);
        let text = var.value.as_bytes().to_vec();
        let (context, id) = program.span_manager_mut().insert_source_context(text.len());
        let loaded = program.load_source(context, &text, true, &name);
        self.loaded.insert(id, Loaded { path: None, text });
        loaded.map_err(|e| {
            let mut error = self.load_error(program, &e);
            error.message = format!("{name}: {}", error.message);
            error
        })
    }

    /// Loads (once) the file at `path`.
    fn load(
        &mut self,
        program: &mut Program<'p>,
        path: &Path,
        text: Vec<u8>,
    ) -> Result<Thunk<'p>, JsonnetError> {
        if let Some(thunk) = self.cache.get(path) {
            return Ok(thunk.clone());
        }
        let (context, id) = program.span_manager_mut().insert_source_context(text.len());
        let loaded = program.load_source(context, &text, true, &path.display().to_string());
        self.loaded.insert(
            id,
            Loaded {
                path: Some(path.to_path_buf()),
                text,
            },
        );
        let thunk = loaded.map_err(|e| self.load_error(program, &e))?;
        self.cache.insert(path.to_path_buf(), thunk.clone());
        Ok(thunk)
    }

    /// `FileImporter.Import`: next to the importing source, then the library paths, last first.
    fn find(
        &self,
        program: &Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<(PathBuf, Vec<u8>), String> {
        let (context, _, _) = program.span_manager().get_span(from);
        let SpanContext::Source(source) = *program.span_manager().get_context(context);
        let here = self
            .loaded
            .get(&source)
            .and_then(|l| l.path.as_deref())
            .and_then(Path::parent);
        let imported = Path::new(path);
        let candidates = here
            .into_iter()
            .chain(self.jpaths.iter().rev().map(PathBuf::as_path));
        for dir in candidates {
            let candidate = clean(&if imported.is_absolute() {
                imported.to_path_buf()
            } else {
                dir.join(imported)
            });
            match std::fs::read(&candidate) {
                Ok(bytes) => return Ok((candidate, bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{}: {e}", candidate.display())),
            }
        }
        Err(format!(
            "couldn't open import {path:?}: no match locally or in the Jsonnet library paths"
        ))
    }

    fn found(
        &mut self,
        program: &Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<(PathBuf, Vec<u8>), ImportError> {
        self.find(program, from, path).map_err(|message| {
            let (file, line) = self.position(program, from);
            self.import_error = Some(JsonnetError {
                message,
                file,
                line,
            });
            ImportError
        })
    }

    /// The file and line of a span, when it lies in a file (not in the standard library or a
    /// variable's code).
    fn position(&self, program: &Program<'p>, span: SpanId) -> (Option<PathBuf>, Option<u32>) {
        let (context, start, _) = program.span_manager().get_span(span);
        let SpanContext::Source(source) = *program.span_manager().get_context(context);
        match self.loaded.get(&source) {
            Some(Loaded {
                path: Some(path),
                text,
            }) => {
                let before = &text[..start.min(text.len())];
                let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
                (Some(path.clone()), Some(line))
            }
            _ => (None, None),
        }
    }

    fn at(&self, program: &Program<'p>, message: String, span: Option<SpanId>) -> JsonnetError {
        let (file, line) = span.map_or((None, None), |s| self.position(program, s));
        JsonnetError {
            message,
            file,
            line,
        }
    }

    fn load_error(&self, program: &Program<'p>, error: &LoadError) -> JsonnetError {
        let (message, span) = match error {
            LoadError::Lex(e) => lex_error(e),
            LoadError::Parse(ParseError::Expected {
                span,
                expected,
                instead,
            }) => (
                format!("syntax error: expected one of {expected:?}, got {instead:?}"),
                *span,
            ),
            LoadError::Analyze(e) => analyze_error(e),
        };
        self.at(program, message, Some(span))
    }

    fn eval_error(&mut self, program: &Program<'p>, error: &EvalError) -> JsonnetError {
        if let EvalErrorKind::ImportFailed { .. } = error.kind {
            if let Some(reason) = self.import_error.take() {
                return reason;
            }
        }
        let (message, span) = eval_error(&error.kind);
        // The error's own span, else the innermost frame in a file.
        let span = span
            .filter(|s| self.position(program, *s).0.is_some())
            .or_else(|| {
                error.stack_trace.iter().rev().find_map(|item| {
                    trace_span(item).filter(|s| self.position(program, *s).0.is_some())
                })
            });
        self.at(program, message, span)
    }
}

fn trace_span(item: &EvalStackTraceItem) -> Option<SpanId> {
    match item {
        EvalStackTraceItem::Expr { span }
        | EvalStackTraceItem::Variable { span, .. }
        | EvalStackTraceItem::Import { span } => Some(*span),
        EvalStackTraceItem::Call { span, .. }
        | EvalStackTraceItem::ArrayItem { span, .. }
        | EvalStackTraceItem::ObjectField { span, .. } => *span,
        _ => None,
    }
}

/// Debug text without span ids, for the errors not worded here.
fn unspanned(debug: String) -> String {
    let spans = regex::Regex::new(r"\s*span: (?:Some\(SpanId\(\d+\)\)|SpanId\(\d+\)|None),?")
        .expect("a valid pattern");
    spans.replace_all(&debug, "").into_owned()
}

fn lex_error(error: &LexError) -> (String, SpanId) {
    let span = match error {
        LexError::InvalidChar { span, .. }
        | LexError::InvalidUtf8 { span, .. }
        | LexError::UnfinishedMultilineComment { span }
        | LexError::LeadingZeroInNumber { span }
        | LexError::MissingFracDigits { span }
        | LexError::MissingExpDigits { span }
        | LexError::MissingDigitAfterUnderscore { span }
        | LexError::ExpOverflow { span }
        | LexError::InvalidEscapeInString { span, .. }
        | LexError::IncompleteUnicodeEscape { span }
        | LexError::InvalidUtf16EscapeSequence { span, .. }
        | LexError::UnfinishedString { span }
        | LexError::MissingLineBreakAfterTextBlockStart { span }
        | LexError::MissingWhitespaceTextBlockStart { span }
        | LexError::InvalidTextBlockTermination { span } => *span,
    };
    (
        format!("syntax error: {}", unspanned(format!("{error:?}"))),
        span,
    )
}

fn analyze_error(error: &AnalyzeError) -> (String, SpanId) {
    match error {
        AnalyzeError::UnknownVariable { span, name } => {
            (format!("unknown variable: {name}"), *span)
        }
        AnalyzeError::SelfOutsideObject { self_span: span } => {
            ("can't use self outside of an object".into(), *span)
        }
        AnalyzeError::SuperOutsideObject { super_span: span } => {
            ("can't use super outside of an object".into(), *span)
        }
        AnalyzeError::DollarOutsideObject { dollar_span: span } => {
            ("no top-level object found for $".into(), *span)
        }
        AnalyzeError::RepeatedLocalName {
            repeated_span: span,
            name,
            ..
        } => (format!("duplicate local var: {name}"), *span),
        AnalyzeError::RepeatedFieldName {
            repeated_span: span,
            name,
            ..
        } => (format!("duplicate field: {name}"), *span),
        AnalyzeError::RepeatedParamName {
            repeated_span: span,
            name,
            ..
        } => (format!("duplicate parameter: {name}"), *span),
        AnalyzeError::PositionalArgAfterNamed { arg_span: span } => {
            ("positional argument after a named argument".into(), *span)
        }
        AnalyzeError::TextBlockAsImportPath { span }
        | AnalyzeError::ComputedImportPath { span } => {
            ("computed imports are not allowed".into(), *span)
        }
    }
}

/// The message of an evaluation error and its own span, if it has one.
fn eval_error(kind: &EvalErrorKind) -> (String, Option<SpanId>) {
    use EvalErrorKind as K;
    match kind {
        K::StackOverflow => ("max stack frames exceeded".into(), None),
        K::ExplicitError { span, message } => (message.clone(), Some(*span)),
        K::AssertFailed { span, message } => (
            message.clone().map_or_else(
                || "assertion failed".into(),
                |m| format!("assertion failed: {m}"),
            ),
            Some(*span),
        ),
        K::UnknownObjectField { span, field_name } => {
            (format!("field does not exist: {field_name}"), Some(*span))
        }
        K::UnknownExtVar { name } => (format!("undefined external variable: {name}"), None),
        K::ImportFailed { span, path } => (format!("couldn't open import {path:?}"), Some(*span)),
        K::CallParamNotBound { span, param_name } => {
            (format!("missing argument: {param_name}"), *span)
        }
        K::UnknownCallParam { span, param_name } => {
            (format!("function has no parameter {param_name}"), *span)
        }
        K::ManifestFunction => ("couldn't manifest function as JSON".into(), None),
        K::Other { span, message } => (message.clone(), *span),
        K::InvalidIndexedType { span, .. }
        | K::InvalidSlicedType { span, .. }
        | K::SliceIndexOrStepIsNotNumber { span, .. }
        | K::StringIndexIsNotNumber { span, .. }
        | K::ArrayIndexIsNotNumber { span, .. }
        | K::NumericIndexIsNotValid { span, .. }
        | K::NumericIndexOutOfRange { span, .. }
        | K::ObjectIndexIsNotString { span, .. }
        | K::RepeatedFieldName { span, .. }
        | K::FieldNameIsNotString { span, .. }
        | K::FieldOfNonObject { span }
        | K::SuperWithoutSuperObject { span }
        | K::ForSpecValueIsNotArray { span, .. }
        | K::CondIsNotBool { span, .. }
        | K::InvalidUnaryOpType { span, .. } => (unspanned(format!("{kind:?}")), Some(*span)),
        K::CalleeIsNotFunction { span, .. }
        | K::TooManyCallArgs { span, .. }
        | K::RepeatedCallParam { span, .. }
        | K::InvalidBinaryOpTypes { span, .. }
        | K::NumberNotBitwiseSafe { span }
        | K::NumberOverflow { span }
        | K::NumberNan { span }
        | K::DivByZero { span }
        | K::ShiftByNegative { span } => (unspanned(format!("{kind:?}")), *span),
        other => (unspanned(format!("{other:?}")), None),
    }
}

impl<'p> Callbacks<'p> for Importer<'p> {
    fn import(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<Thunk<'p>, ImportError> {
        let (found, text) = self.found(program, from, path)?;
        self.load(program, &found, text).map_err(|e| {
            self.import_error = Some(e);
            ImportError
        })
    }

    fn import_str(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<String, ImportError> {
        let (_, bytes) = self.found(program, from, path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn import_bin(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<Vec<u8>, ImportError> {
        self.found(program, from, path).map(|(_, bytes)| bytes)
    }

    /// `std.trace` goes to the repo-server's log; nothing here.
    fn trace(&mut self, _: &mut Program<'p>, _: &str, _: &[EvalStackTraceItem]) {}

    /// No native functions are registered, as in Argo CD.
    fn native_call(
        &mut self,
        _: &mut Program<'p>,
        _: InternedStr<'p>,
        _: &[Value<'p>],
    ) -> Result<Value<'p>, NativeError> {
        Err(NativeError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: &str, code: bool) -> JsonnetVar {
        JsonnetVar {
            name: name.into(),
            value: value.into(),
            code,
        }
    }

    fn run(
        dir: &Path,
        file: &str,
        options: &JsonnetOptions,
    ) -> Result<serde_json::Value, JsonnetError> {
        evaluate(&dir.join(file), dir, dir, options)
    }

    /// `makeJsonnetVM`: ext vars and TLAs, as strings or code; the last of a name wins; a
    /// top-level function gets the TLAs, any other value ignores them.
    #[test]
    fn make_jsonnet_vm_vars_and_tlas() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("f.jsonnet"),
            "function(name, replicas=1) { name: name, replicas: replicas, env: std.extVar('env'), n: std.extVar('n') + 1 }\n",
        )
        .unwrap();
        let options = JsonnetOptions {
            ext_vars: vec![
                var("env", "dev", false),
                var("n", "41", true),
                var("env", "prod", false),
            ],
            tlas: vec![var("name", "web", false), var("replicas", "2 + 1", true)],
            libs: vec![],
        };
        assert_eq!(
            run(dir.path(), "f.jsonnet", &options).unwrap(),
            serde_json::json!({"name": "web", "replicas": 3, "env": "prod", "n": 42})
        );
        std::fs::write(dir.path().join("v.jsonnet"), "{ a: 1 }").unwrap();
        assert_eq!(
            run(dir.path(), "v.jsonnet", &options).unwrap(),
            serde_json::json!({"a": 1}),
            "a value ignores the TLAs"
        );
        let missing = run(dir.path(), "f.jsonnet", &JsonnetOptions::default()).unwrap_err();
        assert!(missing.message.contains("name"), "{missing:?}");
    }

    /// `makeJsonnetVM` / `FileImporter`: next to the importing file first, then the libs (last
    /// first, relative to the repository root), then the source directory; a lib outside the
    /// repository is refused.
    #[test]
    fn make_jsonnet_vm_import_paths() {
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path();
        for (path, text) in [
            (
                "app/main.jsonnet",
                "(import 'sub/a.libsonnet') + (import 'lib.libsonnet') + (import 'local.libsonnet')",
            ),
            ("app/sub/a.libsonnet", "{ a: importstr 'b.txt' }"),
            ("app/sub/b.txt", "next to a"),
            ("app/local.libsonnet", "{ dir: 'app dir' }"),
            ("vendor1/lib.libsonnet", "{ lib: 'vendor1' }"),
            ("vendor2/lib.libsonnet", "{ lib: 'vendor2' }"),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        let app = root.join("app");
        let options = JsonnetOptions {
            libs: vec!["vendor1".into(), "/vendor2".into()],
            ..JsonnetOptions::default()
        };
        assert_eq!(
            evaluate(&app.join("main.jsonnet"), &app, root, &options).unwrap(),
            serde_json::json!({"a": "next to a", "lib": "vendor2", "dir": "app dir"})
        );
        let outside = JsonnetOptions {
            libs: vec!["../x".into()],
            ..JsonnetOptions::default()
        };
        let e = evaluate(&app.join("main.jsonnet"), &app, root, &outside).unwrap_err();
        assert_eq!(e.message, "file '../x' resolved to outside repository root");
        let e = evaluate(
            &app.join("main.jsonnet"),
            &app,
            root,
            &JsonnetOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.message.contains("couldn't open import \"lib.libsonnet\""),
            "{e:?}"
        );
        assert_eq!(
            (e.file.as_deref(), e.line),
            (Some(app.join("main.jsonnet").as_path()), Some(1))
        );
    }

    /// go-jsonnet's default of 500 stack frames; deep input does not overflow a render thread.
    #[test]
    fn deep_recursion_stops_at_the_stack_limit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("r.jsonnet"),
            "local f(n) = if n == 0 then 0 else 1 + f(n - 1);\nf(100000)\n",
        )
        .unwrap();
        let e = run(dir.path(), "r.jsonnet", &JsonnetOptions::default()).unwrap_err();
        assert_eq!(e.message, "max stack frames exceeded");
        // Deeper than serde_json's 128 levels fails here, where Go allows 10000.
        let nested = format!("{}1{}", "[".repeat(120), "]".repeat(120));
        std::fs::write(dir.path().join("n.jsonnet"), nested).unwrap();
        let r = run(dir.path(), "n.jsonnet", &JsonnetOptions::default());
        assert!(r.is_ok(), "{r:?}");
    }

    /// `vm.EvaluateFile` errors name the file and line, in imported files too.
    #[test]
    fn evaluation_errors_have_a_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("e.jsonnet"), "{\n  a: error 'boom',\n}\n").unwrap();
        let e = run(dir.path(), "e.jsonnet", &JsonnetOptions::default()).unwrap_err();
        assert_eq!((e.message.as_str(), e.line), ("boom", Some(2)));
        std::fs::write(dir.path().join("s.jsonnet"), "{\n\n  a: ,\n}\n").unwrap();
        let e = run(dir.path(), "s.jsonnet", &JsonnetOptions::default()).unwrap_err();
        assert!(e.message.starts_with("syntax error"), "{e:?}");
        assert_eq!(e.line, Some(3));
        std::fs::write(
            dir.path().join("l.libsonnet"),
            "{\n  x: std.extVar('nope'),\n}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("i.jsonnet"), "(import 'l.libsonnet').x\n").unwrap();
        let e = run(dir.path(), "i.jsonnet", &JsonnetOptions::default()).unwrap_err();
        assert_eq!(e.message, "undefined external variable: nope");
        assert_eq!(e.file, Some(dir.path().join("l.libsonnet")));
        assert_eq!(e.line, Some(2));
        std::fs::write(dir.path().join("fn.jsonnet"), "{ f: function(x) x }\n").unwrap();
        let e = run(dir.path(), "fn.jsonnet", &JsonnetOptions::default()).unwrap_err();
        assert_eq!(e.message, "couldn't manifest function as JSON");
    }
}
