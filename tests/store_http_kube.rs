//! kube-rs against the store's REST API over both transports: in-process (Router as the
//! Client's service) and HTTPS with the bearer token from the written kubeconfig.

use crate::store_http_support;

use std::collections::BTreeMap;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::json;
use store_http_support::*;

fn config_map(name: &str, data: &[(&str, &str)]) -> ConfigMap {
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some(name.into());
    cm.data = Some(
        data.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    );
    cm
}

fn api_code(err: &kube::Error) -> u16 {
    match err {
        kube::Error::Api(status) => status.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn config_map_crud(client: &kube::Client) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let created = api
        .create(&PostParams::default(), &config_map("crud", &[("a", "1")]))
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some());
    assert!(created.metadata.resource_version.is_some());
    let err = api
        .create(&PostParams::default(), &config_map("crud", &[]))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), 409);

    let mut fetched = api.get("crud").await.unwrap();
    assert_eq!(fetched.data.as_ref().unwrap()["a"], "1");
    fetched
        .data
        .as_mut()
        .unwrap()
        .insert("b".into(), "2".into());
    let replaced = api
        .replace("crud", &PostParams::default(), &fetched)
        .await
        .unwrap();
    assert_eq!(replaced.data.as_ref().unwrap()["b"], "2");

    let merged = api
        .patch(
            "crud",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"c": "3"}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.data.as_ref().unwrap().len(), 3);
    let json_patch: json_patch::Patch =
        serde_json::from_value(json!([{"op": "remove", "path": "/data/a"}])).unwrap();
    let patched = api
        .patch(
            "crud",
            &PatchParams::default(),
            &Patch::<()>::Json(json_patch),
        )
        .await
        .unwrap();
    assert!(!patched.data.as_ref().unwrap().contains_key("a"));

    let dry = api
        .create(
            &PostParams {
                dry_run: true,
                ..Default::default()
            },
            &config_map("dry", &[]),
        )
        .await
        .unwrap();
    assert_eq!(dry.metadata.name.as_deref(), Some("dry"));
    assert_eq!(api_code(&api.get("dry").await.unwrap_err()), 404);

    api.create(&PostParams::default(), &config_map("labelled", &[]))
        .await
        .unwrap();
    api.patch(
        "labelled",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"team": "a"}}})),
    )
    .await
    .unwrap();
    let selected = api
        .list(&ListParams::default().labels("team=a"))
        .await
        .unwrap();
    assert_eq!(selected.items.len(), 1);
    let page = api.list(&ListParams::default().limit(1)).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let token = page.metadata.continue_.clone().expect("a continue token");
    let next = api
        .list(&ListParams::default().limit(1).continue_token(&token))
        .await
        .unwrap();
    assert_ne!(next.items[0].metadata.name, page.items[0].metadata.name);

    let deleted = api.delete("crud", &DeleteParams::default()).await.unwrap();
    assert!(
        deleted.is_right(),
        "a ConfigMap without finalizers is gone at once"
    );
    assert_eq!(api_code(&api.get("crud").await.unwrap_err()), 404);
    let removed = api
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("team=a"),
        )
        .await
        .unwrap();
    assert_eq!(removed.left().map(|l| l.items.len()), Some(1));

    let all: Api<ConfigMap> = Api::all(client.clone());
    let listed = all.list(&ListParams::default()).await.unwrap();
    assert!(
        listed
            .items
            .iter()
            .all(|cm| cm.metadata.namespace.is_some())
    );
}

async fn reflector_sees_later_changes(client: &kube::Client) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let (reader, writer) = reflector::store();
    let stream =
        reflector(writer, watcher(api.clone(), watcher::Config::default())).applied_objects();
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(item) = stream.next().await {
            item.expect("watch stream stays healthy");
        }
    });
    reader.wait_until_ready().await.unwrap();
    api.create(
        &PostParams::default(),
        &config_map("watched", &[("v", "1")]),
    )
    .await
    .unwrap();
    eventually("the reflector to see the new ConfigMap", || {
        reader
            .state()
            .iter()
            .any(|cm| cm.metadata.name.as_deref() == Some("watched"))
    })
    .await;
    api.patch(
        "watched",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    eventually("the reflector to see the update", || {
        reader.state().iter().any(|cm| {
            cm.metadata.name.as_deref() == Some("watched")
                && cm.data.as_ref().is_some_and(|d| d["v"] == "2")
        })
    })
    .await;
    api.delete("watched", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the reflector to drop the deleted ConfigMap", || {
        reader
            .state()
            .iter()
            .all(|cm| cm.metadata.name.as_deref() != Some("watched"))
    })
    .await;
    task.abort();
}

async fn server_side_apply(client: &kube::Client) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"owner": "alice"}});
    let applied = api
        .patch(
            "ssa",
            &PatchParams::apply("alice"),
            &Patch::Apply(&manifest),
        )
        .await
        .unwrap();
    assert_eq!(applied.data.as_ref().unwrap()["owner"], "alice");
    let managers: Vec<_> = applied
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.manager.clone())
        .collect();
    assert!(managers.contains(&"alice".to_string()), "{managers:?}");

    let rival = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"owner": "bob"}});
    let err = api
        .patch("ssa", &PatchParams::apply("bob"), &Patch::Apply(&rival))
        .await
        .unwrap_err();
    assert_eq!(
        api_code(&err),
        409,
        "a field owned by another manager conflicts"
    );
    let forced = api
        .patch(
            "ssa",
            &PatchParams::apply("bob").force(),
            &Patch::Apply(&rival),
        )
        .await
        .unwrap();
    assert_eq!(forced.data.as_ref().unwrap()["owner"], "bob");

    // Server-side apply of a Flux object creates it, then updates it.
    let flux: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "flux-system", &kustomization_resource());
    let mut applied = kustomization("platform", "flux-system");
    let created = flux
        .patch(
            "platform",
            &PatchParams::apply("fluxdeck-test"),
            &Patch::Apply(&applied),
        )
        .await
        .unwrap();
    assert_eq!(created.data["spec"]["interval"], "10m");
    applied["spec"]["interval"] = json!("1h");
    let updated = flux
        .patch(
            "platform",
            &PatchParams::apply("fluxdeck-test"),
            &Patch::Apply(&applied),
        )
        .await
        .unwrap();
    assert_eq!(updated.data["spec"]["interval"], "1h");
}

async fn finalizers_hold_deletion(client: &kube::Client) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut cm = config_map("held", &[]);
    cm.metadata.finalizers = Some(vec!["fluxdeck.test/hold".into()]);
    let created = api.create(&PostParams::default(), &cm).await.unwrap();
    let pending = api
        .delete("held", &DeleteParams::background())
        .await
        .unwrap();
    let pending = pending.left().expect("a finalizer keeps the object");
    assert!(pending.metadata.deletion_timestamp.is_some());
    assert!(
        api.get("held")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some()
    );
    let remove: json_patch::Patch =
        serde_json::from_value(json!([{"op": "remove", "path": "/metadata/finalizers"}])).unwrap();
    api.patch("held", &PatchParams::default(), &Patch::<()>::Json(remove))
        .await
        .unwrap();
    let uid = created.metadata.uid.unwrap();
    let gone = kube::runtime::wait::await_condition(
        api.clone(),
        "held",
        kube::runtime::conditions::is_deleted(&uid),
    );
    tokio::time::timeout(std::time::Duration::from_secs(10), gone)
        .await
        .expect("deleted in time")
        .unwrap();
}

async fn flux_kustomization(client: &kube::Client) {
    create_crds(client, KUSTOMIZATION_CRD).await;
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "flux-system", &kustomization_resource());
    let ns: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let namespace = serde_json::from_value(json!({"metadata": {"name": "flux-system"}})).unwrap();
    ns.create(&PostParams::default(), &namespace).await.unwrap();

    let object: DynamicObject =
        serde_json::from_value(kustomization("apps", "flux-system")).unwrap();
    let created = api.create(&PostParams::default(), &object).await.unwrap();
    assert_eq!(created.data["spec"]["path"], "./apps");
    let status = json!({"status": {"observedGeneration": 1, "conditions": [{
        "type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
        "message": "Applied revision: main@sha1:abc", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}});
    let patched = api
        .patch_status("apps", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    assert_eq!(patched.data["status"]["conditions"][0]["status"], "True");
    let ignored = api
        .patch(
            "apps",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"observedGeneration": 9}})),
        )
        .await
        .unwrap();
    assert_eq!(
        ignored.data["status"]["observedGeneration"], 1,
        "the main resource does not write status"
    );

    let infra: DynamicObject =
        serde_json::from_value(kustomization("infra", "flux-system")).unwrap();
    api.create(&PostParams::default(), &infra).await.unwrap();

    let writer = reflector::store::Writer::<DynamicObject>::new(kustomization_resource());
    let reader = writer.as_reader();
    let stream =
        reflector(writer, watcher(api.clone(), watcher::Config::default())).applied_objects();
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while stream.next().await.is_some() {}
    });
    reader.wait_until_ready().await.unwrap();
    api.patch(
        "infra",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"suspend": true}})),
    )
    .await
    .unwrap();
    eventually("the Kustomization update to reach the reflector", || {
        reader.state().iter().any(|k| {
            k.metadata.name.as_deref() == Some("infra") && k.data["spec"]["suspend"] == true
        })
    })
    .await;
    task.abort();
}

/// Needs the Flux CRD and the flux-system namespace (created by `flux_kustomization`).
async fn crd_schema_rejects_invalid(client: &kube::Client) {
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "flux-system", &kustomization_resource());
    let invalid = json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "broken", "namespace": "flux-system"}, "spec": {"prune": true}});
    let invalid: DynamicObject = serde_json::from_value(invalid).unwrap();
    let err = api
        .create(&PostParams::default(), &invalid)
        .await
        .unwrap_err();
    assert_eq!(
        api_code(&err),
        422,
        "the CRD schema requires spec.interval and spec.sourceRef"
    );
}

async fn exercise(client: kube::Client) {
    config_map_crud(&client).await;
    reflector_sees_later_changes(&client).await;
    finalizers_hold_deletion(&client).await;
    flux_kustomization(&client).await;
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(version.git_version, fluxdeck::store::http::VERSION_GIT);
}

#[tokio::test]
async fn kube_in_process() {
    exercise(memory_client()).await;
}

#[tokio::test]
async fn kube_server_side_apply_in_process() {
    let client = memory_client();
    flux_kustomization(&client).await;
    server_side_apply(&client).await;
}

#[tokio::test]
async fn kube_server_side_apply_over_https() {
    let server = start_https().await;
    let client = https_client(&server.kubeconfig).await;
    flux_kustomization(&client).await;
    server_side_apply(&client).await;
    server.handle.shutdown().await;
}

#[tokio::test]

async fn kube_crd_schema_validation() {
    let client = memory_client();
    flux_kustomization(&client).await;
    crd_schema_rejects_invalid(&client).await;
}

#[tokio::test]
async fn kube_over_https_with_token() {
    let server = start_https().await;
    exercise(https_client(&server.kubeconfig).await).await;

    // Discovery through kube's own machinery sees the CRD created above.
    let client = https_client(&server.kubeconfig).await;
    let discovery = kube::Discovery::new(client).run().await.unwrap();
    assert!(
        discovery
            .groups()
            .any(|g| g.name() == "kustomize.toolkit.fluxcd.io")
    );

    // A wrong token is refused with a 401 Status.
    let text = std::fs::read_to_string(&server.kubeconfig)
        .unwrap()
        .replace(server.handle.token().as_str(), "wrong-token");
    let bad = server.dir.path().join("bad-kubeconfig");
    std::fs::write(&bad, text).unwrap();
    let api: Api<ConfigMap> = Api::namespaced(https_client(&bad).await, "default");
    let err = api.list(&ListParams::default()).await.unwrap_err();
    assert_eq!(api_code(&err), 401);

    // Shutdown ends open watches and stops accepting connections.
    let addr = server.handle.local_addr();
    let api: Api<ConfigMap> = Api::namespaced(https_client(&server.kubeconfig).await, "default");
    let mut open_watch = api
        .watch(&kube::api::WatchParams::default().timeout(290), "0")
        .await
        .unwrap()
        .boxed();
    let stopped =
        tokio::time::timeout(std::time::Duration::from_secs(10), server.handle.shutdown()).await;
    assert!(stopped.is_ok(), "shutdown finishes even with an open watch");
    let drained = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(Ok(_)) = open_watch.next().await {}
    })
    .await;
    assert!(drained.is_ok(), "the open watch ends after shutdown");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "nothing listens after shutdown"
    );
}
