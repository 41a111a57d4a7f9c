//! Built-in printer columns that no JSONPath can express (counts, "ready/total", joined lists),
//! named `#key` in the store's built-in type table. Values follow kubectl's built-in printers;
//! an unknown key gives an empty cell.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::engine::duration::format_age;

fn at<'a>(o: &'a Value, pointer: &str) -> &'a Value {
    o.pointer(pointer).unwrap_or(&Value::Null)
}

fn int(o: &Value, pointer: &str) -> i64 {
    at(o, pointer).as_i64().unwrap_or(0)
}

fn len(o: &Value, pointer: &str) -> usize {
    match at(o, pointer) {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    }
}

fn none_if_empty(s: String) -> Value {
    json!(if s.is_empty() { "<none>".to_string() } else { s })
}

/// `k=v,k2=v2` of a string map.
fn pairs(o: &Value, pointer: &str) -> String {
    at(o, pointer)
        .as_object()
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

fn join(o: &Value, pointer: &str, field: &str) -> String {
    at(o, pointer)
        .as_array()
        .map(|a| a.iter().filter_map(|i| i.get(field).and_then(Value::as_str)).collect::<Vec<_>>().join(","))
        .unwrap_or_default()
}

pub fn age_since(timestamp: &Value, now: Timestamp) -> Value {
    match timestamp.as_str().and_then(|s| s.parse::<Timestamp>().ok()) {
        Some(t) => json!(format_age(std::time::Duration::from_secs(now.as_second().saturating_sub(t.as_second()).max(0) as u64))),
        None => json!("<unknown>"),
    }
}

fn pod_status(o: &Value) -> String {
    if !at(o, "/metadata/deletionTimestamp").is_null() {
        return "Terminating".into();
    }
    let statuses = at(o, "/status/containerStatuses").as_array().cloned().unwrap_or_default();
    for status in &statuses {
        for state in ["waiting", "terminated"] {
            if let Some(reason) = status.pointer(&format!("/state/{state}/reason")).and_then(Value::as_str) {
                if reason != "Completed" || state == "waiting" {
                    return reason.to_string();
                }
            }
        }
    }
    at(o, "/status/reason").as_str().or_else(|| at(o, "/status/phase").as_str()).unwrap_or("Pending").to_string()
}

fn service_ports(o: &Value) -> String {
    at(o, "/spec/ports")
        .as_array()
        .map(|ports| {
            ports
                .iter()
                .map(|p| {
                    let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
                    let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                    match p.get("nodePort").and_then(Value::as_i64) {
                        Some(node) => format!("{port}:{node}/{protocol}"),
                        None => format!("{port}/{protocol}"),
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn external_ips(o: &Value) -> Value {
    let ingress: Vec<String> = at(o, "/status/loadBalancer/ingress")
        .as_array()
        .map(|a| a.iter().filter_map(|i| i.get("ip").or_else(|| i.get("hostname")).and_then(Value::as_str).map(String::from)).collect())
        .unwrap_or_default();
    let external: Vec<String> =
        at(o, "/spec/externalIPs").as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
    let all: Vec<String> = ingress.into_iter().chain(external).collect();
    match (all.is_empty(), at(o, "/spec/type").as_str()) {
        (true, Some("LoadBalancer")) => json!("<pending>"),
        (true, _) => json!("<none>"),
        (false, _) => json!(all.join(",")),
    }
}

fn job_status(o: &Value) -> &'static str {
    let conditions = at(o, "/status/conditions").as_array().cloned().unwrap_or_default();
    let true_condition = |t: &str| conditions.iter().any(|c| c["type"] == t && c["status"] == "True");
    if true_condition("Complete") {
        "Complete"
    } else if true_condition("Failed") {
        "Failed"
    } else if at(o, "/spec/suspend") == &json!(true) {
        "Suspended"
    } else {
        "Running"
    }
}

fn access_modes(o: &Value, pointer: &str) -> String {
    at(o, pointer)
        .as_array()
        .map(|modes| {
            modes
                .iter()
                .filter_map(Value::as_str)
                .map(|m| match m {
                    "ReadWriteOnce" => "RWO",
                    "ReadOnlyMany" => "ROX",
                    "ReadWriteMany" => "RWX",
                    "ReadWriteOncePod" => "RWOP",
                    other => other,
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn subjects(o: &Value, kind: &str) -> Value {
    let names: Vec<String> = at(o, "/subjects")
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s["kind"] == kind)
                .map(|s| match (kind, s["namespace"].as_str()) {
                    ("ServiceAccount", Some(ns)) => format!("{ns}/{}", s["name"].as_str().unwrap_or_default()),
                    _ => s["name"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    json!(names.join(", "))
}

/// The cell of computed column `key` (without the leading `#`) for `o`.
pub fn cell(key: &str, o: &Value, now: Timestamp) -> Value {
    let template = "/spec/template/spec/containers";
    match key {
        "age" | "created-at" => age_since(at(o, "/metadata/creationTimestamp"), now),
        "data-count" => json!(len(o, "/data") + len(o, "/binaryData")),
        "secrets-count" => json!(len(o, "/secrets")),
        "webhooks-count" => json!(len(o, "/webhooks")),
        "ready-replicas" => json!(format!("{}/{}", int(o, "/status/readyReplicas"), at(o, "/spec/replicas").as_i64().unwrap_or(1))),
        "updated-replicas" => json!(int(o, "/status/updatedReplicas")),
        "available-replicas" => json!(int(o, "/status/availableReplicas")),
        "containers" => json!(join(o, template, "name")),
        "images" => json!(join(o, template, "image")),
        "label-selector" => none_if_empty(pairs(o, "/spec/selector/matchLabels")),
        "node-selector" => none_if_empty(pairs(o, "/spec/template/spec/nodeSelector")),
        "rs-desired" => json!(at(o, "/spec/replicas").as_i64().unwrap_or(1)),
        "rs-current" => json!(int(o, "/status/replicas")),
        "rs-ready" => json!(int(o, "/status/readyReplicas")),
        "ds-desired" => json!(int(o, "/status/desiredNumberScheduled")),
        "ds-current" => json!(int(o, "/status/currentNumberScheduled")),
        "ds-ready" => json!(int(o, "/status/numberReady")),
        "ds-updated" => json!(int(o, "/status/updatedNumberScheduled")),
        "ds-available" => json!(int(o, "/status/numberAvailable")),
        "pod-ready" => {
            let statuses = at(o, "/status/containerStatuses").as_array().cloned().unwrap_or_default();
            let ready = statuses.iter().filter(|s| s["ready"] == true).count();
            json!(format!("{ready}/{}", len(o, "/spec/containers")))
        }
        "pod-status" => json!(pod_status(o)),
        "pod-restarts" => {
            let statuses = at(o, "/status/containerStatuses").as_array().cloned().unwrap_or_default();
            json!(statuses.iter().map(|s| s["restartCount"].as_i64().unwrap_or(0)).sum::<i64>())
        }
        "svc-cluster-ip" => none_if_empty(at(o, "/spec/clusterIP").as_str().unwrap_or_default().to_string()),
        "svc-external-ip" => external_ips(o),
        "svc-ports" => none_if_empty(service_ports(o)),
        "svc-selector" => none_if_empty(pairs(o, "/spec/selector")),
        "job-status" => json!(job_status(o)),
        "job-completions" => json!(format!("{}/{}", int(o, "/status/succeeded"), at(o, "/spec/completions").as_i64().unwrap_or(1))),
        "cronjob-suspend" => json!(at(o, "/spec/suspend").as_bool().unwrap_or(false).to_string().replace("false", "False").replace("true", "True")),
        "cronjob-active" => json!(len(o, "/status/active")),
        "cronjob-last-schedule" => match at(o, "/status/lastScheduleTime") {
            Value::Null => json!("<none>"),
            t => age_since(t, now),
        },
        "cronjob-timezone" => none_if_empty(at(o, "/spec/timeZone").as_str().unwrap_or_default().to_string()),
        "event-last-seen" => {
            let t = [at(o, "/lastTimestamp"), at(o, "/eventTime"), at(o, "/metadata/creationTimestamp")].into_iter().find(|v| v.is_string());
            t.map(|t| age_since(t, now)).unwrap_or_else(|| json!("<unknown>"))
        }
        "event-first-seen" => age_since(at(o, "/firstTimestamp"), now),
        "event-count" => json!(at(o, "/count").as_i64().unwrap_or(1)),
        "event-object" => json!(format!(
            "{}/{}",
            at(o, "/involvedObject/kind").as_str().unwrap_or_default().to_lowercase(),
            at(o, "/involvedObject/name").as_str().unwrap_or_default()
        )),
        "event-source" => {
            let component = at(o, "/source/component").as_str().or_else(|| at(o, "/reportingComponent").as_str()).unwrap_or_default();
            match at(o, "/source/host").as_str() {
                Some(host) => json!(format!("{component}, {host}")),
                None => json!(component),
            }
        }
        "binding-role" => json!(format!("{}/{}", at(o, "/roleRef/kind").as_str().unwrap_or_default(), at(o, "/roleRef/name").as_str().unwrap_or_default())),
        "binding-users" => subjects(o, "User"),
        "binding-groups" => subjects(o, "Group"),
        "binding-serviceaccounts" => subjects(o, "ServiceAccount"),
        "access-modes" => json!(access_modes(o, if o["kind"] == "PersistentVolume" { "/spec/accessModes" } else { "/status/accessModes" })),
        "storageclass-name" => json!(at(o, "/spec/storageClassName").as_str().unwrap_or_default()),
        "pv-claim" => match at(o, "/spec/claimRef/name").as_str() {
            Some(name) => json!(format!("{}/{name}", at(o, "/spec/claimRef/namespace").as_str().unwrap_or_default())),
            None => json!(""),
        },
        "vac-name" => none_if_empty(at(o, "/spec/volumeAttributesClassName").as_str().unwrap_or_default().to_string()),
        "ing-class" => none_if_empty(at(o, "/spec/ingressClassName").as_str().unwrap_or_default().to_string()),
        "ing-hosts" => {
            let hosts = join(o, "/spec/rules", "host");
            json!(if hosts.is_empty() { "*".to_string() } else { hosts })
        }
        "ing-address" => json!(join(o, "/status/loadBalancer/ingress", "ip")),
        "ing-ports" => json!(if len(o, "/spec/tls") > 0 { "80, 443" } else { "80" }),
        "node-status" => {
            let ready = at(o, "/status/conditions").as_array().and_then(|c| c.iter().find(|c| c["type"] == "Ready")).map(|c| c["status"] == "True");
            json!(if ready == Some(true) { "Ready" } else if ready.is_some() { "NotReady" } else { "Unknown" })
        }
        "node-roles" => {
            let roles: Vec<&str> = at(o, "/metadata/labels")
                .as_object()
                .map(|l| l.keys().filter_map(|k| k.strip_prefix("node-role.kubernetes.io/")).collect())
                .unwrap_or_default();
            none_if_empty(roles.join(","))
        }
        "netpol-pod-selector" => none_if_empty(pairs(o, "/spec/podSelector/matchLabels")),
        "pc-global-default" => json!(at(o, "/globalDefault").as_bool().unwrap_or(false)),
        "pc-preemption" => json!(at(o, "/preemptionPolicy").as_str().unwrap_or("PreemptLowerPriority")),
        "sc-reclaim-policy" => json!(at(o, "/reclaimPolicy").as_str().unwrap_or("Delete")),
        "sc-binding-mode" => json!(at(o, "/volumeBindingMode").as_str().unwrap_or("Immediate")),
        "sc-allow-expansion" => json!(at(o, "/allowVolumeExpansion").as_bool().unwrap_or(false)),
        "pdb-min-available" => none_if_empty(at(o, "/spec/minAvailable").to_string().trim_matches('"').replace("null", "")),
        "pdb-max-unavailable" => none_if_empty(at(o, "/spec/maxUnavailable").to_string().trim_matches('"').replace("null", "")),
        "pdb-allowed" => json!(int(o, "/status/disruptionsAllowed")),
        "hpa-reference" => json!(format!("{}/{}", at(o, "/spec/scaleTargetRef/kind").as_str().unwrap_or_default(), at(o, "/spec/scaleTargetRef/name").as_str().unwrap_or_default())),
        "hpa-min" => json!(at(o, "/spec/minReplicas").as_i64().unwrap_or(1)),
        "hpa-replicas" => json!(int(o, "/status/currentReplicas")),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_ratios() {
        let now = Timestamp::now();
        let cm = json!({"data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}});
        assert_eq!(cell("data-count", &cm, now), json!(3));
        let deploy = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1"}, {"name": "side", "image": "envoy:2"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3}});
        assert_eq!(cell("ready-replicas", &deploy, now), json!("2/3"));
        assert_eq!(cell("available-replicas", &deploy, now), json!(0));
        assert_eq!(cell("images", &deploy, now), json!("nginx:1,envoy:2"));
        assert_eq!(cell("no-such-column", &deploy, now), Value::Null);
    }

    #[test]
    fn services_pods_and_jobs() {
        let now = Timestamp::now();
        let svc = json!({"spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.1", "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}, {"port": 53, "protocol": "UDP"}], "selector": {"app": "web"}}});
        assert_eq!(cell("svc-ports", &svc, now), json!("80:30080/TCP,53/UDP"));
        assert_eq!(cell("svc-external-ip", &svc, now), json!("<pending>"));
        assert_eq!(cell("svc-selector", &svc, now), json!("app=web"));
        let pod = json!({"spec": {"containers": [{}, {}]}, "status": {"phase": "Running", "containerStatuses": [
            {"ready": true, "restartCount": 2, "state": {"running": {}}},
            {"ready": false, "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        assert_eq!(cell("pod-ready", &pod, now), json!("1/2"));
        assert_eq!(cell("pod-status", &pod, now), json!("CrashLoopBackOff"));
        assert_eq!(cell("pod-restarts", &pod, now), json!(3));
        let job = json!({"spec": {"completions": 1}, "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(cell("job-status", &job, now), json!("Complete"));
        assert_eq!(cell("job-completions", &job, now), json!("1/1"));
    }
}
