//! YAML with positions. The only module that touches a YAML library: everything else reads [`Node`]s,
//! which remember the line and column they came from, so every finding can point at its source.
//!
//! Scalars keep their text and whether they were quoted; typing follows Kubernetes' YAML (go-yaml v2,
//! YAML 1.1 booleans included) only where a caller asks for it.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// 1-based line of the node's first character.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// 1-based line of the node's last character.
    pub end_line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar { text: String, quoted: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// A parsed document and the 1-based line it starts on (its `---`, or its first content line).
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    pub start_line: u32,
}

/// Parses every document of a (multi-document) YAML stream. Empty documents are skipped.
pub fn parse_documents(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| YamlError {
            line: e.marker().line() as u32,
            col: e.marker().col() as u32 + 1,
            message: e.info().to_string(),
        })?;
        let (line, col) = (span.start.line() as u32, span.start.col() as u32 + 1);
        let end_line = span.end.line() as u32;
        builder.event(event, line, col, end_line)?;
    }
    Ok(builder.documents)
}

#[derive(Default)]
struct Builder {
    documents: Vec<Document>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    doc_start: u32,
    doc_has_content: bool,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        line: u32,
        col: u32,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        line: u32,
        col: u32,
        anchor: usize,
    },
}

impl Builder {
    fn event(
        &mut self,
        event: Event<'_>,
        line: u32,
        col: u32,
        end_line: u32,
    ) -> Result<(), YamlError> {
        match event {
            Event::DocumentStart(_) => {
                self.doc_start = line;
                self.doc_has_content = false;
            }
            Event::Scalar(text, style, anchor, _tag) => {
                let quoted = !matches!(style, ScalarStyle::Plain);
                // Block scalars end on the line after their last content line.
                let end_line = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    end_line.saturating_sub(1).max(line)
                } else {
                    end_line.max(line)
                };
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        quoted,
                    },
                    line,
                    col,
                    end_line,
                };
                self.finish(node, anchor);
            }
            Event::Alias(id) => {
                let mut node = self.anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    line,
                    col,
                    message: "alias refers to an unknown anchor".into(),
                })?;
                node.line = line;
                node.col = col;
                node.end_line = line;
                self.finish(node, 0);
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    line,
                    col,
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    line,
                    col,
                    anchor,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    line: l,
                    col: c,
                    anchor,
                }) = self.stack.pop()
                {
                    let end = items.last().map_or(l, |n| n.end_line);
                    self.finish(
                        Node {
                            value: Value::Seq(items),
                            line: l,
                            col: c,
                            end_line: end,
                        },
                        anchor,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    line: l,
                    col: c,
                    anchor,
                    ..
                }) = self.stack.pop()
                {
                    let end = entries.last().map_or(l, |(_, v)| v.end_line);
                    self.finish(
                        Node {
                            value: Value::Map(entries),
                            line: l,
                            col: c,
                            end_line: end,
                        },
                        anchor,
                    );
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => {
                if !node.is_null() || matches!(node.value, Value::Scalar { quoted: true, .. }) {
                    let start_line = if self.doc_has_content {
                        node.line
                    } else {
                        self.doc_start.min(node.line).max(1)
                    };
                    self.doc_has_content = true;
                    self.documents.push(Document {
                        root: node,
                        start_line,
                    });
                }
            }
        }
    }
}

impl Node {
    pub fn scalar(text: &str) -> Node {
        Node {
            value: Value::Scalar {
                text: text.to_string(),
                quoted: true,
            },
            line: 0,
            col: 0,
            end_line: 0,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The text of a non-null scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// Like [`Node::as_str`] but owned, with the empty string for null or non-scalars.
    pub fn text(&self) -> String {
        self.as_str().unwrap_or_default().to_string()
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A YAML 1.1 boolean, as Kubernetes' YAML decoder reads it.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => match text.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y"
                | "Y" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
                | "N" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Items of a sequence; nothing for null or any other node.
    pub fn items(&self) -> &[Node] {
        self.as_seq().unwrap_or_default()
    }

    /// Converts to JSON with Kubernetes-style scalar typing (plain scalars may be null, bool, int, float).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Scalar { text, quoted: true } => J::String(text.clone()),
            Value::Scalar {
                text,
                quoted: false,
            } => {
                if self.is_null() {
                    J::Null
                } else if let Some(b) = self.as_bool().filter(|_| {
                    matches!(
                        text.as_str(),
                        "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
                    )
                }) {
                    J::Bool(b)
                } else if let Ok(i) = text.parse::<i64>() {
                    J::from(i)
                } else if let Some(f) = parse_yaml_float(text) {
                    serde_json::Number::from_f64(f).map_or(J::String(text.clone()), J::Number)
                } else {
                    J::String(text.clone())
                }
            }
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Finds the first line at or below this node where `key:` maps to `value` (used to point at a
    /// `namespace:` or `kind:` line).
    pub fn find_entry_line(&self, key: &str, value: &str) -> Option<u32> {
        match &self.value {
            Value::Map(entries) => entries.iter().find_map(|(k, v)| {
                if k.as_str() == Some(key) && v.as_str() == Some(value) {
                    Some(k.line)
                } else {
                    v.find_entry_line(key, value)
                }
            }),
            Value::Seq(items) => items.iter().find_map(|n| n.find_entry_line(key, value)),
            Value::Scalar { .. } => None,
        }
    }
}

fn parse_yaml_float(text: &str) -> Option<f64> {
    let looks_numeric = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'))
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'));
    if looks_numeric {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_and_items() {
        let docs =
            parse_documents("a: 1\nlist:\n  - group: ''\n    kind: Service\n  - kind: Pod\n")
                .unwrap();
        let root = &docs[0].root;
        let items = root.get("list").unwrap().items();
        assert_eq!(items[0].line, 3);
        assert_eq!(items[0].col, 5);
        assert_eq!(items[1].get("kind").unwrap().line, 5);
        assert_eq!(items[0].get("group").unwrap().as_str(), Some(""));
    }

    #[test]
    fn multiple_documents_and_empty_ones() {
        let docs =
            parse_documents("---\n# only a comment\n---\nkind: A\n---\n---\nkind: B\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].root.get("kind").unwrap().as_str(), Some("A"));
        assert_eq!(docs[1].root.get("kind").unwrap().line, 7);
    }

    #[test]
    fn errors_carry_a_line() {
        let err = parse_documents("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn null_versus_empty_list() {
        let docs = parse_documents("a:\nb: []\nc: null\n").unwrap();
        let root = &docs[0].root;
        assert!(root.get("a").unwrap().is_null());
        assert_eq!(root.get("b").unwrap().as_seq().map(<[Node]>::len), Some(0));
        assert!(root.get("c").unwrap().is_null());
    }

    #[test]
    fn json_typing_follows_kubernetes() {
        let docs = parse_documents("i: 3\nf: 1.5\nb: true\ns: '3'\nn: ~\nv: v1\n").unwrap();
        let json = docs[0].root.to_json();
        assert_eq!(
            json,
            serde_json::json!({"i": 3, "f": 1.5, "b": true, "s": "3", "n": null, "v": "v1"})
        );
    }

    #[test]
    fn anchors_and_aliases_resolve() {
        let docs = parse_documents("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(docs[0].root.at(&["b", "k"]).unwrap().as_str(), Some("v"));
    }
}
