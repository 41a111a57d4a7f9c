//! HelmRepository and HelmChart.

use super::OCIRepositoryVerification;
use crate::api::meta::{AccessFrom, Artifact, Condition, Extra, LocalObjectReference};
use crate::api::resource::flux_resource;
use serde::{Deserialize, Serialize};

flux_resource! {
    /// A Helm chart repository (HTTP index, or an OCI registry with `type: oci`).
    HelmRepository {
        group: "source.toolkit.fluxcd.io",
        version: "v1",
        plural: "helmrepositories",
        spec: HelmRepositorySpec,
        status: HelmRepositoryStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmRepositorySpec {
    pub url: String,
    /// Optional, and unused for `type: oci`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// `default` (HTTP index) or `oci`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_credentials: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl HelmRepositorySpec {
    /// OCI repositories are static objects: no artifact, no periodic reconcile.
    pub fn is_oci(&self) -> bool {
        self.type_.as_deref() == Some("oci")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmRepositoryStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    #[serde(flatten)]
    pub extra: Extra,
}

flux_resource! {
    /// A packaged chart, pulled from a HelmRepository or built from a Git/Bucket source.
    HelmChart {
        group: "source.toolkit.fluxcd.io",
        version: "v1",
        plural: "helmcharts",
        spec: HelmChartSpec,
        status: HelmChartStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartSpec {
    pub chart: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub source_ref: LocalHelmChartSourceReference,
    pub interval: String,
    /// `ChartVersion` (default) or `Revision`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconcile_strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_files: Option<Vec<String>>,
    /// v1beta2 only (replaced by `valuesFiles`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_missing_values_files: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<OCIRepositoryVerification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{apiVersion?, kind: HelmRepository|GitRepository|Bucket, name}` in the chart's namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalHelmChartSourceReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    pub kind: String,
    pub name: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_source_artifact_revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_chart_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_values_files: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    #[serde(flatten)]
    pub extra: Extra,
}
