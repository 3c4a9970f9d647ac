//! The clusters generator (`applicationset/generators/cluster.go` v3.5.1, `GenerateParams`): one
//! parameter set per cluster Secret its selector matches, plus the local cluster when it has no
//! Secret and the selector is empty.

use std::collections::{BTreeMap, HashMap};

use gotemplate::sanitize_name;
use serde_json::{Map, Value};

use super::generators::{Env, Generated};
use super::params::Params;
use super::selector::Selector;
use crate::argo::cluster::{Cluster, IN_CLUSTER_NAME, IN_CLUSTER_SERVER};
use crate::diagnostic::Code;
use crate::yaml::Node;

impl Env<'_> {
    pub(super) fn clusters(&self, spec: &Node) -> Generated {
        let selector_node = spec.get("selector").filter(|s| !s.is_null());
        let selector = selector_node
            .map(|node| {
                Selector::from_node(node)
                    .map_err(|e| self.error(Code::InvalidArgoManifest, e, node))
            })
            .transpose()?;
        // `ignoreLocalClusters`: any matchLabels or matchExpressions, since the local cluster has
        // no Secret and so no labels to match.
        let ignore_local = selector_node.is_some_and(|s| {
            ["matchLabels", "matchExpressions"].iter().any(|key| {
                s.get(key).is_some_and(|v| {
                    v.as_map().is_some_and(|m| !m.is_empty()) || !v.items().is_empty()
                })
            })
        });
        let secrets = secrets_by_cluster_name(self.clusters, selector.as_ref());
        let mut params_list = Vec::new();
        for cluster in &secrets {
            let mut params = cluster_parameters(cluster, self.mode.go_template);
            self.append_values(spec, &mut params)?;
            params_list.push(params);
        }
        // `SecretsContainInClusterCredentials` compares `data.server` as written.
        if !ignore_local && !secrets.iter().any(|c| c.server == IN_CLUSTER_SERVER) {
            let mut params = Params::new();
            params.insert("name".into(), Value::String(IN_CLUSTER_NAME.into()));
            params.insert(
                "nameNormalized".into(),
                Value::String(IN_CLUSTER_NAME.into()),
            );
            params.insert("server".into(), Value::String(IN_CLUSTER_SERVER.into()));
            params.insert("project".into(), Value::String(String::new()));
            self.append_values(spec, &mut params)?;
            params_list.push(params);
        }
        // `paramHolder.consolidate`: flatList gives one parameter set holding them all.
        if spec.get("flatList").and_then(Node::as_bool) == Some(true) {
            let all = params_list.into_iter().map(Value::Object).collect();
            return Ok(vec![
                [("clusters".to_string(), Value::Array(all))]
                    .into_iter()
                    .collect(),
            ]);
        }
        Ok(params_list)
    }
}

/// `getSecretsByClusterName`: the Secrets the selector (with `secret-type: cluster` added, which
/// every cluster Secret has) matches, keyed by `data.name`, so a later Secret of one name replaces
/// an earlier one. Go then ranges over the map in random order; here in name order.
fn secrets_by_cluster_name<'a>(
    clusters: &'a [Cluster],
    selector: Option<&Selector>,
) -> Vec<&'a Cluster> {
    let mut by_name: BTreeMap<&str, &Cluster> = BTreeMap::new();
    for cluster in clusters.iter().filter(|c| c.secret) {
        let labels: HashMap<String, String> = cluster.labels.clone().into_iter().collect();
        if selector.is_none_or(|s| s.matches(&labels)) {
            by_name.insert(&cluster.name, cluster);
        }
    }
    by_name.into_values().collect()
}

/// `getClusterParameters`: `name`, `nameNormalized`, `server` (as written), `project`, and the
/// Secret's labels and annotations — under `metadata` in goTemplate mode (each only when
/// non-empty), else as `metadata.labels.<key>` and `metadata.annotations.<key>`.
fn cluster_parameters(cluster: &Cluster, go_template: bool) -> Params {
    let mut params = Params::new();
    params.insert("name".into(), Value::String(cluster.name.clone()));
    params.insert(
        "nameNormalized".into(),
        Value::String(sanitize_name(&cluster.name)),
    );
    params.insert("server".into(), Value::String(cluster.server.clone()));
    params.insert("project".into(), Value::String(cluster.project.clone()));
    let as_map = |m: &BTreeMap<String, String>| -> Map<String, Value> {
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    };
    if go_template {
        let mut meta = Map::new();
        if !cluster.annotations.is_empty() {
            meta.insert(
                "annotations".into(),
                Value::Object(as_map(&cluster.annotations)),
            );
        }
        if !cluster.labels.is_empty() {
            meta.insert("labels".into(), Value::Object(as_map(&cluster.labels)));
        }
        params.insert("metadata".into(), Value::Object(meta));
    } else {
        for (k, v) in as_map(&cluster.annotations) {
            params.insert(format!("metadata.annotations.{k}"), v);
        }
        for (k, v) in as_map(&cluster.labels) {
            params.insert(format!("metadata.labels.{k}"), v);
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::appset::pull_request::SyntheticPr;
    use crate::appset::template::Mode;
    use crate::repos::RepoMap;
    use crate::yaml;

    fn staging() -> Cluster {
        let mut cluster = Cluster::new("Staging_1", "https://staging.example.com/");
        cluster.labels.insert("env".into(), "staging".into());
        cluster.annotations.insert("team".into(), "core".into());
        cluster.project = "platform".into();
        cluster
    }

    fn generate(clusters: &[Cluster], generator: &str, go_template: bool) -> Vec<Value> {
        let repos = RepoMap::default();
        let pr = SyntheticPr::default();
        let file: Arc<Path> = Arc::from(Path::new("/appset.yaml"));
        let env = Env {
            repos: &repos,
            pr: &pr,
            clusters,
            mode: Mode {
                go_template,
                ..Mode::default()
            },
            file: &file,
        };
        let node = yaml::parse_documents(generator).unwrap().remove(0).root;
        env.evaluate(&node, 0)
            .unwrap()
            .into_iter()
            .map(Value::Object)
            .collect()
    }

    /// `getClusterParameters` in goTemplate mode; the local cluster comes last, without metadata.
    #[test]
    fn get_cluster_parameters_go_template() {
        let out = generate(&[staging()], "clusters: {}", true);
        assert_eq!(
            out,
            vec![
                json!({
                    "name": "Staging_1", "nameNormalized": "staging-1",
                    "server": "https://staging.example.com/", "project": "platform",
                    "metadata": {
                        "annotations": {"team": "core"},
                        "labels": {"argocd.argoproj.io/secret-type": "cluster", "env": "staging"}
                    }
                }),
                json!({"name": "in-cluster", "nameNormalized": "in-cluster",
                       "server": IN_CLUSTER_SERVER, "project": ""}),
            ]
        );
        // A Secret without annotations has no metadata.annotations.
        let plain = generate(&[Cluster::new("a", "https://a")], "clusters: {}", true);
        assert_eq!(
            plain[0]["metadata"],
            json!({"labels": {"argocd.argoproj.io/secret-type": "cluster"}})
        );
    }

    /// `getClusterParameters` in fasttemplate mode: flattened keys; `values` rendered per cluster.
    #[test]
    fn get_cluster_parameters_fasttemplate_and_values() {
        let out = generate(
            &[staging()],
            "clusters:\n  selector: {matchLabels: {env: staging}}\n  values: {ns: 'apps-{{metadata.labels.env}}'}\n",
            false,
        );
        assert_eq!(
            out,
            vec![json!({
                "name": "Staging_1", "nameNormalized": "staging-1",
                "server": "https://staging.example.com/", "project": "platform",
                "metadata.annotations.team": "core",
                "metadata.labels.argocd.argoproj.io/secret-type": "cluster",
                "metadata.labels.env": "staging",
                "values.ns": "apps-staging"
            })]
        );
    }

    /// `ignoreLocalClusters` and `getSecretsByClusterName`'s selector.
    #[test]
    fn generate_params_selector_and_local_cluster() {
        let names = |clusters: &[Cluster], generator: &str| -> Vec<Value> {
            generate(clusters, generator, true)
                .into_iter()
                .map(|p| p["name"].clone())
                .collect()
        };
        let prod = {
            let mut c = Cluster::new("prod", "https://prod");
            c.labels.insert("env".into(), "prod".into());
            c
        };
        let both = [staging(), prod];
        assert_eq!(
            names(&both, "clusters: {}"),
            vec![json!("Staging_1"), json!("prod"), json!("in-cluster")]
        );
        assert_eq!(
            names(&both, "clusters: {selector: {matchLabels: {env: prod}}}"),
            vec![json!("prod")]
        );
        assert_eq!(
            names(
                &both,
                "clusters: {selector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}"
            ),
            vec![json!("Staging_1")]
        );
        // An empty selector is no selector: the local cluster is listed.
        assert_eq!(
            names(&[], "clusters: {selector: {matchLabels: {}}}"),
            vec![json!("in-cluster")]
        );
        // The secret-type label every cluster Secret has selects them all, never the local cluster.
        assert_eq!(
            names(
                &both,
                "clusters: {selector: {matchLabels: {argocd.argoproj.io/secret-type: cluster}}}"
            ),
            vec![json!("Staging_1"), json!("prod")]
        );
    }

    /// `SecretsContainInClusterCredentials` and the map keyed by `data.name`.
    #[test]
    fn generate_params_local_secret_and_duplicate_names() {
        let local = Cluster::new("local", IN_CLUSTER_SERVER);
        let out = generate(&[local], "clusters: {}", false);
        assert_eq!(out.len(), 1, "the Secret stands for the local cluster");
        assert_eq!(out[0]["name"], "local");
        // `data.server` is compared as written: a trailing slash does not count.
        let slashed = Cluster::new("local", "https://kubernetes.default.svc/");
        assert_eq!(generate(&[slashed], "clusters: {}", false).len(), 2);
        let twice = [
            Cluster::new("a", "https://one"),
            Cluster::new("a", "https://two"),
        ];
        let out = generate(
            &twice,
            "clusters: {selector: {matchLabels: {argocd.argoproj.io/secret-type: cluster}}}",
            false,
        );
        assert_eq!(
            out,
            vec![
                json!({"name": "a", "nameNormalized": "a", "server": "https://two", "project": "", "metadata.labels.argocd.argoproj.io/secret-type": "cluster"})
            ]
        );
    }

    /// `paramHolder.consolidate` with `flatList`.
    #[test]
    fn generate_params_flat_list() {
        let out = generate(
            &[staging()],
            "clusters: {flatList: true, values: {x: y}}",
            true,
        );
        assert_eq!(out.len(), 1);
        let all = out[0]["clusters"].as_array().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0]["values"], json!({"x": "y"}));
        assert_eq!(all[1]["name"], "in-cluster");
    }
}
