//! Deletion: finalizers, preconditions, propagation policies, namespace termination,
//! deletecollection.

use std::time::{Duration, Instant};

use fluxdeck::store::Store;
use fluxdeck::store::types::*;
use serde_json::{Value, json};

fn wo() -> WriteOptions {
    WriteOptions {
        field_manager: Some("t".into()),
        ..Default::default()
    }
}

fn rt(s: &Store, g: &str, plural: &str) -> ResourceType {
    s.resolve(g, "v1", plural).unwrap()
}

async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn owner_ref(owner: &Value) -> Value {
    json!([{"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}])
}

#[tokio::test]
async fn finalizers_hold_the_object_until_removed() {
    let s = Store::in_memory();
    let cms = rt(&s, "", "configmaps");
    s.create(
        &cms,
        Some("default"),
        json!({"metadata": {"name": "f", "finalizers": ["example.com/hold"]}}),
        &wo(),
    )
    .await
    .unwrap();
    let out = s
        .delete(&cms, Some("default"), "f", &DeleteOptions::default())
        .await
        .unwrap();
    let DeleteOutcome::Pending(held) = out else {
        panic!("expected Pending")
    };
    assert!(held["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(held["metadata"]["deletionGracePeriodSeconds"], 0);
    // deleting again changes nothing
    let again = s
        .delete(&cms, Some("default"), "f", &DeleteOptions::default())
        .await
        .unwrap();
    assert!(
        matches!(again, DeleteOutcome::Pending(ref v) if v["metadata"]["resourceVersion"] == held["metadata"]["resourceVersion"])
    );
    let mut w = s
        .watch(
            &cms,
            Some("default"),
            &WatchOptions {
                resource_version: Some(s.current_resource_version().to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    // new finalizers are refused while deleting
    let mut more = held.clone();
    more["metadata"]["finalizers"] = json!(["example.com/hold", "example.com/other"]);
    assert_eq!(
        s.replace(&cms, Some("default"), "f", more, Subresource::Main, &wo())
            .await
            .unwrap_err()
            .code(),
        403
    );
    let patch = json!({"metadata": {"finalizers": null}});
    s.patch(
        &cms,
        Some("default"),
        "f",
        PatchKind::Merge,
        &patch,
        Subresource::Main,
        &wo(),
    )
    .await
    .unwrap();
    assert_eq!(s.get(&cms, Some("default"), "f").unwrap_err().code(), 404);
    use futures::StreamExt;
    let e = tokio::time::timeout(Duration::from_secs(5), w.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // dropping the last finalizer deletes: one DELETED event with the final state
    assert_eq!(e.type_, WatchEventType::Deleted);
    assert!(e.object["metadata"].get("finalizers").is_none());
}

#[tokio::test]
async fn preconditions_and_dry_run() {
    let s = Store::in_memory();
    let cms = rt(&s, "", "configmaps");
    let o = s
        .create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "p"}}),
            &wo(),
        )
        .await
        .unwrap();
    let bad = DeleteOptions {
        precondition_uid: Some("nope".into()),
        ..Default::default()
    };
    let err = s
        .delete(&cms, Some("default"), "p", &bad)
        .await
        .unwrap_err();
    assert_eq!(err.code(), 409);
    assert!(
        err.to_string()
            .contains("Precondition failed: UID in precondition: nope"),
        "{err}"
    );
    let bad = DeleteOptions {
        precondition_resource_version: Some("1".into()),
        ..Default::default()
    };
    assert_eq!(
        s.delete(&cms, Some("default"), "p", &bad)
            .await
            .unwrap_err()
            .code(),
        409
    );
    let dry = DeleteOptions {
        dry_run: true,
        ..Default::default()
    };
    assert!(matches!(
        s.delete(&cms, Some("default"), "p", &dry).await.unwrap(),
        DeleteOutcome::Deleted(_)
    ));
    assert!(s.get(&cms, Some("default"), "p").is_ok());
    let good = DeleteOptions {
        precondition_uid: o["metadata"]["uid"].as_str().map(str::to_string),
        ..Default::default()
    };
    s.delete(&cms, Some("default"), "p", &good).await.unwrap();
    assert_eq!(
        s.delete(&cms, Some("default"), "p", &good)
            .await
            .unwrap_err()
            .code(),
        404
    );
}

async fn owner_and_dependent(s: &Store) -> (ResourceType, ResourceType) {
    let deps = rt(s, "apps", "deployments");
    let rss = rt(s, "apps", "replicasets");
    let d = s
        .create(
            &deps,
            Some("default"),
            json!({"metadata": {"name": "web"}, "spec": {"replicas": 1}}),
            &wo(),
        )
        .await
        .unwrap();
    let rs = json!({"metadata": {"name": "web-1", "ownerReferences": owner_ref(&d)}, "spec": {"replicas": 1}});
    s.create(&rss, Some("default"), rs, &wo()).await.unwrap();
    (deps, rss)
}

#[tokio::test]
async fn background_propagation_deletes_dependents() {
    let s = Store::in_memory();
    let (deps, rss) = owner_and_dependent(&s).await;
    let out = s
        .delete(&deps, Some("default"), "web", &DeleteOptions::default())
        .await
        .unwrap();
    assert!(matches!(out, DeleteOutcome::Deleted(_)));
    eventually("the ReplicaSet is collected", || {
        s.get(&rss, Some("default"), "web-1").is_err()
    })
    .await;
}

#[tokio::test]
async fn foreground_propagation_waits_for_dependents() {
    let s = Store::in_memory();
    let (deps, rss) = owner_and_dependent(&s).await;
    let o = DeleteOptions {
        propagation: Some(Propagation::Foreground),
        ..Default::default()
    };
    let DeleteOutcome::Pending(owner) = s.delete(&deps, Some("default"), "web", &o).await.unwrap()
    else {
        panic!("expected Pending")
    };
    assert_eq!(
        owner["metadata"]["finalizers"],
        json!(["foregroundDeletion"])
    );
    eventually("the dependent and then the owner are gone", || {
        s.get(&rss, Some("default"), "web-1").is_err()
            && s.get(&deps, Some("default"), "web").is_err()
    })
    .await;
}

#[tokio::test]
async fn orphan_propagation_keeps_dependents() {
    let s = Store::in_memory();
    let (deps, rss) = owner_and_dependent(&s).await;
    let o = DeleteOptions {
        propagation: Some(Propagation::Orphan),
        ..Default::default()
    };
    s.delete(&deps, Some("default"), "web", &o).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rs = s.get(&rss, Some("default"), "web-1").unwrap();
    assert!(rs["metadata"].get("ownerReferences").is_none());
}

#[tokio::test]
async fn namespace_deletion_empties_it_first() {
    let s = Store::in_memory();
    let nss = rt(&s, "", "namespaces");
    let cms = rt(&s, "", "configmaps");
    s.create(&nss, None, json!({"metadata": {"name": "doomed"}}), &wo())
        .await
        .unwrap();
    s.create(
        &cms,
        Some("doomed"),
        json!({"metadata": {"name": "plain"}}),
        &wo(),
    )
    .await
    .unwrap();
    s.create(
        &cms,
        Some("doomed"),
        json!({"metadata": {"name": "held", "finalizers": ["example.com/x"]}}),
        &wo(),
    )
    .await
    .unwrap();
    let DeleteOutcome::Pending(ns) = s
        .delete(&nss, None, "doomed", &DeleteOptions::default())
        .await
        .unwrap()
    else {
        panic!("expected Pending")
    };
    assert_eq!(ns["status"]["phase"], "Terminating");
    let err = s
        .create(
            &cms,
            Some("doomed"),
            json!({"metadata": {"name": "late"}}),
            &wo(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 403);
    eventually("unheld content is deleted", || {
        s.get(&cms, Some("doomed"), "plain").is_err()
    })
    .await;
    let held = s.get(&cms, Some("doomed"), "held").unwrap();
    assert!(held["metadata"]["deletionTimestamp"].is_string());
    assert!(
        s.get(&nss, None, "doomed").is_ok(),
        "the namespace waits for held content"
    );
    s.patch(
        &cms,
        Some("doomed"),
        "held",
        PatchKind::Json,
        &json!([{"op": "remove", "path": "/metadata/finalizers"}]),
        Subresource::Main,
        &wo(),
    )
    .await
    .unwrap();
    eventually("the namespace is gone", || {
        s.get(&nss, None, "doomed").is_err()
    })
    .await;
}

#[tokio::test]
async fn delete_collection_by_label() {
    let s = Store::in_memory();
    let cms = rt(&s, "", "configmaps");
    for (n, app) in [("a", "web"), ("b", "web"), ("c", "db")] {
        s.create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": n, "labels": {"app": app}}}),
            &wo(),
        )
        .await
        .unwrap();
    }
    let l = ListOptions {
        label_selector: Some("app=web".into()),
        ..Default::default()
    };
    let gone = s
        .delete_collection(&cms, Some("default"), &l, &DeleteOptions::default())
        .await
        .unwrap();
    assert_eq!(gone.len(), 2);
    let left = s
        .list(&cms, Some("default"), &ListOptions::default())
        .unwrap();
    assert_eq!(
        left.items
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["c"]
    );
}
