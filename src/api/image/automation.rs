//! ImageUpdateAutomation (v1; v1beta2 and v1beta1 read into the same type).

use super::ImageRef;
use crate::api::meta::{Condition, CrossNamespaceObjectReference, Extra, LocalObjectReference};
use crate::api::resource::flux_resource;
use crate::api::source::GitRepositoryRef;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

flux_resource! {
    /// Rewrites setter-marked image references in a Git repository and pushes the commit.
    ImageUpdateAutomation {
        group: "image.toolkit.fluxcd.io",
        version: "v1",
        plural: "imageupdateautomations",
        spec: ImageUpdateAutomationSpec,
        status: ImageUpdateAutomationStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpdateAutomationSpec {
    /// Kind defaults to GitRepository (the only one).
    pub source_ref: CrossNamespaceObjectReference,
    pub interval: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitSpec>,
    /// Default: every ImagePolicy in the namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateStrategy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout: Option<GitCheckoutSpec>,
    pub commit: CommitSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<PushSpec>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitCheckoutSpec {
    #[serde(rename = "ref")]
    pub reference: GitRepositoryRef,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitSpec {
    pub author: CommitUser,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_template_values: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<SigningKey>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub email: String,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningKey {
    pub secret_ref: LocalObjectReference,
    /// `gpg` (default) or `ssh`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refspec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStrategy {
    /// Only `Setters`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpdateAutomationStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_automation_run_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_push_commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_push_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_policies: Option<BTreeMap<String, ImageRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_source_revision: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
