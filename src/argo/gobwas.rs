//! The `github.com/gobwas/glob` v0.2.3 dialect behind Argo CD's `util/glob.Match`, used for directory
//! `include`/`exclude` (no separators), `sourceRepos` (separator `/`) and destinations (none).
//!
//! `*` is any run of non-separator characters, `**` any run at all, `?` one non-separator character,
//! `{a,b}` alternatives (nestable), `\` escapes. A class is exactly one range `[a-z]` or one list
//! `[abc]`, either negated with a leading `!`; `[a-z0-9]` does not compile. `,` and `}` are plain
//! characters outside `{}`, an unclosed `{` is closed at the end, a trailing `\` is dropped. A pattern
//! that does not compile never matches, as in Argo CD (which logs a warning).

#[derive(Debug, Clone)]
enum Token {
    Literal(char),
    AnyChar,
    Star,
    SuperStar,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alternatives(Vec<Vec<Token>>),
}

pub fn glob_match(pattern: &str, text: &str, separators: &[char]) -> bool {
    match compile(pattern) {
        Some(tokens) => matches(&tokens, &text.chars().collect::<Vec<_>>(), separators),
        None => false,
    }
}

/// What the gobwas v0.2.3 lexer (`syntax/lexer`) emits; `None` from [`lex`] stands for its error token.
#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Text(Vec<char>),
    Any,
    Super,
    Single,
    Not,
    RangeOpen,
    RangeLo(char),
    RangeHi(char),
    RangeClose,
    TermsOpen,
    Separator,
    TermsClose,
}

/// Lexes like gobwas v0.2.3 (the version Argo CD pins): `,` and `}` are special only inside `{`, so `a}`
/// is a literal; a trailing `\` is dropped; a class is either one `lo-hi` range or a list of characters.
fn lex(chars: &[char]) -> Option<Vec<Lexeme>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut terms = 0usize;
    while let Some(&c) = chars.get(pos) {
        pos += 1;
        match c {
            '{' => {
                terms += 1;
                out.push(Lexeme::TermsOpen);
            }
            ',' if terms > 0 => out.push(Lexeme::Separator),
            '}' if terms > 0 => {
                terms -= 1;
                out.push(Lexeme::TermsClose);
            }
            '[' => {
                out.push(Lexeme::RangeOpen);
                lex_class(chars, &mut pos, &mut out)?;
            }
            '?' => out.push(Lexeme::Single),
            '*' if chars.get(pos) == Some(&'*') => {
                pos += 1;
                out.push(Lexeme::Super);
            }
            '*' => out.push(Lexeme::Any),
            _ => {
                pos -= 1;
                let breakers: &[char] = if terms > 0 {
                    &['?', '*', '[', '{', '}', ',']
                } else {
                    &['?', '*', '[', '{']
                };
                lex_text(chars, &mut pos, breakers, &mut out);
            }
        }
    }
    Some(out)
}

/// After `[`: optional `!`, then `lo-hi` or a run of characters (with `\` escapes), then `]`.
fn lex_class(chars: &[char], pos: &mut usize, out: &mut Vec<Lexeme>) -> Option<()> {
    let mut seen_not = false;
    loop {
        let c = *chars.get(*pos)?;
        *pos += 1;
        if !seen_not && c == '!' {
            seen_not = true;
            out.push(Lexeme::Not);
            continue;
        }
        if chars.get(*pos) == Some(&'-') {
            // The character after `-` is the upper bound whatever it is, even `]`.
            let hi = *chars.get(*pos + 1)?;
            *pos += 2;
            out.push(Lexeme::RangeLo(c));
            out.push(Lexeme::RangeHi(hi));
        } else {
            *pos -= 1;
            lex_text(chars, pos, &[']'], out);
        }
        // Exactly one range or one list per class: anything but `]` now is an error (`[a-z0-9]`).
        return match chars.get(*pos) {
            Some(']') => {
                *pos += 1;
                out.push(Lexeme::RangeClose);
                Some(())
            }
            _ => None,
        };
    }
}

fn lex_text(chars: &[char], pos: &mut usize, breakers: &[char], out: &mut Vec<Lexeme>) {
    let mut data = Vec::new();
    let mut escaped = false;
    while let Some(&c) = chars.get(*pos) {
        if !escaped {
            if c == '\\' {
                escaped = true;
                *pos += 1;
                continue;
            }
            if breakers.contains(&c) {
                break;
            }
        }
        escaped = false;
        data.push(c);
        *pos += 1;
    }
    if !data.is_empty() {
        out.push(Lexeme::Text(data));
    }
}

/// The gobwas v0.2.3 parser (`syntax/ast`): an unclosed `{` is closed at the end of the pattern rather
/// than rejected; a class needs exactly one of a range (`lo <= hi`) or a non-empty list.
fn compile(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let lexemes = lex(&chars)?;
    let mut root = Vec::new();
    // One entry per open `{`: the finished alternatives and the one being read.
    let mut open: Vec<(Vec<Vec<Token>>, Vec<Token>)> = Vec::new();
    let mut iter = lexemes.into_iter();
    while let Some(lexeme) = iter.next() {
        let token = match lexeme {
            Lexeme::Text(text) => {
                let current = open.last_mut().map_or(&mut root, |(_, cur)| cur);
                current.extend(text.into_iter().map(Token::Literal));
                continue;
            }
            Lexeme::Any => Token::Star,
            Lexeme::Super => Token::SuperStar,
            Lexeme::Single => Token::AnyChar,
            Lexeme::RangeOpen => class(&mut iter)?,
            Lexeme::TermsOpen => {
                open.push((Vec::new(), Vec::new()));
                continue;
            }
            Lexeme::Separator => {
                let (done, current) = open.last_mut()?;
                done.push(std::mem::take(current));
                continue;
            }
            Lexeme::TermsClose => {
                let (mut done, current) = open.pop()?;
                done.push(current);
                Token::Alternatives(done)
            }
            Lexeme::Not | Lexeme::RangeLo(_) | Lexeme::RangeHi(_) | Lexeme::RangeClose => {
                return None;
            }
        };
        open.last_mut()
            .map_or(&mut root, |(_, cur)| cur)
            .push(token);
    }
    while let Some((mut done, current)) = open.pop() {
        done.push(current);
        open.last_mut()
            .map_or(&mut root, |(_, cur)| cur)
            .push(Token::Alternatives(done));
    }
    Some(root)
}

fn class(iter: &mut impl Iterator<Item = Lexeme>) -> Option<Token> {
    let (mut negated, mut lo, mut hi, mut list) = (false, '\0', '\0', Vec::new());
    loop {
        match iter.next()? {
            Lexeme::Not => negated = true,
            Lexeme::RangeLo(c) => lo = c,
            Lexeme::RangeHi(c) if c < lo => return None,
            Lexeme::RangeHi(c) => hi = c,
            Lexeme::Text(text) => list = text,
            Lexeme::RangeClose => {
                // gobwas tests `lo != 0 && hi != 0`, so a NUL bound does not make a range.
                let is_range = lo != '\0' && hi != '\0';
                let is_list = !list.is_empty();
                if is_range == is_list {
                    return None;
                }
                let ranges = if is_range {
                    vec![(lo, hi)]
                } else {
                    list.into_iter().map(|c| (c, c)).collect()
                };
                return Some(Token::Class { negated, ranges });
            }
            _ => return None,
        }
    }
}

fn matches(tokens: &[Token], text: &[char], separators: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return text.is_empty();
    };
    match first {
        Token::Star | Token::SuperStar => {
            for taken in 0..=text.len() {
                if matches(rest, &text[taken..], separators) {
                    return true;
                }
                if matches!(first, Token::Star)
                    && text.get(taken).is_some_and(|c| separators.contains(c))
                {
                    break;
                }
            }
            false
        }
        Token::Alternatives(alternatives) => alternatives.iter().any(|alternative| {
            let joined: Vec<Token> = alternative.iter().chain(rest).cloned().collect();
            matches(&joined, text, separators)
        }),
        single => {
            let Some((&c, tail)) = text.split_first() else {
                return false;
            };
            let ok = match single {
                Token::Literal(l) => *l == c,
                Token::AnyChar => !separators.contains(&c),
                Token::Class { negated, ranges } => {
                    ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
                }
                _ => unreachable!(),
            };
            ok && matches(rest, tail, separators)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn without_separators_star_crosses_slashes() {
        assert!(glob_match("*.yaml", "a/b/c.yaml", &[]));
        assert!(glob_match("{config.json,*.yaml}", "config.json", &[]));
        assert!(glob_match("{config.json,*.yaml}", "x/y.yaml", &[]));
        assert!(!glob_match("{config.json,*.yaml}", "x.yml", &[]));
    }

    #[test]
    fn with_separator_star_stops_at_slash() {
        let sep = ['/'];
        assert!(glob_match(
            "https://github.com/org/*",
            "https://github.com/org/repo",
            &sep
        ));
        assert!(!glob_match(
            "https://github.com/*",
            "https://github.com/org/repo",
            &sep
        ));
        assert!(glob_match(
            "https://github.com/**",
            "https://github.com/org/repo",
            &sep
        ));
        assert!(!glob_match(
            "https://github.com/org/?",
            "https://github.com/org//",
            &sep
        ));
    }

    #[test]
    fn classes_negate_with_bang() {
        assert!(glob_match("[!a]", "b", &[]));
        assert!(!glob_match("[!a]", "a", &[]));
        assert!(glob_match("pr-[0-9]*", "pr-12", &[]));
    }

    #[test]
    fn malformed_patterns_never_match() {
        assert!(!glob_match("[a", "a", &[]));
        assert!(!glob_match("[]", "]", &[]));
        assert!(!glob_match("[!]", "x", &[]));
        assert!(!glob_match("[a-", "a", &[]));
    }

    #[test]
    fn braces_and_commas_outside_terms_are_literal() {
        // gobwas v0.2.3 lexes `}` and `,` as text unless a `{` is open.
        assert!(glob_match("a}", "a}", &[]));
        assert!(glob_match("a,b", "a,b", &[]));
        assert!(glob_match("{a,b}}", "b}", &[]));
    }

    #[test]
    fn unclosed_terms_close_at_the_end() {
        assert!(glob_match("{a,b", "a", &[]));
        assert!(glob_match("x{a,b", "xb", &[]));
        assert!(!glob_match("x{a,b", "x{a,b", &[]));
    }

    #[test]
    fn escapes() {
        assert!(glob_match("a\\*", "a*", &[]));
        assert!(!glob_match("a\\*", "ab", &[]));
        assert!(glob_match("\\{a\\}", "{a}", &[]));
        // A trailing backslash is silently dropped.
        assert!(glob_match("ab\\", "ab", &[]));
        assert!(glob_match("[\\]]", "]", &[]));
    }

    #[test]
    fn a_class_is_one_range_or_one_list() {
        assert!(glob_match("[a-c]", "b", &[]));
        assert!(glob_match("[!a-c]", "d", &[]));
        assert!(!glob_match("[!a-c]", "b", &[]));
        // Two ranges, or a range after list characters, are not gobwas syntax.
        assert!(!glob_match("[a-z0-9]", "a", &[]));
        assert!(!glob_match("[a-z0-9]*", "a1", &[]));
        // `[abc-e]` is a list: a, b, c, '-', e (no range c-e).
        assert!(glob_match("[abc-e]", "-", &[]));
        assert!(!glob_match("[abc-e]", "d", &[]));
        // A reversed range does not compile, so even its negation matches nothing.
        assert!(!glob_match("[!z-a]", "m", &[]));
        // `!` negates only in first position.
        assert!(glob_match("[a!]", "!", &[]));
        assert!(glob_match("[!!]", "a", &[]));
        assert!(!glob_match("[!!]", "!", &[]));
    }

    #[test]
    fn classes_match_separators() {
        // Unlike `?` and `*`, a class does not exclude separators.
        assert!(glob_match("a[!b]c", "a/c", &['/']));
        assert!(!glob_match("a?c", "a/c", &['/']));
    }
}
