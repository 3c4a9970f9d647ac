//! Static analysis behind [`super::Template::data_references`]: which paths of the top-level
//! data a template reads. Paths are followed through `$`, variables, `with`, `range`,
//! `index` with literal keys and `template` calls; any value that reaches output, a function
//! or a condition is recorded. When a path cannot be followed further the shorter path is
//! recorded, so a reference is never lost, only widened.

use super::parse::{Arg, Branch, Cmd, Node, Pipe, Tree};

/// The data path an expression stands for, if it is known to be a part of the data.
type P = Option<Vec<String>>;

struct Analyzer<'t> {
    tree: &'t Tree,
    refs: Vec<Vec<String>>,
    vars: Vec<(String, P)>,
    calls: Vec<String>,
}

pub(crate) fn collect(tree: &Tree) -> Vec<Vec<String>> {
    let mut a = Analyzer {
        tree,
        refs: Vec::new(),
        vars: vec![("$".into(), Some(Vec::new()))],
        calls: Vec::new(),
    };
    a.list(&tree.root, &Some(Vec::new()));
    let mut out: Vec<Vec<String>> = Vec::new();
    for r in a.refs {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn extend(base: &P, more: &[String]) -> P {
    base.as_ref().map(|b| {
        let mut p = b.clone();
        p.extend(more.iter().cloned());
        p
    })
}

impl Analyzer<'_> {
    fn use_path(&mut self, p: &P) {
        if let Some(p) = p {
            self.refs.push(p.clone());
        }
    }

    fn var(&self, name: &str) -> P {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, p)| p.clone())
    }

    fn bind(&mut self, pipe: &Pipe, values: &[P]) {
        for (name, v) in pipe.decl.iter().zip(values) {
            if pipe.is_assign {
                if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    slot.1 = v.clone();
                }
            } else {
                self.vars.push((name.clone(), v.clone()));
            }
        }
    }

    fn list(&mut self, nodes: &[Node], dot: &P) {
        for n in nodes {
            self.node(n, dot);
        }
    }

    /// Whether any reference recorded since `from` lies under `prefix`.
    fn used_under(&self, from: usize, prefix: &[String]) -> bool {
        self.refs[from..].iter().any(|r| r.starts_with(prefix))
    }

    fn node(&mut self, n: &Node, dot: &P) {
        match n {
            Node::Text(_) | Node::Break | Node::Continue => {}
            Node::Action(pipe) => {
                let v = self.pipe_value(pipe, dot);
                if pipe.decl.is_empty() {
                    self.use_path(&v);
                } else {
                    self.bind(pipe, &vec![v; pipe.decl.len()]);
                }
            }
            Node::If(b) => {
                let mark = self.vars.len();
                let v = self.pipe_value(&b.pipe, dot);
                self.bind(&b.pipe, &vec![v.clone(); b.pipe.decl.len()]);
                self.use_path(&v);
                self.branches(b, dot, dot);
                self.vars.truncate(mark);
            }
            Node::With(b) => {
                let mark = self.vars.len();
                let v = self.pipe_value(&b.pipe, dot);
                self.bind(&b.pipe, &vec![v.clone(); b.pipe.decl.len()]);
                let before = self.refs.len();
                self.branches(b, &v, dot);
                if let Some(p) = &v
                    && !self.used_under(before, p)
                {
                    self.refs.push(p.clone());
                }
                self.vars.truncate(mark);
            }
            Node::Range(b) => {
                let mark = self.vars.len();
                let v = self.pipe_value(&b.pipe, dot);
                // with two variables the first is the index or key, the second the element
                let vals = if b.pipe.decl.len() > 1 {
                    vec![None, v.clone()]
                } else {
                    vec![v.clone()]
                };
                self.bind(&b.pipe, &vals);
                let before = self.refs.len();
                self.branches(b, &v, dot);
                if let Some(p) = &v
                    && !self.used_under(before, p)
                {
                    self.refs.push(p.clone());
                }
                self.vars.truncate(mark);
            }
            Node::Template { name, pipe, .. } => {
                let v = match pipe {
                    Some(p) => self.pipe_value(p, dot),
                    None => None,
                };
                let body = self.tree.defines.get(name);
                match body {
                    Some(body) if !self.calls.contains(name) && self.calls.len() < 50 => {
                        self.calls.push(name.clone());
                        let saved =
                            std::mem::replace(&mut self.vars, vec![("$".into(), v.clone())]);
                        self.list(body, &v);
                        self.vars = saved;
                        self.calls.pop();
                    }
                    _ => self.use_path(&v),
                }
            }
        }
    }

    fn branches(&mut self, b: &Branch, body_dot: &P, else_dot: &P) {
        let mark = self.vars.len();
        self.list(&b.list, body_dot);
        self.vars.truncate(mark);
        if let Some(e) = &b.else_list {
            self.list(e, else_dot);
            self.vars.truncate(mark);
        }
    }

    /// Evaluates a pipeline's commands (declarations are bound by the caller).
    fn pipe_value(&mut self, pipe: &Pipe, dot: &P) -> P {
        let mut fin: Option<P> = None;
        for cmd in &pipe.cmds {
            fin = Some(self.cmd(cmd, dot, fin));
        }
        fin.unwrap_or(None)
    }

    fn cmd(&mut self, cmd: &Cmd, dot: &P, fin: Option<P>) -> P {
        match &cmd.args[0] {
            Arg::Ident { name, .. } => {
                let args = &cmd.args[1..];
                if name == "index" && fin.is_none() && !args.is_empty() {
                    let base = self.operand(&args[0], dot);
                    let keys: Option<Vec<String>> = args[1..]
                        .iter()
                        .map(|a| match a {
                            Arg::Str { text, .. } => Some(text.clone()),
                            _ => None,
                        })
                        .collect();
                    if let (Some(_), Some(keys)) = (&base, keys) {
                        return extend(&base, &keys);
                    }
                    self.use_path(&base);
                    for a in &args[1..] {
                        let v = self.operand(a, dot);
                        self.use_path(&v);
                    }
                    return None;
                }
                for a in args {
                    let v = self.operand(a, dot);
                    self.use_path(&v);
                }
                if let Some(f) = &fin {
                    self.use_path(f);
                }
                None
            }
            first => {
                if let Some(f) = &fin {
                    self.use_path(f);
                }
                for a in &cmd.args[1..] {
                    let v = self.operand(a, dot);
                    self.use_path(&v);
                }
                self.operand(first, dot)
            }
        }
    }

    fn operand(&mut self, a: &Arg, dot: &P) -> P {
        match a {
            Arg::Field { idents, .. } => extend(dot, idents),
            Arg::Variable { idents, .. } => extend(&self.var(&idents[0]), &idents[1..]),
            Arg::Chain { node, fields, .. } => {
                let base = self.operand(node, dot);
                extend(&base, fields)
            }
            Arg::Dot(_) => dot.clone(),
            Arg::Pipe(p) => {
                let v = self.pipe_value(p, dot);
                self.bind(p, &vec![v.clone(); p.decl.len()]);
                v
            }
            Arg::Ident { .. } => {
                let cmd = Cmd {
                    pos: a.pos(),
                    args: vec![a.clone()],
                };
                self.cmd(&cmd, dot, None)
            }
            Arg::Nil(_) | Arg::Bool(..) | Arg::Number(..) | Arg::Str { .. } => None,
        }
    }
}
