//! Receiver.

use super::EventSource;
use crate::api::meta::{Condition, Extra, LocalObjectReference};
use crate::api::resource::flux_resource;
use serde::{Deserialize, Serialize};

flux_resource! {
    /// A webhook endpoint that annotates Flux objects to reconcile now.
    Receiver {
        group: "notification.toolkit.fluxcd.io",
        version: "v1",
        plural: "receivers",
        spec: ReceiverSpec,
        status: ReceiverStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverSpec {
    #[serde(rename = "type")]
    pub type_: String,
    pub resources: Vec<EventSource>,
    /// Required except for `generic-oidc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_filter: Option<String>,
    #[serde(rename = "oidcProviders", skip_serializing_if = "Option::is_none")]
    pub oidc_providers: Option<Vec<serde_json::Value>>,
    /// Default 10m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_path: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Receiver {
    /// `/hook/` + hex(sha256(token + name + namespace)); token is `""` for generic-oidc.
    pub fn webhook_path(&self, token: &str) -> String {
        use sha2::{Digest, Sha256};
        let name = self.metadata.name.as_deref().unwrap_or_default();
        let namespace = self.metadata.namespace.as_deref().unwrap_or_default();
        let digest = Sha256::digest(format!("{token}{name}{namespace}").as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("/hook/{hex}")
    }
}
