//! Content negotiation: which representation an `Accept` header asks for, and what kind of
//! patch a `Content-Type` names. Protobuf is never served; clients listing it first get JSON.

use crate::store::types::PatchKind;

use super::status::ApiError;

/// One entry of an Accept header: `application/json;as=Table;v=v1;g=meta.k8s.io`.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaType {
    pub essence: String,
    pub params: Vec<(String, String)>,
}

impl MediaType {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
    fn is_json_like(&self) -> bool {
        matches!(
            self.essence.as_str(),
            "application/json" | "*/*" | "application/*" | "application/yaml" | ""
        )
    }
}

pub fn parse_accept(header: Option<&str>) -> Vec<MediaType> {
    header
        .unwrap_or("")
        .split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let mut parts = entry.split(';');
            let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let params = parts
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
                .collect();
            MediaType { essence, params }
        })
        .collect()
}

/// What to send back for object reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    Object,
    /// `meta.k8s.io` Table in the given version ("v1" or "v1beta1").
    Table(&'static str),
    /// `meta.k8s.io/v1` PartialObjectMetadata(List).
    Metadata,
}

/// The first acceptable entry wins; unknown or protobuf entries are skipped.
pub fn representation(accept: Option<&str>) -> Representation {
    for media in parse_accept(accept) {
        if !media.is_json_like() {
            continue;
        }
        let group_is_meta = media.param("g") == Some("meta.k8s.io");
        match (media.param("as"), media.param("v")) {
            (None, _) => return Representation::Object,
            (Some("Table"), Some("v1")) if group_is_meta => return Representation::Table("v1"),
            (Some("Table"), Some("v1beta1")) if group_is_meta => {
                return Representation::Table("v1beta1");
            }
            (
                Some("PartialObjectMetadata" | "PartialObjectMetadataList"),
                Some("v1" | "v1beta1"),
            ) if group_is_meta => {
                return Representation::Metadata;
            }
            _ => continue,
        }
    }
    Representation::Object
}

/// The aggregated-discovery version asked for (`v2` or `v2beta1`), if any.
pub fn aggregated_discovery(accept: Option<&str>) -> Option<&'static str> {
    for media in parse_accept(accept) {
        if !media.is_json_like() {
            continue;
        }
        let wants_discovery = media.param("g") == Some("apidiscovery.k8s.io")
            && media.param("as") == Some("APIGroupDiscoveryList");
        if wants_discovery {
            match media.param("v") {
                Some("v2") => return Some("v2"),
                Some("v2beta1") => return Some("v2beta1"),
                _ => continue,
            }
        }
        // Plain JSON listed before any discovery type asks for the legacy answer.
        media.param("as")?;
    }
    None
}

/// Maps a PATCH Content-Type onto the patch kind.
pub fn patch_kind(content_type: Option<&str>, force: bool) -> Result<PatchKind, ApiError> {
    let raw = content_type.unwrap_or("");
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/merge-patch+json" => Ok(PatchKind::Merge),
        "application/json-patch+json" => Ok(PatchKind::Json),
        "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
        "application/apply-patch+yaml" | "application/apply-patch+json" => {
            Ok(PatchKind::Apply { force })
        }
        _ => Err(ApiError::unsupported_media_type(raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_table_request() {
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(representation(Some(accept)), Representation::Table("v1"));
    }

    #[test]
    fn protobuf_first_gets_json() {
        assert_eq!(
            representation(Some("application/vnd.kubernetes.protobuf,application/json")),
            Representation::Object
        );
        assert_eq!(representation(None), Representation::Object);
        assert_eq!(
            representation(Some(
                "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json"
            )),
            Representation::Object
        );
    }

    #[test]
    fn discovery_versions() {
        let v2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(aggregated_discovery(Some(v2)), Some("v2"));
        let beta = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert_eq!(aggregated_discovery(Some(beta)), Some("v2beta1"));
        assert_eq!(aggregated_discovery(Some("application/json, */*")), None);
    }

    #[test]
    fn patch_content_types() {
        assert_eq!(
            patch_kind(Some("application/merge-patch+json"), false).unwrap(),
            PatchKind::Merge
        );
        assert_eq!(
            patch_kind(Some("application/apply-patch+yaml; charset=utf-8"), true).unwrap(),
            PatchKind::Apply { force: true }
        );
        assert_eq!(
            patch_kind(Some("application/json"), false)
                .unwrap_err()
                .code,
            415
        );
    }
}
