//! Namespaced vs cluster scope of a `(group, kind)`, which Argo CD takes from API discovery
//! (gitops-engine `pkg/cache/cluster.go`). Offline the gate uses, in order: a discovery snapshot
//! (`kubectl api-resources -o wide`), CRDs found in the repository or in rendered output, then a
//! built-in table of Kubernetes kinds and of widely installed CRDs. Anything else is unknown.

use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Namespaced,
    Cluster,
}

/// Where a scope came from, shown when explaining a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeSource {
    Discovery,
    Crd(String),
    /// `scopes:` in preview-gate.yaml: the user's word, like discovery.
    Config,
    Builtin,
}

#[derive(Debug, Default, Clone)]
pub struct ScopeRegistry {
    kinds: HashMap<(String, String), (Scope, ScopeSource)>,
    /// `group/version` and `group/version/Kind` strings, for Helm's `--api-versions`.
    api_versions: BTreeSet<String>,
}

use Scope::{Cluster as C, Namespaced as N};

/// Kubernetes built-in kinds (v1.33): `(group/version, kind, scope)`.
const KUBERNETES: &[(&str, &str, Scope)] = &[
    ("v1", "Binding", N),
    ("v1", "ComponentStatus", C),
    ("v1", "ConfigMap", N),
    ("v1", "Endpoints", N),
    ("v1", "Event", N),
    ("v1", "LimitRange", N),
    ("v1", "Namespace", C),
    ("v1", "Node", C),
    ("v1", "PersistentVolume", C),
    ("v1", "PersistentVolumeClaim", N),
    ("v1", "Pod", N),
    ("v1", "PodTemplate", N),
    ("v1", "ReplicationController", N),
    ("v1", "ResourceQuota", N),
    ("v1", "Secret", N),
    ("v1", "Service", N),
    ("v1", "ServiceAccount", N),
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        C,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicy",
        C,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicyBinding",
        C,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        C,
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", C),
    ("apiregistration.k8s.io/v1", "APIService", C),
    ("apps/v1", "ControllerRevision", N),
    ("apps/v1", "DaemonSet", N),
    ("apps/v1", "Deployment", N),
    ("apps/v1", "ReplicaSet", N),
    ("apps/v1", "StatefulSet", N),
    ("authentication.k8s.io/v1", "SelfSubjectReview", C),
    ("authentication.k8s.io/v1", "TokenReview", C),
    ("authorization.k8s.io/v1", "LocalSubjectAccessReview", N),
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview", C),
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview", C),
    ("authorization.k8s.io/v1", "SubjectAccessReview", C),
    ("autoscaling/v1", "HorizontalPodAutoscaler", N),
    ("autoscaling/v2", "HorizontalPodAutoscaler", N),
    ("batch/v1", "CronJob", N),
    ("batch/v1", "Job", N),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", C),
    ("coordination.k8s.io/v1", "Lease", N),
    ("discovery.k8s.io/v1", "EndpointSlice", N),
    ("events.k8s.io/v1", "Event", N),
    ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", C),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        "PriorityLevelConfiguration",
        C,
    ),
    ("networking.k8s.io/v1", "IPAddress", C),
    ("networking.k8s.io/v1", "Ingress", N),
    ("networking.k8s.io/v1", "IngressClass", C),
    ("networking.k8s.io/v1", "NetworkPolicy", N),
    ("networking.k8s.io/v1", "ServiceCIDR", C),
    ("node.k8s.io/v1", "RuntimeClass", C),
    ("policy/v1", "PodDisruptionBudget", N),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", C),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", C),
    ("rbac.authorization.k8s.io/v1", "Role", N),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", N),
    ("resource.k8s.io/v1beta1", "DeviceClass", C),
    ("resource.k8s.io/v1beta1", "ResourceClaim", N),
    ("resource.k8s.io/v1beta1", "ResourceClaimTemplate", N),
    ("resource.k8s.io/v1beta1", "ResourceSlice", C),
    ("scheduling.k8s.io/v1", "PriorityClass", C),
    ("storage.k8s.io/v1", "CSIDriver", C),
    ("storage.k8s.io/v1", "CSINode", C),
    ("storage.k8s.io/v1", "CSIStorageCapacity", N),
    ("storage.k8s.io/v1", "StorageClass", C),
    ("storage.k8s.io/v1", "VolumeAttachment", C),
    ("storage.k8s.io/v1beta1", "VolumeAttributesClass", C),
];

/// Widely installed CRDs, known for their scope only: they are not advertised to Helm as API
/// versions, since the target cluster may not have them.
const WELL_KNOWN_CRDS: &[(&str, &str, Scope)] = &[
    ("argoproj.io", "AppProject", N),
    ("argoproj.io", "Application", N),
    ("argoproj.io", "ApplicationSet", N),
    ("argoproj.io", "Rollout", N),
    ("argoproj.io", "AnalysisTemplate", N),
    ("argoproj.io", "ClusterAnalysisTemplate", C),
    ("cert-manager.io", "Certificate", N),
    ("cert-manager.io", "CertificateRequest", N),
    ("cert-manager.io", "ClusterIssuer", C),
    ("cert-manager.io", "Issuer", N),
    ("cilium.io", "CiliumClusterwideNetworkPolicy", C),
    ("cilium.io", "CiliumNetworkPolicy", N),
    ("external-secrets.io", "ClusterExternalSecret", C),
    ("external-secrets.io", "ClusterSecretStore", C),
    ("external-secrets.io", "ExternalSecret", N),
    ("external-secrets.io", "PushSecret", N),
    ("external-secrets.io", "SecretStore", N),
    ("gateway.envoyproxy.io", "Backend", N),
    ("gateway.envoyproxy.io", "BackendTrafficPolicy", N),
    ("gateway.envoyproxy.io", "ClientTrafficPolicy", N),
    ("gateway.envoyproxy.io", "EnvoyExtensionPolicy", N),
    ("gateway.envoyproxy.io", "EnvoyPatchPolicy", N),
    ("gateway.envoyproxy.io", "EnvoyProxy", N),
    ("gateway.envoyproxy.io", "HTTPRouteFilter", N),
    ("gateway.envoyproxy.io", "SecurityPolicy", N),
    ("gateway.networking.k8s.io", "BackendTLSPolicy", N),
    ("gateway.networking.k8s.io", "GRPCRoute", N),
    ("gateway.networking.k8s.io", "Gateway", N),
    ("gateway.networking.k8s.io", "GatewayClass", C),
    ("gateway.networking.k8s.io", "HTTPRoute", N),
    ("gateway.networking.k8s.io", "ReferenceGrant", N),
    ("gateway.networking.k8s.io", "TCPRoute", N),
    ("gateway.networking.k8s.io", "TLSRoute", N),
    ("gateway.networking.k8s.io", "UDPRoute", N),
    ("keda.sh", "ClusterTriggerAuthentication", C),
    ("keda.sh", "ScaledJob", N),
    ("keda.sh", "ScaledObject", N),
    ("keda.sh", "TriggerAuthentication", N),
    ("kyverno.io", "ClusterPolicy", C),
    ("kyverno.io", "Policy", N),
    ("monitoring.coreos.com", "Alertmanager", N),
    ("monitoring.coreos.com", "AlertmanagerConfig", N),
    ("monitoring.coreos.com", "PodMonitor", N),
    ("monitoring.coreos.com", "Probe", N),
    ("monitoring.coreos.com", "Prometheus", N),
    ("monitoring.coreos.com", "PrometheusAgent", N),
    ("monitoring.coreos.com", "PrometheusRule", N),
    ("monitoring.coreos.com", "ScrapeConfig", N),
    ("monitoring.coreos.com", "ServiceMonitor", N),
    ("monitoring.coreos.com", "ThanosRuler", N),
    ("postgresql.cnpg.io", "Backup", N),
    ("postgresql.cnpg.io", "Cluster", N),
    ("postgresql.cnpg.io", "Pooler", N),
    ("postgresql.cnpg.io", "ScheduledBackup", N),
    ("snapshot.storage.k8s.io", "VolumeSnapshot", N),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass", C),
    ("snapshot.storage.k8s.io", "VolumeSnapshotContent", C),
];

/// Splits `apiVersion` into its group (`""` for the core group).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

impl ScopeRegistry {
    pub fn builtin() -> Self {
        let mut registry = ScopeRegistry::default();
        for &(group_version, kind, scope) in KUBERNETES {
            registry.insert(group_of(group_version), kind, scope, ScopeSource::Builtin);
            registry.api_versions.insert(group_version.to_string());
            registry
                .api_versions
                .insert(format!("{group_version}/{kind}"));
        }
        for &(group, kind, scope) in WELL_KNOWN_CRDS {
            registry.insert(group, kind, scope, ScopeSource::Builtin);
        }
        registry
    }

    fn insert(&mut self, group: &str, kind: &str, scope: Scope, source: ScopeSource) {
        let key = (group.to_string(), kind.to_string());
        // Discovery beats CRDs, which beat the built-in table.
        let rank = |s: &ScopeSource| match s {
            ScopeSource::Discovery | ScopeSource::Config => 2,
            ScopeSource::Crd(_) => 1,
            ScopeSource::Builtin => 0,
        };
        match self.kinds.get(&key) {
            Some((_, existing)) if rank(existing) > rank(&source) => {}
            _ => {
                self.kinds.insert(key, (scope, source));
            }
        }
    }

    /// A scope declared in the config file (`scopes:`).
    pub fn add_declared(&mut self, group: &str, kind: &str, scope: Scope) {
        self.insert(group, kind, scope, ScopeSource::Config);
    }

    /// Registers a CustomResourceDefinition (a parsed object); returns false when it is not one.
    pub fn add_crd(&mut self, crd: &crate::yaml::Node, origin: &str) -> bool {
        let spec = crd.get("spec");
        let group = spec
            .and_then(|s| s.get("group"))
            .and_then(crate::yaml::Node::as_str);
        let kind = spec
            .and_then(|s| s.at(&["names", "kind"]))
            .and_then(crate::yaml::Node::as_str);
        let scope = match spec
            .and_then(|s| s.get("scope"))
            .and_then(crate::yaml::Node::as_str)
        {
            Some("Cluster") => Scope::Cluster,
            Some("Namespaced") => Scope::Namespaced,
            _ => return false,
        };
        let (Some(group), Some(kind)) = (group, kind) else {
            return false;
        };
        self.insert(group, kind, scope, ScopeSource::Crd(origin.to_string()));
        for version in spec
            .and_then(|s| s.get("versions"))
            .map(crate::yaml::Node::items)
            .unwrap_or_default()
        {
            if let Some(name) = version.get("name").and_then(crate::yaml::Node::as_str) {
                self.api_versions.insert(format!("{group}/{name}"));
                self.api_versions.insert(format!("{group}/{name}/{kind}"));
            }
        }
        true
    }

    /// Reads `kubectl api-resources -o wide` (or without `-o wide`) output. Columns are located by
    /// the header because SHORTNAMES may be blank.
    pub fn add_api_resources(&mut self, text: &str) -> Result<usize, String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines.next().ok_or("the api-resources file is empty")?;
        let column = |name: &str| {
            header
                .find(name)
                .ok_or_else(|| format!("the api-resources header has no {name} column"))
        };
        let (api_version_at, namespaced_at, kind_at) = (
            column("APIVERSION")?,
            column("NAMESPACED")?,
            column("KIND")?,
        );
        let field = |line: &str, at: usize| {
            line.get(at..)
                .unwrap_or("")
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        };
        let mut count = 0;
        for line in lines {
            let (api_version, namespaced, kind) = (
                field(line, api_version_at),
                field(line, namespaced_at),
                field(line, kind_at),
            );
            let scope = match namespaced.as_str() {
                "true" => Scope::Namespaced,
                "false" => Scope::Cluster,
                other => {
                    return Err(format!(
                        "unexpected NAMESPACED value {other:?} in line {line:?}"
                    ));
                }
            };
            self.insert(group_of(&api_version), &kind, scope, ScopeSource::Discovery);
            self.api_versions.insert(api_version.clone());
            self.api_versions.insert(format!("{api_version}/{kind}"));
            count += 1;
        }
        Ok(count)
    }

    pub fn add_api_version(&mut self, api_version: &str) {
        self.api_versions.insert(api_version.to_string());
    }

    pub fn scope(&self, group: &str, kind: &str) -> Option<Scope> {
        self.lookup(group, kind).map(|(scope, _)| *scope)
    }

    pub fn lookup(&self, group: &str, kind: &str) -> Option<&(Scope, ScopeSource)> {
        self.kinds.get(&(group.to_string(), kind.to_string()))
    }

    pub fn api_versions(&self) -> impl Iterator<Item = &str> {
        self.api_versions.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    #[test]
    fn builtin_scopes() {
        let r = ScopeRegistry::builtin();
        assert_eq!(r.scope("", "Namespace"), Some(Scope::Cluster));
        assert_eq!(r.scope("", "ConfigMap"), Some(Scope::Namespaced));
        assert_eq!(
            r.scope("rbac.authorization.k8s.io", "ClusterRole"),
            Some(Scope::Cluster)
        );
        assert_eq!(
            r.scope("external-secrets.io", "ClusterSecretStore"),
            Some(Scope::Cluster)
        );
        assert_eq!(r.scope("example.com", "Widget"), None);
        assert!(r.api_versions().any(|v| v == "apps/v1/Deployment"));
        assert!(
            !r.api_versions()
                .any(|v| v.starts_with("monitoring.coreos.com")),
            "well-known CRDs are not advertised"
        );
    }

    #[test]
    fn crds_override_the_table_and_discovery_overrides_crds() {
        let mut r = ScopeRegistry::builtin();
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: ameide.io\n  names:\n    kind: Domain\n  scope: Namespaced\n  versions:\n  - name: v1\n";
        assert!(r.add_crd(&parse_documents(crd).unwrap()[0].root, "crds.yaml"));
        assert_eq!(r.scope("ameide.io", "Domain"), Some(Scope::Namespaced));
        assert!(r.api_versions().any(|v| v == "ameide.io/v1/Domain"));
        let snapshot = "NAME      SHORTNAMES   APIVERSION    NAMESPACED   KIND     VERBS   CATEGORIES\ndomains                ameide.io/v1  false        Domain   [get]\nconfigmaps   cm        v1            true         ConfigMap  [get]\n";
        assert_eq!(r.add_api_resources(snapshot), Ok(2));
        assert_eq!(r.scope("ameide.io", "Domain"), Some(Scope::Cluster));
        let mut other = ScopeRegistry::builtin();
        other.add_api_resources(snapshot).unwrap();
        assert!(other.add_crd(&parse_documents(crd).unwrap()[0].root, "crds.yaml"));
        assert_eq!(
            other.scope("ameide.io", "Domain"),
            Some(Scope::Cluster),
            "a CRD does not override discovery"
        );
    }

    #[test]
    fn group_of_api_version() {
        assert_eq!(group_of("v1"), "");
        assert_eq!(group_of("apps/v1"), "apps");
        assert_eq!(
            group_of("gateway.networking.k8s.io/v1"),
            "gateway.networking.k8s.io"
        );
    }
}
