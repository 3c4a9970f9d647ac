//! Clusters as Argo CD knows them, and how an Application's destination names one.
//!
//! - Cluster Secrets: `util/settings/cluster_informer.go` (`NewClusterInformer` lists the Secrets
//!   labelled `argocd.argoproj.io/secret-type: cluster` in Argo CD's namespace; `secretToCluster`
//!   reads `data`; the `byClusterURL`, `byClusterName` and `byProjectCluster` indexes).
//! - The implicit local cluster: `util/db/cluster.go` (`localCluster`), and `cluster.inClusterEnabled`
//!   (`util/settings/settings.go` `IsInClusterEnabled`: anything but `"false"` enables it).
//! - Resolution: `util/argo/argo.go` (`GetDestinationServer`, `GetDestinationCluster`) over
//!   `util/db/cluster.go` (`GetCluster`, `GetClusterServersByName`, `GetProjectClusters`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Location;
use crate::yaml::{Node, decode_base64};

/// `KubernetesInternalAPIServerAddr`: the cluster Argo CD runs in.
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";
/// `KubernetesInClusterName`: its name unless a cluster secret for that server renames it.
pub const IN_CLUSTER_NAME: &str = "in-cluster";
/// `common.LabelKeySecretType`.
pub const SECRET_TYPE_LABEL: &str = "argocd.argoproj.io/secret-type";
/// `common.LabelValueSecretTypeCluster`.
pub const SECRET_TYPE_CLUSTER: &str = "cluster";

/// A cluster Argo CD knows: a cluster Secret (from the repository, `clusters:` in the config or
/// `--cluster`), or the implicit local cluster ([`Cluster::local`]).
///
/// The fields are the Secret's, as the cluster generator reads them (`getClusterParameters` uses
/// `data.server` as written and every label); [`Cluster::url`] is the server `secretToCluster` and
/// the informer's indexes use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cluster {
    /// `data.name`.
    pub name: String,
    /// `data.server`, as written.
    pub server: String,
    /// `data.project` (`""` when absent): the project the cluster is scoped to.
    pub project: String,
    /// `data.namespaces`, split on `,` and trimmed (`secretToCluster`).
    pub namespaces: Vec<String>,
    /// `data.clusterResources == "true"`.
    pub cluster_resources: bool,
    /// The Secret's labels, `argocd.argoproj.io/secret-type: cluster` included.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// A cluster Secret exists for it; only the implicit local cluster has none.
    pub secret: bool,
    /// Where it is declared (the Secret's name, the config entry); none for `--cluster`.
    pub origin: Option<Location>,
}

impl Cluster {
    /// A cluster Secret with only a name and a server (`--cluster NAME=SERVER`, `clusters:`).
    pub fn new(name: impl Into<String>, server: impl Into<String>) -> Cluster {
        Cluster {
            name: name.into(),
            server: server.into(),
            labels: [(
                SECRET_TYPE_LABEL.to_string(),
                SECRET_TYPE_CLUSTER.to_string(),
            )]
            .into(),
            secret: true,
            ..Cluster::default()
        }
    }

    /// `localCluster`: `in-cluster` at `https://kubernetes.default.svc`, without a Secret, labels or
    /// project.
    pub fn local() -> Cluster {
        Cluster {
            name: IN_CLUSTER_NAME.to_string(),
            server: IN_CLUSTER_SERVER.to_string(),
            ..Cluster::default()
        }
    }

    /// `secretToCluster`'s `Server`: `strings.TrimRight(data.server, "/")`.
    pub fn url(&self) -> &str {
        self.server.trim_end_matches('/')
    }

    /// A cluster Secret of the repository, read as the API server stores it (`stringData` over the
    /// base64 `data`) and `secretToCluster` reads it. `Ok(None)`: not a cluster Secret, or one
    /// outside `namespace`, the only one Argo CD's informer lists (`NewClusterInformer`); a Secret
    /// without a namespace is taken to be applied there. `Err`: what the API server refuses (a
    /// value that is not a string, `data` that is not base64).
    pub fn from_secret(
        file: &Arc<Path>,
        doc: &Node,
        namespace: &str,
    ) -> Result<Option<Cluster>, (String, Location)> {
        let at = |node: &Node| Location::at_node(file, node);
        let secret = doc
            .at(&["metadata", "name"])
            .map(Node::text)
            .unwrap_or_default();
        let strings = |path: &[&str]| string_map(file, &secret, doc, path);
        let labels = strings(&["metadata", "labels"])?;
        if labels.get(SECRET_TYPE_LABEL).map(|(v, _)| v.as_str()) != Some(SECRET_TYPE_CLUSTER) {
            return Ok(None);
        }
        let own_namespace = doc
            .at(&["metadata", "namespace"])
            .map(Node::text)
            .unwrap_or_default();
        if !own_namespace.is_empty() && own_namespace != namespace {
            return Ok(None);
        }
        let annotations = strings(&["metadata", "annotations"])?;
        let mut data = BTreeMap::new();
        for (key, (value, location)) in strings(&["data"])? {
            let bytes = decode_base64(&value).ok_or_else(|| {
                (
                    format!("Secret {secret}: data.{key} is not valid base64 (the API server refuses it; use stringData for plain text)"),
                    location,
                )
            })?;
            data.insert(key, String::from_utf8_lossy(&bytes).into_owned());
        }
        // The API server merges stringData into data, stringData winning.
        for (key, (value, _)) in strings(&["stringData"])? {
            data.insert(key, value);
        }
        let field = |key: &str| data.get(key).cloned().unwrap_or_default();
        Ok(Some(Cluster {
            name: field("name"),
            server: field("server"),
            project: field("project"),
            namespaces: field("namespaces")
                .split(',')
                .map(str::trim)
                .filter(|ns| !ns.is_empty())
                .map(str::to_string)
                .collect(),
            cluster_resources: field("clusterResources") == "true",
            labels: labels.into_iter().map(|(k, (v, _))| (k, v)).collect(),
            annotations: annotations.into_iter().map(|(k, (v, _))| (k, v)).collect(),
            secret: true,
            origin: Some(at(doc.at(&["metadata", "name"]).unwrap_or(doc))),
        }))
    }
}

type StringMap = BTreeMap<String, (String, Location)>;

/// A `map[string]string` field of a Secret, each value with its line. Kubernetes decodes the YAML
/// as JSON (`sigs.k8s.io/yaml`), so an unquoted `true` or `8080` is not a string and is refused.
fn string_map(
    file: &Arc<Path>,
    secret: &str,
    doc: &Node,
    path: &[&str],
) -> Result<StringMap, (String, Location)> {
    let mut out = BTreeMap::new();
    let Some(node) = doc.at(path).filter(|n| !n.is_null()) else {
        return Ok(out);
    };
    let field = path.join(".");
    let Some(entries) = node.as_map() else {
        return Err((
            format!("Secret {secret}: {field} must be a mapping of strings"),
            Location::at_node(file, node),
        ));
    };
    for (key, value) in entries {
        if value.is_null() {
            continue;
        }
        match value.to_json() {
            Ok(serde_json::Value::String(text)) => {
                out.insert(key.text(), (text, Location::at_node(file, value)));
            }
            _ => {
                return Err((
                    format!(
                        "Secret {secret}: {field}.{} must be a string; quote it",
                        key.text()
                    ),
                    Location::at_node(file, value),
                ));
            }
        }
    }
    Ok(out)
}

/// The `spec.destination` field a resolution error is about, for the line it is reported at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationField {
    Server,
    Name,
    /// Both `server` and `name` are set.
    Both,
    /// Neither is.
    Neither,
}

/// A `GetDestinationCluster` error: Argo CD's message, and the field to fix.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationError {
    pub field: DestinationField,
    pub message: String,
}

/// `ErrDestinationMissing` (`util/argo/argo.go`).
const ERR_DESTINATION_MISSING: &str = "Destination server missing from app spec";

/// `GetDestinationServer`: the server URL a destination names. A server is taken as written, its
/// trailing `/` trimmed; a name is looked up ([`get_cluster_servers_by_name`]) and must be unique.
/// An empty field counts as unset (Go has no absent string).
pub fn get_destination_server(
    server: &str,
    name: &str,
    clusters: &[Cluster],
    in_cluster_enabled: bool,
) -> Result<String, DestinationError> {
    let error = |field, message: String| DestinationError { field, message };
    if !name.is_empty() && !server.is_empty() {
        return Err(error(
            DestinationField::Both,
            format!(
                "application destination can't have both name and server defined: {name} {server}"
            ),
        ));
    }
    if !server.is_empty() {
        return Ok(server.trim_end_matches('/').to_string());
    }
    if name.is_empty() {
        return Err(error(
            DestinationField::Neither,
            ERR_DESTINATION_MISSING.to_string(),
        ));
    }
    match get_cluster_servers_by_name(name, clusters, in_cluster_enabled).as_slice() {
        [] => Err(error(
            DestinationField::Name,
            format!("there are no clusters with this name: {name}"),
        )),
        [only] => Ok(only.clone()),
        many => Err(error(
            DestinationField::Name,
            format!(
                "there are {} clusters with the same name: [{}]",
                many.len(),
                many.join(" ")
            ),
        )),
    }
}

/// `GetClusterServersByName`: the (trimmed) servers of every cluster Secret with this name, in
/// declaration order. `in-cluster` with no Secret of that name is the local server, while the
/// local cluster is enabled, even when a Secret renames it; a disabled local server is dropped.
pub fn get_cluster_servers_by_name(
    name: &str,
    clusters: &[Cluster],
    in_cluster_enabled: bool,
) -> Vec<String> {
    // The byClusterName index holds only non-empty names.
    let mut servers: Vec<String> = clusters
        .iter()
        .filter(|c| c.secret && !c.name.is_empty() && c.name == name)
        .map(|c| c.url().to_string())
        .collect();
    if name != IN_CLUSTER_NAME && !servers.iter().any(|s| s == IN_CLUSTER_SERVER) {
        return servers;
    }
    if servers.is_empty() && name == IN_CLUSTER_NAME && in_cluster_enabled {
        return vec![IN_CLUSTER_SERVER.to_string()];
    }
    if !in_cluster_enabled {
        servers.retain(|s| s != IN_CLUSTER_SERVER);
    }
    servers
}

/// `ClusterInformer.GetClusterByURL`: the first cluster Secret whose trimmed server is `url`
/// trimmed, as it is in `secretToCluster` (server trimmed).
fn get_cluster_by_url(url: &str, clusters: &[Cluster]) -> Option<Cluster> {
    let url = url.trim_end_matches('/');
    clusters
        .iter()
        .find(|c| c.secret && c.url() == url)
        .map(|c| Cluster {
            server: c.url().to_string(),
            ..c.clone()
        })
}

/// `db.GetCluster`: the local server is the local cluster unless disabled, or a Secret declares it;
/// any other server needs a Secret. The error is the gRPC status text.
pub fn get_cluster(
    server: &str,
    clusters: &[Cluster],
    in_cluster_enabled: bool,
) -> Result<Cluster, String> {
    let not_found =
        |why: &str| format!("rpc error: code = NotFound desc = cluster {server:?} {why}");
    if server == IN_CLUSTER_SERVER {
        if !in_cluster_enabled {
            return Err(not_found("is disabled"));
        }
        return Ok(get_cluster_by_url(server, clusters).unwrap_or_else(Cluster::local));
    }
    get_cluster_by_url(server, clusters).ok_or_else(|| not_found("not found"))
}

/// `GetDestinationCluster`: [`get_destination_server`], then [`get_cluster`]; its error says how the
/// cluster was looked up.
pub fn get_destination_cluster(
    server: Option<&str>,
    name: Option<&str>,
    clusters: &[Cluster],
    in_cluster_enabled: bool,
) -> Result<Cluster, DestinationError> {
    let server = server.unwrap_or_default();
    let name = name.unwrap_or_default();
    let url = get_destination_server(server, name, clusters, in_cluster_enabled)?;
    get_cluster(&url, clusters, in_cluster_enabled).map_err(|e| {
        if server.is_empty() {
            DestinationError {
                field: DestinationField::Name,
                message: format!("error getting cluster by URL: {e}"),
            }
        } else {
            DestinationError {
                field: DestinationField::Server,
                message: format!("error getting cluster by server {server:?}: {e}"),
            }
        }
    })
}

/// `GetProjectClusters` (`GetAvailableProjectClusters`): the cluster Secrets scoped to `project`
/// (the `byProjectCluster` index holds only non-empty projects).
pub fn get_project_clusters<'a>(project: &str, clusters: &'a [Cluster]) -> Vec<&'a Cluster> {
    clusters
        .iter()
        .filter(|c| c.secret && !c.project.is_empty() && c.project == project)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters() -> Vec<Cluster> {
        vec![
            Cluster::new("prod", "https://prod.example.com/"),
            Cluster::new("dup", "https://a.example.com"),
            Cluster::new("dup", "https://b.example.com"),
        ]
    }

    fn resolve(
        server: Option<&str>,
        name: Option<&str>,
        clusters: &[Cluster],
    ) -> Result<Cluster, DestinationError> {
        get_destination_cluster(server, name, clusters, true)
    }

    fn message(result: Result<Cluster, DestinationError>) -> (DestinationField, String) {
        let e = result.unwrap_err();
        (e.field, e.message)
    }

    /// `GetDestinationServer`: both set, neither set; `""` counts as unset.
    #[test]
    fn get_destination_server_needs_exactly_one_of_server_and_name() {
        assert_eq!(
            message(resolve(Some("https://x"), Some("x"), &[])),
            (
                DestinationField::Both,
                "application destination can't have both name and server defined: x https://x"
                    .into()
            )
        );
        assert_eq!(
            message(resolve(None, None, &[])),
            (
                DestinationField::Neither,
                "Destination server missing from app spec".into()
            )
        );
        assert_eq!(
            message(resolve(Some(""), Some(""), &[])).0,
            DestinationField::Neither
        );
        assert!(resolve(Some(""), Some("prod"), &clusters()).is_ok());
    }

    /// `GetDestinationServer` trims the Application's server, `GetClusterByURL` the Secret's.
    #[test]
    fn get_destination_cluster_by_server() {
        let prod = resolve(Some("https://prod.example.com"), None, &clusters()).unwrap();
        assert_eq!(
            (prod.name.as_str(), prod.server.as_str()),
            ("prod", "https://prod.example.com")
        );
        assert_eq!(
            resolve(Some("https://prod.example.com//"), None, &clusters()).map(|c| c.name),
            Ok("prod".into())
        );
        assert_eq!(
            message(resolve(Some("https://nowhere/"), None, &clusters())),
            (
                DestinationField::Server,
                "error getting cluster by server \"https://nowhere/\": rpc error: code = NotFound desc = cluster \"https://nowhere\" not found".into()
            )
        );
        assert_eq!(
            resolve(Some(IN_CLUSTER_SERVER), None, &[]),
            Ok(Cluster::local())
        );
        // The local server with a trailing slash is still the local cluster.
        assert_eq!(
            resolve(Some("https://kubernetes.default.svc/"), None, &[]),
            Ok(Cluster::local())
        );
    }

    /// `GetClusterServersByName` through `GetDestinationServer`: none, one, several.
    #[test]
    fn get_destination_cluster_by_name() {
        assert_eq!(
            resolve(None, Some("prod"), &clusters()).map(|c| c.server),
            Ok("https://prod.example.com".into())
        );
        assert_eq!(
            resolve(None, Some("in-cluster"), &clusters()).map(|c| c.server),
            Ok(IN_CLUSTER_SERVER.into())
        );
        assert_eq!(
            message(resolve(None, Some("staging"), &clusters())),
            (
                DestinationField::Name,
                "there are no clusters with this name: staging".into()
            )
        );
        assert_eq!(
            message(resolve(None, Some("dup"), &clusters())),
            (
                DestinationField::Name,
                "there are 2 clusters with the same name: [https://a.example.com https://b.example.com]".into()
            )
        );
        // A Secret named in-cluster for another server wins over the local cluster.
        let named = [Cluster::new("in-cluster", "https://remote")];
        assert_eq!(
            resolve(None, Some("in-cluster"), &named).map(|c| c.server),
            Ok("https://remote".into())
        );
    }

    /// `GetCluster` and `GetClusterServersByName` with the local cluster renamed by a Secret, or
    /// disabled (`cluster.inClusterEnabled: "false"`).
    #[test]
    fn get_cluster_local_renamed_or_disabled() {
        let renamed = [Cluster::new("local", IN_CLUSTER_SERVER)];
        assert_eq!(
            resolve(Some(IN_CLUSTER_SERVER), None, &renamed).map(|c| c.name),
            Ok("local".into())
        );
        // v3.5.1: `in-cluster` with no Secret of that name is still the local server, whose
        // Secret then names it `local`.
        assert_eq!(
            resolve(None, Some("in-cluster"), &renamed).map(|c| c.name),
            Ok("local".into())
        );
        assert!(resolve(None, Some("local"), &renamed).is_ok());

        let disabled = |server, name, clusters: &[Cluster]| {
            get_destination_cluster(server, name, clusters, false)
        };
        assert_eq!(
            message(disabled(Some(IN_CLUSTER_SERVER), None, &renamed)),
            (
                DestinationField::Server,
                "error getting cluster by server \"https://kubernetes.default.svc\": rpc error: code = NotFound desc = cluster \"https://kubernetes.default.svc\" is disabled".into()
            )
        );
        assert_eq!(
            message(disabled(None, Some("in-cluster"), &[])),
            (
                DestinationField::Name,
                "there are no clusters with this name: in-cluster".into()
            )
        );
        assert!(disabled(None, Some("local"), &renamed).is_err());
        assert!(disabled(None, Some("prod"), &clusters()).is_ok());
    }

    /// `GetProjectClusters`: Secrets whose `project` is the project; never the local cluster.
    #[test]
    fn get_project_clusters_by_project_field() {
        let mut scoped = Cluster::new("team", "https://team");
        scoped.project = "team-a".into();
        let all = [
            scoped.clone(),
            Cluster::new("other", "https://other"),
            Cluster::local(),
        ];
        assert_eq!(get_project_clusters("team-a", &all), vec![&scoped]);
        assert!(get_project_clusters("", &all).is_empty());
    }

    fn secret(text: &str) -> Result<Option<Cluster>, (String, Location)> {
        let file: Arc<Path> = Arc::from(Path::new("/secret.yaml"));
        let doc = crate::yaml::parse_documents(text).unwrap().remove(0).root;
        Cluster::from_secret(&file, &doc, "argocd")
    }

    /// `secretToCluster` over what the API server stores: base64 `data`, `stringData` winning,
    /// `namespaces` split and trimmed, `clusterResources` only for `"true"`.
    #[test]
    fn secret_to_cluster_reads_data_and_string_data() {
        let cluster = secret(
            "kind: Secret\nmetadata:\n  name: s\n  namespace: argocd\n  labels:\n    argocd.argoproj.io/secret-type: cluster\n    env: staging\n  annotations: {team: a}\ndata:\n  name: c3RhZ2luZw==\n  server: aHR0cHM6Ly9zdGFnaW5nLw==\nstringData:\n  name: stage\n  project: team-a\n  namespaces: ' a, b ,,'\n  clusterResources: 'true'\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(cluster.name, "stage");
        assert_eq!(cluster.server, "https://staging/");
        assert_eq!(cluster.url(), "https://staging");
        assert_eq!(cluster.project, "team-a");
        assert_eq!(cluster.namespaces, vec!["a", "b"]);
        assert!(cluster.cluster_resources);
        assert_eq!(cluster.labels["env"], "staging");
        assert_eq!(cluster.labels[SECRET_TYPE_LABEL], "cluster");
        assert_eq!(cluster.annotations["team"], "a");
        assert_eq!(cluster.origin.unwrap().line, 3);
    }

    #[test]
    fn secrets_argo_cd_does_not_list_or_the_api_server_refuses() {
        // No cluster label, or another namespace than Argo CD's: not a cluster of this Argo CD.
        assert_eq!(
            secret("kind: Secret\nmetadata: {name: s}\nstringData: {name: x}\n"),
            Ok(None)
        );
        assert_eq!(
            secret(
                "kind: Secret\nmetadata:\n  name: s\n  namespace: other\n  labels: {argocd.argoproj.io/secret-type: cluster}\n"
            ),
            Ok(None)
        );
        let (message, location) = secret(
            "kind: Secret\nmetadata:\n  name: s\n  labels: {argocd.argoproj.io/secret-type: cluster}\ndata:\n  server: 'not base64!'\n",
        )
        .unwrap_err();
        assert!(
            message.contains("data.server is not valid base64"),
            "{message}"
        );
        assert_eq!(location.line, 6);
        let (message, location) = secret(
            "kind: Secret\nmetadata:\n  name: s\n  labels: {argocd.argoproj.io/secret-type: cluster}\nstringData:\n  clusterResources: true\n",
        )
        .unwrap_err();
        assert!(
            message.contains("stringData.clusterResources must be a string"),
            "{message}"
        );
        assert_eq!(location.line, 6);
    }
}
