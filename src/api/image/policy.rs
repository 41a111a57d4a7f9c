//! ImagePolicy.

use crate::api::meta::{Condition, Extra, NamespacedObjectReference};
use crate::api::resource::flux_resource;
use serde::{Deserialize, Serialize};
use std::fmt;

flux_resource! {
    /// Selects the latest tag of an ImageRepository by semver, alphabetical or numerical order.
    ImagePolicy {
        group: "image.toolkit.fluxcd.io",
        version: "v1",
        plural: "imagepolicies",
        spec: ImagePolicySpec,
        status: ImagePolicyStatus,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicySpec {
    pub image_repository_ref: NamespacedObjectReference,
    pub policy: ImagePolicyChoice,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_tags: Option<TagFilter>,
    /// `Never` (default), `IfNotPresent` or `Always`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_reflection_policy: Option<String>,
    /// Only with `digestReflectionPolicy: Always`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Exactly one of the three.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicyChoice {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semver: Option<SemVerPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alphabetical: Option<OrderedPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerical: Option<OrderedPolicy>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SemVerPolicy {
    pub range: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Alphabetical or numerical policy: `asc` (default, pick the highest) or `desc`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extract: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{name, tag, digest?}`: a resolved image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRef {
    pub name: String,
    pub tag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(flatten)]
    pub extra: crate::api::meta::Extra,
}

impl ImageRef {
    /// Split `image:tag[@digest]`; the tag separator is the last `:` after the last `/`,
    /// so registry ports (`host:5000/app:1.0`) are kept in the name.
    pub fn parse(image: &str) -> Option<ImageRef> {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (image, None),
        };
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let colon = rest[slash..].rfind(':')? + slash;
        Some(ImageRef {
            name: rest[..colon].into(),
            tag: rest[colon + 1..].into(),
            digest,
            extra: Extra::new(),
        })
    }
}

impl fmt::Display for ImageRef {
    /// `name:tag[@digest]` (Flux's `ImageRef.String()`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)?;
        match &self.digest {
            Some(d) if !d.is_empty() => write!(f, "@{d}"),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicyStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_ref: Option<ImageRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_previous_ref: Option<ImageRef>,
    /// IRC ≤ v0.35 (v1beta2): `"<image>:<tag>"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_image: Option<String>,
    /// IRC ≤ v0.35 (v1beta2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_previous_image: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ImagePolicyStatus {
    /// The latest image whichever version wrote the status: `latestRef`, else `latestImage`.
    pub fn latest(&self) -> Option<ImageRef> {
        self.latest_ref
            .clone()
            .or_else(|| self.latest_image.as_deref().and_then(ImageRef::parse))
    }

    /// The previous image: `observedPreviousRef`, else `observedPreviousImage`.
    pub fn previous(&self) -> Option<ImageRef> {
        self.observed_previous_ref.clone().or_else(|| {
            self.observed_previous_image
                .as_deref()
                .and_then(ImageRef::parse)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs_parse_and_print_with_ports_and_digests() {
        let r = ImageRef::parse("registry:5000/org/app:1.2.3@sha256:abc").unwrap();
        assert_eq!(
            (r.name.as_str(), r.tag.as_str()),
            ("registry:5000/org/app", "1.2.3")
        );
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(r.to_string(), "registry:5000/org/app:1.2.3@sha256:abc");
        assert!(ImageRef::parse("registry:5000/org/app").is_none());
    }

    #[test]
    fn latest_is_uniform_across_versions() {
        let old: ImagePolicyStatus =
            serde_json::from_value(serde_json::json!({"latestImage": "ghcr.io/org/app:1.0.3"}))
                .unwrap();
        let new: ImagePolicyStatus = serde_json::from_value(
            serde_json::json!({"latestRef": {"name": "ghcr.io/org/app", "tag": "1.0.3"}}),
        )
        .unwrap();
        assert_eq!(old.latest(), new.latest());
        assert_eq!(new.latest().unwrap().to_string(), "ghcr.io/org/app:1.0.3");
    }
}
