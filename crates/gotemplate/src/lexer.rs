//! Tokenizer for Go template text; follows the rules of text/template/parse/lex.go
//! (delimiters `{{ }}`, trim markers `{{- ` / ` -}}`, comments, and action tokens).

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Text(String),
    LeftDelim,
    RightDelim,
    Space,
    Identifier(String),
    /// `.name` (stored without the dot)
    Field(String),
    /// `$` or `$name` (stored with the `$`)
    Variable(String),
    Dot,
    Bool(bool),
    Number(String),
    /// a quoted or raw string / char constant, in source form
    Str(String),
    Char(String),
    Pipe,
    LParen,
    RParen,
    Assign,
    Declare,
    /// any other printable ASCII character inside an action (e.g. `,`)
    Other(char),
    Keyword(Kw),
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kw {
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Nil,
    Template,
    With,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
}

#[derive(Debug)]
pub(crate) struct LexError {
    pub msg: String,
    pub pos: usize,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

pub(crate) fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

/// Go's `%#U` spelling of a rune.
pub(crate) fn go_rune(c: char) -> String {
    format!("U+{:04X} '{}'", c as u32, c)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    toks: Vec<Token>,
    paren_depth: i32,
}

pub(crate) fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let mut l = Lexer {
        src,
        pos: 0,
        toks: Vec::new(),
        paren_depth: 0,
    };
    l.run()?;
    Ok(l.toks)
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn emit(&mut self, tok: Tok, pos: usize) {
        self.toks.push(Token { tok, pos });
    }

    fn err<T>(&self, msg: impl Into<String>) -> Result<T, LexError> {
        Err(LexError {
            msg: msg.into(),
            pos: self.pos,
        })
    }

    fn run(&mut self) -> Result<(), LexError> {
        let mut trim_next = false;
        loop {
            let start = self.pos;
            let Some(off) = self.rest().find("{{") else {
                let mut text = self.rest();
                if trim_next {
                    text = text.trim_start_matches(is_space);
                }
                if !text.is_empty() {
                    let p = self.src.len() - text.len();
                    self.emit(Tok::Text(text.to_string()), p);
                }
                self.pos = self.src.len();
                self.emit(Tok::Eof, self.pos);
                return Ok(());
            };
            let delim = start + off;
            let after = &self.src[delim + 2..];
            let trim_left = after.starts_with('-') && after[1..].starts_with(is_space);
            let mut text = &self.src[start..delim];
            if trim_next {
                text = text.trim_start_matches(is_space);
            }
            if trim_left {
                text = text.trim_end_matches(is_space);
            }
            if !text.is_empty() {
                let tp = text.as_ptr() as usize - self.src.as_ptr() as usize;
                self.emit(Tok::Text(text.to_string()), tp);
            }
            self.pos = delim + 2 + if trim_left { 2 } else { 0 };
            if self.rest().starts_with("/*") {
                trim_next = self.comment()?;
                continue;
            }
            self.emit(Tok::LeftDelim, delim);
            trim_next = self.inside_action()?;
        }
    }

    /// Returns whether the closing delimiter carried a trim marker.
    fn at_right_delim(&self) -> Option<bool> {
        let r = self.rest();
        let mut it = r.chars();
        if let (Some(c), Some('-')) = (it.next(), it.next())
            && is_space(c)
            && r[c.len_utf8() + 1..].starts_with("}}")
        {
            return Some(true);
        }
        if r.starts_with("}}") {
            return Some(false);
        }
        None
    }

    fn comment(&mut self) -> Result<bool, LexError> {
        let Some(end) = self.rest().find("*/") else {
            return self.err("unclosed comment");
        };
        self.pos += end + 2;
        match self.at_right_delim() {
            Some(trim) => {
                self.pos += if trim { 4 } else { 2 };
                Ok(trim)
            }
            None => self.err("comment ends before closing delimiter"),
        }
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with("}}"),
        }
    }

    fn inside_action(&mut self) -> Result<bool, LexError> {
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren_depth != 0 {
                    return self.err("unclosed left paren");
                }
                let p = self.pos + if trim { 2 } else { 0 };
                self.emit(Tok::RightDelim, p);
                self.pos += if trim { 4 } else { 2 };
                return Ok(trim);
            }
            let start = self.pos;
            let Some(c) = self.peek() else {
                return self.err("unclosed action");
            };
            match c {
                c if is_space(c) => {
                    // a run of spaces, stopping before a ` -}}` trim marker
                    while let Some(c) = self.peek() {
                        if !is_space(c) || self.at_right_delim().is_some() {
                            break;
                        }
                        self.pos += c.len_utf8();
                    }
                    self.emit(Tok::Space, start);
                }
                '=' => {
                    self.pos += 1;
                    self.emit(Tok::Assign, start);
                }
                ':' => {
                    self.pos += 1;
                    if self.peek() != Some('=') {
                        return self.err("expected :=");
                    }
                    self.pos += 1;
                    self.emit(Tok::Declare, start);
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Tok::Pipe, start);
                }
                '"' => self.quote()?,
                '`' => self.raw_quote()?,
                '\'' => self.char_const()?,
                '$' => self.field_or_var(true)?,
                '.' => {
                    let next = self.rest()[1..].chars().next();
                    if next.is_some_and(|d| d.is_ascii_digit()) {
                        self.number()?;
                    } else {
                        self.field_or_var(false)?;
                    }
                }
                '+' | '-' | '0'..='9' => self.number()?,
                c if is_alnum(c) => self.identifier()?,
                '(' => {
                    self.pos += 1;
                    self.paren_depth += 1;
                    self.emit(Tok::LParen, start);
                }
                ')' => {
                    self.pos += 1;
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.err("unexpected right paren");
                    }
                    self.emit(Tok::RParen, start);
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.pos += 1;
                    self.emit(Tok::Other(c), start);
                }
                c => {
                    return self.err(format!("unrecognized character in action: {}", go_rune(c)));
                }
            }
        }
    }

    fn quote(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') | None => return self.err("unterminated quoted string"),
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('\n') | None => return self.err("unterminated quoted string"),
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        self.emit(Tok::Str(self.src[start..self.pos].to_string()), start);
        Ok(())
    }

    fn raw_quote(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        match self.src[start + 1..].find('`') {
            Some(end) => {
                self.pos = start + 1 + end + 1;
                self.emit(Tok::Str(self.src[start..self.pos].to_string()), start);
                Ok(())
            }
            None => self.err("unterminated raw quoted string"),
        }
    }

    fn char_const(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') | None => return self.err("unterminated character constant"),
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                Some('\n') | None => return self.err("unterminated character constant"),
                Some('\'') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
        self.emit(Tok::Char(self.src[start..self.pos].to_string()), start);
        Ok(())
    }

    fn field_or_var(&mut self, var: bool) -> Result<(), LexError> {
        let start = self.pos;
        self.pos += 1;
        if self.at_terminator() {
            self.emit(
                if var {
                    Tok::Variable("$".into())
                } else {
                    Tok::Dot
                },
                start,
            );
            return Ok(());
        }
        while let Some(c) = self.peek() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return self.err(format!("bad character {}", go_rune(c)));
        }
        let word = &self.src[start..self.pos];
        let tok = if var {
            Tok::Variable(word.to_string())
        } else {
            Tok::Field(word[1..].to_string())
        };
        self.emit(tok, start);
        Ok(())
    }

    fn identifier(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return self.err(format!("bad character {}", go_rune(c)));
        }
        let word = &self.src[start..self.pos];
        let tok = match word {
            "block" => Tok::Keyword(Kw::Block),
            "break" => Tok::Keyword(Kw::Break),
            "continue" => Tok::Keyword(Kw::Continue),
            "define" => Tok::Keyword(Kw::Define),
            "else" => Tok::Keyword(Kw::Else),
            "end" => Tok::Keyword(Kw::End),
            "if" => Tok::Keyword(Kw::If),
            "range" => Tok::Keyword(Kw::Range),
            "nil" => Tok::Keyword(Kw::Nil),
            "template" => Tok::Keyword(Kw::Template),
            "with" => Tok::Keyword(Kw::With),
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            w => Tok::Identifier(w.to_string()),
        };
        self.emit(tok, start);
        Ok(())
    }

    fn accept(&mut self, set: &str) -> bool {
        match self.peek() {
            Some(c) if set.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, set: &str) {
        while self.accept(set) {}
    }

    /// Scans a number the way lex.go's scanNumber does; returns false on bad syntax.
    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            if let Some(c) = self.peek() {
                self.pos += c.len_utf8();
            }
            return false;
        }
        true
    }

    fn number(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        if !self.scan_number() {
            return self.err(format!(
                "bad number syntax: {:?}",
                &self.src[start..self.pos]
            ));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            // complex constant such as 1+2i
            self.scan_number();
            return Err(LexError {
                msg: format!(
                    "complex number constants are not supported: {:?}",
                    &self.src[start..self.pos]
                ),
                pos: start,
            });
        }
        self.emit(Tok::Number(self.src[start..self.pos].to_string()), start);
        Ok(())
    }
}
