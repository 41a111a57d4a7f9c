//! Server-side apply through the Store: create on absent, ownership, conflicts, force,
//! removal of fields a manager stops applying, dry run.

use fluxdeck::store::Store;
use fluxdeck::store::types::*;
use serde_json::{Value, json};

fn wo(m: &str) -> WriteOptions {
    WriteOptions {
        field_manager: Some(m.into()),
        ..Default::default()
    }
}

fn apply(force: bool) -> PatchKind {
    PatchKind::Apply { force }
}

fn managers(obj: &Value) -> Vec<(String, String)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| {
                    (
                        m["manager"].as_str().unwrap().to_string(),
                        m["operation"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn deployment(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": image}]}}}})
}

#[tokio::test]
async fn apply_creates_then_updates_and_prunes() {
    let s = Store::in_memory();
    let deps = s.resolve("apps", "v1", "deployments").unwrap();
    let made = s
        .patch(
            &deps,
            Some("default"),
            "web",
            apply(false),
            &deployment(2, "nginx:1"),
            Subresource::Main,
            &wo("fluxdeck"),
        )
        .await
        .unwrap();
    assert_eq!(made["metadata"]["generation"], 1);
    assert!(made["metadata"]["uid"].is_string());
    assert_eq!(
        managers(&made),
        [("fluxdeck".to_string(), "Apply".to_string())]
    );
    // stop applying the label: the field is removed; change the image: generation moves
    let mut next = deployment(2, "nginx:2");
    next["metadata"].as_object_mut().unwrap().remove("labels");
    let after = s
        .patch(
            &deps,
            Some("default"),
            "web",
            apply(false),
            &next,
            Subresource::Main,
            &wo("fluxdeck"),
        )
        .await
        .unwrap();
    assert!(
        after["metadata"].get("labels").is_none(),
        "{}",
        after["metadata"]
    );
    assert_eq!(
        after["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:2"
    );
    assert_eq!(after["metadata"]["generation"], 2);
    // the same apply again is a no-op: same resourceVersion
    let again = s
        .patch(
            &deps,
            Some("default"),
            "web",
            apply(false),
            &next,
            Subresource::Main,
            &wo("fluxdeck"),
        )
        .await
        .unwrap();
    assert_eq!(
        again["metadata"]["resourceVersion"],
        after["metadata"]["resourceVersion"]
    );
}

#[tokio::test]
async fn conflicts_name_the_owner_unless_forced() {
    let s = Store::in_memory();
    let deps = s.resolve("apps", "v1", "deployments").unwrap();
    s.create(
        &deps,
        Some("default"),
        deployment(1, "nginx:1"),
        &wo("kubectl-create"),
    )
    .await
    .unwrap();
    let err = s
        .patch(
            &deps,
            Some("default"),
            "web",
            apply(false),
            &deployment(3, "nginx:1"),
            Subresource::Main,
            &wo("kubectl"),
        )
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.reason()), (409, "Conflict"));
    let msg = err.to_string();
    assert!(
        msg.contains("Apply failed with 1 conflict")
            && msg.contains("\"kubectl-create\"")
            && msg.contains(".spec.replicas"),
        "{msg}"
    );
    let StoreError::ApplyConflict { causes, .. } = &err else {
        panic!("expected ApplyConflict")
    };
    assert_eq!(causes[0].reason, "FieldManagerConflict");
    assert_eq!(causes[0].field, ".spec.replicas");
    let forced = s
        .patch(
            &deps,
            Some("default"),
            "web",
            apply(true),
            &deployment(3, "nginx:1"),
            Subresource::Main,
            &wo("kubectl"),
        )
        .await
        .unwrap();
    assert_eq!(forced["spec"]["replicas"], 3);
    assert!(managers(&forced).contains(&("kubectl".to_string(), "Apply".to_string())));
}

#[tokio::test]
async fn apply_needs_a_manager_and_honours_dry_run() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let cfg = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
    let err = s
        .patch(
            &cms,
            Some("default"),
            "c",
            apply(false),
            &cfg,
            Subresource::Main,
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 400);
    let dry = WriteOptions {
        dry_run: true,
        ..wo("m")
    };
    let out = s
        .patch(
            &cms,
            Some("default"),
            "c",
            apply(false),
            &cfg,
            Subresource::Main,
            &dry,
        )
        .await
        .unwrap();
    assert_eq!(out["data"]["a"], "1");
    assert_eq!(s.get(&cms, Some("default"), "c").unwrap_err().code(), 404);
    // apply into a missing namespace is a 404 like any create
    let err = s
        .patch(
            &cms,
            Some("nowhere"),
            "c",
            apply(false),
            &cfg,
            Subresource::Main,
            &wo("m"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 404);
}

#[tokio::test]
async fn status_apply_and_list_map_keys_from_the_crd_schema() {
    let s = Store::in_memory();
    let crds = s
        .resolve("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .unwrap();
    let schema = json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {"items": {"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"], "items": {"type": "object", "properties": {"name": {"type": "string"}, "v": {"type": "string"}}}}}},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}});
    let crd = json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "kind": "Widget"}, "versions": [{"name": "v1", "served": true, "storage": true,
            "schema": {"openAPIV3Schema": schema}, "subresources": {"status": {}}}]}});
    s.create(&crds, None, crd, &wo("t")).await.unwrap();
    let widgets = s.resolve("example.com", "v1", "widgets").unwrap();
    let a = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"items": [{"name": "a", "v": "1"}]}});
    let b = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"items": [{"name": "b", "v": "2"}]}});
    s.patch(
        &widgets,
        Some("default"),
        "w",
        apply(false),
        &a,
        Subresource::Main,
        &wo("one"),
    )
    .await
    .unwrap();
    let both = s
        .patch(
            &widgets,
            Some("default"),
            "w",
            apply(false),
            &b,
            Subresource::Main,
            &wo("two"),
        )
        .await
        .unwrap();
    // keyed by name: two managers own one item each
    assert_eq!(both["spec"]["items"].as_array().unwrap().len(), 2);
    let status = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "status": {"ready": true}, "spec": {"items": []}});
    let st = s
        .patch(
            &widgets,
            Some("default"),
            "w",
            apply(true),
            &status,
            Subresource::Status,
            &wo("ctl"),
        )
        .await
        .unwrap();
    assert_eq!(st["status"]["ready"], true);
    assert_eq!(
        st["spec"]["items"].as_array().unwrap().len(),
        2,
        "a status apply leaves spec alone"
    );
}
