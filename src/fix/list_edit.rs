//! Line-level edits of AppProject resource whitelists.
//!
//! The file is never re-serialised: untouched lines are copied byte for byte, so comments, key
//! order, indentation, quoting and line endings survive. A removed entry loses exactly the lines
//! of its list item; comment lines around it stay, since they may describe a neighbour. A new entry
//! copies the list's own style (indentation, `- {…}` or block items, key order, quotes) and goes
//! after the last item, or into its sorted place when the list is sorted by group and kind.
//! Every result is parsed again and must mean exactly the intended lists, else nothing is edited.

use std::collections::BTreeMap;

use crate::edit::Entry;
use crate::yaml::{Node, Value, parse_documents};

/// What to change in one list of one AppProject.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListChanges {
    pub add: Vec<Entry>,
    /// Lines on which the list items to delete start (their `ResourceEntry` location).
    pub remove: Vec<u32>,
}

/// Changes to the AppProject whose `metadata.name` is on `name_line`.
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub name_line: u32,
    /// `spec.<key>` → its changes.
    pub lists: BTreeMap<String, ListChanges>,
}

/// The edited text, or why the file has to be edited by hand.
pub fn apply(text: &str, projects: &[ProjectChanges]) -> Result<String, String> {
    let docs = parse_documents(text).map_err(|e| format!("line {}: {e}", e.line))?;
    let file = Lines::new(text);
    let mut ops = Vec::new();
    let mut targets = Vec::new();
    for project in projects {
        let index = docs
            .iter()
            .position(|d| {
                d.root.at(&["metadata", "name"]).map(|n| n.line) == Some(project.name_line)
            })
            .ok_or_else(|| format!("no AppProject is named on line {}", project.name_line))?;
        let spec = docs[index]
            .root
            .get("spec")
            .filter(|s| s.as_map().is_some() && file.char_at(s) != Some('{'))
            .ok_or("spec is not a block mapping")?;
        // Lists that exist come first: a new key inserted at the same place must follow their items.
        let mut keys: Vec<&String> = project.lists.keys().collect();
        keys.sort_by_key(|k| spec.get(k).is_none());
        for key in keys {
            edit_list(&file, spec, key, &project.lists[key], &mut ops)?;
        }
        targets.push((index, project));
    }
    let edited = file.render(&ops);
    verify(text, &edited, &targets)?;
    Ok(edited)
}

/// The original lines, each with its own terminator.
struct Lines<'a> {
    lines: Vec<&'a str>,
    eol: &'static str,
}

enum Op {
    /// New lines before original line `at` (0-based; `len` = at the end).
    Insert { at: usize, lines: Vec<String> },
    /// Original lines `from..to` (0-based) go.
    Delete { from: usize, to: usize },
    /// Original line `line` (0-based) gets new content; its terminator stays.
    Replace { line: usize, text: String },
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let eol = if lines.first().is_some_and(|l| l.ends_with("\r\n")) {
            "\r\n"
        } else {
            "\n"
        };
        Lines { lines, eol }
    }

    /// Line `n` (1-based) without its terminator.
    fn text(&self, n: u32) -> &'a str {
        let line = (n as usize)
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or_default();
        line.trim_end_matches('\n').trim_end_matches('\r')
    }

    fn terminator(&self, index: usize) -> &'a str {
        let line = self.lines[index];
        &line[line.trim_end_matches(['\n', '\r']).len()..]
    }

    /// The source character a node starts with (a quote, `[`, `{`, or the text itself).
    fn char_at(&self, node: &Node) -> Option<char> {
        self.text(node.line).chars().nth(node.col as usize - 1)
    }

    /// Byte offset of a 1-based character column on line `n`.
    fn byte_at(&self, n: u32, col: u32) -> usize {
        let text = self.text(n);
        text.char_indices()
            .nth(col as usize - 1)
            .map_or(text.len(), |(i, _)| i)
    }

    fn render(&self, ops: &[Op]) -> String {
        let mut out = String::new();
        let insert_at = |out: &mut String, at: usize| {
            for op in ops {
                if let Op::Insert { at: a, lines } = op {
                    if *a == at {
                        if !out.is_empty() && !out.ends_with('\n') {
                            out.push_str(self.eol);
                        }
                        for line in lines {
                            out.push_str(line);
                            out.push_str(self.eol);
                        }
                    }
                }
            }
        };
        for (i, line) in self.lines.iter().enumerate() {
            insert_at(&mut out, i);
            if ops
                .iter()
                .any(|op| matches!(op, Op::Delete { from, to } if (*from..*to).contains(&i)))
            {
                continue;
            }
            match ops.iter().find_map(|op| match op {
                Op::Replace { line, text } if *line == i => Some(text),
                _ => None,
            }) {
                Some(text) => {
                    out.push_str(text);
                    out.push_str(self.terminator(i));
                }
                None => out.push_str(line),
            }
        }
        insert_at(&mut out, self.lines.len());
        out
    }
}

/// How a list writes its items.
#[derive(Debug, Clone, PartialEq)]
struct Style {
    /// Spaces before the `-`.
    dash_indent: usize,
    /// Spaces between the `-` and the first key.
    gap: usize,
    /// `- {group: …, kind: …}` items.
    flow: bool,
    kind_first: bool,
    /// Quote of the core group `""`/`''`.
    empty_quote: char,
    /// Quote of other groups and of kinds, when the list quotes them.
    group_quote: Option<char>,
    kind_quote: Option<char>,
}

impl Style {
    /// The style of a block list's items; `None` for an empty or unusual list.
    fn of(file: &Lines, items: &[Node]) -> Option<Style> {
        let first = items.first()?;
        let (dash_line, before) = dash_of(file, first)?;
        let dash = before.rfind('-')?;
        let gap = if dash_line == first.line {
            before.len() - dash - 1
        } else {
            1
        };
        let mut empty_quote = None;
        let mut quoted: BTreeMap<(&str, Option<char>), usize> = BTreeMap::new();
        for item in items {
            for (key, value) in item.as_map().unwrap_or_default() {
                let Some(field @ ("group" | "kind")) = key.as_str() else {
                    continue;
                };
                let quote = match value.value {
                    Value::Scalar { quoted: true, .. } => file.char_at(value),
                    _ => None,
                }
                .filter(|c| matches!(c, '\'' | '"'));
                if value.as_str() == Some("") {
                    empty_quote = empty_quote.or(quote);
                } else {
                    *quoted.entry((field, quote)).or_default() += 1;
                }
            }
        }
        // The quote most non-empty values of a field use (plain when tied).
        let usual = |field: &str| {
            quoted
                .iter()
                .filter(|((f, _), _)| *f == field)
                .max_by_key(|((_, q), n)| (**n, q.is_none()))
                .and_then(|((_, q), _)| *q)
        };
        Some(Style {
            dash_indent: before[..dash].chars().count(),
            gap,
            flow: file.char_at(first) == Some('{'),
            kind_first: first
                .as_map()
                .and_then(|m| m.first())
                .and_then(|(k, _)| k.as_str())
                == Some("kind"),
            empty_quote: empty_quote.unwrap_or('\''),
            group_quote: usual("group"),
            kind_quote: usual("kind"),
        })
    }

    fn render(&self, entry: &Entry) -> Vec<String> {
        let group = scalar(&entry.group, self.group_quote, self.empty_quote);
        let kind = scalar(&entry.kind, self.kind_quote, self.empty_quote);
        let mut fields = vec![("group", group), ("kind", kind)];
        if self.kind_first {
            fields.swap(0, 1);
        }
        if let Some(name) = &entry.name {
            fields.push(("name", scalar(name, self.kind_quote, self.empty_quote)));
        }
        let dash = format!("{}-", " ".repeat(self.dash_indent));
        if self.flow {
            let inner: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            return vec![format!("{dash} {{{}}}", inner.join(", "))];
        }
        let pad = " ".repeat(self.dash_indent + 1 + self.gap);
        fields
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                if i == 0 {
                    format!("{dash}{}{k}: {v}", " ".repeat(self.gap))
                } else {
                    format!("{pad}{k}: {v}")
                }
            })
            .collect()
    }
}

/// The line holding an item's `-` and the text before the item on it (`-` alone on the line
/// before the item counts too).
fn dash_of<'a>(file: &Lines<'a>, item: &Node) -> Option<(u32, &'a str)> {
    let before = &file.text(item.line)[..file.byte_at(item.line, item.col)];
    if before.trim_start().starts_with('-') {
        return Some((item.line, before));
    }
    let previous = file.text(item.line.checked_sub(1)?);
    (before.trim().is_empty() && previous.trim() == "-").then_some((item.line - 1, previous))
}

/// A scalar as the list writes it: quoted like its neighbours, else plain when YAML reads it back
/// as the same string, else single-quoted.
fn scalar(value: &str, quote: Option<char>, empty_quote: char) -> String {
    let quote = if value.is_empty() {
        Some(empty_quote)
    } else if quote.is_none() && !plain_is_safe(value) {
        Some('\'')
    } else {
        quote
    };
    match quote {
        Some('"') => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
        Some(_) => format!("'{}'", value.replace('\'', "''")),
        None => value.to_string(),
    }
}

fn plain_is_safe(value: &str) -> bool {
    let words = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
        && !words.contains(&value.to_ascii_lowercase().as_str())
}

/// Indentation from a key to the `-` of its block list, as other lists of the spec write it.
fn list_offset(file: &Lines, spec: &Node) -> usize {
    spec.as_map()
        .unwrap_or_default()
        .iter()
        .filter(|(_, v)| file.char_at(v) != Some('['))
        .find_map(|(k, v)| {
            let first = v.as_seq()?.first()?;
            let (_, before) = dash_of(file, first)?;
            let dash = before.rfind('-')?;
            let dash_col = before[..dash].chars().count();
            dash_col.checked_sub(k.col as usize - 1)
        })
        .unwrap_or(2)
}

/// The style for a list that has no items yet: another resource list's, at this key's indent.
fn borrowed_style(file: &Lines, spec: &Node, key_indent: usize) -> Style {
    let lists = [
        "namespaceResourceWhitelist",
        "clusterResourceWhitelist",
        "namespaceResourceBlacklist",
        "clusterResourceBlacklist",
    ];
    let other = lists.iter().find_map(|key| {
        let (k, v) = spec.entry(key)?;
        if file.char_at(v) == Some('[') {
            return None;
        }
        let style = Style::of(file, v.as_seq()?)?;
        let offset = style.dash_indent.checked_sub(k.col as usize - 1)?;
        Some((style, offset))
    });
    let (base, offset) = other.unwrap_or_else(|| {
        let style = Style {
            dash_indent: 0,
            gap: 1,
            flow: false,
            kind_first: false,
            empty_quote: '\'',
            group_quote: None,
            kind_quote: None,
        };
        (style, list_offset(file, spec))
    });
    Style {
        dash_indent: key_indent + offset,
        ..base
    }
}

/// The byte just after the colon of a `key:` on the key's line.
fn after_colon(file: &Lines, key_node: &Node, key: &str) -> Result<usize, String> {
    let text = file.text(key_node.line);
    let key_end = (file.byte_at(key_node.line, key_node.col) + key.len()).min(text.len());
    text[key_end..]
        .find(':')
        .map(|c| key_end + c + 1)
        .ok_or_else(|| format!("no colon after {key}"))
}

/// The `key:` line with its value (`[]`, `~`, `null`) dropped and an end comment kept.
fn without_value(line: &str, value_at: usize) -> Result<String, String> {
    let (head, rest) = line.split_at(value_at);
    let rest = rest.trim_start();
    let after = if let Some(r) = rest.strip_prefix('[') {
        r.trim_start()
            .strip_prefix(']')
            .ok_or("a flow list spans several lines")?
    } else if let Some(r) = rest.strip_prefix('~') {
        r
    } else if let Some(r) = ["null", "Null", "NULL"]
        .iter()
        .find_map(|w| rest.strip_prefix(w))
    {
        r
    } else {
        rest
    };
    if !after.trim().is_empty() && !after.trim_start().starts_with('#') {
        return Err(format!(
            "unexpected text after the value: `{}`",
            after.trim()
        ));
    }
    let head = head.trim_end();
    Ok(if after.trim().is_empty() {
        head.to_string()
    } else {
        format!("{head} {}", after.trim_start())
    })
}

fn edit_list(
    file: &Lines,
    spec: &Node,
    key: &str,
    changes: &ListChanges,
    ops: &mut Vec<Op>,
) -> Result<(), String> {
    let mut add = changes.add.clone();
    add.sort();
    add.dedup();
    let Some((key_node, value)) = spec.entry(key) else {
        if !changes.remove.is_empty() {
            return Err(format!("spec.{key} is absent"));
        }
        return add_key(file, spec, key, &add, ops);
    };
    let flow = file.char_at(value) == Some('[');
    let items = match &value.value {
        Value::Seq(items) if flow && !items.is_empty() => {
            return Err(format!(
                "spec.{key} is a flow list `[…]`; write it as a block list first"
            ));
        }
        Value::Seq(items) => items.as_slice(),
        Value::Scalar { .. } if value.is_null() => &[],
        _ => return Err(format!("spec.{key} is not a list")),
    };
    if items.is_empty() {
        if !changes.remove.is_empty() {
            return Err(format!("spec.{key} has no entries to delete"));
        }
        return fill_empty(file, spec, (key_node, value), key, &add, ops);
    }
    edit_items(file, (key_node, items), key, &changes.remove, &add, ops)
}

/// A list the spec does not have yet: the key goes after `destinations`, else at the end of spec.
fn add_key(
    file: &Lines,
    spec: &Node,
    key: &str,
    add: &[Entry],
    ops: &mut Vec<Op>,
) -> Result<(), String> {
    if add.is_empty() {
        return Ok(());
    }
    let entries = spec.as_map().unwrap_or_default();
    let (anchor_key, anchor) = spec
        .entry("destinations")
        .or_else(|| entries.last().map(|(k, v)| (k, v)))
        .ok_or("spec is empty")?;
    let indent = anchor_key.col as usize - 1;
    let style = borrowed_style(file, spec, indent);
    let mut lines = vec![format!("{}{key}:", " ".repeat(indent))];
    lines.extend(add.iter().flat_map(|e| style.render(e)));
    ops.push(Op::Insert {
        at: anchor.end_line.max(anchor_key.line) as usize,
        lines,
    });
    Ok(())
}

/// `key: []`, `key:` or `key: ~`: the items go below the key, which loses its value.
fn fill_empty(
    file: &Lines,
    spec: &Node,
    (key_node, value): (&Node, &Node),
    key: &str,
    add: &[Entry],
    ops: &mut Vec<Op>,
) -> Result<(), String> {
    if add.is_empty() {
        return Ok(());
    }
    let empty_text = matches!(&value.value, Value::Scalar { text, .. } if text.is_empty());
    let (line, at) = if empty_text {
        (key_node.line, after_colon(file, key_node, key)?)
    } else {
        (value.line, file.byte_at(value.line, value.col))
    };
    let text = without_value(file.text(line), at)?;
    let index = line as usize - 1;
    if text.trim().is_empty() {
        ops.push(Op::Delete {
            from: index,
            to: index + 1,
        });
    } else if text != file.text(line) {
        ops.push(Op::Replace { line: index, text });
    }
    let style = borrowed_style(file, spec, key_node.col as usize - 1);
    ops.push(Op::Insert {
        at: line as usize,
        lines: add.iter().flat_map(|e| style.render(e)).collect(),
    });
    Ok(())
}

/// A block list: its items go or get neighbours in their own style.
fn edit_items(
    file: &Lines,
    (key_node, items): (&Node, &[Node]),
    key: &str,
    remove: &[u32],
    add: &[Entry],
    ops: &mut Vec<Op>,
) -> Result<(), String> {
    let style = Style::of(file, items).ok_or(format!("cannot tell how spec.{key} writes items"))?;
    let start_of = |item: &Node| dash_of(file, item).map_or(item.line, |(l, _)| l);
    let mut remove = remove.to_vec();
    remove.sort_unstable();
    remove.dedup();
    let mut removed = 0;
    for line in &remove {
        let item = items
            .iter()
            .find(|i| i.line == *line)
            .ok_or_else(|| format!("spec.{key} has no entry on line {line}"))?;
        removed += 1;
        ops.push(Op::Delete {
            from: start_of(item) as usize - 1,
            to: item.end_line as usize,
        });
    }
    if removed == items.len() && add.is_empty() {
        // An emptied list must stay `[]`: with no value a namespaced list would allow every kind.
        let text = file.text(key_node.line);
        let colon = after_colon(file, key_node, key)?;
        let rest = &text[colon..];
        ops.push(Op::Replace {
            line: key_node.line as usize - 1,
            text: format!("{} []{rest}", &text[..colon]),
        });
        return Ok(());
    }
    let group_kind = |item: &Node| {
        let field = |k: &str| item.get(k).map(Node::text).unwrap_or_default();
        (field("group"), field("kind"))
    };
    let sorted = items.len() >= 2
        && items
            .windows(2)
            .all(|w| group_kind(&w[0]) <= group_kind(&w[1]));
    for entry in add {
        let at = if sorted {
            let key = (entry.group.clone(), entry.kind.clone());
            match items.iter().rposition(|i| group_kind(i) <= key) {
                Some(i) => items[i].end_line as usize,
                None => start_of(&items[0]) as usize - 1,
            }
        } else {
            items[items.len() - 1].end_line as usize
        };
        ops.push(Op::Insert {
            at,
            lines: style.render(entry),
        });
    }
    Ok(())
}

/// The edited file must parse and differ from the original only in the intended list entries.
fn verify(before: &str, after: &str, targets: &[(usize, &ProjectChanges)]) -> Result<(), String> {
    use serde_json::{Value as J, json};
    let old = parse_documents(before).map_err(|e| e.to_string())?;
    let new = parse_documents(after).map_err(|e| format!("the edit would not parse: {e}"))?;
    if old.len() != new.len() {
        return Err("the edit would change the number of documents".into());
    }
    let sorted = |v: Option<&J>| -> J {
        match v {
            Some(J::Array(items)) => {
                let mut items = items.clone();
                items.sort_by_key(|i| i.to_string());
                J::Array(items)
            }
            Some(J::Null) | None => J::Null,
            Some(other) => other.clone(),
        }
    };
    for (i, (old_doc, new_doc)) in old.iter().zip(&new).enumerate() {
        let mut expected = old_doc.root.to_json_lossy();
        let mut actual = new_doc.root.to_json_lossy();
        if let Some((_, changes)) = targets.iter().find(|(index, _)| *index == i) {
            let spec = old_doc.root.get("spec");
            for (key, list) in &changes.lists {
                let items = spec
                    .and_then(|s| s.get(key))
                    .map(Node::items)
                    .unwrap_or_default();
                let mut kept: Vec<J> = items
                    .iter()
                    .filter(|item| !list.remove.contains(&item.line))
                    .map(Node::to_json_lossy)
                    .collect();
                for entry in &list.add {
                    let mut object = json!({"group": entry.group, "kind": entry.kind});
                    if let Some(name) = &entry.name {
                        object["name"] = json!(name);
                    }
                    if !kept.contains(&object) {
                        kept.push(object);
                    }
                }
                let unchanged = list.add.is_empty() && list.remove.is_empty();
                if !unchanged {
                    expected["spec"][key] = J::Array(kept);
                }
                expected["spec"][key] = sorted(expected["spec"].get(key));
                actual["spec"][key] = sorted(actual["spec"].get(key));
            }
        }
        if expected != actual {
            return Err(format!(
                "the edit would change more than the allowlist (document {})",
                i + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: p\n";

    fn entry(group: &str, kind: &str) -> Entry {
        Entry {
            group: group.into(),
            kind: kind.into(),
            name: None,
        }
    }

    fn changes(key: &str, add: &[Entry], remove: &[u32]) -> ProjectChanges {
        let mut lists = BTreeMap::new();
        lists.insert(
            key.to_string(),
            ListChanges {
                add: add.to_vec(),
                remove: remove.to_vec(),
            },
        );
        ProjectChanges {
            name_line: 4,
            lists,
        }
    }

    /// Edits `spec` (the text after `spec:\n`) of project `p`.
    fn edit(spec: &str, key: &str, add: &[Entry], remove: &[u32]) -> Result<String, String> {
        let text = format!("{HEAD}spec:\n{spec}");
        apply(&text, &[changes(key, add, remove)]).map(|out| {
            out.strip_prefix(&format!("{HEAD}spec:\n"))
                .unwrap()
                .to_string()
        })
    }

    const NS: &str = "namespaceResourceWhitelist";
    const CLUSTER: &str = "clusterResourceWhitelist";

    #[test]
    fn removes_exactly_the_item_lines_and_keeps_neighbour_comments() {
        let spec = "  namespaceResourceWhitelist:\n    # core\n    - group: \"\"\n      kind: Service\n    # the batch kinds\n    - group: batch\n      kind: Job # a hook\n    # rbac\n    - group: rbac.authorization.k8s.io\n      kind: Role\n";
        // Line 11 is `- group: batch` (the spec starts on line 6).
        let out = edit(spec, NS, &[], &[11]).unwrap();
        assert_eq!(
            out,
            "  namespaceResourceWhitelist:\n    # core\n    - group: \"\"\n      kind: Service\n    # the batch kinds\n    # rbac\n    - group: rbac.authorization.k8s.io\n      kind: Role\n"
        );
    }

    #[test]
    fn an_emptied_list_becomes_flow_empty_not_absent() {
        let spec = "  namespaceResourceWhitelist: # exact\n    - group: apps\n      kind: Deployment\n  sourceRepos: ['*']\n";
        let out = edit(spec, NS, &[], &[7]).unwrap();
        assert_eq!(
            out,
            "  namespaceResourceWhitelist: [] # exact\n  sourceRepos: ['*']\n"
        );
    }

    #[test]
    fn flow_empty_list_becomes_a_block_list_in_the_neighbours_style() {
        let spec = "  clusterResourceWhitelist: []  # none yet\n  namespaceResourceWhitelist:\n  - group: \"\"\n    kind: ConfigMap\n";
        let out = edit(spec, CLUSTER, &[entry("", "Namespace")], &[]).unwrap();
        assert_eq!(
            out,
            "  clusterResourceWhitelist: # none yet\n  - group: \"\"\n    kind: Namespace\n  namespaceResourceWhitelist:\n  - group: \"\"\n    kind: ConfigMap\n"
        );
    }

    #[test]
    fn absent_cluster_list_goes_after_destinations() {
        let spec = "  destinations:\n    - namespace: a\n      server: https://x\n  # the exact allowlist\n  namespaceResourceWhitelist:\n    - group: ''\n      kind: ConfigMap\n";
        let out = edit(
            spec,
            CLUSTER,
            &[entry("rbac.authorization.k8s.io", "ClusterRole")],
            &[],
        )
        .unwrap();
        assert_eq!(
            out,
            "  destinations:\n    - namespace: a\n      server: https://x\n  clusterResourceWhitelist:\n    - group: rbac.authorization.k8s.io\n      kind: ClusterRole\n  # the exact allowlist\n  namespaceResourceWhitelist:\n    - group: ''\n      kind: ConfigMap\n"
        );
    }

    #[test]
    fn absent_list_without_destinations_goes_to_the_end_of_spec() {
        let text = format!("{HEAD}spec:\n  sourceRepos:\n  - '*'\nstatus: {{}}\n");
        let out = apply(&text, &[changes(CLUSTER, &[entry("", "Namespace")], &[])]).unwrap();
        assert!(
            out.ends_with("  sourceRepos:\n  - '*'\n  clusterResourceWhitelist:\n  - group: ''\n    kind: Namespace\nstatus: {}\n"),
            "{out}"
        );
    }

    #[test]
    fn null_list_gets_items_below_its_key() {
        for value in ["", " ~", " null"] {
            let spec = format!("  clusterResourceWhitelist:{value}\n  sourceRepos: []\n");
            let out = edit(&spec, CLUSTER, &[entry("", "Namespace")], &[]).unwrap();
            assert_eq!(
                out,
                "  clusterResourceWhitelist:\n    - group: ''\n      kind: Namespace\n  sourceRepos: []\n",
                "{value:?}"
            );
        }
    }

    #[test]
    fn new_items_follow_the_quoting_of_their_list() {
        let single = "  namespaceResourceWhitelist:\n  - group: ''\n    kind: Secret\n";
        let out = edit(
            single,
            NS,
            &[entry("", "ConfigMap"), entry("apps", "Deployment")],
            &[],
        )
        .unwrap();
        assert!(
            out.ends_with("    kind: Secret\n  - group: ''\n    kind: ConfigMap\n  - group: apps\n    kind: Deployment\n"),
            "{out}"
        );
        let double = "  namespaceResourceWhitelist:\n    - group: \"apps\"\n      kind: \"StatefulSet\"\n    - group: \"\"\n      kind: \"Secret\"\n";
        let out = edit(double, NS, &[entry("", "ConfigMap")], &[]).unwrap();
        assert!(
            out.ends_with("    - group: \"\"\n      kind: \"ConfigMap\"\n"),
            "{out}"
        );
        // Values YAML would not read back as the same string are quoted.
        let out = edit(single, NS, &[entry("example.io", "On")], &[]).unwrap();
        assert!(out.ends_with("    kind: 'On'\n"), "{out}");
    }

    #[test]
    fn flow_items_and_key_order_are_kept() {
        let spec = "  namespaceResourceWhitelist:\n    - {kind: Secret, group: ''}\n";
        let out = edit(spec, NS, &[entry("apps", "Deployment")], &[]).unwrap();
        assert_eq!(
            out,
            "  namespaceResourceWhitelist:\n    - {kind: Secret, group: ''}\n    - {kind: Deployment, group: apps}\n"
        );
        let spec = "  namespaceResourceWhitelist:\n  - kind: Secret\n    group: ''\n";
        let out = edit(spec, NS, &[entry("apps", "Deployment")], &[]).unwrap();
        assert!(
            out.ends_with("  - kind: Deployment\n    group: apps\n"),
            "{out}"
        );
    }

    #[test]
    fn a_sorted_list_gets_new_items_in_place() {
        let spec = "  namespaceResourceWhitelist:\n  - group: ''\n    kind: Secret\n  - group: apps\n    kind: Deployment\n  - group: batch\n    kind: Job\n";
        let out = edit(
            spec,
            NS,
            &[entry("apps", "StatefulSet"), entry("", "ConfigMap")],
            &[],
        )
        .unwrap();
        assert_eq!(
            out,
            "  namespaceResourceWhitelist:\n  - group: ''\n    kind: ConfigMap\n  - group: ''\n    kind: Secret\n  - group: apps\n    kind: Deployment\n  - group: apps\n    kind: StatefulSet\n  - group: batch\n    kind: Job\n"
        );
    }

    #[test]
    fn a_dash_on_its_own_line_goes_with_its_item() {
        let spec = "  namespaceResourceWhitelist:\n  -\n    group: ''\n    kind: Secret\n  - group: apps\n    kind: Deployment\n";
        let out = edit(spec, NS, &[], &[8]).unwrap();
        assert_eq!(
            out,
            "  namespaceResourceWhitelist:\n  - group: apps\n    kind: Deployment\n"
        );
    }

    #[test]
    fn crlf_and_a_missing_final_newline_are_kept() {
        let text =
            format!("{HEAD}spec:\n  namespaceResourceWhitelist:\n  - group: ''\n    kind: Secret")
                .replace('\n', "\r\n");
        let out = apply(&text, &[changes(NS, &[entry("apps", "Deployment")], &[])]).unwrap();
        assert!(
            out.ends_with("    kind: Secret\r\n  - group: apps\r\n    kind: Deployment\r\n"),
            "{out:?}"
        );
        assert!(!out.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn named_cluster_entries_get_a_name() {
        let spec =
            "  clusterResourceWhitelist:\n  - group: ''\n    kind: Namespace\n    name: pr-*\n";
        let named = Entry {
            name: Some("shared".into()),
            ..entry("", "Namespace")
        };
        let out = edit(spec, CLUSTER, &[named], &[]).unwrap();
        assert!(
            out.ends_with("    name: pr-*\n  - group: ''\n    kind: Namespace\n    name: shared\n"),
            "{out}"
        );
    }

    #[test]
    fn only_the_named_project_of_a_file_changes() {
        let text = "kind: AppProject\nmetadata:\n  name: a\nspec:\n  namespaceResourceWhitelist:\n  - group: ''\n    kind: Secret\n---\n# second\nkind: AppProject\nmetadata:\n  name: b\nspec:\n  namespaceResourceWhitelist:\n  - group: ''\n    kind: Secret\n  - group: apps\n    kind: Deployment\n";
        let mut project = changes(NS, &[], &[17]);
        project.name_line = 12;
        let out = apply(text, &[project]).unwrap();
        assert_eq!(
            out,
            text.replace("  - group: apps\n    kind: Deployment\n", "")
        );
        project = changes(NS, &[], &[17]);
        project.name_line = 3;
        assert!(
            apply(text, &[project]).is_err(),
            "project a has no item on line 17"
        );
    }

    #[test]
    fn what_it_cannot_edit_safely_is_refused() {
        let flow = "  namespaceResourceWhitelist: [{group: '', kind: Secret}]\n";
        assert!(edit(flow, NS, &[entry("apps", "Deployment")], &[]).is_err());
        let flow_spec = format!("{HEAD}spec: {{namespaceResourceWhitelist: []}}\n");
        let project = changes(NS, &[entry("apps", "Deployment")], &[]);
        assert!(apply(&flow_spec, &[project]).is_err());
        let multi_line = "  clusterResourceWhitelist: [\n  ]\n";
        assert!(edit(multi_line, CLUSTER, &[entry("", "Namespace")], &[]).is_err());
    }
}
