//! Generator `selector`: a Kubernetes label selector over the flattened parameters
//! (`applicationset/utils/selector.go`, a copy of apimachinery's `LabelSelectorAsSelector` without
//! label-value validation, so any parameter value can be matched).

use std::collections::HashMap;

use crate::yaml::Node;

#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    /// Parses `matchLabels` and `matchExpressions`. Only the four operators label selectors have.
    pub fn from_node(node: &Node) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        if let Some(labels) = node.get("matchLabels").and_then(Node::as_map) {
            for (k, v) in labels {
                requirements.push(Requirement::In(k.text(), vec![v.text()]));
            }
        }
        for expr in node
            .get("matchExpressions")
            .map(Node::items)
            .unwrap_or_default()
        {
            let key = expr.get("key").map(Node::text).unwrap_or_default();
            let values: Vec<String> = expr
                .get("values")
                .map(|v| v.items().iter().map(Node::text).collect())
                .unwrap_or_default();
            let operator = expr.get("operator").map(Node::text).unwrap_or_default();
            let requirement = match operator.as_str() {
                "In" | "NotIn" if values.is_empty() => {
                    return Err(format!(
                        "selector: for '{operator}' the values set must be non-empty"
                    ));
                }
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" | "DoesNotExist" if !values.is_empty() => {
                    return Err(format!(
                        "selector: for '{operator}' values set must be empty"
                    ));
                }
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => {
                    return Err(format!(
                        "selector: {other:?} is not a valid label selector operator"
                    ));
                }
            };
            requirements.push(requirement);
        }
        Ok(Selector { requirements })
    }

    pub fn matches(&self, labels: &HashMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::In(k, values) => labels.get(k).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(k, values) => labels.get(k).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn selector(yaml: &str) -> Result<Selector, String> {
        Selector::from_node(&parse_documents(yaml).unwrap()[0].root)
    }

    fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn match_labels_and_expressions() {
        let s = selector(
            "matchLabels: {tier: apps}\nmatchExpressions:\n  - {key: rolloutPhase, operator: In, values: ['610', '650']}\n  - {key: skip, operator: DoesNotExist}\n",
        )
        .unwrap();
        assert!(s.matches(&labels(&[("tier", "apps"), ("rolloutPhase", "650")])));
        assert!(!s.matches(&labels(&[("tier", "apps"), ("rolloutPhase", "150")])));
        assert!(!s.matches(&labels(&[
            ("tier", "apps"),
            ("rolloutPhase", "610"),
            ("skip", "x")
        ])));
        assert!(!s.matches(&labels(&[("rolloutPhase", "610")])));
    }

    #[test]
    fn not_in_matches_missing_keys() {
        let s = selector("matchExpressions: [{key: a, operator: NotIn, values: [x]}]").unwrap();
        assert!(s.matches(&labels(&[])));
        assert!(!s.matches(&labels(&[("a", "x")])));
    }

    #[test]
    fn unknown_operators_are_errors() {
        assert!(selector("matchExpressions: [{key: a, operator: Gt, values: ['1']}]").is_err());
        assert!(selector("matchExpressions: [{key: a, operator: In}]").is_err());
    }
}
