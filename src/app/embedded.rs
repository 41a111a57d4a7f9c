//! The embedded backend: fluxdeck's own store in this process, bootstrapped on first start with
//! the Flux CRDs and the demo fleet. Everything it does after opening the store goes through a
//! `kube::Client`, exactly as against a real cluster.

use std::path::{Path, PathBuf};

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::Value;

use crate::cluster::connect::ConnectError;
use crate::store::Store;
use crate::store::http::in_process_client;

use super::demo;

/// Field manager of everything fluxdeck's bootstrap applies.
pub const BOOTSTRAP_MANAGER: &str = "fluxdeck-bootstrap";

pub struct Embedded {
    pub store: Store,
    pub client: kube::Client,
    pub data_dir: PathBuf,
}

fn embedded_err(dir: &Path, message: impl std::fmt::Display) -> ConnectError {
    ConnectError::Embedded {
        dir: dir.display().to_string(),
        message: message.to_string(),
    }
}

/// Open (or create) the store in `data_dir` and connect an in-process client to it.
pub async fn open(data_dir: &Path) -> Result<Embedded, ConnectError> {
    crate::cluster::connect::ensure_dir(data_dir)?;
    let store = Store::open(&data_dir.join("store")).map_err(|e| {
        embedded_err(
            data_dir,
            format!("{e} (is another fluxdeck using this data directory? pass --data-dir DIR, or connect to that server with --kubeconfig)"),
        )
    })?;
    let client = in_process_client(store.clone());
    Ok(Embedded {
        store,
        client,
        data_dir: data_dir.to_path_buf(),
    })
}

/// The Flux CRDs every embedded cluster serves (installed or updated on every start).
pub fn flux_crds() -> Vec<Value> {
    crate::api::crds::embedded()
}

/// The REST resource of an object, from the store's own catalog (built-ins and CRDs).
fn resource_for(store: &Store, obj: &Value) -> Option<ApiResource> {
    let api_version = obj.get("apiVersion")?.as_str()?;
    let kind = obj.get("kind")?.as_str()?;
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let rt = store.resolve_kind(group, version, kind)?;
    Some(ApiResource {
        group: rt.group.clone(),
        version: rt.version.clone(),
        api_version: rt.api_version(),
        kind: rt.kind.clone(),
        plural: rt.plural.clone(),
    })
}

/// Server-side apply one bootstrap object.
async fn apply(e: &Embedded, obj: &Value) -> Result<(), String> {
    let Some(ar) = resource_for(&e.store, obj) else {
        return Err(format!(
            "{} {} is not served",
            obj["apiVersion"], obj["kind"]
        ));
    };
    let client = &e.client;
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api: Api<DynamicObject> = match obj.pointer("/metadata/namespace").and_then(Value::as_str) {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    };
    api.patch(
        name,
        &PatchParams::apply(BOOTSTRAP_MANAGER).force(),
        &Patch::Apply(obj),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Install the Flux CRDs, and on the first start of an empty data directory, the demo fleet.
pub async fn bootstrap(e: &Embedded, with_demo: bool) -> Result<(), ConnectError> {
    for crd in flux_crds() {
        apply(e, &crd)
            .await
            .map_err(|err| embedded_err(&e.data_dir, format!("installing Flux CRDs: {err}")))?;
    }
    let flux_ns = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}});
    apply(e, &flux_ns)
        .await
        .map_err(|err| embedded_err(&e.data_dir, format!("creating flux-system: {err}")))?;
    let marker = e.data_dir.join("demo-seeded");
    if !with_demo || marker.exists() {
        return Ok(());
    }
    let url = demo::create_repo(&e.data_dir.join("demo-fleet"))
        .map_err(|err| embedded_err(&e.data_dir, err))?;
    for obj in demo::bootstrap_objects(&url).map_err(|err| embedded_err(&e.data_dir, err))? {
        apply(e, &obj)
            .await
            .map_err(|err| embedded_err(&e.data_dir, format!("seeding the demo fleet: {err}")))?;
    }
    std::fs::write(&marker, url).map_err(|err| embedded_err(&e.data_dir, err))?;
    Ok(())
}

/// Serve the demo registry and publish its address (ConfigMap flux-system/fluxdeck-demo,
/// substituted into the demo's ImageRepository). Only for a data directory with the demo.
async fn start_demo_registry(e: &Embedded) -> Result<(), ConnectError> {
    if !e.data_dir.join("demo-seeded").exists() {
        return Ok(());
    }
    let addr = super::demo_registry::start()
        .await
        .map_err(|err| embedded_err(&e.data_dir, format!("starting the demo registry: {err}")))?;
    let cm = serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": super::demo_registry::CONFIGMAP, "namespace": "flux-system"},
        "data": {super::demo_registry::ADDRESS_KEY: addr.to_string()},
    });
    apply(e, &cm)
        .await
        .map_err(|err| embedded_err(&e.data_dir, format!("publishing the demo registry: {err}")))
}

/// Start the in-process controllers against the embedded store (with the simulated rollout),
/// and the demo registry when the demo fleet is there.
pub async fn start_controllers(
    e: &Embedded,
) -> Result<crate::controllers::ControllersHandle, ConnectError> {
    start_demo_registry(e).await?;
    let opts = crate::controllers::ControllerOptions::new(e.data_dir.clone(), true);
    crate::controllers::run_all(e.client.clone(), opts)
        .await
        .map_err(|err| embedded_err(&e.data_dir, err))
}
