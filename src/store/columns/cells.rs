//! The computed cells of built-in printer columns, one function per kube printer detail.

use serde_json::{Value, json};

use super::{age, human_duration};

pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub(super) fn at<'a>(obj: &'a Value, ptr: &str) -> Option<&'a Value> {
    obj.pointer(ptr).filter(|v| !v.is_null())
}

pub(super) fn int_at(obj: &Value, ptr: &str) -> Value {
    json!(at(obj, ptr).and_then(Value::as_i64).unwrap_or(0))
}

pub(super) fn len_at(obj: &Value, ptr: &str) -> usize {
    match at(obj, ptr) {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(m)) => m.len(),
        _ => 0,
    }
}

pub(super) fn or_none(s: String) -> Value {
    json!(if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    })
}

pub(super) fn map_pairs(v: Option<&Value>) -> String {
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
pub(super) fn label_selector(sel: Option<&Value>) -> Value {
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

pub(super) fn pod_template(obj: &Value) -> Option<&Value> {
    at(obj, "/spec/template/spec").or_else(|| at(obj, "/spec/jobTemplate/spec/template/spec"))
}

pub(super) fn containers(obj: &Value, field: &str) -> Value {
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

pub(super) fn pod_status(obj: &Value) -> String {
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

pub(super) fn access_modes(obj: &Value) -> Value {
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

pub(super) fn condition_true(obj: &Value, type_: &str) -> Option<bool> {
    at(obj, "/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
        .map(|c| c["status"] == "True")
}

pub(super) fn service_external_ip(obj: &Value) -> Value {
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

pub(super) fn service_ports(obj: &Value) -> Value {
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

pub(super) fn endpoints(obj: &Value) -> Value {
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

pub(super) fn event_times(obj: &Value, now: jiff::Timestamp) -> (String, String, i64) {
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

pub(super) fn event_source(obj: &Value) -> String {
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

pub(super) fn binding_subjects(obj: &Value, kind: &str) -> Value {
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

pub(super) fn job_completions(obj: &Value) -> Value {
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

pub(super) fn job_duration(obj: &Value, now: jiff::Timestamp) -> Value {
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

pub(super) fn job_status(obj: &Value) -> Value {
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

pub(super) fn node_status(obj: &Value) -> Value {
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

pub(super) fn node_roles(obj: &Value) -> Value {
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

pub(super) fn ingress_ports(obj: &Value) -> Value {
    json!(if len_at(obj, "/spec/tls") > 0 {
        "80, 443"
    } else {
        "80"
    })
}

pub(super) fn ingress_hosts(obj: &Value) -> Value {
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

pub(super) fn hpa_targets(obj: &Value) -> Value {
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
