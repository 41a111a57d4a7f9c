//! Object references as the Flux APIs spell them, with the namespace-defaulting rules
//! consumers apply (a missing namespace means the referring object's namespace).

use super::Extra;
use serde::{Deserialize, Serialize};

/// `{name}`: a Secret, ConfigMap or other object in the referrer's namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalObjectReference {
    pub name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

impl LocalObjectReference {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            extra: Extra::new(),
        }
    }
}

/// `{name, key?}`: one key of a Secret (kubeConfig.secretRef).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyReference {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{name, namespace?}`: e.g. ImagePolicy.spec.imageRepositoryRef.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespacedObjectReference {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl NamespacedObjectReference {
    /// The namespace to look the object up in: its own, else the referrer's.
    pub fn namespace_or<'a>(&'a self, referrer_namespace: &'a str) -> &'a str {
        non_empty(self.namespace.as_deref()).unwrap_or(referrer_namespace)
    }
}

/// `{apiVersion?, kind, name, namespace?}`: sourceRef, chartRef, healthChecks entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossNamespaceObjectReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl CrossNamespaceObjectReference {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            name: name.into(),
            ..Self::default()
        }
    }

    /// The namespace to look the object up in: its own, else the referrer's.
    pub fn namespace_or<'a>(&'a self, referrer_namespace: &'a str) -> &'a str {
        non_empty(self.namespace.as_deref()).unwrap_or(referrer_namespace)
    }

    /// `Kind/namespace/name`, the form Flux messages use (`GitRepository/flux-system/podinfo`).
    pub fn display_in(&self, referrer_namespace: &str) -> String {
        format!(
            "{}/{}/{}",
            self.kind,
            self.namespace_or(referrer_namespace),
            self.name
        )
    }
}

/// One `dependsOn` entry of a Kustomization or HelmRelease.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyReference {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// CEL expression evaluated against the dependency (v1.6+/v1.9+ controllers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_expr: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl DependencyReference {
    /// The dependency's namespace: its own, else the dependent's (`checkDependencies`).
    pub fn namespace_or<'a>(&'a self, dependent_namespace: &'a str) -> &'a str {
        non_empty(self.namespace.as_deref()).unwrap_or(dependent_namespace)
    }

    /// `namespace/name` with the namespace defaulted, as dependency messages print it.
    pub fn key_in(&self, dependent_namespace: &str) -> String {
        format!("{}/{}", self.namespace_or(dependent_namespace), self.name)
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_namespace_defaults_to_the_referrer() {
        let mut dep = DependencyReference {
            name: "infra".into(),
            ..Default::default()
        };
        assert_eq!(dep.key_in("apps"), "apps/infra");
        dep.namespace = Some(String::new());
        assert_eq!(dep.key_in("apps"), "apps/infra");
        dep.namespace = Some("flux-system".into());
        assert_eq!(dep.key_in("apps"), "flux-system/infra");
    }

    #[test]
    fn source_refs_display_like_flux_messages() {
        let r = CrossNamespaceObjectReference::new("GitRepository", "podinfo");
        assert_eq!(
            r.display_in("flux-system"),
            "GitRepository/flux-system/podinfo"
        );
    }
}
