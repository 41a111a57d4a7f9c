//! The console's watch cache against a real `fluxdeck server`: objects arrive as compact text
//! with apiVersion/kind set and without managedFields, updates replace them, deletes remove
//! them, unchanged kinds keep their generation, and the console backend's snapshot shares the
//! cache's objects.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Server;
use fluxdeck::cluster::cache::WatchCache;
use kube::api::ApiResource;

fn config_maps() -> ApiResource {
    ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
    }
}

async fn client(server: &Server) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(&server.kubeconfig).expect("kubeconfig");
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .expect("config");
    kube::Client::try_from(cfg).expect("client")
}

/// Wait until `check` holds for the cached ConfigMaps of namespace `ns`.
async fn wait_for(
    cache: &WatchCache,
    ns: &str,
    what: &str,
    check: impl Fn(&[serde_json::Value]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let objects: Vec<serde_json::Value> = cache
            .objects("", "ConfigMap")
            .iter()
            .map(|o| o.value())
            .filter(|o| o["metadata"]["namespace"] == ns)
            .collect();
        if check(&objects) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: cache holds {objects:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_follows_creates_updates_and_deletes() {
    let server = Server::start(&["--no-demo", "--no-controllers"]);
    server.kubectl_ok(&["create", "namespace", "cache"]);
    // More objects than one list page, so the initial list is paged.
    for i in 0..130 {
        server.kubectl_ok(&[
            "-n",
            "cache",
            "create",
            "configmap",
            &format!("cm-{i:03}"),
            "--from-literal=k=v",
        ]);
    }
    let client = client(&server).await;
    let cache = WatchCache::new();
    cache.watch_kind(&client, &config_maps(), None);
    wait_for(&cache, "cache", "initial list", |o| o.len() == 130).await;
    assert!(cache.synced());

    let first = cache.objects("", "ConfigMap");
    let one = first
        .iter()
        .map(|o| o.value())
        .find(|o| o["metadata"]["name"] == "cm-007")
        .expect("cm-007");
    assert_eq!(one["apiVersion"], "v1", "list items get apiVersion");
    assert_eq!(one["kind"], "ConfigMap", "list items get kind");
    assert_eq!(one["data"]["k"], "v");
    assert!(
        one["metadata"].get("managedFields").is_none(),
        "managedFields are not kept"
    );
    assert!(!first[0].json().contains("managedFields"));

    server.kubectl_ok(&[
        "-n",
        "cache",
        "patch",
        "configmap",
        "cm-007",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"k":"changed"}}"#,
    ]);
    wait_for(&cache, "cache", "update", |o| {
        o.iter()
            .any(|c| c["metadata"]["name"] == "cm-007" && c["data"]["k"] == "changed")
    })
    .await;
    // Unchanged objects are the same shared text after the update.
    let second = cache.objects("", "ConfigMap");
    let same = |name: &str| {
        let find = |v: &[Arc<fluxdeck::engine::stored::StoredObject>]| {
            v.iter()
                .find(|o| o.value()["metadata"]["name"] == name)
                .cloned()
                .expect(name)
        };
        Arc::ptr_eq(&find(&first), &find(&second))
    };
    assert!(same("cm-008"), "an untouched object is not copied");
    assert!(!same("cm-007"), "the updated object is new");

    server.kubectl_ok(&["-n", "cache", "delete", "configmap", "cm-000", "cm-129"]);
    wait_for(&cache, "cache", "delete", |o| {
        o.len() == 128 && !o.iter().any(|c| c["metadata"]["name"] == "cm-000")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_changed_kinds_are_read_again() {
    let server = Server::start(&["--no-demo", "--no-controllers"]);
    let client = client(&server).await;
    let cache = WatchCache::new();
    let namespaces = ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Namespace".into(),
        plural: "namespaces".into(),
    };
    cache.watch_kind(&client, &config_maps(), None);
    cache.watch_kind(&client, &namespaces, None);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cache.synced() {
        assert!(Instant::now() < deadline, "never synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seen: std::collections::HashMap<String, u64> = cache
        .kinds_since(&|_| None)
        .into_iter()
        .map(|k| (k.key, k.generation))
        .collect();
    server.kubectl_ok(&["-n", "default", "create", "configmap", "fresh"]);
    wait_for(&cache, "default", "create", |o| {
        o.iter().any(|c| c["metadata"]["name"] == "fresh")
    })
    .await;
    let slices = cache.kinds_since(&|k| seen.get(k).copied());
    let by_key = |k: &str| slices.iter().find(|s| s.key == k).expect(k);
    assert!(
        by_key("/ConfigMap").objects.is_some(),
        "ConfigMaps changed: read"
    );
    assert!(
        by_key("/Namespace").objects.is_none(),
        "Namespaces unchanged: not read"
    );
}
