//! Events as kube-rs's `Recorder` writes them (events.k8s.io/v1, created then merge-patched
//! with a series), readable through both Event APIs, with kubectl's event columns.

use fluxdeck::store::Store;
use fluxdeck::store::columns::cell;
use fluxdeck::store::types::*;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::{Event, EventSeries};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use serde_json::json;

fn recorder_event(now: jiff::Timestamp) -> Event {
    // the shape of kube::runtime::events::Recorder::generate_event
    let reference = ObjectReference {
        api_version: Some("kustomize.toolkit.fluxcd.io/v1".into()),
        kind: Some("Kustomization".into()),
        name: Some("apps".into()),
        namespace: Some("flux-system".into()),
        uid: Some("1234".into()),
        ..Default::default()
    };
    Event {
        action: Some("Reconcile".into()),
        reason: Some("ReconciliationSucceeded".into()),
        event_time: Some(MicroTime(now)),
        regarding: Some(reference),
        note: Some("Applied revision: main@sha1:abc".into()),
        metadata: ObjectMeta {
            namespace: Some("flux-system".into()),
            name: Some(format!("apps.{:x}", now.as_nanosecond())),
            ..Default::default()
        },
        reporting_controller: Some("kustomize-controller".into()),
        reporting_instance: Some("fluxdeck".into()),
        type_: Some("Normal".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn recorder_events_round_trip_through_both_apis() {
    let s = Store::in_memory();
    let nss = s.resolve("", "v1", "namespaces").unwrap();
    s.create(
        &nss,
        None,
        json!({"metadata": {"name": "flux-system"}}),
        &WriteOptions::default(),
    )
    .await
    .unwrap();
    let v1 = s.resolve("events.k8s.io", "v1", "events").unwrap();
    let core = s.resolve("", "v1", "events").unwrap();
    let now = jiff::Timestamp::now();
    let ev = recorder_event(now);
    let name = ev.metadata.name.clone().unwrap();
    let body = serde_json::to_value(&ev).unwrap();
    let created = s
        .create(&v1, Some("flux-system"), body, &WriteOptions::default())
        .await
        .unwrap();
    let back: Event =
        serde_json::from_value(created).expect("the answer reads as events.k8s.io/v1 Event");
    assert_eq!(
        back.note.as_deref(),
        Some("Applied revision: main@sha1:abc")
    );

    // the Recorder's repeat: a merge patch of the whole cached event with a series
    let mut again = ev.clone();
    again.series = Some(EventSeries {
        count: 2,
        last_observed_time: MicroTime(now),
    });
    let patch = serde_json::to_value(&again).unwrap();
    s.patch(
        &v1,
        Some("flux-system"),
        &name,
        PatchKind::Merge,
        &patch,
        Subresource::Main,
        &WriteOptions::default(),
    )
    .await
    .unwrap();

    let listed = s
        .list(
            &core,
            Some("flux-system"),
            &ListOptions {
                field_selector: Some(
                    "involvedObject.kind=Kustomization,involvedObject.name=apps".into(),
                ),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let core_ev: k8s_openapi::api::core::v1::Event =
        serde_json::from_value(listed.items[0].clone()).expect("reads as core/v1 Event");
    assert_eq!(
        core_ev.message.as_deref(),
        Some("Applied revision: main@sha1:abc")
    );
    assert_eq!(core_ev.involved_object.name.as_deref(), Some("apps"));
    assert_eq!(
        core_ev.reporting_component.as_deref(),
        Some("kustomize-controller")
    );
    assert_eq!(core_ev.series.as_ref().map(|s| s.count), Some(Some(2)));

    let cols = |name: &str| {
        let c = core
            .printer_columns
            .iter()
            .find(|c| c.name == name)
            .unwrap();
        cell(c, &listed.items[0], now)
    };
    assert_eq!(cols("Object"), "kustomization/apps");
    assert_eq!(cols("Reason"), "ReconciliationSucceeded");
    assert_eq!(cols("Count"), 2);
    assert_eq!(cols("Source"), "kustomize-controller, fluxdeck");
}
