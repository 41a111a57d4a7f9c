//! Pure view-model tests fed with Flux objects in the status shapes of SPEC.md.

use crate::tui_support;

use fluxdeck::tui::backend::{Denial, ObjectRef, Permissions, Verb};
use fluxdeck::tui::model::events::{self, TypeFilter};
use fluxdeck::tui::model::filter::Filter;
use fluxdeck::tui::model::index::FleetIndex;
use fluxdeck::tui::model::kinds::{Column, KindScope};
use fluxdeck::tui::model::list::{self, HealthFilter, ListQuery, SortKey};
use fluxdeck::tui::model::object::{Health, flux_health, ready_columns, revision, source_ref};
use fluxdeck::tui::model::tree::{self, Role};
use fluxdeck::tui::model::{kstatus, trace, yaml};
use serde_json::json;
use std::sync::Arc;
use tui_support::*;

fn r(s: &str) -> ObjectRef {
    ObjectRef::parse(s).unwrap()
}

#[test]
fn health_follows_suspend_then_kstatus_triad() {
    let snap = fleet();
    let idx = FleetIndex::build(&snap);
    let h = |s: &str| idx.get(&r(s)).unwrap().health;
    assert_eq!(h("Kustomization/flux-system/flux-system"), Health::Ready);
    assert_eq!(h("Kustomization/flux-system/apps"), Health::Failing);
    assert_eq!(h("Kustomization/flux-system/monitoring"), Health::Suspended);
    assert_eq!(h("Kustomization/flux-system/tenants"), Health::InProgress);
    assert_eq!(
        h("Alert/flux-system/slack"),
        Health::Ready,
        "static objects have no status and are not waiting"
    );
    assert_eq!(idx.counts.failing, 4);
    assert_eq!(idx.counts.suspended, 1);
    // Stalled wins; a fresh object without conditions is waiting.
    let mut stalled = ks(
        "ns",
        "x",
        vec![
            cond("Stalled", "True", "BuildFailed", "boom", 1),
            ready("ok"),
        ],
        &[],
        &[],
    );
    assert_eq!(flux_health(&stalled), Health::Failing);
    stalled["status"]["conditions"] = json!([]);
    assert_eq!(flux_health(&stalled), Health::InProgress);
    assert_eq!(
        ready_columns(&stalled),
        ("False".to_string(), "waiting to be reconciled".to_string())
    );
    // A newer generation not yet observed is in progress even if Ready=True.
    let mut newer = ks("ns", "y", vec![ready("ok")], &[], &[]);
    newer["metadata"]["generation"] = json!(2);
    assert_eq!(flux_health(&newer), Health::InProgress);
}

#[test]
fn revisions_and_sources_per_kind() {
    let snap = fleet();
    let find = |s: &str| {
        snap.objects
            .iter()
            .map(|o| o.value())
            .find(|o| ObjectRef::of(o) == r(s))
            .unwrap()
    };
    assert_eq!(
        revision(&find("Kustomization/flux-system/apps")),
        "main@sha1:67e2c98a"
    );
    assert_eq!(revision(&find("HelmRelease/podinfo/podinfo")), "6.3.5");
    assert_eq!(
        revision(&find("HelmRepository/flux-system/podinfo")),
        "sha256:8411f23d"
    );
    assert_eq!(
        source_ref(&find("HelmRelease/podinfo/podinfo")),
        Some(r("HelmChart/flux-system/podinfo-podinfo"))
    );
    assert_eq!(
        source_ref(&find("HelmChart/flux-system/podinfo-podinfo")),
        Some(r("HelmRepository/flux-system/podinfo"))
    );
    assert_eq!(
        source_ref(&find("ImagePolicy/flux-system/podinfo")),
        Some(r("ImageRepository/flux-system/podinfo"))
    );
}

#[test]
fn per_kind_columns_follow_flux_get() {
    let snap = fleet();
    let idx = FleetIndex::build(&snap);
    let q = |scope: &str| ListQuery {
        scope: KindScope::from_command(scope),
        ..Default::default()
    };
    let m = list::build(&idx, &snap.permissions, &q("ks"));
    assert_eq!(
        m.columns[..6],
        [
            Column::Name,
            Column::Revision,
            Column::Source,
            Column::Suspended,
            Column::Ready,
            Column::Message
        ]
    );
    assert_eq!(m.rows.len(), 7);
    let m = list::build(&idx, &snap.permissions, &q("imgpol"));
    assert_eq!(
        m.columns[..5],
        [
            Column::Name,
            Column::Image,
            Column::Tag,
            Column::Ready,
            Column::Message
        ]
    );
    assert_eq!(
        m.rows[0].cells(&m.columns)[1..3],
        [
            "ghcr.io/stefanprodan/podinfo".to_string(),
            "6.5.0".to_string()
        ]
    );
    let m = list::build(&idx, &snap.permissions, &q("imagerepository"));
    assert_eq!(m.columns[1], Column::LastScan);
    let monitoring = list::build(&idx, &snap.permissions, &q("kustomizations"));
    let row = monitoring
        .rows
        .iter()
        .find(|r| r.r().name == "monitoring")
        .unwrap();
    assert!(
        row.cells(&monitoring.columns)
            .contains(&"suspended: incident 4711: alert storm".to_string())
    );
    assert!(row.cells(&monitoring.columns).contains(&"True".to_string()));
    for alias in [
        "hr",
        "helmrelease",
        "gitrepo",
        "oci",
        "helmrepo",
        "hc",
        "bucket",
        "iua",
        "imgauto",
        "alert-provider",
        "receiver",
    ] {
        assert!(KindScope::from_command(alias).is_some(), "{alias}");
    }
    assert!(KindScope::from_command("pods").is_none());
}

#[test]
fn filter_sort_and_health_filters() {
    let snap = fleet();
    let idx = FleetIndex::build(&snap);
    let names = |q: &ListQuery| -> Vec<String> {
        list::build(&idx, &snap.permissions, q)
            .rows
            .iter()
            .map(|r| r.r().to_string())
            .collect()
    };
    let mut q = ListQuery {
        filter: Filter::parse("cycle").unwrap(),
        ..Default::default()
    };
    assert_eq!(
        names(&q),
        [
            "Kustomization/flux-system/cycle-a",
            "Kustomization/flux-system/cycle-b"
        ]
    );
    q.reverse = true;
    assert_eq!(names(&q)[0], "Kustomization/flux-system/cycle-b");
    let q = ListQuery {
        filter: Filter::parse("-l team=platform").unwrap(),
        ..Default::default()
    };
    assert_eq!(names(&q), ["Kustomization/flux-system/tenants"]);
    let q = ListQuery {
        health: HealthFilter::OnlyUnhealthy,
        ..Default::default()
    };
    assert_eq!(
        names(&q).len(),
        6,
        "4 failing + 1 suspended + 1 in progress"
    );
    let q = ListQuery {
        health: HealthFilter::FailingFirst,
        sort: SortKey::Kind,
        ..Default::default()
    };
    let all = list::build(&idx, &snap.permissions, &q);
    assert!(all.rows[..4].iter().all(|r| r.health == Health::Failing));
    assert!(all.rows[4..].iter().all(|r| r.health != Health::Failing));
    let q = ListQuery {
        filter: Filter::parse("!flux-system").unwrap(),
        ..Default::default()
    };
    assert!(names(&q).iter().all(|n| !n.contains("flux-system")));
}

#[test]
fn restricted_kinds_are_reported_not_empty() {
    let mut snap = fleet();
    snap.objects.retain(|o| o.value()["kind"] != "HelmRelease");
    snap.permissions = Permissions {
        restricted_kinds: ["HelmRelease".to_string()].into(),
        ..Default::default()
    };
    let idx = FleetIndex::build(&snap);
    let q = ListQuery {
        scope: KindScope::from_command("hr"),
        ..Default::default()
    };
    let m = list::build(&idx, &snap.permissions, &q);
    assert_eq!(m.restricted, ["HelmRelease"]);
    let perms = Permissions {
        denied: vec![Denial {
            verb: Verb::Patch,
            kind: "Kustomization".into(),
            namespace: Some("prod".into()),
        }],
        ..Default::default()
    };
    assert!(!perms.allows(Verb::Patch, "Kustomization", "prod"));
    assert!(perms.allows(Verb::Patch, "Kustomization", "dev"));
    assert!(perms.allows(Verb::Delete, "Kustomization", "prod"));
}

#[test]
fn tree_combines_sources_dependencies_and_inventory() {
    let snap = fleet();
    let idx = FleetIndex::build(&snap);
    let forest = tree::build(&snap, &idx);
    let roots: Vec<String> = forest.iter().map(|n| n.label.clone()).collect();
    assert!(
        !roots.contains(&"Kustomization/flux-system/apps".to_string()),
        "owned by flux-system's inventory"
    );
    assert!(roots.contains(&"Kustomization/flux-system/flux-system".to_string()));
    let lines = tree::flatten(&forest, &Default::default());
    let line = |label: &str| {
        lines
            .iter()
            .find(|l| l.label == label)
            .unwrap_or_else(|| panic!("{label}"))
    };
    let apps = line("Kustomization/flux-system/apps");
    assert_eq!(
        apps.note.as_deref(),
        Some("blocked by Kustomization/flux-system/monitoring")
    );
    assert_eq!(apps.lasts.len(), 2, "nested under flux-system");
    let a = line("Kustomization/flux-system/cycle-a");
    assert!(a.note.as_deref().unwrap().contains("dependency cycle"));
    let hr = line("HelmRelease/podinfo/podinfo");
    assert_eq!(hr.lasts.len(), 3, "flux-system → infrastructure → podinfo");
    assert_eq!(
        line("Deployment/podinfo/podinfo").health,
        Some(Health::InProgress)
    );
    assert_eq!(
        line("Deployment/podinfo/podinfo").note.as_deref(),
        Some("Available: 1/2"),
        "kstatus checks available before ready replicas"
    );
    assert_eq!(
        line("Namespace/podinfo").health,
        None,
        "not in the cache: unknown"
    );
    let chain = line("source HelmRepository/flux-system/podinfo");
    assert_eq!(chain.role, Role::Source);
    assert!(lines.iter().any(|l| l.label == "revision sha256:8411f23d"));
    // Collapsing hides children.
    let collapsed: std::collections::HashSet<String> =
        [line("Kustomization/flux-system/flux-system").key.clone()].into();
    let folded = tree::flatten(&forest, &collapsed);
    assert!(
        folded
            .iter()
            .all(|l| l.label != "Kustomization/flux-system/apps")
    );
}

#[test]
fn events_for_object_include_its_source_chain() {
    let snap = fleet();
    let idx = FleetIndex::build(&snap);
    let rows = events::build(
        &snap,
        &idx,
        Some(&r("HelmRelease/podinfo/podinfo")),
        TypeFilter::All,
    );
    let objs: Vec<String> = rows.iter().map(|e| e.object.to_string()).collect();
    assert_eq!(
        objs,
        [
            "HelmChart/flux-system/podinfo-podinfo",
            "HelmRelease/podinfo/podinfo"
        ],
        "oldest first"
    );
    let warnings = events::build(&snap, &idx, None, TypeFilter::Warning);
    assert_eq!(warnings.len(), 2);
    assert!(warnings.iter().all(|e| e.warning));
    assert_eq!(
        events::build(&snap, &idx, None, TypeFilter::Normal).len(),
        snap.events.len() - 2
    );
    let ks_events = events::build(
        &snap,
        &idx,
        Some(&r("Kustomization/flux-system/flux-system")),
        TypeFilter::All,
    );
    assert_eq!(ks_events.len(), 2, "its own event and the GitRepository's");
    assert_eq!(
        idx.get(&r("GitRepository/flux-system/apps-repo"))
            .unwrap()
            .last_event
            .as_ref()
            .unwrap()
            .warning,
        true
    );
}

#[test]
fn trace_uses_flux_templates() {
    let snap = fleet();
    let idx = FleetIndex::build(&snap);
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "podinfo", "namespace": "podinfo",
        "labels": {"helm.toolkit.fluxcd.io/name": "podinfo", "helm.toolkit.fluxcd.io/namespace": "podinfo"}}});
    let text: Vec<String> = trace::trace(&snap, &idx, &deploy)
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert_eq!(
        text[1..4],
        [
            "Object:         Deployment/podinfo",
            "Namespace:      podinfo",
            "Status:         Managed by Flux"
        ]
    );
    assert!(text.contains(&"HelmRelease:    podinfo".to_string()));
    assert!(text.contains(&"HelmChart:      podinfo-podinfo".to_string()));
    assert!(text.contains(&"Chart:          podinfo".to_string()));
    assert!(text.contains(&"HelmRepository: podinfo".to_string()));
    assert!(text.contains(&"URL:            https://stefanprodan.github.io/podinfo".to_string()));
    assert!(text.iter().any(|l| {
        l.starts_with("Status:         Last reconciled at 2026-01-01 11:40:00 +0000 UTC")
    }));
    let ks_obj = snap
        .objects
        .iter()
        .map(|o| o.value())
        .find(|o| ObjectRef::of(o) == r("Kustomization/flux-system/apps"))
        .unwrap();
    let text: Vec<String> = trace::trace(&snap, &idx, &ks_obj)
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert!(text.contains(&"Kustomization:   apps".to_string()));
    assert!(text.contains(&"Path:            ./apps".to_string()));
    assert!(text.contains(&"Branch:          main".to_string()));
    assert!(
        text.iter()
            .any(|l| l.starts_with("Status:          Last reconciliation failed at "))
    );
    let stray = json!({"kind": "ConfigMap", "metadata": {"name": "x", "namespace": "y"}});
    assert!(
        trace::trace(&snap, &idx, &stray)[0]
            .text
            .ends_with("object not managed by Flux")
    );
}

#[test]
fn yaml_masks_secret_values_and_validates_edits() {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n", "managedFields": [{}]},
        "data": {"password": "aHVudGVyMg=="}, "stringData": {"token": "hunter2"}});
    let text = yaml::to_yaml(&secret);
    assert!(!text.contains("aHVudGVyMg==") && !text.contains("hunter2"));
    assert!(
        text.contains("password: '***'") || text.contains("password: \"***\""),
        "{text}"
    );
    assert!(!text.contains("managedFields"));
    let err = yaml::validate_edit("kind: Kustomization\nmetadata:\n  name: x\n").unwrap_err();
    assert_eq!(err.1, "apiVersion is required");
    let err = yaml::validate_edit("apiVersion: v1\nkind: [\n").unwrap_err();
    assert!(err.0.is_some(), "syntax errors carry a line: {err:?}");
    assert!(yaml::validate_edit("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n").is_ok());
}

#[test]
fn managed_objects_use_the_kstatus_engine_with_flux_rules() {
    let (h, _) = kstatus::managed_health(
        &json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 1},
        "status": {"conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}}),
    );
    assert_eq!(h, Health::Failing);
    let (h, m) = kstatus::managed_health(
        &json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "status": {"phase": "Pending"}}),
    );
    assert_eq!(
        (h, m.as_str()),
        (Health::InProgress, "PVC is not Bound. phase: Pending")
    );
    let (h, _) = kstatus::managed_health(
        &json!({"apiVersion": "example.com/v1", "kind": "Widget", "status": {"conditions": [{"type": "Ready", "status": "False"}]}}),
    );
    assert_eq!(
        h,
        Health::InProgress,
        "Ready=False is never Failed in kstatus"
    );
    let (h, _) = kstatus::managed_health(
        &json!({"apiVersion": "batch/v1", "kind": "Job", "status": {"conditions": [{"type": "Failed", "status": "True"}]}}),
    );
    assert_eq!(h, Health::Failing);
}

#[test]
fn rebuild_reuses_unchanged_summaries_and_recomputes_changed_ones() {
    let mut snap = fleet();
    for (i, o) in snap.objects.iter_mut().enumerate() {
        edit(o, |o| {
            o["metadata"]["uid"] = json!(format!("uid-{i}"));
            o["metadata"]["resourceVersion"] = json!("1");
        });
    }
    let first = FleetIndex::build(&snap);
    let failing_before = first.counts.failing;
    let apps = r("Kustomization/flux-system/apps");
    assert_eq!(first.get(&apps).unwrap().health, Health::Failing);
    let before_ff = first
        .get(&r("Kustomization/flux-system/flux-system"))
        .unwrap()
        .clone();
    // apps becomes Ready at a new resourceVersion; everything else is untouched.
    let i = snap
        .objects
        .iter()
        .position(|o| {
            let o = o.value();
            o["metadata"]["name"] == "apps" && o["kind"] == "Kustomization"
        })
        .unwrap();
    edit(&mut snap.objects[i], |o| {
        o["metadata"]["resourceVersion"] = json!("2");
        o["status"]["conditions"] = json!([{"type": "Ready", "status": "True",
            "reason": "ReconciliationSucceeded", "message": "Applied revision: main@sha1:abc"}]);
    });
    // The same content with a stale resourceVersion would be reused: prove reuse by keeping
    // the rv of another object while changing its message.
    let j = snap
        .objects
        .iter()
        .position(|o| {
            let o = o.value();
            o["metadata"]["name"] == "flux-system" && o["kind"] == "Kustomization"
        })
        .unwrap();
    edit(&mut snap.objects[j], |o| {
        o["status"]["conditions"][0]["message"] = json!("changed without a new rv");
    });
    let second = FleetIndex::rebuild(&snap, first);
    assert_eq!(
        second.get(&apps).unwrap().health,
        Health::Ready,
        "a new rv is recomputed"
    );
    assert_eq!(
        second.get(&apps).unwrap().message,
        "Applied revision: main@sha1:abc"
    );
    let after_ff = second
        .get(&r("Kustomization/flux-system/flux-system"))
        .unwrap();
    assert_eq!(
        after_ff.message, before_ff.message,
        "same uid+rv: the summary is reused"
    );
    assert_eq!(
        second.counts.failing + 1,
        failing_before,
        "counts follow the recomputed health"
    );
    // Without uid/resourceVersion (fixtures) nothing is reused.
    let plain = fleet();
    let a = FleetIndex::build(&plain);
    let b = FleetIndex::rebuild(&plain, a);
    assert_eq!(b.summaries.len(), plain.objects.len());
}

#[test]
fn rebuild_moves_summaries_without_copying_and_finds_every_object() {
    let snap = fleet();
    let first = FleetIndex::build(&snap);
    let addresses: Vec<*const _> = first.summaries.iter().map(Arc::as_ptr).collect();
    // The same objects (the same Arcs): every summary is the same allocation afterwards.
    let second = FleetIndex::rebuild(&snap, first);
    let after: Vec<*const _> = second.summaries.iter().map(Arc::as_ptr).collect();
    assert_eq!(
        addresses, after,
        "a rebuild moves pointers, it does not copy summaries"
    );
    // Lookup by reference (a sorted array of positions) finds each object at its position.
    for (i, obj) in snap.objects.iter().enumerate() {
        let at = ObjectRef::of(&obj.value());
        let s = second.get(&at).unwrap_or_else(|| panic!("{at} not found"));
        assert_eq!(s.index, i, "{at}");
    }
    assert!(second.get(&r("Kustomization/nowhere/missing")).is_none());
}
