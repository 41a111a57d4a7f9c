//! Watch semantics against the Store API: replay from an RV, synthetic ADDED, selectors,
//! bookmarks, expiry.

use std::time::Duration;

use fluxdeck::store::types::*;
use fluxdeck::store::{Store, StoreConfig};
use futures::StreamExt;
use serde_json::json;

fn wo() -> WriteOptions {
    WriteOptions {
        field_manager: Some("t".into()),
        ..Default::default()
    }
}

async fn next(w: &mut fluxdeck::store::WatchStream) -> WatchEvent {
    tokio::time::timeout(Duration::from_secs(5), w.next())
        .await
        .expect("watch event in time")
        .expect("stream open")
        .expect("no error")
}

#[tokio::test]
async fn replays_from_a_resource_version_then_goes_live() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let a = s
        .create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "a"}}),
            &wo(),
        )
        .await
        .unwrap();
    let rv_a = a["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    s.create(
        &cms,
        Some("default"),
        json!({"metadata": {"name": "b"}}),
        &wo(),
    )
    .await
    .unwrap();
    s.delete(&cms, Some("default"), "a", &DeleteOptions::default())
        .await
        .unwrap();

    let mut w = s
        .watch(
            &cms,
            Some("default"),
            &WatchOptions {
                resource_version: Some(rv_a.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    let e = next(&mut w).await;
    assert_eq!(
        (e.type_, e.object["metadata"]["name"].as_str()),
        (WatchEventType::Added, Some("b"))
    );
    let e = next(&mut w).await;
    assert_eq!(
        (e.type_, e.object["metadata"]["name"].as_str()),
        (WatchEventType::Deleted, Some("a"))
    );
    s.create(
        &cms,
        Some("default"),
        json!({"metadata": {"name": "c"}}),
        &wo(),
    )
    .await
    .unwrap();
    let e = next(&mut w).await;
    assert_eq!(
        (e.type_, e.object["metadata"]["name"].as_str()),
        (WatchEventType::Added, Some("c"))
    );
    assert_eq!(e.object["apiVersion"], "v1");
    assert_eq!(e.object["kind"], "ConfigMap");
}

#[tokio::test]
async fn rv_zero_sends_current_state_and_a_bookmark() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    for n in ["x", "y"] {
        s.create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": n}}),
            &wo(),
        )
        .await
        .unwrap();
    }
    let mut w = s
        .watch(
            &cms,
            None,
            &WatchOptions {
                resource_version: Some("0".into()),
                allow_bookmarks: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(next(&mut w).await.type_, WatchEventType::Added);
    assert_eq!(next(&mut w).await.type_, WatchEventType::Added);
    let b = next(&mut w).await;
    assert_eq!(b.type_, WatchEventType::Bookmark);
    assert_eq!(
        b.object["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
}

#[tokio::test]
async fn selector_watch_sees_objects_enter_and_leave() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let mut w = s
        .watch(
            &cms,
            Some("default"),
            &WatchOptions {
                label_selector: Some("app=web".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let o = s
        .create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "a"}}),
            &wo(),
        )
        .await
        .unwrap();
    let mut labelled = o.clone();
    labelled["metadata"]["labels"] = json!({"app": "web"});
    let labelled = s
        .replace(
            &cms,
            Some("default"),
            "a",
            labelled,
            Subresource::Main,
            &wo(),
        )
        .await
        .unwrap();
    let e = next(&mut w).await;
    assert_eq!(
        e.type_,
        WatchEventType::Added,
        "entering the selection is ADDED"
    );
    let mut unlabelled = labelled.clone();
    unlabelled["metadata"]["labels"] = json!({"app": "api"});
    s.replace(
        &cms,
        Some("default"),
        "a",
        unlabelled,
        Subresource::Main,
        &wo(),
    )
    .await
    .unwrap();
    let e = next(&mut w).await;
    assert_eq!(
        e.type_,
        WatchEventType::Deleted,
        "leaving the selection is DELETED"
    );
}

#[tokio::test]
async fn periodic_bookmarks_and_expired_versions() {
    let config = StoreConfig {
        event_window: 5,
        bookmark_interval: Duration::from_millis(50),
    };
    let s = Store::in_memory_with(config);
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let mut w = s
        .watch(
            &cms,
            None,
            &WatchOptions {
                resource_version: Some(s.current_resource_version().to_string()),
                allow_bookmarks: true,
                ..Default::default()
            },
        )
        .unwrap();
    let b = next(&mut w).await;
    assert_eq!(b.type_, WatchEventType::Bookmark);
    let start = s.current_resource_version();
    for i in 0..10 {
        s.create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": format!("c{i}")}}),
            &wo(),
        )
        .await
        .unwrap();
    }
    let err = s
        .watch(
            &cms,
            None,
            &WatchOptions {
                resource_version: Some(start.to_string()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!((err.code(), err.reason()), (410, "Expired"));
    // the old watcher fell behind the window: it ends with Gone instead of skipping events
    let mut saw_gone = false;
    while let Ok(Some(item)) = tokio::time::timeout(Duration::from_secs(5), w.next()).await {
        if let Err(e) = item {
            assert_eq!(e.code(), 410);
            saw_gone = true;
            break;
        }
    }
    assert!(saw_gone);
}

#[tokio::test]
async fn events_are_shared_between_core_and_events_api() {
    let s = Store::in_memory();
    let core = s.resolve("", "v1", "events").unwrap();
    let v1 = s.resolve("events.k8s.io", "v1", "events").unwrap();
    let mut w = s
        .watch(&core, Some("default"), &WatchOptions::default())
        .unwrap();
    let ev = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "web.1"},
        "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "fluxdeck", "reportingInstance": "x",
        "action": "Reconcile", "reason": "Progressing", "type": "Normal", "note": "started",
        "regarding": {"kind": "Kustomization", "name": "web", "namespace": "default"}});
    s.create(&v1, Some("default"), ev, &wo()).await.unwrap();
    let e = next(&mut w).await;
    assert_eq!(e.object["message"], "started");
    assert_eq!(e.object["involvedObject"]["name"], "web");
    let listed = s
        .list(
            &core,
            Some("default"),
            &ListOptions {
                field_selector: Some("involvedObject.name=web".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let as_v1 = s.get(&v1, Some("default"), "web.1").unwrap();
    assert_eq!(as_v1["note"], "started");
    assert_eq!(as_v1["apiVersion"], "events.k8s.io/v1");
}
