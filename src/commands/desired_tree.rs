//! The desired state of a Kustomization as its controller computes it, for everything that
//! shows it without applying (`fluxdeck build kustomization`, `fluxdeck diff kustomization`,
//! `fluxdeck diff fleet`, the console's diff pane and drift badges): the Kustomization read
//! from the cluster, the source tree from the artifact, a local directory or a Git revision,
//! then `controllers::kustomize::desired::build` (the controller's own function).

use std::path::{Path, PathBuf};

use kube::api::{Api, DynamicObject};
use serde_json::{Value, json};

use crate::controllers::artifact;
use crate::controllers::kustomize::{desired, resource, source_resource, spec};

/// A scratch directory removed when dropped.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn new() -> Result<Scratch, String> {
        let p = std::env::temp_dir().join(format!("fluxdeck-diff-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&p).map_err(|e| format!("cannot create {}: {e}", p.display()))?;
        Ok(Scratch(p))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where the desired state comes from.
#[derive(Debug, Clone, Copy)]
pub enum TreeFrom<'a> {
    /// The artifact the Kustomization's source serves now.
    Artifact,
    /// A local checkout (`--path DIR`), built with `spec.path: ./`.
    Local(&'a Path),
    /// A revision of the source GitRepository (`--revision REV`).
    Revision(&'a str),
}

/// Why a drift report could not be made (always exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesiredError {
    /// The Kustomization did not build (reason as Flux reports it, e.g. BuildFailed).
    #[error("{reason}: {message}")]
    Build { reason: String, message: String },
    #[error("{0}")]
    Other(String),
}

impl From<String> for DesiredError {
    fn from(s: String) -> Self {
        DesiredError::Other(s)
    }
}

impl From<&str> for DesiredError {
    fn from(s: &str) -> Self {
        DesiredError::Other(s.to_string())
    }
}

/// The Kustomization `ns/name` as a JSON value.
pub async fn get_kustomization(
    client: &kube::Client,
    ns: &str,
    name: &str,
) -> Result<Value, DesiredError> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource());
    let ks = api
        .get_opt(name)
        .await
        .map_err(|e| format!("cannot get Kustomization {ns}/{name}: {e}"))?
        .ok_or_else(|| format!("Kustomization {ns}/{name} not found"))?;
    Ok(serde_json::to_value(ks).map_err(|e| e.to_string())?)
}

/// The objects the controller would apply for `ks`, built from `from`.
pub async fn desired_objects(
    client: &kube::Client,
    ks: &Value,
    from: TreeFrom<'_>,
) -> Result<Vec<Value>, DesiredError> {
    let mut ks = ks.clone();
    let scratch = Scratch::new()?;
    let root = scratch.0.join("src");
    match from {
        TreeFrom::Local(dir) => {
            // flux builds the local directory itself; copy it so generating a
            // kustomization.yaml never touches the user's checkout.
            if !dir.is_dir() {
                return Err(format!("invalid resource path \"{}\"", dir.display()).into());
            }
            copy_tree(dir, &root)?;
            ks["spec"]["path"] = json!("./");
        }
        TreeFrom::Revision(rev) => {
            let source = source_of(client, &ks).await?;
            checkout_revision(&source, rev, &root)?;
        }
        TreeFrom::Artifact => {
            let source = source_of(client, &ks).await?;
            fetch_artifact(client, &source, &root).await?;
        }
    }
    desired::build(client, &ks, &root, true)
        .await
        .map_err(|f| DesiredError::Build {
            reason: f.reason,
            message: f.message,
        })
}

async fn source_of(client: &kube::Client, ks: &Value) -> Result<Value, String> {
    let src =
        spec::source_ref(ks).ok_or("spec.sourceRef.kind and spec.sourceRef.name are required")?;
    let ar = source_resource(&src.kind)
        .ok_or_else(|| format!("unsupported spec.sourceRef.kind '{}'", src.kind))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &src.namespace, &ar);
    let obj = api
        .get_opt(&src.name)
        .await
        .map_err(|e| format!("cannot get source '{src}': {e}"))?
        .ok_or_else(|| format!("Source '{src}' not found"))?;
    serde_json::to_value(obj).map_err(|e| e.to_string())
}

/// The artifact the source serves now (digest-checked), unpacked into `root`.
async fn fetch_artifact(client: &kube::Client, source: &Value, root: &Path) -> Result<(), String> {
    let art = source
        .pointer("/status/artifact")
        .ok_or("the source has no artifact yet (status.artifact is empty)")?;
    let url = art.get("url").and_then(Value::as_str).unwrap_or("");
    let digest = art.get("digest").and_then(Value::as_str).unwrap_or("");
    let bytes = match service_proxy_path(url) {
        Some(path) => {
            let bytes = proxy_get(client, &path).await?;
            let actual = artifact::digest(&bytes);
            if !digest.is_empty() && actual != digest {
                return Err(format!(
                    "artifact {url}: digest mismatch, expected {digest}, got {actual}"
                ));
            }
            bytes
        }
        None => artifact::fetch(None, &reqwest::Client::new(), url, digest)
            .await
            .map_err(|e| e.to_string())?,
    };
    std::fs::create_dir_all(root).map_err(|e| e.to_string())?;
    artifact::extract(&bytes, root, url).map_err(|e| e.to_string())
}

/// An in-cluster service URL (`http://source-controller.flux-system.svc.cluster.local./x`)
/// rewritten to the API server's service proxy path
/// (`/api/v1/namespaces/flux-system/services/http:source-controller:80/proxy/x`), so the
/// artifact of a real Flux can be read from outside the cluster. None for any other URL.
pub fn service_proxy_path(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => (h, p.to_string()),
        _ => (
            authority,
            if scheme == "https" {
                "443".into()
            } else {
                "80".into()
            },
        ),
    };
    let host = host.trim_end_matches('.');
    let host = host
        .strip_suffix(".svc.cluster.local")
        .or_else(|| host.strip_suffix(".svc"))?;
    let (service, namespace) = host.split_once('.')?;
    if service.is_empty() || namespace.is_empty() || namespace.contains('.') {
        return None;
    }
    Some(format!(
        "/api/v1/namespaces/{namespace}/services/{scheme}:{service}:{port}/proxy/{path}"
    ))
}

async fn proxy_get(client: &kube::Client, path: &str) -> Result<Vec<u8>, String> {
    use http_body_util::BodyExt;
    let req = http::Request::get(path)
        .body(kube::client::Body::empty())
        .map_err(|e| e.to_string())?;
    let resp = client
        .send(req)
        .await
        .map_err(|e| format!("GET {path} through the API server: {e}"))?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?
        .to_bytes();
    if !status.is_success() {
        return Err(format!("GET {path} through the API server: HTTP {status}"));
    }
    Ok(body.to_vec())
}

/// `--revision REV`: the source GitRepository's URL cloned and REV checked out into `root`
/// (without `.git`, as an artifact has none).
fn checkout_revision(source: &Value, rev: &str, root: &Path) -> Result<(), String> {
    let url = source
        .pointer("/spec/url")
        .and_then(Value::as_str)
        .ok_or("--revision needs a GitRepository source with spec.url")?;
    checkout(url, rev, root)
}

/// Clone `url` (a URL or a local path) and check out `rev` (branch, tag, commit, or a Flux
/// revision `main@sha1:…`) into `root`, without `.git` (as an artifact has none).
pub(crate) fn checkout(url: &str, rev: &str, root: &Path) -> Result<(), String> {
    let repo =
        git2::Repository::clone(url, root).map_err(|e| format!("cannot clone {url}: {e}"))?;
    let spec_rev = rev.rsplit_once(':').map_or(rev, |(_, sha)| sha);
    let spec_rev = spec_rev.rsplit_once('@').map_or(spec_rev, |(_, s)| s);
    let candidates = [spec_rev.to_string(), format!("origin/{spec_rev}")];
    let obj = candidates
        .iter()
        .find_map(|r| repo.revparse_single(r).ok())
        .ok_or_else(|| format!("revision '{rev}' not found in {url}"))?;
    repo.checkout_tree(&obj, Some(git2::build::CheckoutBuilder::new().force()))
        .map_err(|e| format!("cannot check out {rev}: {e}"))?;
    drop(obj);
    drop(repo);
    std::fs::remove_dir_all(root.join(".git")).map_err(|e| e.to_string())
}

pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(|e| e.to_string())?;
        let rel = entry.path().strip_prefix(from).map_err(|e| e.to_string())?;
        if rel
            .components()
            .next()
            .is_some_and(|c| c.as_os_str() == ".git")
        {
            continue;
        }
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::service_proxy_path;

    #[test]
    fn in_cluster_artifact_urls_go_through_the_service_proxy() {
        assert_eq!(
            service_proxy_path(
                "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/abc.tar.gz"
            )
            .as_deref(),
            Some(
                "/api/v1/namespaces/flux-system/services/http:source-controller:80/proxy/gitrepository/flux-system/podinfo/abc.tar.gz"
            )
        );
        assert_eq!(
            service_proxy_path("http://source-controller.flux-system.svc:9090/x.tar.gz").as_deref(),
            Some(
                "/api/v1/namespaces/flux-system/services/http:source-controller:9090/proxy/x.tar.gz"
            )
        );
        assert_eq!(service_proxy_path("http://127.0.0.1:9090/x.tar.gz"), None);
        assert_eq!(service_proxy_path("https://example.com/x.tar.gz"), None);
    }
}
