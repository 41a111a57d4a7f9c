//! `fluxdeck diff kustomization NAME [--path DIR | --revision REV] [-o text|json|markdown]`:
//! the Kustomization built exactly as its controller builds it (`controllers::kustomize::desired`)
//! from the source's current artifact, a local checkout or a Git revision, each object
//! server-side dry-run applied as `kustomize-controller` and compared with the live object
//! (`engine::diff`). Exit 0 no diff, 1 diff, 2 error (nothing is ever written).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::{CommandError, Ctx};
use crate::api::meta::inventory::ObjMetadata;
use crate::cli::{DiffArgs, DiffKsArgs, DiffOutput, DiffTarget};
use crate::controllers::artifact;
use crate::controllers::kustomize::apply::{FIELD_MANAGER, Resolver, subject};
use crate::controllers::kustomize::{desired, prune, resource, source_resource, spec};
use crate::engine::diff::{self, Report, render};

pub async fn run(ctx: &Ctx, args: &DiffArgs) -> Result<i32, CommandError> {
    match &args.target {
        DiffTarget::Kustomization(a) => match kustomization(ctx, a).await {
            Ok(code) => Ok(code),
            Err(message) => {
                eprintln!("{} {message}", ctx.glyph_fail());
                Ok(2)
            }
        },
        DiffTarget::Fleet(a) => Ok(super::diff_fleet::run(a, ctx.glyph_fail()).await),
    }
}

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
pub enum DesiredFrom<'a> {
    /// The artifact the Kustomization's source serves now.
    Artifact,
    /// A local checkout (`--path DIR`), built with `spec.path: ./`.
    Path(&'a Path),
    /// A revision of the source GitRepository (`--revision REV`).
    Revision(&'a str),
}

/// Why a drift report could not be made (always exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriftError {
    /// The Kustomization did not build (reason as Flux reports it, e.g. BuildFailed).
    #[error("{reason}: {message}")]
    Build { reason: String, message: String },
    #[error("{0}")]
    Other(String),
}

impl From<String> for DriftError {
    fn from(s: String) -> Self {
        DriftError::Other(s)
    }
}

impl From<&str> for DriftError {
    fn from(s: &str) -> Self {
        DriftError::Other(s.to_string())
    }
}

/// The Kustomization `ns/name` as a JSON value.
pub async fn get_kustomization(
    client: &kube::Client,
    ns: &str,
    name: &str,
) -> Result<Value, DriftError> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource());
    let ks = api
        .get_opt(name)
        .await
        .map_err(|e| format!("cannot get Kustomization {ns}/{name}: {e}"))?
        .ok_or_else(|| format!("Kustomization {ns}/{name} not found"))?;
    Ok(serde_json::to_value(ks).map_err(|e| e.to_string())?)
}

/// What applying the desired state of `ks` would change: the one code path behind
/// `fluxdeck diff kustomization` and the console's diff pane and drift badges.
pub async fn drift_report(
    client: &kube::Client,
    ks: &Value,
    from: DesiredFrom<'_>,
) -> Result<Report, DriftError> {
    let mut ks = ks.clone();
    let scratch = Scratch::new()?;
    let root = scratch.0.join("src");
    match from {
        DesiredFrom::Path(dir) => {
            // flux diff builds the local directory itself; copy it so generating a
            // kustomization.yaml never touches the user's checkout.
            if !dir.is_dir() {
                return Err(format!("invalid resource path \"{}\"", dir.display()).into());
            }
            copy_tree(dir, &root)?;
            ks["spec"]["path"] = json!("./");
        }
        DesiredFrom::Revision(rev) => {
            let source = source_of(client, &ks).await?;
            checkout_revision(&source, rev, &root)?;
        }
        DesiredFrom::Artifact => {
            let source = source_of(client, &ks).await?;
            fetch_artifact(client, &source, &root).await?;
        }
    }
    let docs = desired::build(client, &ks, &root, true)
        .await
        .map_err(|f| DriftError::Build {
            reason: f.reason,
            message: f.message,
        })?;
    Ok(compare_all(client, &ks, &docs).await?)
}

async fn kustomization(ctx: &Ctx, args: &DiffKsArgs) -> Result<i32, DriftError> {
    let ns = ctx.namespace.clone();
    let ks = get_kustomization(&ctx.client, &ns, &args.name).await?;
    let from = match (&args.path, &args.revision) {
        (Some(dir), _) => DesiredFrom::Path(dir),
        (None, Some(rev)) => DesiredFrom::Revision(rev),
        (None, None) => DesiredFrom::Artifact,
    };
    let report = drift_report(&ctx.client, &ks, from).await?;
    match args.output {
        DiffOutput::Text => print!("{}", render::text(&report)),
        DiffOutput::Json => println!("{:#}", render::json(&report)),
        DiffOutput::Markdown => print!(
            "{}",
            render::markdown(&format!("Kustomization {ns}/{}", args.name), &report)
        ),
    }
    if report.has_changes() {
        eprintln!("⚠ identified at least one change, exiting with non-zero exit code");
        Ok(1)
    } else {
        Ok(0)
    }
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

fn text<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// Objects compared concurrently by `compare_all`.
const IN_FLIGHT: usize = 16;

struct CompareCtx<'a> {
    client: &'a kube::Client,
    resolver: &'a Resolver,
    params: &'a PatchParams,
    new_namespaces: &'a HashSet<&'a str>,
}

type CompareResult = Result<(String, diff::ObjectDiff), String>;
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// One desired object: its inventory id and its comparison with the live object.
async fn compare_one(
    c: &CompareCtx<'_>,
    doc: &Value,
) -> Result<(String, diff::ObjectDiff), String> {
    let (api_version, kind, name) = (
        text(doc, "/apiVersion"),
        text(doc, "/kind"),
        text(doc, "/metadata/name"),
    );
    let (ar, namespaced) = c.resolver.resolve(api_version, kind).await?;
    let ns = namespaced
        .then(|| text(doc, "/metadata/namespace"))
        .filter(|n| !n.is_empty());
    if namespaced && ns.is_none() {
        return Err(format!(
            "{} namespace not specified",
            subject(kind, None, name)
        ));
    }
    let id = ObjMetadata::new(ns.unwrap_or(""), name, &ar.group, kind).to_string();
    let api: Api<DynamicObject> = match ns {
        Some(n) => Api::namespaced_with(c.client.clone(), n, &ar),
        None => Api::all_with(c.client.clone(), &ar),
    };
    let live = api
        .get_opt(name)
        .await
        .map_err(|e| format!("{} query failed: {e}", subject(kind, ns, name)))?
        .and_then(|o| serde_json::to_value(o).ok());
    if diff::skipped(doc, live.as_ref()) {
        return Ok((id, diff::compare(doc, None, live.as_ref())));
    }
    let dry = match api.patch(name, c.params, &Patch::Apply(doc)).await {
        Ok(o) => serde_json::to_value(o).ok(),
        Err(kube::Error::Api(s))
            if s.code == 404 && ns.is_some_and(|n| c.new_namespaces.contains(n)) =>
        {
            None
        }
        Err(kube::Error::Api(s)) => {
            return Err(format!(
                "{} dry-run failed ({}): {}",
                subject(kind, ns, name),
                s.reason,
                s.message
            ));
        }
        Err(e) => return Err(format!("{} dry-run failed: {e}", subject(kind, ns, name))),
    };
    Ok((id, diff::compare(doc, dry.as_ref(), live.as_ref())))
}

/// Dry-run every desired object against its live state; then the would-be-pruned entries.
async fn compare_all(client: &kube::Client, ks: &Value, docs: &[Value]) -> Result<Report, String> {
    let resolver = Resolver::new(client.clone());
    let new_namespaces: HashSet<&str> = docs
        .iter()
        .filter(|d| text(d, "/kind") == "Namespace")
        .map(|d| text(d, "/metadata/name"))
        .collect();
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    let mut report = Report::default();
    let mut built_ids = HashSet::new();
    // One read and one dry-run per object, independent of each other: a few in flight at
    // once (order kept), so a big Kustomization is not a long queue of round trips.
    let ctx = CompareCtx {
        client,
        resolver: &resolver,
        params: &params,
        new_namespaces: &new_namespaces,
    };
    // Collected first, and boxed: a closure or an opaque future inside the stream's type
    // trips the higher-ranked Send check of the spawned futures that call this.
    let mut pending: Vec<BoxFuture<'_, CompareResult>> = Vec::with_capacity(docs.len());
    for d in docs {
        pending.push(Box::pin(compare_one(&ctx, d)));
    }
    let mut results = futures::stream::iter(pending).buffered(IN_FLIGHT);
    while let Some(r) = results.next().await {
        let (id, object) = r?;
        built_ids.insert(id);
        report.objects.push(object);
    }
    drop(results);
    if ks.pointer("/spec/prune").and_then(Value::as_bool) == Some(true) {
        let status = ks.get("status").cloned().unwrap_or(Value::Null);
        for entry in prune::parse_inventory(&status) {
            if built_ids.contains(&entry.id) {
                continue;
            }
            let (Ok(om), Ok(api_version)) = (entry.object(), entry.api_version()) else {
                continue;
            };
            let ns = (!om.namespace.is_empty()).then_some(om.namespace.as_str());
            let live = match resolver.resolve(&api_version, &om.kind).await {
                Ok((ar, _)) => {
                    let api: Api<DynamicObject> = match ns {
                        Some(n) => Api::namespaced_with(client.clone(), n, &ar),
                        None => Api::all_with(client.clone(), &ar),
                    };
                    api.get_opt(&om.name)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|o| serde_json::to_value(o).ok())
                }
                Err(_) => None,
            };
            let owner = text(ks, "/metadata/name");
            let owner_ns = text(ks, "/metadata/namespace");
            // Only what the next reconciliation would really delete.
            if live
                .as_ref()
                .is_some_and(|l| prune::may_prune(l, owner, owner_ns))
            {
                report
                    .objects
                    .push(diff::pruned(subject(&om.kind, ns, &om.name), live.as_ref()));
            }
        }
    }
    Ok(report)
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
