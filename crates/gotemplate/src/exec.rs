//! Executes a parse tree; the evaluation rules (missing keys, argument type checks, pipeline
//! unwrapping, truth, range order) follow text/template/exec.go.

use super::funcs::{self, Ctx, Ty};
use super::gofmt;
use super::parse::{Arg, Branch, Cmd, Node, Pipe, Tree};
use super::value::V;
use super::{Options, TemplateError};

/// The value of an expression: `None` is Go's invalid `reflect.Value` ("no value"), which is
/// what a missing map key or an unwrapped nil interface turns into.
pub(crate) type Ev = Option<V>;

enum Flow {
    Normal,
    Break,
    Continue,
}

/// Limits that keep hostile templates from running for ever or exhausting memory.
const MAX_TEMPLATE_DEPTH: usize = 100;
const MAX_STEPS: u64 = 10_000_000;
pub(crate) const MAX_OUTPUT: usize = 64 << 20;

pub(crate) struct State<'t> {
    tree: &'t Tree,
    pub(crate) opts: Options,
    vars: Vec<(String, Ev)>,
    depth: usize,
    steps: u64,
    out: String,
}

/// An error raised during evaluation, before the location is attached.
pub(crate) struct ExecErr {
    pos: usize,
    context: String,
    msg: String,
}

type R<T> = Result<T, ExecErr>;

fn fail<T>(pos: usize, context: impl ToString, msg: impl Into<String>) -> R<T> {
    Err(ExecErr {
        pos,
        context: context.to_string(),
        msg: msg.into(),
    })
}

pub(crate) fn execute(
    tree: &Tree,
    src: &str,
    data: V,
    opts: Options,
    depth: usize,
) -> Result<String, TemplateError> {
    let mut st = State {
        tree,
        opts,
        vars: vec![("$".into(), Some(data.clone()))],
        depth,
        steps: 0,
        out: String::new(),
    };
    match st.walk(&Some(data), &tree.root) {
        Ok(_) => Ok(st.out),
        Err(e) => Err(exec_error(src, e)),
    }
}

/// Formats like Go's `template: NAME:LINE:COL: executing "NAME" at <CONTEXT>: MSG`
/// (the template name is empty, as it is in Argo CD).
fn exec_error(src: &str, e: ExecErr) -> TemplateError {
    let pos = e.pos.min(src.len());
    let before = &src.as_bytes()[..pos];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let col = match before.iter().rposition(|&b| b == b'\n') {
        Some(nl) => pos - nl - 1,
        None => pos,
    };
    let ctx = if e.context.chars().count() > 20 {
        let s: String = e.context.chars().take(20).collect();
        format!("{s}...")
    } else {
        e.context
    };
    TemplateError {
        message: format!(
            "template: :{line}:{col}: executing \"\" at <{ctx}>: {}",
            e.msg
        ),
        offset: pos,
    }
}

fn unwrap_iface(v: Ev) -> Ev {
    match v {
        Some(V::Nil) => None,
        other => other,
    }
}

pub(crate) fn truth(v: &Ev) -> bool {
    v.as_ref().is_some_and(V::truthy)
}

impl State<'_> {
    fn step(&mut self, pos: usize) -> R<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.out.len() > MAX_OUTPUT {
            return fail(pos, "", "template execution exceeded its resource limits");
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Ev, nodes: &[Node]) -> R<Flow> {
        for node in nodes {
            match self.walk_node(dot, node)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_node(&mut self, dot: &Ev, node: &Node) -> R<Flow> {
        match node {
            Node::Text(t) => {
                self.out.push_str(t);
                if self.out.len() > MAX_OUTPUT {
                    return fail(0, "", "template output exceeded its size limit");
                }
            }
            Node::Action(pipe) => {
                self.step(pipe.pos)?;
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    match &v {
                        None => self.out.push_str("<no value>"),
                        Some(v) => self.out.push_str(&gofmt::sprint_value(v)),
                    }
                }
            }
            Node::If(b) | Node::With(b) => {
                let is_with = matches!(node, Node::With(_));
                let mark = self.vars.len();
                let r = self.walk_if_with(dot, b, is_with);
                self.vars.truncate(mark);
                return r;
            }
            Node::Range(b) => {
                let mark = self.vars.len();
                let r = self.walk_range(dot, b);
                self.vars.truncate(mark);
                return r;
            }
            Node::Template { pos, name, pipe } => self.walk_template(dot, *pos, name, pipe)?,
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, dot: &Ev, b: &Branch, is_with: bool) -> R<Flow> {
        let v = self.eval_pipeline(dot, &b.pipe)?;
        if truth(&v) {
            if is_with {
                self.walk(&v, &b.list)
            } else {
                self.walk(dot, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk(dot, e)
        } else {
            Ok(Flow::Normal)
        }
    }

    fn walk_range(&mut self, dot: &Ev, b: &Branch) -> R<Flow> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let mark = self.vars.len();
        // Lists and maps are snapshotted (the body may mutate a map); integers count lazily.
        let (pairs, count): (Vec<(V, V)>, i64) = match &val {
            Some(V::List(l, _)) => (
                l.iter()
                    .enumerate()
                    .map(|(i, e)| (V::Int(i as i64), e.clone()))
                    .collect(),
                0,
            ),
            Some(V::Map(m, _)) => (
                m.borrow()
                    .iter()
                    .map(|(k, e)| (V::Str(k.clone()), e.clone()))
                    .collect(),
                0,
            ),
            Some(V::Int(n)) | Some(V::Int64(n)) => {
                if b.pipe.decl.len() > 1 {
                    let s = gofmt::sprint_value(val.as_ref().unwrap_or(&V::Nil));
                    return fail(
                        b.pipe.pos,
                        &b.pipe,
                        format!("can't use {s} to iterate over more than one variable"),
                    );
                }
                (Vec::new(), (*n).max(0))
            }
            None | Some(V::Nil) => (Vec::new(), 0),
            Some(other) => {
                return fail(
                    b.pipe.pos,
                    &b.pipe,
                    format!("range can't iterate over {}", gofmt::sprint_value(other)),
                );
            }
        };
        if pairs.is_empty() && count == 0 {
            if let Some(e) = &b.else_list {
                return self.walk(dot, e);
            }
            return Ok(Flow::Normal);
        }
        let int64 = matches!(val, Some(V::Int64(_)));
        let counted = (0..count).map(|i| {
            let v = if int64 { V::Int64(i) } else { V::Int(i) };
            (v.clone(), v)
        });
        let items = pairs.into_iter().chain(counted);
        for (index, elem) in items {
            self.step(b.pipe.pos)?;
            let n = b.pipe.decl.len();
            if n > 0 {
                if b.pipe.is_assign {
                    let (first, value) = if n > 1 {
                        (&b.pipe.decl[0], index.clone())
                    } else {
                        (&b.pipe.decl[0], elem.clone())
                    };
                    self.set_var(b.pipe.pos, first, Some(value))?;
                    if n > 1 {
                        self.set_var(b.pipe.pos, &b.pipe.decl[1], Some(elem.clone()))?;
                    }
                } else {
                    let len = self.vars.len();
                    if n > 1 && len >= 2 {
                        self.vars[len - 2].1 = Some(index.clone());
                    }
                    if len >= 1 {
                        self.vars[len - 1].1 = Some(elem.clone());
                    }
                }
            }
            let r = self.walk(&Some(elem), &b.list);
            self.vars.truncate(mark);
            match r? {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_template(&mut self, dot: &Ev, pos: usize, name: &str, pipe: &Option<Pipe>) -> R<()> {
        let Some(body) = self.tree.defines.get(name) else {
            return fail(
                pos,
                format!("template {name:?}"),
                format!("template {name:?} not defined"),
            );
        };
        if self.depth >= MAX_TEMPLATE_DEPTH {
            return fail(
                pos,
                format!("template {name:?}"),
                format!("exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})"),
            );
        }
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => None,
        };
        let saved = std::mem::replace(&mut self.vars, vec![("$".into(), new_dot.clone())]);
        self.depth += 1;
        let r = self.walk(&new_dot, body);
        self.depth -= 1;
        self.vars = saved;
        r.map(|_| ())
    }

    fn set_var(&mut self, pos: usize, name: &str, v: Ev) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => fail(pos, name, format!("undefined variable: {name}")),
        }
    }

    fn var_value(&self, pos: usize, name: &str) -> R<Ev> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => fail(pos, name, format!("undefined variable: {name}")),
        }
    }

    pub(crate) fn eval_pipeline(&mut self, dot: &Ev, pipe: &Pipe) -> R<Ev> {
        let mut value: Option<Ev> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(unwrap_iface(v));
        }
        let value = value.unwrap_or(None);
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(pipe.pos, name, value.clone())?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Ev>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            return fail(
                args[0].pos(),
                &args[0],
                format!("can't give argument to non-function {}", args[0]),
            );
        }
        Ok(())
    }

    /// `fin` is the value piped in from the previous command, if any.
    fn eval_command(&mut self, dot: &Ev, cmd: &Cmd, fin: Option<Ev>) -> R<Ev> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { pos, idents } => {
                self.eval_field_chain(dot, dot.clone(), *pos, first, idents, &cmd.args, fin)
            }
            Arg::Chain { pos, node, fields } => {
                self.eval_chain(dot, *pos, first, node, fields, &cmd.args, fin)
            }
            Arg::Ident { pos, name } => self.eval_function(dot, *pos, name, cmd, &cmd.args, fin),
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                self.eval_pipeline(dot, p)
            }
            Arg::Variable { pos, idents } => {
                self.eval_variable(dot, *pos, first, idents, &cmd.args, fin)
            }
            _ => {
                self.not_a_function(&cmd.args, &fin)?;
                match first {
                    Arg::Bool(_, b) => Ok(Some(V::Bool(*b))),
                    Arg::Dot(_) => Ok(dot.clone()),
                    Arg::Nil(p) => fail(*p, "nil", "nil is not a command"),
                    Arg::Number(p, n) => ideal_constant(*p, first, n).map(Some),
                    Arg::Str { text, .. } => Ok(Some(V::Str(text.clone()))),
                    other => fail(
                        other.pos(),
                        other,
                        format!("can't evaluate command {other:?}"),
                    ),
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Ev,
        mut receiver: Ev,
        pos: usize,
        node: &Arg,
        idents: &[String],
        args: &[Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        let n = idents.len();
        for (i, name) in idents.iter().enumerate() {
            let last = i + 1 == n;
            let (a, f) = if last {
                (args, fin.clone())
            } else {
                (&[][..], None)
            };
            receiver = self.eval_field(dot, name, pos, node, a, f, receiver, i > 0)?;
        }
        Ok(receiver)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        _dot: &Ev,
        name: &str,
        pos: usize,
        node: &Arg,
        args: &[Arg],
        fin: Option<Ev>,
        receiver: Ev,
        from_map: bool,
    ) -> R<Ev> {
        let Some(recv) = receiver else {
            if self.opts.missing_key_error {
                return fail(pos, node, format!("nil data; no entry for key {name:?}"));
            }
            return Ok(None);
        };
        let static_type = if from_map {
            "interface {}"
        } else {
            match &recv {
                V::Nil => "interface {}",
                v => v.type_name(),
            }
        };
        match &recv {
            V::Nil => fail(
                pos,
                node,
                format!("nil pointer evaluating {static_type}.{name}"),
            ),
            V::Map(m, _) => {
                if args.len() > 1 || fin.is_some() {
                    return fail(
                        pos,
                        node,
                        format!("{name} is not a method but has arguments"),
                    );
                }
                let found = m.borrow().get(name).cloned();
                match found {
                    Some(v) => Ok(Some(v)),
                    None if self.opts.missing_key_error => {
                        fail(pos, node, format!("map has no entry for key {name:?}"))
                    }
                    None => Ok(None),
                }
            }
            _ => fail(
                pos,
                node,
                format!("can't evaluate field {name} in type {static_type}"),
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_chain(
        &mut self,
        dot: &Ev,
        pos: usize,
        whole: &Arg,
        node: &Arg,
        fields: &[String],
        args: &[Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        if matches!(node, Arg::Nil(_)) {
            return fail(
                pos,
                whole,
                format!("indirection through explicit nil in {whole}"),
            );
        }
        let recv = self.eval_arg(dot, Ty::Any, node)?;
        let recv = match recv {
            Some(V::Nil) => None,
            other => other,
        };
        self.eval_field_chain(dot, recv, pos, whole, fields, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &Ev,
        pos: usize,
        node: &Arg,
        idents: &[String],
        args: &[Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        let value = self.var_value(pos, &idents[0])?;
        if idents.len() == 1 {
            if !args.is_empty() {
                self.not_a_function(args, &fin)?;
            } else if fin.is_some() {
                return fail(
                    pos,
                    node,
                    format!("can't give argument to non-function {node}"),
                );
            }
            return Ok(value);
        }
        self.eval_field_chain(dot, value, pos, node, &idents[1..], args, fin)
    }

    fn eval_function(
        &mut self,
        dot: &Ev,
        pos: usize,
        name: &str,
        cmd: &Cmd,
        args: &[Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        let Some(spec) = funcs::lookup(name) else {
            return fail(pos, name, format!("{name:?} is not a defined function"));
        };
        let args = if args.is_empty() { args } else { &args[1..] };
        let num_in = args.len() + usize::from(fin.is_some());
        let fixed = spec.params.len();
        if spec.variadic.is_some() {
            if num_in < fixed {
                return fail(
                    pos,
                    name,
                    format!(
                        "wrong number of args for {name}: want at least {fixed} got {}",
                        args.len()
                    ),
                );
            }
        } else if num_in != fixed {
            return fail(
                pos,
                name,
                format!("wrong number of args for {name}: want {fixed} got {num_in}"),
            );
        }
        if name == "and" || name == "or" {
            // short-circuit: the first deciding operand is the result
            let want = name == "or";
            let mut v: Ev = None;
            for a in args {
                v = self.eval_arg(dot, Ty::Val, a)?;
                if truth(&v) == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        let mut argv: Vec<Ev> = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let ty = if i < fixed {
                spec.params[i]
            } else {
                spec.variadic.unwrap_or(Ty::Any)
            };
            argv.push(self.eval_arg(dot, ty, a)?);
        }
        if let Some(f) = fin {
            let ty = match spec.variadic {
                Some(vt) if num_in > fixed => vt,
                _ => spec.params.get(num_in - 1).copied().unwrap_or(Ty::Any),
            };
            argv.push(self.validate(f, ty, cmd.pos, cmd)?);
        }
        let mut ctx = Ctx { opts: self.opts };
        match (spec.imp)(&mut ctx, argv) {
            Ok(v) => Ok(Some(v)),
            Err(e) => fail(cmd.pos, cmd, format!("error calling {name}: {e}")),
        }
    }

    fn validate(&self, v: Ev, ty: Ty, pos: usize, node: &dyn std::fmt::Display) -> R<Ev> {
        let Some(v) = v else {
            return match ty {
                Ty::Val => Ok(None),
                Ty::Any | Ty::Map => Ok(Some(V::Nil)),
                _ => fail(
                    pos,
                    node,
                    format!("invalid value; expected {}", ty.go_name()),
                ),
            };
        };
        let ok = match ty {
            Ty::Any | Ty::Val => true,
            Ty::Str => matches!(v, V::Str(_)),
            Ty::Int => matches!(v, V::Int(_)),
            Ty::Float => matches!(v, V::Float(_)),
            Ty::Bool => matches!(v, V::Bool(_)),
            Ty::Map => matches!(v, V::Map(_, super::value::MapTy::Any)),
        };
        if ok {
            return Ok(Some(v));
        }
        let got = match v {
            V::Nil => "interface {}",
            ref v => v.type_name(),
        };
        fail(
            pos,
            node,
            format!("wrong type for value; expected {}; got {got}", ty.go_name()),
        )
    }

    fn eval_arg(&mut self, dot: &Ev, ty: Ty, arg: &Arg) -> R<Ev> {
        let pos = arg.pos();
        let v = match arg {
            Arg::Dot(_) => dot.clone(),
            Arg::Nil(_) => {
                return match ty {
                    Ty::Val => Ok(None),
                    Ty::Any | Ty::Map => Ok(Some(V::Nil)),
                    _ => fail(pos, arg, format!("cannot assign nil to {}", ty.go_name())),
                };
            }
            Arg::Field { idents, .. } => {
                self.eval_field_chain(dot, dot.clone(), pos, arg, idents, &[], None)?
            }
            Arg::Variable { idents, .. } => self.eval_variable(dot, pos, arg, idents, &[], None)?,
            Arg::Pipe(p) => self.eval_pipeline(dot, p)?,
            Arg::Ident { name, .. } => {
                let cmd = Cmd {
                    pos,
                    args: vec![arg.clone()],
                };
                self.eval_function(dot, pos, name, &cmd, &[], None)?
            }
            Arg::Chain { node, fields, .. } => {
                self.eval_chain(dot, pos, arg, node, fields, &[], None)?
            }
            Arg::Bool(_, b) => {
                return match ty {
                    Ty::Bool | Ty::Any | Ty::Val => Ok(Some(V::Bool(*b))),
                    _ => self.literal_mismatch(ty, arg),
                };
            }
            Arg::Str { text, .. } => {
                return match ty {
                    Ty::Str | Ty::Any | Ty::Val => Ok(Some(V::Str(text.clone()))),
                    _ => self.literal_mismatch(ty, arg),
                };
            }
            Arg::Number(_, n) => {
                return match ty {
                    Ty::Int if n.is_int => Ok(Some(V::Int(n.int))),
                    Ty::Float if n.is_float => Ok(Some(V::Float(n.float))),
                    Ty::Any | Ty::Val => ideal_constant(pos, arg, n).map(Some),
                    _ => self.literal_mismatch(ty, arg),
                };
            }
        };
        self.validate(v, ty, pos, arg)
    }

    fn literal_mismatch(&self, ty: Ty, arg: &Arg) -> R<Ev> {
        let what = match ty {
            Ty::Bool => "bool",
            Ty::Str => "string",
            Ty::Int => "integer",
            Ty::Float => "float",
            _ => {
                return fail(
                    arg.pos(),
                    arg,
                    format!("can't handle {arg} for arg of type {}", ty.go_name()),
                );
            }
        };
        fail(arg.pos(), arg, format!("expected {what}; found {arg}"))
    }
}

/// The type a numeric literal takes when the parameter is `interface{}` (exec.go idealConstant).
fn ideal_constant(pos: usize, arg: &Arg, n: &super::parse::Number) -> R<V> {
    let t = &n.text;
    let is_hex_int = t.len() > 2
        && t.starts_with('0')
        && (t.as_bytes()[1] == b'x' || t.as_bytes()[1] == b'X')
        && !t.contains(['p', 'P']);
    let is_rune = t.starts_with('\'');
    if n.is_float && !is_hex_int && !is_rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
        return Ok(V::Float(n.float));
    }
    if n.is_int {
        return Ok(V::Int(n.int));
    }
    if n.is_uint {
        return fail(pos, arg, format!("{t} overflows int"));
    }
    Ok(V::Float(n.float))
}
