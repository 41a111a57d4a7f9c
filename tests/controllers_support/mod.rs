//! Shared pieces of the controller tests: an embedded store with the Flux CRDs behind a real
//! kube::Client, real Git repositories (git2, `git daemon`, smart HTTP), and waiting helpers.
#![allow(dead_code)]

pub use crate::common::git_cli;
pub mod servers;
pub mod source_env;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fluxdeck::store::Store;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::Value;

pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(rel)
}

pub fn crd_resource() -> ApiResource {
    ApiResource {
        group: "apiextensions.k8s.io".into(),
        version: "v1".into(),
        api_version: "apiextensions.k8s.io/v1".into(),
        kind: "CustomResourceDefinition".into(),
        plural: "customresourcedefinitions".into(),
    }
}

/// A fresh in-memory store with the Flux source and kustomize CRDs installed, and a client.
pub async fn cluster() -> (Store, kube::Client) {
    let store = Store::in_memory();
    let client = fluxdeck::store::http::in_process_client(store.clone());
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &crd_resource());
    // The embedded set already admits the file://, git:// and plain-path URLs these tests use.
    for crd in fluxdeck::api::crds::embedded() {
        let obj: DynamicObject = serde_json::from_value(crd).unwrap();
        api.create(&PostParams::default(), &obj).await.unwrap();
    }
    (store, client)
}

pub fn ar(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() {
            version.into()
        } else {
            format!("{group}/{version}")
        },
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// Server-side apply any object (as a test fixture author would with kubectl).
pub async fn apply(client: &kube::Client, resource: &ApiResource, obj: Value) -> DynamicObject {
    let name = obj["metadata"]["name"].as_str().unwrap().to_string();
    let api: Api<DynamicObject> = match obj["metadata"]["namespace"].as_str() {
        Some(ns) => Api::namespaced_with(client.clone(), ns, resource),
        None => Api::all_with(client.clone(), resource),
    };
    api.patch(
        &name,
        &PatchParams::apply("test").force(),
        &Patch::Apply(&obj),
    )
    .await
    .unwrap_or_else(|e| panic!("apply {name}: {e}"))
}

pub async fn get(
    client: &kube::Client,
    resource: &ApiResource,
    ns: &str,
    name: &str,
) -> Option<Value> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, resource);
    api.get_opt(name)
        .await
        .unwrap()
        .map(|o| serde_json::to_value(o).unwrap())
}

/// Poll until `check` accepts the object (or panic with the last state after `timeout`).
pub async fn wait_for(
    client: &kube::Client,
    resource: &ApiResource,
    ns: &str,
    name: &str,
    timeout: Duration,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let obj = get(client, resource, ns, name).await;
        if let Some(o) = &obj
            && check(o)
        {
            return o.clone();
        }
        if Instant::now() > deadline {
            panic!(
                "timed out waiting for {}/{ns}/{name}: {}",
                resource.kind,
                serde_json::to_string_pretty(&obj).unwrap()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn condition<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
}

pub fn ready_status(obj: &Value) -> Option<&str> {
    condition(obj, "Ready")?.get("status")?.as_str()
}

/// The kstatus verdict of an object (the end of every controller test).
pub fn kstatus(obj: &Value) -> fluxdeck::engine::kstatus::Status {
    fluxdeck::engine::kstatus::compute(obj).unwrap().status
}

/// Write files and commit them on `main` (creating the repository if needed).
pub fn commit_files(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    let repo = match git2::Repository::open(dir) {
        Ok(r) => r,
        Err(_) => git2::Repository::init_opts(
            dir,
            git2::RepositoryInitOptions::new().initial_head("main"),
        )
        .unwrap(),
    };
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::FORCE, None)
        .unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("test", "test@example.com").unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
    let oid = repo
        .commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)
        .unwrap();
    oid.to_string()
}

pub fn tag(dir: &Path, name: &str) {
    let repo = git2::Repository::open(dir).unwrap();
    let head = repo.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
    let sig = git2::Signature::now("test", "test@example.com").unwrap();
    repo.tag(name, &head, &sig, name, false).unwrap();
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed (by its own PID) on drop.
pub struct Daemon(pub Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server on {port} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A bare clone of `src` under `root/<name>.git`.
pub fn bare_clone(src: &Path, root: &Path, name: &str) -> PathBuf {
    let dest = root.join(format!("{name}.git"));
    let status = Command::new("git")
        .args(["clone", "--bare", "-q"])
        .arg(src)
        .arg(&dest)
        .status()
        .unwrap();
    assert!(status.success());
    dest
}

/// `git daemon` serving `root` on a free loopback port.
pub fn git_daemon(root: &Path) -> (Daemon, u16) {
    let port = free_port();
    (git_daemon_on(root, port), port)
}

/// `git daemon` serving `root` on `port` (to bring a stopped server back at the same URL).
pub fn git_daemon_on(root: &Path, port: u16) -> Daemon {
    // Run git-daemon itself: `git daemon` forks it as a child that would outlive a kill.
    let exec_path = Command::new("git").arg("--exec-path").output().unwrap();
    let exec_path = String::from_utf8(exec_path.stdout).unwrap();
    let child = Command::new(Path::new(exec_path.trim()).join("git-daemon"))
        .args([
            "--reuseaddr",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            "--export-all",
        ])
        .arg(format!("--base-path={}", root.display()))
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(port);
    Daemon(child)
}

/// Smart HTTP with basic auth (../shared/tools/git_http_server.py).
pub fn git_http(root: &Path, credentials: &str) -> (Daemon, u16) {
    let port = free_port();
    let child = Command::new("python3")
        .arg(shared("tools/git_http_server.py"))
        .arg(port.to_string())
        .arg(root)
        .arg(credentials)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_port(port);
    (Daemon(child), port)
}

/// `flux reconcile`'s trigger: a merge patch of the requestedAt annotation.
pub async fn request_reconcile(
    client: &kube::Client,
    resource: &ApiResource,
    ns: &str,
    name: &str,
    token: &str,
) {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, resource);
    let patch = serde_json::json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": token}}});
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
}

/// Poll the Events of `ns` until one satisfies `check` (events are recorded after the status
/// write, so a test that just saw the status may be a moment early). Panics listing them all.
pub async fn wait_event(
    client: &kube::Client,
    ns: &str,
    timeout: Duration,
    check: impl Fn(&k8s_openapi::api::core::v1::Event) -> bool,
) -> k8s_openapi::api::core::v1::Event {
    let api: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(client.clone(), ns);
    let deadline = Instant::now() + timeout;
    loop {
        let list = api.list(&Default::default()).await.unwrap().items;
        if let Some(e) = list.iter().find(|e| check(e)) {
            return e.clone();
        }
        if Instant::now() > deadline {
            let seen: Vec<_> = list
                .iter()
                .map(|e| {
                    (
                        e.involved_object.name.clone(),
                        e.type_.clone(),
                        e.reason.clone(),
                        e.message.clone(),
                    )
                })
                .collect();
            panic!("no matching event in {ns}: {seen:#?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
