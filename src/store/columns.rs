//! Table cells (`meta.k8s.io/v1 Table` rows) for printer columns, as kube-apiserver prints them.
//!
//! `cell(column, object, now)` gives the cell for any column of `ResourceType::printer_columns`:
//! - a JSONPath column (CRD additionalPrinterColumns and simple built-in ones): the first match;
//!   `string` columns print it as text, `date` columns as an age ("5m"), other types raw;
//! - a computed column (`json_path` starting with `#`, built-ins only), e.g. `#data-count`,
//!   `#ready-replicas`, `#pod-status`, `#event-last-seen`: the value kubectl shows, computed
//!   the way kube's server-side printers compute it.
//!
//! The HTTP layer builds each row as `columns.iter().map(|c| cell(c, &obj, now))`, with the
//! object itself (or its PartialObjectMetadata) in `row.object`.

use serde_json::{Value, json};

use super::jsonpath;
use super::types::PrinterColumn;

/// kube's `duration.HumanDuration`: 45s, 3m20s, 15m, 5h30m, 2d3h, 400d, 3y20d.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let d = (hours / 24) % 365;
        return if d == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{d}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// Age of an RFC 3339 timestamp ("<unknown>" when missing or unreadable).
pub fn age(ts: Option<&Value>, now: jiff::Timestamp) -> String {
    match ts
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    {
        Some(t) => human_duration(now.as_second() - t.as_second()),
        None => "<unknown>".into(),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn at<'a>(obj: &'a Value, ptr: &str) -> Option<&'a Value> {
    obj.pointer(ptr).filter(|v| !v.is_null())
}

fn int_at(obj: &Value, ptr: &str) -> Value {
    json!(at(obj, ptr).and_then(Value::as_i64).unwrap_or(0))
}

fn len_at(obj: &Value, ptr: &str) -> usize {
    match at(obj, ptr) {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(m)) => m.len(),
        _ => 0,
    }
}

fn or_none(s: String) -> Value {
    json!(if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    })
}

fn map_pairs(v: Option<&Value>) -> String {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", text(v)))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// `metav1.FormatLabelSelector`: matchLabels then matchExpressions.
fn label_selector(sel: Option<&Value>) -> Value {
    let Some(sel) = sel else {
        return json!("<none>");
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        parts.extend(m.iter().map(|(k, v)| format!("{k}={}", text(v))));
    }
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = text(&e["key"]);
        let values: Vec<String> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        parts.push(match e["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key,
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op} ({})", values.join(",")),
        });
    }
    if parts.is_empty() {
        json!("<none>")
    } else {
        json!(parts.join(","))
    }
}

fn pod_template(obj: &Value) -> Option<&Value> {
    at(obj, "/spec/template/spec").or_else(|| at(obj, "/spec/jobTemplate/spec/template/spec"))
}

fn containers(obj: &Value, field: &str) -> Value {
    let list = pod_template(obj)
        .and_then(|p| p.get("containers"))
        .and_then(Value::as_array);
    json!(
        list.map(|a| a
            .iter()
            .filter_map(|c| c.get(field))
            .map(text)
            .collect::<Vec<_>>()
            .join(","))
            .unwrap_or_default()
    )
}

fn pod_status(obj: &Value) -> String {
    if at(obj, "/metadata/deletionTimestamp").is_some() {
        return "Terminating".into();
    }
    let mut reason = at(obj, "/status/reason")
        .or_else(|| at(obj, "/status/phase"))
        .map(text)
        .unwrap_or_else(|| "Pending".into());
    for cs in at(obj, "/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(r) = cs
            .pointer("/state/waiting/reason")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
        {
            reason = r.to_string();
        } else if let Some(r) = cs
            .pointer("/state/terminated/reason")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
        {
            reason = r.to_string();
        }
    }
    reason
}

fn access_modes(obj: &Value) -> Value {
    let modes: Vec<&str> = at(obj, "/spec/accessModes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|m| match m {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    json!(modes.join(","))
}

fn condition_true(obj: &Value, type_: &str) -> Option<bool> {
    at(obj, "/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
        .map(|c| c["status"] == "True")
}

fn service_external_ip(obj: &Value) -> Value {
    let external = at(obj, "/spec/externalIPs")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(text).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    match at(obj, "/spec/type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
    {
        "LoadBalancer" => {
            let ingress: Vec<String> = at(obj, "/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|i| i.get("ip").or_else(|| i.get("hostname")).map(text))
                .chain(
                    external
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                )
                .collect();
            json!(if ingress.is_empty() {
                "<pending>".to_string()
            } else {
                ingress.join(",")
            })
        }
        "ExternalName" => json!(at(obj, "/spec/externalName").map(text).unwrap_or_default()),
        _ => or_none(external),
    }
}

fn service_ports(obj: &Value) -> Value {
    let ports: Vec<String> = at(obj, "/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let proto = p.get("protocol").map(text).unwrap_or_else(|| "TCP".into());
            match p.get("nodePort").and_then(Value::as_i64) {
                Some(np) => format!("{}:{np}/{proto}", text(&p["port"])),
                None => format!("{}/{proto}", text(&p["port"])),
            }
        })
        .collect();
    or_none(ports.join(","))
}

fn endpoints(obj: &Value) -> Value {
    let mut all = Vec::new();
    for subset in at(obj, "/subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ports: Vec<String> = subset["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| text(&p["port"]))
            .collect();
        for addr in subset["addresses"].as_array().into_iter().flatten() {
            let ip = text(&addr["ip"]);
            if ports.is_empty() {
                all.push(ip.clone());
            }
            all.extend(ports.iter().map(|p| format!("{ip}:{p}")));
        }
    }
    if all.len() > 3 {
        let more = all.len() - 3;
        return json!(format!("{} + {more} more...", all[..3].join(",")));
    }
    or_none(all.join(","))
}

fn event_times(obj: &Value, now: jiff::Timestamp) -> (String, String, i64) {
    let first = at(obj, "/firstTimestamp").or_else(|| at(obj, "/eventTime"));
    let first_age = age(first, now);
    let mut last_age = match at(obj, "/lastTimestamp") {
        Some(t) => age(Some(t), now),
        None => first_age.clone(),
    };
    let mut count = at(obj, "/count").and_then(Value::as_i64).unwrap_or(0);
    if let Some(series) = at(obj, "/series") {
        last_age = age(series.get("lastObservedTime"), now);
        count = series.get("count").and_then(Value::as_i64).unwrap_or(count);
    } else if count == 0 {
        count = 1;
    }
    (first_age, last_age, count)
}

fn event_source(obj: &Value) -> String {
    let with = |c: String, i: String| if i.is_empty() { c } else { format!("{c}, {i}") };
    match at(obj, "/source/component")
        .map(text)
        .filter(|c| !c.is_empty())
    {
        Some(c) => with(c, at(obj, "/source/host").map(text).unwrap_or_default()),
        None => with(
            at(obj, "/reportingComponent").map(text).unwrap_or_default(),
            at(obj, "/reportingInstance").map(text).unwrap_or_default(),
        ),
    }
}

fn binding_subjects(obj: &Value, kind: &str) -> Value {
    let names: Vec<String> = at(obj, "/subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] == kind)
        .map(|s| {
            if kind == "ServiceAccount" {
                format!("{}/{}", text(&s["namespace"]), text(&s["name"]))
            } else {
                text(&s["name"])
            }
        })
        .collect();
    json!(names.join(", "))
}

fn job_completions(obj: &Value) -> Value {
    let succeeded = at(obj, "/status/succeeded")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    match at(obj, "/spec/completions").and_then(Value::as_i64) {
        Some(c) => json!(format!("{succeeded}/{c}")),
        None => {
            let parallelism = at(obj, "/spec/parallelism")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            if parallelism > 1 {
                json!(format!("{succeeded}/1 of {parallelism}"))
            } else {
                json!(format!("{succeeded}/1"))
            }
        }
    }
}

fn job_duration(obj: &Value, now: jiff::Timestamp) -> Value {
    let parse = |p: &str| {
        at(obj, p)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    };
    match parse("/status/startTime") {
        None => json!(""),
        Some(start) => {
            let end = parse("/status/completionTime").unwrap_or(now);
            json!(human_duration(end.as_second() - start.as_second()))
        }
    }
}

fn job_status(obj: &Value) -> Value {
    let s = if condition_true(obj, "Complete") == Some(true) {
        "Complete"
    } else if condition_true(obj, "Failed") == Some(true) {
        "Failed"
    } else if at(obj, "/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else if condition_true(obj, "FailureTarget") == Some(true) {
        "FailureTarget"
    } else if condition_true(obj, "SuspensionTarget") == Some(true)
        || condition_true(obj, "Suspended") == Some(true)
    {
        "Suspended"
    } else {
        "Running"
    };
    json!(s)
}

fn node_status(obj: &Value) -> Value {
    let mut s = match condition_true(obj, "Ready") {
        Some(true) => "Ready".to_string(),
        Some(false) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if at(obj, "/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        s.push_str(",SchedulingDisabled");
    }
    json!(s)
}

fn node_roles(obj: &Value) -> Value {
    let roles: Vec<String> = at(obj, "/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| {
            k.strip_prefix("node-role.kubernetes.io/")
                .map(str::to_string)
        })
        .filter(|r| !r.is_empty())
        .collect();
    or_none(roles.join(","))
}

fn ingress_ports(obj: &Value) -> Value {
    json!(if len_at(obj, "/spec/tls") > 0 {
        "80, 443"
    } else {
        "80"
    })
}

fn ingress_hosts(obj: &Value) -> Value {
    let hosts: Vec<String> = at(obj, "/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("host").map(text))
        .collect();
    json!(if hosts.is_empty() {
        "*".to_string()
    } else {
        hosts.join(",")
    })
}

fn hpa_targets(obj: &Value) -> Value {
    let targets: Vec<String> = at(obj, "/spec/metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let res = m.get("resource")?;
            let target = res
                .pointer("/target/averageUtilization")
                .map(|v| format!("{}%", text(v)))?;
            Some(format!("{}: <unknown>/{target}", text(&res["name"])))
        })
        .collect();
    json!(if targets.is_empty() {
        "<none>".to_string()
    } else {
        targets.join(", ")
    })
}

fn computed(id: &str, obj: &Value, now: jiff::Timestamp) -> Value {
    match id {
        "age" => json!(age(at(obj, "/metadata/creationTimestamp"), now)),
        "created-at" => json!(
            at(obj, "/metadata/creationTimestamp")
                .map(text)
                .unwrap_or_default()
        ),
        "data-count" => json!(len_at(obj, "/data") + len_at(obj, "/binaryData")),
        "secrets-count" => json!(len_at(obj, "/secrets")),
        "svc-cluster-ip" => or_none(at(obj, "/spec/clusterIP").map(text).unwrap_or_default()),
        "svc-external-ip" => service_external_ip(obj),
        "svc-ports" => service_ports(obj),
        "svc-selector" => or_none(map_pairs(at(obj, "/spec/selector"))),
        "endpoints" => endpoints(obj),
        "event-last-seen" => json!(event_times(obj, now).1),
        "event-first-seen" => json!(event_times(obj, now).0),
        "event-count" => json!(event_times(obj, now).2),
        "event-object" => {
            let kind = at(obj, "/involvedObject/kind")
                .map(text)
                .unwrap_or_default()
                .to_lowercase();
            match at(obj, "/involvedObject/name")
                .map(text)
                .filter(|n| !n.is_empty())
            {
                Some(n) => json!(format!("{kind}/{n}")),
                None => json!(kind),
            }
        }
        "event-source" => json!(event_source(obj)),
        "pod-ready" => {
            let total = pod_template(obj)
                .or(at(obj, "/spec"))
                .map(|s| len_at(s, "/containers"))
                .unwrap_or(0);
            let ready = at(obj, "/status/containerStatuses")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter(|c| c["ready"] == true).count())
                .unwrap_or(0);
            json!(format!("{ready}/{total}"))
        }
        "pod-status" => json!(pod_status(obj)),
        "pod-restarts" => {
            json!(
                at(obj, "/status/containerStatuses")
                    .and_then(Value::as_array)
                    .map(|a| a
                        .iter()
                        .filter_map(|c| c["restartCount"].as_i64())
                        .sum::<i64>())
                    .unwrap_or(0)
            )
        }
        "pod-readiness-gates" => match len_at(obj, "/spec/readinessGates") {
            0 => json!("<none>"),
            n => json!(format!("0/{n}")),
        },
        "access-modes" => access_modes(obj),
        "vac-name" => json!(
            at(obj, "/spec/volumeAttributesClassName")
                .map(text)
                .unwrap_or_else(|| "<unset>".into())
        ),
        "pv-claim" => match at(obj, "/spec/claimRef") {
            Some(c) => json!(format!("{}/{}", text(&c["namespace"]), text(&c["name"]))),
            None => json!(""),
        },
        "node-status" => node_status(obj),
        "node-roles" => node_roles(obj),
        "ready-replicas" => json!(format!(
            "{}/{}",
            text(&int_at(obj, "/status/readyReplicas")),
            at(obj, "/spec/replicas")
                .map(text)
                .unwrap_or_else(|| "1".into())
        )),
        "updated-replicas" => int_at(obj, "/status/updatedReplicas"),
        "available-replicas" => int_at(obj, "/status/availableReplicas"),
        "containers" => containers(obj, "name"),
        "images" => containers(obj, "image"),
        "label-selector" => label_selector(at(obj, "/spec/selector")),
        "ds-desired" => int_at(obj, "/status/desiredNumberScheduled"),
        "ds-current" => int_at(obj, "/status/currentNumberScheduled"),
        "ds-ready" => int_at(obj, "/status/numberReady"),
        "ds-updated" => int_at(obj, "/status/updatedNumberScheduled"),
        "ds-available" => int_at(obj, "/status/numberAvailable"),
        "node-selector" => or_none(map_pairs(
            pod_template(obj).and_then(|p| p.get("nodeSelector")),
        )),
        "rs-desired" => json!(
            at(obj, "/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1)
        ),
        "rs-current" => int_at(obj, "/status/replicas"),
        "rs-ready" => int_at(obj, "/status/readyReplicas"),
        "job-status" => job_status(obj),
        "job-completions" => job_completions(obj),
        "job-duration" => job_duration(obj, now),
        "cronjob-timezone" => or_none(at(obj, "/spec/timeZone").map(text).unwrap_or_default()),
        "cronjob-suspend" => json!(
            at(obj, "/spec/suspend")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        ),
        "cronjob-active" => json!(len_at(obj, "/status/active")),
        "cronjob-last-schedule" => match at(obj, "/status/lastScheduleTime") {
            Some(t) => json!(age(Some(t), now)),
            None => json!("<none>"),
        },
        "ing-class" => or_none(
            at(obj, "/spec/ingressClassName")
                .map(text)
                .unwrap_or_default(),
        ),
        "ing-hosts" => ingress_hosts(obj),
        "ing-address" => json!(
            at(obj, "/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|i| i.get("ip").or_else(|| i.get("hostname")).map(text))
                .collect::<Vec<_>>()
                .join(",")
        ),
        "ing-ports" => ingress_ports(obj),
        "ingclass-parameters" => match at(obj, "/spec/parameters") {
            Some(p) => json!(format!("{}/{}", text(&p["kind"]), text(&p["name"]))),
            None => json!("<none>"),
        },
        "netpol-pod-selector" => match label_selector(at(obj, "/spec/podSelector")) {
            v if v == "<none>" => json!("<none>"),
            v => v,
        },
        "binding-role" => json!(format!(
            "{}/{}",
            text(&obj["roleRef"]["kind"]),
            text(&obj["roleRef"]["name"])
        )),
        "binding-users" => binding_subjects(obj, "User"),
        "binding-groups" => binding_subjects(obj, "Group"),
        "binding-serviceaccounts" => binding_subjects(obj, "ServiceAccount"),
        "pdb-min-available" => json!(
            at(obj, "/spec/minAvailable")
                .map(text)
                .unwrap_or_else(|| "N/A".into())
        ),
        "pdb-max-unavailable" => json!(
            at(obj, "/spec/maxUnavailable")
                .map(text)
                .unwrap_or_else(|| "N/A".into())
        ),
        "pdb-allowed" => int_at(obj, "/status/disruptionsAllowed"),
        "hpa-reference" => json!(format!(
            "{}/{}",
            text(&obj["spec"]["scaleTargetRef"]["kind"]),
            text(&obj["spec"]["scaleTargetRef"]["name"])
        )),
        "hpa-targets" => hpa_targets(obj),
        "hpa-min" => json!(
            at(obj, "/spec/minReplicas")
                .map(text)
                .unwrap_or_else(|| "<unset>".into())
        ),
        "hpa-replicas" => int_at(obj, "/status/currentReplicas"),
        "storageclass-name" => {
            let name = at(obj, "/metadata/name").map(text).unwrap_or_default();
            let default = at(
                obj,
                "/metadata/annotations/storageclass.kubernetes.io~1is-default-class",
            )
            .map(text)
            .as_deref()
                == Some("true");
            json!(if default {
                format!("{name} (default)")
            } else {
                name
            })
        }
        "sc-reclaim-policy" => json!(
            at(obj, "/reclaimPolicy")
                .map(text)
                .unwrap_or_else(|| "Delete".into())
        ),
        "sc-binding-mode" => json!(
            at(obj, "/volumeBindingMode")
                .map(text)
                .unwrap_or_else(|| "Immediate".into())
        ),
        "sc-allow-expansion" => json!(
            at(obj, "/allowVolumeExpansion")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string()
        ),
        "pc-global-default" => json!(
            at(obj, "/globalDefault")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        ),
        "pc-preemption" => json!(
            at(obj, "/preemptionPolicy")
                .map(text)
                .unwrap_or_else(|| "PreemptLowerPriority".into())
        ),
        "webhooks-count" => json!(len_at(obj, "/webhooks")),
        _ => Value::Null,
    }
}

/// The Table cell of `col` for `obj` at time `now`.
pub fn cell(col: &PrinterColumn, obj: &Value, now: jiff::Timestamp) -> Value {
    if let Some(id) = col.json_path.strip_prefix('#') {
        return computed(id, obj, now);
    }
    let Some(first) = jsonpath::find(obj, &col.json_path)
        .into_iter()
        .next()
        .cloned()
    else {
        return Value::Null;
    };
    match col.type_.as_str() {
        "date" => json!(age(Some(&first), now)),
        "string" => json!(text(&first)),
        _ => first,
    }
}
