//! ImageRepository.

use crate::api::meta::{AccessFrom, Condition, Extra, LocalObjectReference};
use crate::api::resource::flux_resource;
use serde::{Deserialize, Serialize};

flux_resource! {
    /// A container image repository whose tags image-reflector-controller scans.
    ImageRepository {
        group: "image.toolkit.fluxcd.io",
        version: "v1",
        plural: "imagerepositories",
        spec: ImageRepositorySpec,
        status: ImageRepositoryStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRepositorySpec {
    /// `host/path`, no tag.
    pub image: String,
    pub interval: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,
    /// Default `["^.*\\.sig$"]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusion_list: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRepositoryStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_image_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_scan_result: Option<ScanResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_exclusion_list: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// Checksum of the tag set (v1 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    pub tag_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_tags: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}
