//! A GitRepository controller (with its artifact server) on a fresh embedded store: the
//! environment of the source tests.

use std::sync::Arc;
use std::time::Duration;

use fluxdeck::controllers::artifact::{Storage, server};
use fluxdeck::controllers::runtime::{self, Bus, Running};
use fluxdeck::controllers::source_git::{self, GitRepositories};
use serde_json::{Value, json};

use super::{cluster, ready_status, wait_for};

pub const SOURCE_WAIT: Duration = Duration::from_secs(30);

pub struct Env {
    pub client: kube::Client,
    pub _server: server::ArtifactServer,
    pub storage: Storage,
    pub _running: Running,
    pub dir: tempfile::TempDir,
}

pub async fn start() -> Env {
    let (_store, client) = cluster().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("artifacts");
    let srv = server::start(root.clone(), 0).await.unwrap();
    let storage = Storage::new(root, srv.base_url());
    let ctl = GitRepositories::new(storage.clone(), dir.path().join("mirrors"));
    let running = runtime::spawn(client.clone(), Bus::default(), Arc::new(ctl), 4);
    Env {
        client,
        _server: srv,
        storage,
        _running: running,
        dir,
    }
}

/// A GitRepository `default/<name>` on branch main, with `spec_extra` merged into the spec.
pub fn gitrepo(name: &str, url: &str, spec_extra: Value) -> Value {
    let mut spec = json!({"interval": "10m", "url": url, "ref": {"branch": "main"}});
    for (k, v) in spec_extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    })
}

pub async fn gitrepo_with_ready(env: &Env, name: &str, status: &str) -> Value {
    wait_for(
        &env.client,
        &source_git::resource(),
        "default",
        name,
        SOURCE_WAIT,
        |o| ready_status(o) == Some(status),
    )
    .await
}

pub async fn ready_gitrepo(env: &Env, name: &str) -> Value {
    gitrepo_with_ready(env, name, "True").await
}
