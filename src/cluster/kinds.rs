//! Turning the words a user types (`ks`, `source git`, `helmrelease`, `deploy`) into the
//! resource the cluster actually serves, at the version it serves (v1 on current Flux,
//! v1beta2 on older clusters). Names follow the flux CLI; the version comes from discovery.

use kube::Client;
use kube::discovery::{ApiCapabilities, ApiResource, Discovery, Scope};

/// A kind the user named, before discovery picked a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindName {
    pub group: String,
    pub kind: String,
}

/// Flux kinds with every name the flux CLI (and CRD short names) accept.
const FLUX_NAMES: &[(&str, &str, &[&str])] = &[
    (
        "source.toolkit.fluxcd.io",
        "GitRepository",
        &[
            "source git",
            "gitrepository",
            "gitrepositories",
            "gitrepo",
            "gitrepos",
        ],
    ),
    (
        "source.toolkit.fluxcd.io",
        "OCIRepository",
        &[
            "source oci",
            "ocirepository",
            "ocirepositories",
            "ocirepo",
            "ocirepos",
        ],
    ),
    (
        "source.toolkit.fluxcd.io",
        "HelmRepository",
        &[
            "source helm",
            "helmrepository",
            "helmrepositories",
            "helmrepo",
            "helmrepos",
        ],
    ),
    (
        "source.toolkit.fluxcd.io",
        "HelmChart",
        &["source chart", "helmchart", "helmcharts", "hc"],
    ),
    (
        "source.toolkit.fluxcd.io",
        "Bucket",
        &["source bucket", "bucket", "buckets"],
    ),
    (
        "kustomize.toolkit.fluxcd.io",
        "Kustomization",
        &["kustomization", "kustomizations", "ks"],
    ),
    (
        "helm.toolkit.fluxcd.io",
        "HelmRelease",
        &["helmrelease", "helmreleases", "hr"],
    ),
    (
        "image.toolkit.fluxcd.io",
        "ImageRepository",
        &[
            "image repository",
            "imagerepository",
            "imagerepositories",
            "imagerepo",
        ],
    ),
    (
        "image.toolkit.fluxcd.io",
        "ImagePolicy",
        &["image policy", "imagepolicy", "imagepolicies", "imgpol"],
    ),
    (
        "image.toolkit.fluxcd.io",
        "ImageUpdateAutomation",
        &[
            "image update",
            "imageupdateautomation",
            "imageupdateautomations",
            "imageupdate",
        ],
    ),
    (
        "notification.toolkit.fluxcd.io",
        "Alert",
        &["alert", "alerts"],
    ),
    (
        "notification.toolkit.fluxcd.io",
        "Provider",
        &["alert-provider", "alert-providers", "provider", "providers"],
    ),
    (
        "notification.toolkit.fluxcd.io",
        "Receiver",
        &["receiver", "receivers"],
    ),
];

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

/// How many leading words name the kind (`source git podinfo` → 2), and which kind.
pub fn parse_flux_kind(words: &[String]) -> Option<(KindName, usize)> {
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    for take in [2usize, 1] {
        if lower.len() < take {
            continue;
        }
        let joined = lower[..take].join(" ");
        for (group, kind, names) in FLUX_NAMES {
            if names.contains(&joined.as_str())
                || (take == 1 && joined == kind.to_ascii_lowercase())
            {
                return Some((
                    KindName {
                        group: group.to_string(),
                        kind: kind.to_string(),
                    },
                    take,
                ));
            }
        }
    }
    None
}

/// Every Flux kind, for `get all`.
pub fn all_flux_kinds() -> Vec<KindName> {
    FLUX_GET_ALL_ORDER
        .iter()
        .filter_map(|k| FLUX_NAMES.iter().find(|(_, kind, _)| kind == k))
        .map(|(g, k, _)| KindName {
            group: g.to_string(),
            kind: k.to_string(),
        })
        .collect()
}

/// The flux CLI's lower-case display name of a kind in messages (`kustomization`, `source git`).
pub fn flux_cli_name(kind: &str) -> String {
    FLUX_NAMES
        .iter()
        .find(|(_, k, _)| *k == kind)
        .map(|(_, _, names)| names[0].to_string())
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
