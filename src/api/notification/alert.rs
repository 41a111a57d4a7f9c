//! Provider and Alert.

use crate::api::meta::{Extra, LocalObjectReference, ReconcileStatus};
use crate::api::resource::flux_resource;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

flux_resource! {
    /// Where notifications go (Slack, MS Teams, generic webhook, Git commit status, …).
    Provider {
        group: "notification.toolkit.fluxcd.io",
        version: "v1beta3",
        plural: "providers",
        spec: ProviderSpec,
        status: ReconcileStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSpec {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Deprecated: use `proxySecretRef`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_status_expr: Option<String>,
    /// Default 15s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Unused since v1beta3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

flux_resource! {
    /// Which events (by source object, severity and message) go to a Provider.
    Alert {
        group: "notification.toolkit.fluxcd.io",
        version: "v1beta3",
        plural: "alerts",
        spec: AlertSpec,
        status: ReconcileStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertSpec {
    pub provider_ref: LocalObjectReference,
    pub event_sources: Vec<EventSource>,
    /// `info` (default: everything) or `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inclusion_list: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusion_list: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_metadata: Option<BTreeMap<String, String>>,
    /// Deprecated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An event source (Alert) or a resource to annotate (Receiver): `name` may be `*`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
    /// Receiver only: CEL filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl EventSource {
    /// The namespace to match: its own, else the Alert's/Receiver's.
    pub fn namespace_or<'a>(&'a self, owner_namespace: &'a str) -> &'a str {
        self.namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(owner_namespace)
    }
}
