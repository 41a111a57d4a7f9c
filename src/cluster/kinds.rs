//! Turning the words a user types (`ks`, `source git`, `helmrelease`, `deploy`) into the
//! resource the cluster actually serves, at the version it serves (v1 on current Flux,
//! v1beta2 on older clusters). Names follow the flux CLI; the version comes from discovery.

use kube::Client;

use crate::api::kinds::FluxKind;
use kube::discovery::{ApiCapabilities, ApiResource, Discovery, Scope};

/// A kind the user named, before discovery picked a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindName {
    pub group: String,
    pub kind: String,
}

/// Kubernetes short names users type for built-in kinds (for `trace`, `tree`).
const BUILTIN_SHORT: &[(&str, &str)] = &[
    ("deploy", "Deployment"),
    ("sts", "StatefulSet"),
    ("ds", "DaemonSet"),
    ("rs", "ReplicaSet"),
    ("svc", "Service"),
    ("cm", "ConfigMap"),
    ("ns", "Namespace"),
    ("sa", "ServiceAccount"),
    ("po", "Pod"),
    ("pvc", "PersistentVolumeClaim"),
    ("ing", "Ingress"),
    ("cj", "CronJob"),
    ("crd", "CustomResourceDefinition"),
];

/// The Flux kinds in `flux get all` order.
pub const FLUX_GET_ALL_ORDER: &[&str] = &[
    "GitRepository",
    "OCIRepository",
    "HelmRepository",
    "HelmChart",
    "Bucket",
    "Kustomization",
    "HelmRelease",
    "ImageRepository",
    "ImagePolicy",
    "ImageUpdateAutomation",
    "Alert",
    "Provider",
    "Receiver",
];

/// How many leading words name the kind (`source git podinfo` → 2), and which kind. The
/// names themselves (flux CLI words, CRD short names, aliases) live in `api::kinds`.
pub fn parse_flux_kind(words: &[String]) -> Option<(KindName, usize)> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let (kind, used) = FluxKind::parse_prefix(&words)?;
    Some((
        KindName {
            group: kind.group().to_string(),
            kind: kind.kind().to_string(),
        },
        used,
    ))
}

/// Every Flux kind, for `get all`.
pub fn all_flux_kinds() -> Vec<KindName> {
    FLUX_GET_ALL_ORDER
        .iter()
        .filter_map(|k| FluxKind::from_kind(k))
        .map(|k| KindName {
            group: k.group().to_string(),
            kind: k.kind().to_string(),
        })
        .collect()
}

/// The flux CLI's lower-case display name of a kind in messages (`kustomization`, `source git`).
pub fn flux_cli_name(kind: &str) -> String {
    FluxKind::from_kind(kind)
        .map(FluxKind::cli_name)
        .unwrap_or_else(|| kind.to_ascii_lowercase())
}

#[derive(Debug, thiserror::Error)]
pub enum KindError {
    #[error(
        "unknown kind {0:?}: use a flux name such as kustomization (ks), helmrelease (hr), source git, image policy"
    )]
    Unknown(String),
    #[error("{kind} is not served by this cluster (is the {group} CRD installed?)")]
    NotServed { group: String, kind: String },
    #[error("discovery failed: {0}")]
    Discovery(#[from] kube::Error),
}

/// Served resources, discovered once per command and reused.
pub struct Served {
    discovery: Discovery,
}

impl Served {
    pub async fn discover(client: &Client) -> Result<Served, KindError> {
        let discovery = match Discovery::new(client.clone()).run_aggregated().await {
            Ok(d) => d,
            Err(_) => Discovery::new(client.clone()).run().await?,
        };
        Ok(Served { discovery })
    }

    /// The served resource of a named kind, preferring the group's preferred version.
    pub fn resolve(&self, name: &KindName) -> Result<(ApiResource, ApiCapabilities), KindError> {
        self.discovery
            .get(&name.group)
            .and_then(|g| g.recommended_kind(&name.kind))
            .ok_or_else(|| KindError::NotServed {
                group: name.group.clone(),
                kind: name.kind.clone(),
            })
    }

    /// Any kind by a word: Flux names first, then kind/plural/singular/short names of every group.
    pub fn resolve_word(&self, word: &str) -> Result<(ApiResource, ApiCapabilities), KindError> {
        if let Some((name, _)) = parse_flux_kind(&[word.to_string()]) {
            return self.resolve(&name);
        }
        let w = word.to_ascii_lowercase();
        let wanted_kind = BUILTIN_SHORT
            .iter()
            .find(|(s, _)| *s == w)
            .map(|(_, k)| k.to_ascii_lowercase());
        for group in self.discovery.groups() {
            for (ar, caps) in group.recommended_resources() {
                let kind = ar.kind.to_ascii_lowercase();
                let singular = kind.clone();
                if kind == w
                    || ar.plural == w
                    || singular == w
                    || wanted_kind.as_deref() == Some(kind.as_str())
                {
                    return Ok((ar, caps));
                }
            }
        }
        Err(KindError::Unknown(word.to_string()))
    }

    pub fn is_namespaced(caps: &ApiCapabilities) -> bool {
        caps.scope == Scope::Namespaced
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flux_names_and_aliases_resolve() {
        let (k, n) = parse_flux_kind(&words("source git podinfo")).unwrap();
        assert_eq!((k.kind.as_str(), n), ("GitRepository", 2));
        let (k, n) = parse_flux_kind(&words("ks apps")).unwrap();
        assert_eq!((k.kind.as_str(), n), ("Kustomization", 1));
        let (k, _) = parse_flux_kind(&words("HelmRelease x")).unwrap();
        assert_eq!(k.group, "helm.toolkit.fluxcd.io");
        let (k, _) = parse_flux_kind(&words("image update auto")).unwrap();
        assert_eq!(k.kind, "ImageUpdateAutomation");
        assert!(parse_flux_kind(&words("deployment x")).is_none());
    }

    #[test]
    fn get_all_lists_every_flux_kind_once() {
        assert_eq!(all_flux_kinds().len(), 13);
        assert_eq!(flux_cli_name("GitRepository"), "source git");
        assert_eq!(flux_cli_name("Kustomization"), "kustomization");
    }
}
