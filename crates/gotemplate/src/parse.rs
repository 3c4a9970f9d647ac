//! Parse tree and parser; mirrors the grammar and checks of text/template/parse/parse.go
//! (undefined functions and variables are parse errors, `else if`/`else with` chains,
//! `break`/`continue` only inside `range`, `define`/`block` bodies).

use std::collections::HashMap;
use std::fmt;

use super::lexer::{Kw, Tok, Token, lex};

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Text(String),
    Action(Pipe),
    If(Branch),
    With(Branch),
    Range(Branch),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
pub(crate) struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub text: String,
    pub is_int: bool,
    pub int: i64,
    pub is_uint: bool,
    pub is_float: bool,
    pub float: f64,
}

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `idents[0]` is the variable name including `$`
    Variable {
        pos: usize,
        idents: Vec<String>,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<String>,
    },
    Ident {
        pos: usize,
        name: String,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<Number>),
    Str {
        pos: usize,
        text: String,
        quoted: String,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub(crate) fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::Str { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _) => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

// Display follows parse/node.go's String methods; it is used for error context.
impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => {
                for i in idents {
                    write!(f, ".{i}")?;
                }
                Ok(())
            }
            Arg::Variable { idents, .. } => f.write_str(&idents.join(".")),
            Arg::Chain { node, fields, .. } => {
                if matches!(**node, Arg::Pipe(_)) {
                    write!(f, "({node})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for fl in fields {
                    write!(f, ".{fl}")?;
                }
                Ok(())
            }
            Arg::Ident { name, .. } => f.write_str(name),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::Str { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if matches!(a, Arg::Pipe(_)) {
                write!(f, "({a})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            f.write_str(&self.decl.join(", "))?;
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct ParseError {
    pub msg: String,
    pub pos: usize,
}

pub(crate) struct Tree {
    pub root: Vec<Node>,
    pub defines: HashMap<String, Vec<Node>>,
}

/// Nesting limit for parenthesised pipelines and control structures, so hostile input
/// cannot exhaust the stack.
const MAX_NESTING: usize = 100;

struct Parser<'f> {
    toks: Vec<Token>,
    i: usize,
    vars: Vec<String>,
    range_depth: usize,
    nesting: usize,
    defines: HashMap<String, Vec<Node>>,
    known: &'f dyn Fn(&str) -> bool,
}

enum Item {
    Node(Node),
    End(usize),
    Else(usize),
}

pub(crate) fn parse(src: &str, known: &dyn Fn(&str) -> bool) -> Result<Tree, ParseError> {
    let toks = match lex(src) {
        Ok(t) => t,
        Err(e) => {
            // Go reports lexing errors when the parser reaches them; syntax errors earlier in
            // the text win, so parse the tokens before the failure first.
            return Err(ParseError {
                msg: e.msg,
                pos: e.pos,
            });
        }
    };
    let mut p = Parser {
        toks,
        i: 0,
        vars: vec!["$".into()],
        range_depth: 0,
        nesting: 0,
        defines: HashMap::new(),
        known,
    };
    let root = p.top()?;
    Ok(Tree {
        root,
        defines: p.defines,
    })
}

fn tok_desc(t: &Tok) -> String {
    let q = |s: &str| {
        if s.chars().count() > 10 {
            let short: String = s.chars().take(10).collect();
            format!("{short:?}...")
        } else {
            format!("{s:?}")
        }
    };
    match t {
        Tok::Eof => "EOF".into(),
        Tok::Text(s) | Tok::Identifier(s) | Tok::Number(s) | Tok::Str(s) | Tok::Char(s) => q(s),
        Tok::Variable(s) => q(s),
        Tok::Field(s) => q(&format!(".{s}")),
        Tok::LeftDelim => q("{{"),
        Tok::RightDelim => q("}}"),
        Tok::Space => q(" "),
        Tok::Dot => q("."),
        Tok::Bool(b) => q(&b.to_string()),
        Tok::Pipe => q("|"),
        Tok::LParen => q("("),
        Tok::RParen => q(")"),
        Tok::Assign => q("="),
        Tok::Declare => q(":="),
        Tok::Other(c) => q(&c.to_string()),
        Tok::Keyword(k) => format!("<{}>", kw_name(*k)),
    }
}

fn kw_name(k: Kw) -> &'static str {
    match k {
        Kw::Block => "block",
        Kw::Break => "break",
        Kw::Continue => "continue",
        Kw::Define => "define",
        Kw::Else => "else",
        Kw::End => "end",
        Kw::If => "if",
        Kw::Range => "range",
        Kw::Nil => "nil",
        Kw::Template => "template",
        Kw::With => "with",
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        let last = self.toks.len() - 1;
        &self.toks[self.i.min(last)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn skip_space(&mut self) {
        while self.peek().tok == Tok::Space {
            self.i += 1;
        }
    }

    fn peek_non_space(&mut self) -> &Token {
        self.skip_space();
        self.peek()
    }

    fn next_non_space(&mut self) -> Token {
        self.skip_space();
        self.next()
    }

    fn err<T>(&self, pos: usize, msg: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            msg: msg.into(),
            pos,
        })
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> Result<T, ParseError> {
        self.err(
            t.pos,
            format!("unexpected {} in {context}", tok_desc(&t.tok)),
        )
    }

    fn top(&mut self) -> Result<Vec<Node>, ParseError> {
        let mut root = Vec::new();
        loop {
            if self.peek().tok == Tok::Eof {
                return Ok(root);
            }
            if self.peek().tok == Tok::LeftDelim {
                let save = self.i;
                self.next();
                if self.peek_non_space().tok == Tok::Keyword(Kw::Define) {
                    self.next();
                    self.definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End(p) => return self.err(p, "unexpected {{end}}"),
                Item::Else(p) => return self.err(p, "unexpected {{else}}"),
            }
        }
    }

    fn template_name(&mut self, context: &str) -> Result<String, ParseError> {
        let t = self.next_non_space();
        match &t.tok {
            Tok::Str(s) => unquote(s).map_err(|m| ParseError { msg: m, pos: t.pos }),
            _ => self.unexpected(&t, context),
        }
    }

    fn definition(&mut self) -> Result<(), ParseError> {
        let context = "define clause";
        let name = self.template_name(context)?;
        let t = self.next_non_space();
        if t.tok != Tok::RightDelim {
            return self.unexpected(&t, context);
        }
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        if let Item::Else(p) = end {
            return self.err(p, format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_define(name, list);
        Ok(())
    }

    fn add_define(&mut self, name: String, list: Vec<Node>) {
        // A non-empty definition replaces an empty one (parse.go add()); we keep the last.
        let empty = list
            .iter()
            .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()));
        if empty && self.defines.contains_key(&name) {
            return;
        }
        self.defines.insert(name, list);
    }

    fn item_list(&mut self) -> Result<(Vec<Node>, Item), ParseError> {
        let mut list = Vec::new();
        loop {
            if self.peek_non_space().tok == Tok::Eof {
                let p = self.peek().pos;
                return self.err(p, "unexpected EOF");
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                other => return Ok((list, other)),
            }
        }
    }

    fn text_or_action(&mut self) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text(s) => Ok(Item::Node(Node::Text(s))),
            Tok::LeftDelim => {
                self.nesting += 1;
                if self.nesting > MAX_NESTING {
                    return self.err(t.pos, "template nested too deeply");
                }
                let r = self.action();
                self.nesting -= 1;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn expect_right_delim(&mut self, context: &str) -> Result<usize, ParseError> {
        let t = self.next_non_space();
        if t.tok != Tok::RightDelim {
            return self.unexpected(&t, context);
        }
        Ok(t.pos)
    }

    fn action(&mut self) -> Result<Item, ParseError> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Keyword(Kw::Block) => return self.block().map(Item::Node),
            Tok::Keyword(Kw::Break) | Tok::Keyword(Kw::Continue) => {
                let is_break = t.tok == Tok::Keyword(Kw::Break);
                let word = if is_break { "break" } else { "continue" };
                if self.range_depth == 0 {
                    return self.err(t.pos, format!("{{{{{word}}}}} outside {{{{range}}}}"));
                }
                self.expect_right_delim(&format!("{{{{{word}}}}}"))?;
                return Ok(Item::Node(if is_break {
                    Node::Break
                } else {
                    Node::Continue
                }));
            }
            Tok::Keyword(Kw::Else) => {
                let p = self.peek_non_space();
                if matches!(p.tok, Tok::Keyword(Kw::If) | Tok::Keyword(Kw::With)) {
                    return Ok(Item::Else(p.pos));
                }
                let pos = self.expect_right_delim("else")?;
                return Ok(Item::Else(pos));
            }
            Tok::Keyword(Kw::End) => {
                let pos = self.expect_right_delim("end")?;
                return Ok(Item::End(pos));
            }
            Tok::Keyword(Kw::If) => return self.control("if").map(|b| Item::Node(Node::If(b))),
            Tok::Keyword(Kw::With) => {
                return self.control("with").map(|b| Item::Node(Node::With(b)));
            }
            Tok::Keyword(Kw::Range) => {
                return self.control("range").map(|b| Item::Node(Node::Range(b)));
            }
            Tok::Keyword(Kw::Template) => {
                let context = "template clause";
                let name = self.template_name(context)?;
                let pipe = if self.peek_non_space().tok == Tok::RightDelim {
                    self.next();
                    None
                } else {
                    Some(self.pipeline(context, &Tok::RightDelim)?)
                };
                return Ok(Item::Node(Node::Template {
                    pos: t.pos,
                    name,
                    pipe,
                }));
            }
            _ => {}
        }
        self.i -= 1;
        let pipe = self.pipeline("command", &Tok::RightDelim)?;
        Ok(Item::Node(Node::Action(pipe)))
    }

    fn block(&mut self) -> Result<Node, ParseError> {
        let context = "block clause";
        let pos = self.peek_non_space().pos;
        let name = self.template_name(context)?;
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved;
        self.range_depth = saved_range;
        if let Item::Else(p) = end {
            return self.err(p, format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_define(name.clone(), list);
        Ok(Node::Template {
            pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn control(&mut self, context: &str) -> Result<Branch, ParseError> {
        let mark = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(mark);
        r
    }

    fn control_inner(&mut self, context: &str) -> Result<Branch, ParseError> {
        let pipe = self.pipeline(context, &Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Item::Else(_) = next {
            let chained = match (context, &self.peek_non_space().tok) {
                ("if", Tok::Keyword(Kw::If)) => Some("if"),
                ("with", Tok::Keyword(Kw::With)) => Some("with"),
                _ => None,
            };
            if let Some(kind) = chained {
                // `{{else if x}}` is `{{else}}{{if x}}...{{end}}{{end}}` with the last end implied.
                self.next();
                self.nesting += 1;
                if self.nesting > MAX_NESTING {
                    return self.err(self.peek().pos, "template nested too deeply");
                }
                let b = self.control(kind);
                self.nesting -= 1;
                let b = b?;
                else_list = Some(vec![if kind == "if" {
                    Node::If(b)
                } else {
                    Node::With(b)
                }]);
            } else {
                let (l, n) = self.item_list()?;
                if let Item::Else(p) = n {
                    return self.err(p, "expected end; found {{else}}");
                }
                else_list = Some(l);
            }
        }
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn pipeline(&mut self, context: &str, end: &Tok) -> Result<Pipe, ParseError> {
        let pos = self.peek_non_space().pos;
        let mut pipe = Pipe {
            pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // declarations: `$x :=`, `$x =`, `$i, $v :=`
        while let Tok::Variable(name) = self.peek_non_space().tok.clone() {
            let save = self.i;
            self.next();
            let next = self.peek_non_space().tok.clone();
            match next {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next == Tok::Assign;
                    self.next();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    break;
                }
                Tok::Other(',') => {
                    self.next();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RParen => continue,
                            _ => {
                                let p = self.peek().pos;
                                return self.err(p, "range can only initialize variables");
                            }
                        }
                    }
                    return self.err(pos, format!("too many declarations in {context}"));
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            if &t.tok == end {
                return self.check_pipeline(pipe, context, t.pos);
            }
            match t.tok {
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Identifier(_)
                | Tok::Number(_)
                | Tok::Keyword(Kw::Nil)
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LParen => {
                    self.i -= 1;
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                // A pipe between commands is consumed by `command`.
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: Pipe, context: &str, pos: usize) -> Result<Pipe, ParseError> {
        if pipe.cmds.is_empty() {
            return self.err(pos, format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::Str { .. },
            ) = c.args.first()
            {
                return self.err(
                    c.pos,
                    format!("non executable command in pipeline stage {}", i + 1),
                );
            }
        }
        Ok(pipe)
    }

    fn command(&mut self) -> Result<Cmd, ParseError> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Cmd {
            pos,
            args: Vec::new(),
        };
        loop {
            self.skip_space();
            if let Some(a) = self.operand()? {
                cmd.args.push(a);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RParen => self.i -= 1,
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err(pos, "empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> Result<Option<Arg>, ParseError> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if let Tok::Field(_) = self.peek().tok {
            let pos = self.peek().pos;
            let mut fields = Vec::new();
            while let Tok::Field(f) = &self.peek().tok {
                fields.push(f.clone());
                self.i += 1;
            }
            return Ok(Some(match node {
                Arg::Field { mut idents, .. } => {
                    idents.extend(fields);
                    Arg::Field { pos, idents }
                }
                Arg::Variable { mut idents, .. } => {
                    idents.extend(fields);
                    Arg::Variable { pos, idents }
                }
                Arg::Bool(..) | Arg::Str { .. } | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return self.err(
                        pos,
                        format!("unexpected . after term {:?}", node.to_string()),
                    );
                }
                other => Arg::Chain {
                    pos,
                    node: Box::new(other),
                    fields,
                },
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> Result<Option<Arg>, ParseError> {
        let t = self.next_non_space();
        let pos = t.pos;
        Ok(Some(match t.tok {
            Tok::Identifier(name) => {
                if !(self.known)(&name) {
                    return self.err(pos, format!("function {name:?} not defined"));
                }
                Arg::Ident { pos, name }
            }
            Tok::Dot => Arg::Dot(pos),
            Tok::Keyword(Kw::Nil) => Arg::Nil(pos),
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return self.err(pos, format!("undefined variable {name:?}"));
                }
                Arg::Variable {
                    pos,
                    idents: vec![name],
                }
            }
            Tok::Field(f) => Arg::Field {
                pos,
                idents: vec![f],
            },
            Tok::Bool(b) => Arg::Bool(pos, b),
            Tok::Number(text) => Arg::Number(
                pos,
                Box::new(parse_number(&text).map_err(|m| ParseError { msg: m, pos })?),
            ),
            Tok::Char(text) => Arg::Number(
                pos,
                Box::new(parse_char(&text).map_err(|m| ParseError { msg: m, pos })?),
            ),
            Tok::LParen => {
                self.nesting += 1;
                if self.nesting > MAX_NESTING {
                    return self.err(pos, "pipeline nested too deeply");
                }
                let p = self.pipeline("parenthesized pipeline", &Tok::RParen);
                self.nesting -= 1;
                Arg::Pipe(Box::new(p?))
            }
            Tok::Str(quoted) => {
                let text = unquote(&quoted).map_err(|m| ParseError { msg: m, pos })?;
                Arg::Str { pos, text, quoted }
            }
            _ => {
                self.i -= 1;
                return Ok(None);
            }
        }))
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, 0x/0o/0b/0 prefixes, underscores.
pub(crate) fn parse_go_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r.to_string())
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r.to_string())
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower)
    };
    if digits.starts_with('_') && radix == 10 || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits = digits.replace('_', "");
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let v = i128::from_str_radix(&digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// The number rules of parse/node.go `newNumber` (minus complex numbers).
pub(crate) fn parse_number(text: &str) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_string(),
        is_int: false,
        int: 0,
        is_uint: false,
        is_float: false,
        float: 0.0,
    };
    if text.ends_with('i') {
        return Err(format!(
            "complex number constants are not supported: {text:?}"
        ));
    }
    if let Some(v) = parse_go_int(text) {
        if (0..=u64::MAX as i128).contains(&v) {
            n.is_uint = true;
        }
        if (i64::MIN as i128..=i64::MAX as i128).contains(&v) {
            n.is_int = true;
            n.int = v as i64;
        }
        if n.is_int || n.is_uint {
            n.is_float = true;
            n.float = v as f64;
        }
    }
    if !n.is_int && !n.is_uint {
        let cleaned = text.replace('_', "");
        if let Ok(f) = cleaned.parse::<f64>() {
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err(format!("integer overflow: {text:?}"));
            }
            n.is_float = true;
            n.float = f;
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                n.is_int = true;
                n.int = f as i64;
                n.is_uint = f >= 0.0;
            }
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {text:?}"));
    }
    Ok(n)
}

fn parse_char(text: &str) -> Result<Number, String> {
    let inner = &text[1..text.len().saturating_sub(1).max(1)];
    let s = unescape(inner, '\'')?;
    let mut chars = s.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return Err(format!("malformed character constant: {text}"));
    };
    let v = c as u32;
    Ok(Number {
        text: text.to_string(),
        is_int: true,
        int: v as i64,
        is_uint: true,
        is_float: true,
        float: v as f64,
    })
}

/// `strconv.Unquote` for "..." and `...` literals.
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        return Ok(s[1..s.len() - 1].replace('\r', ""));
    }
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        return unescape(&s[1..s.len() - 1], '"');
    }
    Err("invalid syntax".into())
}

fn unescape(s: &str, quote: char) -> Result<String, String> {
    let bad = || "invalid syntax".to_string();
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == quote && quote == '"' {
            return Err(bad());
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = it.next().ok_or_else(bad)?;
        let mut hex = |n: usize| -> Result<u32, String> {
            let mut v = 0u32;
            for _ in 0..n {
                let d = it.next().and_then(|c| c.to_digit(16)).ok_or_else(bad)?;
                v = v * 16 + d;
            }
            Ok(v)
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '"' if quote == '"' => out.push('"'),
            '\'' if quote == '\'' => out.push('\''),
            // Go allows arbitrary bytes here; Rust strings must stay UTF-8, so a byte above
            // 0x7f becomes the code point of the same value.
            'x' => out.push(char::from_u32(hex(2)?).ok_or_else(bad)?),
            'u' => out.push(char::from_u32(hex(4)?).ok_or_else(bad)?),
            'U' => out.push(char::from_u32(hex(8)?).ok_or_else(bad)?),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    let d = it.next().and_then(|c| c.to_digit(8)).ok_or_else(bad)?;
                    v = v * 8 + d;
                }
                if v > 255 {
                    return Err(bad());
                }
                out.push(char::from_u32(v).ok_or_else(bad)?);
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}
