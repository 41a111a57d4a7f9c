//! The artifact a source publishes in `status.artifact` (`fluxcd/pkg/apis/meta/artifact.go`).

use super::Extra;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// `<lowercase kind>/<namespace>/<name>/<file>`.
    pub path: String,
    /// Where consumers download the file from.
    pub url: String,
    /// Kind-specific revision, compared by exact string equality.
    pub revision: String,
    /// `<algo>:<hex>` of the file.
    pub digest: String,
    /// RFC 3339 time of the last update.
    pub last_update_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Artifact {
    /// Same revision as `revision` (Flux's `HasRevision`: exact string comparison).
    pub fn has_revision(&self, revision: &str) -> bool {
        self.revision == revision
    }

    /// Same digest as `digest` (Flux's `HasDigest`).
    pub fn has_digest(&self, digest: &str) -> bool {
        self.digest == digest
    }

    /// The `org.opencontainers.image.revision` annotation of an OCI artifact, which
    /// consumers record as their `lastAppliedOriginRevision`.
    pub fn origin_revision(&self) -> Option<&str> {
        self.metadata
            .as_ref()?
            .get("org.opencontainers.image.revision")
            .map(String::as_str)
    }

    /// The storage path Flux uses: `<lowercase kind>/<namespace>/<name>/<file>`.
    pub fn storage_path(kind: &str, namespace: &str, name: &str, file: &str) -> String {
        format!("{}/{namespace}/{name}/{file}", kind.to_ascii_lowercase())
    }

    /// The URL for `path` under the advertised storage address; `http://` is only
    /// prefixed when the address has no scheme of its own.
    pub fn storage_url(advertised: &str, path: &str) -> String {
        let base = advertised.trim_end_matches('/');
        if base.starts_with("http://") || base.starts_with("https://") {
            format!("{base}/{path}")
        } else {
            format!("http://{base}/{path}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_path_and_url_follow_source_controller() {
        let path = Artifact::storage_path("GitRepository", "flux-system", "podinfo", "abc.tar.gz");
        assert_eq!(path, "gitrepository/flux-system/podinfo/abc.tar.gz");
        assert_eq!(
            Artifact::storage_url("source-controller.flux-system.svc.cluster.local.", &path),
            "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/abc.tar.gz"
        );
        assert_eq!(
            Artifact::storage_url("https://s.example/", "a/b"),
            "https://s.example/a/b"
        );
    }
}
