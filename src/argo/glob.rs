//! Go's `path/filepath.Match`, which Argo CD uses for AppProject resource lists
//! (`pkg/apis/application/v1alpha1/app_project_types.go`, `isResourceInList`).
//!
//! Case-sensitive, whole-string; `*` is any run of non-`/` characters, `?` one non-`/` character,
//! `[...]` a class negated only by `^` (`[!a]` means `!` or `a`), `\` escapes. There is no `**` and no
//! `{a,b}`. A malformed pattern never matches: Argo ignores `filepath.Match`'s error.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(char),
    AnyChar,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Reports whether `name` matches the Go `filepath.Match` pattern `pattern` (false for a bad pattern).
pub fn filepath_match(pattern: &str, name: &str) -> bool {
    match compile(pattern) {
        Some(tokens) => matches(&tokens, &name.chars().collect::<Vec<_>>()),
        None => false,
    }
}

/// Whether Go's `filepath.Match` would reject `pattern` as malformed.
pub fn is_bad_pattern(pattern: &str) -> bool {
    compile(pattern).is_none()
}

fn compile(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => tokens.push(Token::Star),
            '?' => tokens.push(Token::AnyChar),
            '\\' => {
                i += 1;
                tokens.push(Token::Literal(*chars.get(i)?));
            }
            '[' => {
                i += 1;
                let negated = chars.get(i) == Some(&'^');
                if negated {
                    i += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    if chars.get(i) == Some(&']') && !ranges.is_empty() {
                        break;
                    }
                    let (lo, next) = class_char(&chars, i)?;
                    i = next;
                    let hi = if chars.get(i) == Some(&'-') {
                        let (hi, next) = class_char(&chars, i + 1)?;
                        i = next;
                        hi
                    } else {
                        lo
                    };
                    ranges.push((lo, hi));
                }
                tokens.push(Token::Class { negated, ranges });
            }
            c => tokens.push(Token::Literal(c)),
        }
        i += 1;
    }
    Some(tokens)
}

/// One (possibly escaped) character inside a class; `-` and `]` unescaped are malformed there.
fn class_char(chars: &[char], i: usize) -> Option<(char, usize)> {
    match *chars.get(i)? {
        '-' | ']' => None,
        '\\' => Some((*chars.get(i + 1)?, i + 2)),
        c => Some((c, i + 1)),
    }
}

fn matches(tokens: &[Token], name: &[char]) -> bool {
    match tokens.split_first() {
        None => name.is_empty(),
        Some((Token::Star, rest)) => {
            // A star consumes any run of non-separator characters; try the shortest first.
            for taken in 0..=name.len() {
                if matches(rest, &name[taken..]) {
                    return true;
                }
                if name.get(taken) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Some((token, rest)) => {
            let Some((&c, tail)) = name.split_first() else {
                return false;
            };
            let ok = match token {
                Token::Literal(l) => *l == c,
                Token::AnyChar => c != '/',
                Token::Class { negated, ranges } => {
                    ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
                }
                Token::Star => unreachable!(),
            };
            ok && matches(rest, tail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::filepath_match as m;

    #[test]
    fn stars_and_question_marks() {
        assert!(m("*", "Deployment"));
        assert!(m("*", ""));
        assert!(m("Deploy*", "Deployment"));
        assert!(m("*ment", "Deployment"));
        assert!(m("D?ployment", "Deployment"));
        assert!(!m("D?ployment", "Dployment"));
        assert!(!m("*", "a/b"), "star does not cross a separator");
        assert!(!m("a?b", "a/b"));
    }

    #[test]
    fn case_sensitive_whole_string() {
        assert!(!m("deployment", "Deployment"));
        assert!(!m("Deploy", "Deployment"));
        assert!(!m("ment", "Deployment"));
    }

    #[test]
    fn classes_negate_with_caret_only() {
        assert!(m("[^a]", "b"));
        assert!(!m("[^a]", "a"));
        // `!` is an ordinary character in Go's filepath.Match.
        assert!(m("[!a]", "!"));
        assert!(m("[!a]", "a"));
        assert!(!m("[!a]", "b"));
        assert!(m("[a-c]x", "bx"));
        assert!(!m("[a-c]x", "dx"));
        assert!(m("[\\]]", "]"));
    }

    #[test]
    fn escapes_and_braces_are_literal() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("{a,b}", "{a,b}"));
        assert!(!m("{a,b}", "a"));
        assert!(m("**", "abc"), "** is two stars, still within one segment");
        assert!(!m("**", "a/b"));
    }

    #[test]
    fn malformed_patterns_never_match() {
        assert!(!m("[", "["));
        assert!(!m("[]", "]"));
        assert!(!m("[a", "a"));
        assert!(!m("a\\", "a"));
        assert!(!m("[-a]", "a"));
        assert!(super::is_bad_pattern("[z-"));
        assert!(!super::is_bad_pattern("*.k8s.io"));
    }

    #[test]
    fn groups() {
        assert!(m("", ""), "core group is the empty string");
        assert!(!m("core", ""));
        assert!(!m("v1", ""));
        assert!(m("*", ""));
        assert!(!m("*.k8s.io", ""));
        assert!(m("*.k8s.io", "networking.k8s.io"));
    }
}
