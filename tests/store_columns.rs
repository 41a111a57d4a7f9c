//! Table cells for built-in and CRD printer columns, as kubectl shows them.

use fluxdeck::store::Store;
use fluxdeck::store::columns::{cell, human_duration};
use fluxdeck::store::types::*;
use serde_json::{Value, json};

fn now() -> jiff::Timestamp {
    "2026-01-01T12:00:00Z".parse().unwrap()
}

fn row(s: &Store, g: &str, v: &str, plural: &str, obj: &Value) -> Vec<(String, Value)> {
    let rt = s.resolve(g, v, plural).unwrap();
    rt.printer_columns
        .iter()
        .map(|c| (c.name.clone(), cell(c, obj, now())))
        .collect()
}

fn get<'a>(r: &'a [(String, Value)], name: &str) -> &'a Value {
    &r.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .1
}

#[test]
fn human_durations_match_kube() {
    let cases = [
        (5, "5s"),
        (119, "119s"),
        (200, "3m20s"),
        (600, "10m"),
        (3 * 3600, "3h"),
        (5 * 3600 + 1800, "5h30m"),
        (30 * 3600, "30h"),
        (51 * 3600, "2d3h"),
        (400 * 86400, "400d"),
        (-5, "<invalid>"),
    ];
    for (secs, want) in cases {
        assert_eq!(human_duration(secs), want, "{secs}s");
    }
}

#[test]
fn configmap_secret_namespace_columns() {
    let s = Store::in_memory();
    let created = json!({"creationTimestamp": "2026-01-01T11:55:00Z", "name": "x"});
    let cm =
        json!({"metadata": created, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}});
    let r = row(&s, "", "v1", "configmaps", &cm);
    assert_eq!(
        r.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["Name", "Data", "Age"]
    );
    assert_eq!(get(&r, "Name"), "x");
    assert_eq!(get(&r, "Data"), 3);
    assert_eq!(get(&r, "Age"), "5m");
    let secret = json!({"metadata": created, "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}});
    let r = row(&s, "", "v1", "secrets", &secret);
    assert_eq!(
        (get(&r, "Type"), get(&r, "Data")),
        (&json!("kubernetes.io/tls"), &json!(2))
    );
    let ns = json!({"metadata": created, "status": {"phase": "Active"}});
    assert_eq!(
        get(&row(&s, "", "v1", "namespaces", &ns), "Status"),
        "Active"
    );
}

#[test]
fn workload_columns() {
    let s = Store::in_memory();
    let d = json!({"metadata": {"name": "web", "creationTimestamp": "2026-01-01T10:00:00Z"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1"}, {"name": "side", "image": "busybox"}]}}},
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
    let r = row(&s, "apps", "v1", "deployments", &d);
    assert_eq!(get(&r, "Ready"), "2/3");
    assert_eq!(get(&r, "Up-to-date"), 3);
    assert_eq!(get(&r, "Available"), 2);
    assert_eq!(get(&r, "Age"), "120m");
    assert_eq!(get(&r, "Containers"), "app,side");
    assert_eq!(get(&r, "Images"), "nginx:1,busybox");
    assert_eq!(get(&r, "Selector"), "app=web");
    let fresh = json!({"metadata": {"name": "new"}, "spec": {"replicas": 1}});
    let r = row(&s, "apps", "v1", "deployments", &fresh);
    assert_eq!(
        (get(&r, "Ready"), get(&r, "Available"), get(&r, "Age")),
        (&json!("0/1"), &json!(0), &json!("<unknown>"))
    );
    let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
        "status": {"phase": "Running", "containerStatuses": [{"ready": true, "restartCount": 2}, {"ready": false, "restartCount": 1,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
    let r = row(&s, "", "v1", "pods", &pod);
    assert_eq!(
        (get(&r, "Ready"), get(&r, "Status"), get(&r, "Restarts")),
        (&json!("1/2"), &json!("CrashLoopBackOff"), &json!(3))
    );
    let job = json!({"metadata": {"name": "j"}, "spec": {"completions": 1},
        "status": {"succeeded": 1, "startTime": "2026-01-01T11:00:00Z", "completionTime": "2026-01-01T11:00:42Z",
            "conditions": [{"type": "Complete", "status": "True"}]}});
    let r = row(&s, "batch", "v1", "jobs", &job);
    assert_eq!(
        (
            get(&r, "Status"),
            get(&r, "Completions"),
            get(&r, "Duration")
        ),
        (&json!("Complete"), &json!("1/1"), &json!("42s"))
    );
}

#[test]
fn service_event_and_rbac_columns() {
    let s = Store::in_memory();
    let svc = json!({"metadata": {"name": "web"}, "spec": {"type": "ClusterIP", "clusterIP": "10.0.0.1", "selector": {"app": "web"},
        "ports": [{"port": 80, "protocol": "TCP"}, {"port": 443}]}});
    let r = row(&s, "", "v1", "services", &svc);
    assert_eq!(get(&r, "Cluster-IP"), "10.0.0.1");
    assert_eq!(get(&r, "External-IP"), "<none>");
    assert_eq!(get(&r, "Port(s)"), "80/TCP,443/TCP");
    assert_eq!(get(&r, "Selector"), "app=web");
    let ev = json!({"metadata": {"name": "web.1"}, "type": "Warning", "reason": "Failed", "message": " boom ",
        "involvedObject": {"kind": "Kustomization", "name": "apps"}, "reportingComponent": "kustomize-controller",
        "reportingInstance": "fluxdeck", "eventTime": "2026-01-01T11:59:00.000000Z",
        "series": {"count": 4, "lastObservedTime": "2026-01-01T11:59:30.000000Z"}});
    let r = row(&s, "", "v1", "events", &ev);
    assert_eq!(r[0].0, "Last Seen");
    assert_eq!(get(&r, "Last Seen"), "30s");
    assert_eq!(get(&r, "First Seen"), "60s");
    assert_eq!(get(&r, "Object"), "kustomization/apps");
    assert_eq!(get(&r, "Source"), "kustomize-controller, fluxdeck");
    assert_eq!(get(&r, "Count"), 4);
    let rb = json!({"metadata": {"name": "b"}, "roleRef": {"kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "User", "name": "alice"}, {"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}]});
    let r = row(&s, "rbac.authorization.k8s.io", "v1", "rolebindings", &rb);
    assert_eq!(
        (
            get(&r, "Role"),
            get(&r, "Users"),
            get(&r, "ServiceAccounts")
        ),
        (
            &json!("ClusterRole/admin"),
            &json!("alice"),
            &json!("ns/sa")
        )
    );
    let crd = json!({"metadata": {"name": "x", "creationTimestamp": "2025-06-01T00:00:00Z"}});
    assert_eq!(
        get(
            &row(
                &s,
                "apiextensions.k8s.io",
                "v1",
                "customresourcedefinitions",
                &crd
            ),
            "Created At"
        ),
        "2025-06-01T00:00:00Z"
    );
}

#[tokio::test]
async fn crd_printer_columns_use_jsonpath() {
    let s = Store::in_memory();
    let crds = s
        .resolve("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .unwrap();
    let crd = json!({"metadata": {"name": "kustomizations.kustomize.toolkit.fluxcd.io"}, "spec": {"group": "kustomize.toolkit.fluxcd.io",
        "scope": "Namespaced", "names": {"plural": "kustomizations", "kind": "Kustomization", "shortNames": ["ks"]},
        "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
            "additionalPrinterColumns": [
                {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                {"name": "Status", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].message"}]}]}});
    s.create(&crds, None, crd, &WriteOptions::default())
        .await
        .unwrap();
    let ks = json!({"metadata": {"name": "apps", "creationTimestamp": "2026-01-01T11:00:00Z"},
        "status": {"conditions": [{"type": "Ready", "status": "True", "message": "Applied revision: main@sha1:abc"}]}});
    let r = row(
        &s,
        "kustomize.toolkit.fluxcd.io",
        "v1",
        "kustomizations",
        &ks,
    );
    assert_eq!(
        r.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["Name", "Age", "Ready", "Status"]
    );
    assert_eq!(get(&r, "Age"), "60m");
    assert_eq!(get(&r, "Ready"), "True");
    assert_eq!(get(&r, "Status"), "Applied revision: main@sha1:abc");
    let empty = json!({"metadata": {"name": "b"}});
    assert_eq!(
        get(
            &row(
                &s,
                "kustomize.toolkit.fluxcd.io",
                "v1",
                "kustomizations",
                &empty
            ),
            "Ready"
        ),
        &Value::Null
    );
}
