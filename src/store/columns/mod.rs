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

mod cells;

use cells::*;

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
