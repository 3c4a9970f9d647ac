//! YAML with positions. The only module that touches a YAML library: everything else reads [`Node`]s,
//! which remember the line and column they came from, so every finding can point at its source.
//!
//! Scalars keep their text, whether they were quoted and their tag. Typing follows Kubernetes' YAML
//! (`sigs.k8s.io/yaml` over go-yaml v2, YAML 1.1: see [`resolve`]) only where a caller asks for it:
//! [`Node::typed`], [`Node::as_bool`], [`Node::is_null`] and [`Node::to_json`].

mod resolve;

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

pub use resolve::{Scalar, decode_base64};

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
    Scalar {
        text: String,
        quoted: bool,
        /// The full tag (`tag:yaml.org,2002:str` for `!!str`), if the scalar has one.
        tag: Option<String>,
    },
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

/// [`parse_documents`] of a part of a file that starts on line `first_line`: positions are the
/// file's. For documents a caller split off itself (Kubernetes' `YAMLReader`, a JSON stream).
pub fn parse_documents_at(text: &str, first_line: u32) -> Result<Vec<Document>, YamlError> {
    let shift = first_line.saturating_sub(1);
    let mut docs = parse_documents(text).map_err(|mut e| {
        e.line += shift;
        e
    })?;
    if shift > 0 {
        for doc in &mut docs {
            doc.start_line += shift;
            doc.root.shift_lines(shift);
        }
    }
    Ok(docs)
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
            Event::Scalar(text, style, anchor, tag) => {
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
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
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
                tag: None,
            },
            line: 0,
            col: 0,
            end_line: 0,
        }
    }

    /// A JSON value as a node, every part of it at `line`: strings quoted, numbers, booleans and
    /// null plain, so that [`Node::to_json`] gives the value back.
    pub fn from_json(value: &serde_json::Value, line: u32) -> Node {
        let scalar = |text: String, quoted: bool| Value::Scalar {
            text,
            quoted,
            tag: None,
        };
        let value = match value {
            serde_json::Value::Null => scalar("null".into(), false),
            serde_json::Value::Bool(b) => scalar(b.to_string(), false),
            serde_json::Value::Number(n) => scalar(n.to_string(), false),
            serde_json::Value::String(s) => scalar(s.clone(), true),
            serde_json::Value::Array(items) => {
                Value::Seq(items.iter().map(|i| Node::from_json(i, line)).collect())
            }
            serde_json::Value::Object(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        (
                            Node::from_json(&serde_json::Value::String(k.clone()), line),
                            Node::from_json(v, line),
                        )
                    })
                    .collect(),
            ),
        };
        Node {
            value,
            line,
            col: 1,
            end_line: line,
        }
    }

    fn shift_lines(&mut self, by: u32) {
        self.line += by;
        self.end_line += by;
        match &mut self.value {
            Value::Scalar { .. } => {}
            Value::Seq(items) => items.iter_mut().for_each(|n| n.shift_lines(by)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.shift_lines(by);
                v.shift_lines(by);
            }),
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

    /// The key node and value node that give the JSON key `key` its value in [`Node::to_json`]
    /// (keys typed as go-yaml v2 types them, a later key winning, `<<` merges followed): for
    /// pointing at what a JSON path names.
    pub fn json_entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => resolve::json_entry(entries, key),
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

    /// Null as go-yaml v2 reads it: a plain `~`, `null`, `Null`, `NULL` or nothing (or `!!null`).
    pub fn is_null(&self) -> bool {
        match &self.value {
            // What `typed` says, without resolving every other plain scalar on the way.
            Value::Scalar {
                text,
                quoted: false,
                tag: None,
            } => matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"),
            Value::Scalar { tag: Some(_), .. } => matches!(self.typed(), Some(Scalar::Null)),
            _ => false,
        }
    }

    /// A YAML 1.1 boolean, as Kubernetes' YAML decoder reads it: `true`, `yes`, `on`, `y` and their
    /// negations `false`, `no`, `off`, `n`, each in lower, title or upper case, unquoted.
    pub fn as_bool(&self) -> Option<bool> {
        match self.typed()? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// A scalar typed like go-yaml v2 decoding into `interface{}` (resolve.go `resolve`): nothing
    /// for sequences and mappings, or for a scalar whose explicit tag does not fit its text.
    pub fn typed(&self) -> Option<Scalar<'_>> {
        match &self.value {
            Value::Scalar { text, quoted, tag } => {
                resolve::scalar(text, *quoted, tag.as_deref()).ok()
            }
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

    /// Converts to JSON as `sigs.k8s.io/yaml` does (`YAMLToJSON`): go-yaml v2 typing (YAML 1.1
    /// booleans, octal, hex, binary, `_` separators), keys as strings, `<<` merges. What JSON cannot
    /// hold (`.inf`, `.nan`, a null key) is an error at that node, as it is in Go.
    pub fn to_json(&self) -> Result<serde_json::Value, YamlError> {
        resolve::to_json(self, false)
    }

    /// [`Node::to_json`] that keeps what JSON cannot hold as its text instead of failing: for
    /// comparing objects, never for what Argo CD or Helm reads.
    pub fn to_json_lossy(&self) -> serde_json::Value {
        resolve::to_json(self, true).unwrap_or_default()
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

    // go-yaml v2 decode.go `mapping`/`merge` as `to_json` follows them: a typed key (`on` is
    // "true"), the later of two keys, and a merged key unless a direct one follows the merge.
    #[test]
    fn json_entries_are_the_ones_to_json_keeps() {
        let root = parse_documents(
            "base: &b {x: 1, v: 1}\nm:\n  x: 0\n  <<: [*b, {v: 2, z: 2}]\n  v: 3\non: a\non: b\n",
        )
        .unwrap()
        .remove(0)
        .root;
        let m = root.get("m").unwrap();
        let line = |key: &str| m.json_entry(key).map(|(k, _)| k.line);
        assert_eq!(line("x"), Some(1), "the merge follows x: 0");
        assert_eq!(line("v"), Some(5));
        assert_eq!(line("z"), Some(4));
        assert_eq!(line("w"), None);
        assert_eq!(
            root.json_entry("true").map(|(_, v)| v.text()),
            Some("b".into())
        );
        assert_eq!(m.to_json().unwrap()["x"], 1);
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
        let docs = parse_documents(
            "i: 3\nf: 1.5\nb: true\ns: '3'\nnone: ~\nv: v1\noctal: 010\nyes: on\nn: 1\n",
        )
        .unwrap();
        let json = docs[0].root.to_json().unwrap();
        assert_eq!(
            json,
            // go-yaml v2 typing: `010` is octal, `on` true, and the keys `yes` and `n` are booleans.
            serde_json::json!({"i": 3, "f": 1.5, "b": true, "s": "3", "none": null, "v": "v1",
                               "octal": 8, "true": true, "false": 1})
        );
    }

    #[test]
    fn documents_of_a_part_keep_the_file_lines() {
        let docs = parse_documents_at("a: 1\nb:\n  c: 2\n", 10).unwrap();
        assert_eq!(docs[0].start_line, 10);
        assert_eq!(docs[0].root.at(&["b", "c"]).unwrap().line, 12);
        assert_eq!(parse_documents_at("a: [\n", 5).unwrap_err().line, 6);
    }

    #[test]
    fn json_values_round_trip_through_nodes() {
        let value = serde_json::json!({"a": [1, 2.5, "x", true, null], "b": {"c": "010"}});
        let node = Node::from_json(&value, 3);
        assert_eq!(node.to_json().unwrap(), value);
        assert_eq!(node.at(&["b", "c"]).unwrap().line, 3);
    }

    #[test]
    fn anchors_and_aliases_resolve() {
        let docs = parse_documents("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(docs[0].root.at(&["b", "k"]).unwrap().as_str(), Some("v"));
    }
}
