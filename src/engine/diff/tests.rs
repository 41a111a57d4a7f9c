use serde_json::{Value, json};

use super::*;

fn svc(port: i64, rv: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "podinfo", "namespace": "default", "resourceVersion": rv,
                     "uid": "u-1", "managedFields": [{"manager": "x"}], "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"type": "ClusterIP", "ports": [{"name": "http", "port": port, "protocol": "TCP"},
                                                {"name": "grpc", "port": 9999, "protocol": "TCP"}]},
        "status": {"loadBalancer": {}}})
}

#[test]
fn drifted_port_matches_flux_diff_golden() {
    let live = svc(9899, "5");
    let dry = svc(9898, "5");
    let d = compare(&dry, Some(&dry), Some(&live));
    assert_eq!(d.class, Class::Drifted);
    let out = render::text(&Report { objects: vec![d] });
    assert_eq!(
        out,
        "► Service/default/podinfo drifted\n\nspec.ports.http.port\n± value change\n- 9899\n+ 9898\n\n"
    );
}

#[test]
fn server_metadata_and_status_are_not_drift() {
    let live = svc(80, "5");
    let mut dry = svc(80, "6");
    dry["metadata"]["uid"] = json!("other");
    dry["status"] = json!({"x": 1});
    assert_eq!(
        compare(&dry, Some(&dry), Some(&live)).class,
        Class::Unchanged
    );
}

#[test]
fn no_resource_version_in_dry_run_means_created() {
    let dry = svc(80, "");
    let d = compare(&dry, Some(&dry), None);
    assert_eq!(d.class, Class::Created);
    assert!(
        render::text(&Report { objects: vec![d] }).contains("► Service/default/podinfo created")
    );
}

#[test]
fn skip_annotations() {
    let mut desired = svc(80, "");
    desired["metadata"]["annotations"] = json!({"kustomize.toolkit.fluxcd.io/ssa": "Ignore"});
    assert_eq!(
        compare(&desired, None, Some(&svc(1, "1"))).class,
        Class::Skipped
    );
    let mut live = svc(1, "1");
    live["metadata"]["labels"] = json!({"kustomize.toolkit.fluxcd.io/reconcile": "disabled"});
    assert_eq!(
        compare(&svc(80, "1"), None, Some(&live)).class,
        Class::Skipped
    );
}

#[test]
fn added_and_removed_entries() {
    let mut live = svc(80, "1");
    live["metadata"]["labels"] = json!({"old": "x"});
    let mut dry = svc(80, "1");
    dry["metadata"]["labels"] = json!({"new": "y"});
    dry["spec"]["ports"] = json!([{"name": "http", "port": 80, "protocol": "TCP"}]);
    let d = compare(&dry, Some(&dry), Some(&live));
    let out = render::text(&Report { objects: vec![d] });
    assert!(
        out.contains("metadata.labels\n- one map entry removed:\n  old: x\n"),
        "{out}"
    );
    assert!(
        out.contains("metadata.labels\n+ one map entry added:\n  new: y\n"),
        "{out}"
    );
    assert!(
        out.contains("spec.ports\n- one list entry removed:\n"),
        "{out}"
    );
}

fn secret(data: Value, string_data: Option<Value>) -> Value {
    let mut s = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "default", "resourceVersion": "3"}, "data": data});
    if let Some(sd) = string_data {
        s["stringData"] = sd;
    }
    s
}

#[test]
fn secrets_are_masked_everywhere() {
    // base64("hunter2-live"), base64("same-value")
    let live = secret(
        json!({"password": "aHVudGVyMi1saXZl", "user": "c2FtZS12YWx1ZQ=="}),
        None,
    );
    let dry = secret(
        json!({"user": "c2FtZS12YWx1ZQ=="}),
        Some(json!({"password": "hunter2-git", "token": "tok-plain"})),
    );
    let d = compare(&dry, Some(&dry), Some(&live));
    assert_eq!(d.class, Class::Drifted);
    let report = Report { objects: vec![d] };
    let text = render::text(&report);
    assert!(
        text.contains("data.password\n± value change\n- *** (before)\n+ *** (after)\n"),
        "{text}"
    );
    let all = format!(
        "{text}{}{}{}",
        render::json(&report),
        render::markdown("t", &report),
        unified::view(&report, 3, false)
            .iter()
            .map(unified::unified_text)
            .collect::<String>()
    );
    for plain in [
        "hunter2",
        "aHVudGVy",
        "c2FtZS12YWx1ZQ",
        "tok-plain",
        "dG9rLXBsYWlu",
        "same-value",
    ] {
        assert!(!all.contains(plain), "{plain} leaked in:\n{all}");
    }
}

#[test]
fn pruned_objects_are_deleted_and_counted() {
    let r = Report {
        objects: vec![
            pruned("ConfigMap/default/gone".into(), None),
            compare(&svc(1, "1"), Some(&svc(1, "1")), Some(&svc(1, "1"))),
        ],
    };
    assert!(render::text(&r).contains("► ConfigMap/default/gone deleted"));
    assert_eq!(r.counts().deleted, 1);
    assert_eq!(r.counts().unchanged, 1);
    assert!(r.has_changes());
}

#[test]
fn unified_view_has_hunks_with_inline_words() {
    let live = svc(9899, "5");
    let dry = svc(9898, "5");
    let r = Report {
        objects: vec![compare(&dry, Some(&dry), Some(&live))],
    };
    let v = unified::view(&r, 2, false);
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].added, v[0].removed), (1, 1));
    assert_eq!(v[0].glyph, "±");
    let text = unified::unified_text(&v[0]);
    assert!(
        text.lines()
            .any(|l| l.starts_with('-') && l.trim_end().ends_with("port: 9899")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with('+') && l.trim_end().ends_with("port: 9898")),
        "{text}"
    );
    let removed = v[0].hunks[0]
        .lines
        .iter()
        .find(|l| l.tag == unified::LineTag::Removed)
        .map(|l| l.segments.clone());
    assert!(removed.is_some_and(|s| s.iter().any(|(emph, t)| *emph && t.contains("9899"))));
}

#[test]
fn unnamed_lists_compare_by_index() {
    let a = json!({"spec": {"args": ["--a", "--b"]}});
    let b = json!({"spec": {"args": ["--a", "--c"]}});
    let c = fields::diff(&a, &b);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].path, "spec.args.1");
}
