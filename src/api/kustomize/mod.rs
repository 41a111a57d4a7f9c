//! `kustomize.toolkit.fluxcd.io/v1` Kustomization. v1beta2 objects read into the same type:
//! `validation`, `patchesStrategicMerge` and `patchesJson6902` are explicit fields because the
//! generator still honours the two patch lists when an old object carries them (SPEC §6.12).

use crate::api::meta::{
    CommonMetadata, Condition, CrossNamespaceObjectReference, CustomHealthCheck,
    DependencyReference, Extra, IgnoreRule, Image, Inventory, KubeConfigReference,
    LocalObjectReference, Patch, Selector,
};
use crate::api::resource::flux_resource;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";

flux_resource! {
    /// A kustomize overlay from a source artifact, applied with server-side apply.
    Kustomization {
        group: "kustomize.toolkit.fluxcd.io",
        version: "v1",
        plural: "kustomizations",
        spec: KustomizationSpec,
        status: KustomizationStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSpec {
    pub interval: String,
    pub source_ref: CrossNamespaceObjectReference,
    /// Required in v1 (no default).
    pub prune: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<DependencyReference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_metadata: Option<CommonMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patches: Option<Vec<Patch>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<Image>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_missing_components: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_metadata: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_build: Option<PostBuild>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decryption: Option<Decryption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_checks: Option<Vec<CrossNamespaceObjectReference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_exprs: Option<Vec<CustomHealthCheck>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<KubeConfigReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<IgnoreRule>>,
    /// v1beta2 only: `client`, `server` or `none` (removed in v1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<String>,
    /// v1beta2 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patches_strategic_merge: Option<Vec<Value>>,
    /// v1beta2 only.
    #[serde(rename = "patchesJson6902", skip_serializing_if = "Option::is_none")]
    pub patches_json6902: Option<Vec<JSON6902Patch>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// v1beta2 `patchesJson6902[]`: RFC 6902 operations and a target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JSON6902Patch {
    pub patch: Vec<Value>,
    pub target: Selector,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostBuild {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitute: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitute_from: Option<Vec<SubstituteReference>>,
    /// `WithVariables` (default) or `Always`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitute_strategy: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubstituteReference {
    /// `Secret` or `ConfigMap`.
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decryption {
    /// Only `sops`.
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_applied_revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_applied_origin_revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempted_revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistorySnapshot>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of `status.history` (newest first, at most 5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistorySnapshot {
    pub digest: String,
    pub first_reconciled: String,
    pub last_reconciled: String,
    pub last_reconciled_duration: String,
    pub last_reconciled_status: String,
    pub total_reconciliations: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl KustomizationSpec {
    /// `spec.retryInterval`, else `interval`.
    pub fn retry_interval_or_interval(&self) -> &str {
        self.retry_interval.as_deref().unwrap_or(&self.interval)
    }
}
