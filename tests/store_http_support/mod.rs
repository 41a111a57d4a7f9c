//! Shared helpers for the store/http integration tests: both transports and Flux CRD loading.
#![allow(dead_code)]

pub mod kubectl;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fluxdeck::store::Store;
use fluxdeck::store::http::{ServerHandle, in_process_client, serve};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource, PostParams};
use serde_json::Value;

pub fn shared(path: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")).join(path)
}

pub const KUSTOMIZATION_CRD: &str = "flux/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml";

/// A running HTTPS server with its kubeconfig in a temporary directory.
pub struct Https {
    pub handle: ServerHandle,
    pub kubeconfig: PathBuf,
    pub dir: tempfile::TempDir,
}

pub async fn start_https() -> Https {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    let listen = "127.0.0.1:0".parse().expect("address");
    let handle = serve(Store::in_memory(), listen, Some(&kubeconfig))
        .await
        .expect("server starts");
    Https {
        handle,
        kubeconfig,
        dir,
    }
}

pub async fn https_client(kubeconfig: &Path) -> kube::Client {
    let config = kube::config::Kubeconfig::read_from(kubeconfig).expect("kubeconfig parses");
    let config =
        kube::Config::from_custom_kubeconfig(config, &kube::config::KubeConfigOptions::default())
            .await
            .expect("kubeconfig is usable");
    kube::Client::try_from(config).expect("client")
}

pub fn memory_client() -> kube::Client {
    in_process_client(Store::in_memory())
}

/// Creates every CRD in a YAML file through the API.
pub async fn create_crds(client: &kube::Client, relative: &str) {
    let text = std::fs::read_to_string(shared(relative)).expect("CRD file");
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for doc in fluxdeck::engine::yaml::parse_documents(&text).expect("CRD YAML parses") {
        let crd: CustomResourceDefinition = serde_json::from_value(doc).expect("a CRD");
        api.create(&PostParams::default(), &crd)
            .await
            .expect("CRD is created");
    }
}

pub fn kustomization_resource() -> ApiResource {
    ApiResource {
        group: "kustomize.toolkit.fluxcd.io".into(),
        version: "v1".into(),
        api_version: "kustomize.toolkit.fluxcd.io/v1".into(),
        kind: "Kustomization".into(),
        plural: "kustomizations".into(),
    }
}

pub fn kustomization(name: &str, namespace: &str) -> Value {
    serde_json::json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"interval": "10m", "path": "./apps", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
    })
}

/// Polls `check` until it returns true or the deadline passes.
pub async fn eventually<F: FnMut() -> bool>(what: &str, mut check: F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
