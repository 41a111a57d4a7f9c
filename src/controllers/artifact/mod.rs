//! Source artifacts (SPEC §2.3): tarballs under `<data>/artifacts/<kind>/<ns>/<name>/<file>`
//! with a sha256 digest, a `latest.tar.gz` link, retention of the two newest, and retrieval
//! for consumers with a digest check (a local read when the URL is ours, HTTP otherwise).
//!
//! Serving: a small loopback HTTP server (`server`) started with the controllers. The store's
//! router belongs to the store layer and has no extension point for non-API routes, and a
//! separate listener also lets artifacts be served next to a real cluster.

pub mod server;

use std::path::{Component, Path, PathBuf};

use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::controllers::runtime::FluxReason;

/// How many artifacts per object are kept (source-controller `--artifact-retention-records`).
const RETAINED: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("cannot write artifact {path}: {message}")]
    Write { path: String, message: String },
    #[error("artifact not found at {0}")]
    NotFound(String),
    #[error("cannot download artifact from {url}: {message}")]
    Download { url: String, message: String },
    #[error("artifact {url} has digest {actual}, expected {expected}")]
    DigestMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    #[error("cannot extract artifact {url}: {message}")]
    Extract { url: String, message: String },
}

impl FluxReason for ArtifactError {
    fn reason(&self) -> &'static str {
        match self {
            ArtifactError::Write { .. } => "StorageOperationFailed",
            _ => "ArtifactFailed",
        }
    }
}

/// `sha256:<hex>` of some bytes.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// Where artifacts live and how they are addressed.
#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
    /// `http://127.0.0.1:<port>` of the artifact server (no trailing slash).
    base_url: String,
}

impl Storage {
    pub fn new(root: PathBuf, base_url: String) -> Storage {
        Storage {
            root,
            base_url: base_url.trim_end_matches('/').to_string(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Write an artifact atomically and return its `status.artifact` value.
    pub fn store(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        file: &str,
        revision: &str,
        bytes: &[u8],
    ) -> Result<Value, ArtifactError> {
        let rel = format!("{}/{namespace}/{name}/{file}", kind.to_lowercase());
        let path = self.root.join(&rel);
        let werr = |e: std::io::Error| ArtifactError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        std::fs::create_dir_all(&dir).map_err(werr)?;
        let tmp = dir.join(format!(".{file}.tmp"));
        std::fs::write(&tmp, bytes).map_err(werr)?;
        std::fs::rename(&tmp, &path).map_err(werr)?;
        let latest = dir.join("latest.tar.gz");
        let _ = std::fs::remove_file(&latest);
        std::os::unix::fs::symlink(file, &latest).map_err(werr)?;
        self.retain(&dir, file);
        let now = Timestamp::from_second(Timestamp::now().as_second()).unwrap_or(Timestamp::now());
        Ok(json!({
            "path": rel,
            "url": format!("{}/{rel}", self.base_url),
            "revision": revision,
            "digest": digest(bytes),
            "lastUpdateTime": now.to_string(),
            "size": bytes.len(),
        }))
    }

    /// Keep the newest `RETAINED` archives (by modification time) and the one just written.
    fn retain(&self, dir: &Path, current: &str) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .flatten()
            .filter(|e| {
                let n = e.file_name().to_string_lossy().to_string();
                n.ends_with(".tar.gz") && n != "latest.tar.gz" && n != current
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        files.sort();
        let excess = (files.len() + 1).saturating_sub(RETAINED);
        for (_, p) in files.into_iter().take(excess) {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Remove every artifact of an object (on deletion).
    pub fn remove_all(&self, kind: &str, namespace: &str, name: &str) {
        let dir = self
            .root
            .join(kind.to_lowercase())
            .join(namespace)
            .join(name);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The local file behind an artifact path, refusing anything outside the root.
    pub fn local_path(&self, rel: &str) -> Option<PathBuf> {
        let rel = Path::new(rel.trim_start_matches('/'));
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        Some(self.root.join(rel))
    }

    /// True when the stored file exists and has the digest.
    pub fn verify(&self, artifact: &Value) -> bool {
        let (Some(rel), Some(want)) = (
            artifact.get("path").and_then(Value::as_str),
            artifact.get("digest").and_then(Value::as_str),
        ) else {
            return false;
        };
        self.local_path(rel)
            .and_then(|p| std::fs::read(p).ok())
            .is_some_and(|b| digest(&b) == want)
    }
}

/// Get an artifact's bytes and check the digest: read the file directly when the URL is
/// served by `storage`, download it otherwise.
/// The path part (`/…`) of an `http://127.0.0.1:PORT/…` or `http://localhost:PORT/…` URL.
fn loopback_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .or_else(|| url.strip_prefix("http://localhost:"))?;
    rest.find('/').map(|i| &rest[i..])
}

pub async fn fetch(
    storage: Option<&Storage>,
    http: &reqwest::Client,
    url: &str,
    expected_digest: &str,
) -> Result<Vec<u8>, ArtifactError> {
    // Our own artifacts are read from disk (the digest is checked below either way). The
    // artifact server's port changes with every start, so a URL written by an earlier process
    // names a dead port: any loopback URL whose path is in our storage counts as local.
    let local = storage.and_then(|s| {
        let rest = url
            .strip_prefix(s.base_url())
            .or_else(|| loopback_path(url))?
            .strip_prefix('/')?;
        s.local_path(rest).filter(|p| p.is_file())
    });
    let bytes = match local {
        Some(path) => std::fs::read(&path).map_err(|_| ArtifactError::NotFound(url.to_string()))?,
        None => {
            let resp = http
                .get(url)
                .send()
                .await
                .map_err(|e| ArtifactError::Download {
                    url: url.to_string(),
                    message: e.to_string(),
                })?;
            if resp.status() == reqwest::StatusCode::NOT_FOUND {
                return Err(ArtifactError::NotFound(url.to_string()));
            }
            let resp = resp
                .error_for_status()
                .map_err(|e| ArtifactError::Download {
                    url: url.to_string(),
                    message: e.to_string(),
                })?;
            resp.bytes()
                .await
                .map_err(|e| ArtifactError::Download {
                    url: url.to_string(),
                    message: e.to_string(),
                })?
                .to_vec()
        }
    };
    let actual = digest(&bytes);
    if !expected_digest.is_empty() && actual != expected_digest {
        return Err(ArtifactError::DigestMismatch {
            url: url.to_string(),
            expected: expected_digest.to_string(),
            actual,
        });
    }
    Ok(bytes)
}

/// Unpack a tar.gz into `dir` (entries may not leave it: the tar crate refuses `..`).
pub fn extract(bytes: &[u8], dir: &Path, url: &str) -> Result<(), ArtifactError> {
    let gz = flate2::read::GzDecoder::new(bytes);
    tar::Archive::new(gz)
        .unpack(dir)
        .map_err(|e| ArtifactError::Extract {
            url: url.to_string(),
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_link_retain_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::new(dir.path().to_path_buf(), "http://127.0.0.1:1/".into());
        let a = s
            .store(
                "GitRepository",
                "ns",
                "repo",
                "a.tar.gz",
                "main@sha1:a",
                b"one",
            )
            .unwrap();
        assert_eq!(a["path"], "gitrepository/ns/repo/a.tar.gz");
        assert_eq!(
            a["url"],
            "http://127.0.0.1:1/gitrepository/ns/repo/a.tar.gz"
        );
        assert_eq!(a["digest"], digest(b"one"));
        assert!(s.verify(&a));
        std::thread::sleep(std::time::Duration::from_millis(20));
        s.store("GitRepository", "ns", "repo", "b.tar.gz", "r", b"two")
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        s.store("GitRepository", "ns", "repo", "c.tar.gz", "r", b"three")
            .unwrap();
        let repo_dir = dir.path().join("gitrepository/ns/repo");
        assert!(!repo_dir.join("a.tar.gz").exists(), "oldest is removed");
        assert!(repo_dir.join("b.tar.gz").exists() && repo_dir.join("c.tar.gz").exists());
        assert_eq!(
            std::fs::read(repo_dir.join("latest.tar.gz")).unwrap(),
            b"three"
        );
        assert!(s.local_path("../etc/passwd").is_none());
    }

    #[tokio::test]
    async fn fetch_checks_the_digest() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::new(dir.path().to_path_buf(), "http://127.0.0.1:1".into());
        let a = s
            .store("GitRepository", "ns", "r", "x.tar.gz", "r", b"data")
            .unwrap();
        let http = reqwest::Client::new();
        let url = a["url"].as_str().unwrap();
        let ok = fetch(Some(&s), &http, url, a["digest"].as_str().unwrap()).await;
        assert_eq!(ok.unwrap(), b"data");
        let bad = fetch(Some(&s), &http, url, "sha256:00").await;
        assert!(matches!(bad, Err(ArtifactError::DigestMismatch { .. })));
    }
}
