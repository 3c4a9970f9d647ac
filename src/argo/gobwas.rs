//! The `github.com/gobwas/glob` dialect behind Argo CD's `util/glob.Match`, used for directory
//! `include`/`exclude` (no separators), `sourceRepos` (separator `/`) and destinations (none).
//!
//! `*` is any run of non-separator characters, `**` any run at all, `?` one non-separator character,
//! `[abc]`, `[a-z]`, `[!a]` classes, `{a,b}` alternatives (nestable), `\` escapes. A pattern that does
//! not compile never matches, as in Argo CD.

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
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    match parse(&chars, &mut pos, false) {
        Some(tokens) if pos == chars.len() => {
            matches(&tokens, &text.chars().collect::<Vec<_>>(), separators)
        }
        _ => false,
    }
}

/// Parses until the end, or (inside `{}`) until `,` or `}`, which are left for the caller.
fn parse(chars: &[char], pos: &mut usize, in_braces: bool) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    while let Some(&c) = chars.get(*pos) {
        match c {
            ',' | '}' if in_braces => return Some(tokens),
            '}' => return None,
            '*' if chars.get(*pos + 1) == Some(&'*') => {
                tokens.push(Token::SuperStar);
                *pos += 2;
            }
            '*' => {
                tokens.push(Token::Star);
                *pos += 1;
            }
            '?' => {
                tokens.push(Token::AnyChar);
                *pos += 1;
            }
            '\\' => {
                tokens.push(Token::Literal(*chars.get(*pos + 1)?));
                *pos += 2;
            }
            '[' => {
                *pos += 1;
                let negated = chars.get(*pos) == Some(&'!');
                if negated {
                    *pos += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    let c = *chars.get(*pos)?;
                    if c == ']' {
                        *pos += 1;
                        break;
                    }
                    if chars.get(*pos + 1) == Some(&'-')
                        && chars.get(*pos + 2).is_some_and(|&h| h != ']')
                    {
                        ranges.push((c, chars[*pos + 2]));
                        *pos += 3;
                    } else {
                        ranges.push((c, c));
                        *pos += 1;
                    }
                }
                if ranges.is_empty() {
                    return None;
                }
                tokens.push(Token::Class { negated, ranges });
            }
            '{' => {
                *pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.push(parse(chars, pos, true)?);
                    match chars.get(*pos)? {
                        ',' => *pos += 1,
                        '}' => {
                            *pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                tokens.push(Token::Alternatives(alternatives));
            }
            c => {
                tokens.push(Token::Literal(c));
                *pos += 1;
            }
        }
    }
    if in_braces { None } else { Some(tokens) }
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
        assert!(!glob_match("{a,b", "a", &[]));
        assert!(!glob_match("[a", "a", &[]));
        assert!(!glob_match("a}", "a}", &[]));
    }
}
