//! Patches through the Store: merge, JSON (with test), strategic (built-ins only), status.

use fluxdeck::store::Store;
use fluxdeck::store::types::*;
use serde_json::json;

fn wo(m: &str) -> WriteOptions {
    WriteOptions {
        field_manager: Some(m.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn merge_and_json_patches() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let o = s
        .create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "a"}, "data": {"x": "1", "y": "2"}}),
            &wo("t"),
        )
        .await
        .unwrap();
    let p = s
        .patch(
            &cms,
            Some("default"),
            "a",
            PatchKind::Merge,
            &json!({"data": {"x": null, "z": "3"}}),
            Subresource::Main,
            &wo("kubectl-patch"),
        )
        .await
        .unwrap();
    assert_eq!(p["data"], json!({"y": "2", "z": "3"}));
    assert!(
        p["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["manager"] == "kubectl-patch")
    );
    // a resourceVersion in a patch is a precondition
    let stale = json!({"metadata": {"resourceVersion": o["metadata"]["resourceVersion"]}, "data": {"w": "1"}});
    assert_eq!(
        s.patch(
            &cms,
            Some("default"),
            "a",
            PatchKind::Merge,
            &stale,
            Subresource::Main,
            &wo("t")
        )
        .await
        .unwrap_err()
        .code(),
        409
    );
    let ops = json!([{"op": "test", "path": "/data/y", "value": "2"}, {"op": "replace", "path": "/data/y", "value": "9"}]);
    let p = s
        .patch(
            &cms,
            Some("default"),
            "a",
            PatchKind::Json,
            &ops,
            Subresource::Main,
            &wo("t"),
        )
        .await
        .unwrap();
    assert_eq!(p["data"]["y"], "9");
    let failing = json!([{"op": "test", "path": "/data/y", "value": "2"}]);
    let err = s
        .patch(
            &cms,
            Some("default"),
            "a",
            PatchKind::Json,
            &failing,
            Subresource::Main,
            &wo("t"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 422, "{err}");
    let not_ops = json!({"op": "add"});
    assert_eq!(
        s.patch(
            &cms,
            Some("default"),
            "a",
            PatchKind::Json,
            &not_ops,
            Subresource::Main,
            &wo("t")
        )
        .await
        .unwrap_err()
        .code(),
        400
    );
    let missing = s
        .patch(
            &cms,
            Some("default"),
            "nope",
            PatchKind::Merge,
            &json!({}),
            Subresource::Main,
            &wo("t"),
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code(), 404);
}

#[tokio::test]
async fn strategic_patch_merges_containers_by_name() {
    let s = Store::in_memory();
    let deps = s.resolve("apps", "v1", "deployments").unwrap();
    let d = json!({"metadata": {"name": "web"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1"}, {"name": "side", "image": "busybox"}]}}}});
    s.create(&deps, Some("default"), d, &wo("t")).await.unwrap();
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}});
    let p = s
        .patch(
            &deps,
            Some("default"),
            "web",
            PatchKind::Strategic,
            &patch,
            Subresource::Main,
            &wo("kubectl"),
        )
        .await
        .unwrap();
    let cs = p["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(cs.len(), 2, "strategic merge keeps the other container");
    assert_eq!(cs[0]["image"], "nginx:2");
    assert_eq!(p["metadata"]["generation"], 2);
}

#[tokio::test]
async fn strategic_patch_is_refused_for_custom_resources() {
    let s = Store::in_memory();
    let crds = s
        .resolve("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .unwrap();
    let crd = json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "kind": "Widget"}, "versions": [{"name": "v1", "served": true, "storage": true,
            "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}, "subresources": {"status": {}}}]}});
    s.create(&crds, None, crd, &wo("t")).await.unwrap();
    let widgets = s.resolve("example.com", "v1", "widgets").unwrap();
    s.create(
        &widgets,
        Some("default"),
        json!({"metadata": {"name": "w"}, "spec": {"a": 1}}),
        &wo("t"),
    )
    .await
    .unwrap();
    let err = s
        .patch(
            &widgets,
            Some("default"),
            "w",
            PatchKind::Strategic,
            &json!({"spec": {"a": 2}}),
            Subresource::Main,
            &wo("t"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 415);
    // a merge patch of /status changes status only, and leaves the generation alone
    let p = s
        .patch(
            &widgets,
            Some("default"),
            "w",
            PatchKind::Merge,
            &json!({"spec": {"a": 5}, "status": {"ok": true}}),
            Subresource::Status,
            &wo("ctl"),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            p["spec"]["a"].clone(),
            p["status"]["ok"].clone(),
            p["metadata"]["generation"].clone()
        ),
        (json!(1), json!(true), json!(1))
    );
    let mf = p["metadata"]["managedFields"].as_array().unwrap();
    assert!(
        mf.iter()
            .any(|m| m["manager"] == "ctl" && m["subresource"] == "status")
    );
    // no status subresource on ConfigMaps
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    s.create(
        &cms,
        Some("default"),
        json!({"metadata": {"name": "c"}}),
        &wo("t"),
    )
    .await
    .unwrap();
    let err = s
        .patch(
            &cms,
            Some("default"),
            "c",
            PatchKind::Merge,
            &json!({}),
            Subresource::Status,
            &wo("t"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 404);
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let dry = WriteOptions {
        dry_run: true,
        ..wo("t")
    };
    let rv = s.current_resource_version();
    let made = s
        .create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "d"}}),
            &dry,
        )
        .await
        .unwrap();
    assert_eq!(made["metadata"]["name"], "d");
    assert_eq!(s.get(&cms, Some("default"), "d").unwrap_err().code(), 404);
    s.create(
        &cms,
        Some("default"),
        json!({"metadata": {"name": "d"}, "data": {"a": "1"}}),
        &wo("t"),
    )
    .await
    .unwrap();
    let rv2 = s.current_resource_version();
    assert_eq!(rv2, rv + 1);
    let p = s
        .patch(
            &cms,
            Some("default"),
            "d",
            PatchKind::Merge,
            &json!({"data": {"a": "2"}}),
            Subresource::Main,
            &dry,
        )
        .await
        .unwrap();
    assert_eq!(p["data"]["a"], "2");
    assert_eq!(s.get(&cms, Some("default"), "d").unwrap()["data"]["a"], "1");
    assert_eq!(s.current_resource_version(), rv2);
}
