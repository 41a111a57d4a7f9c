//! "Is this Flux object reconciled and ready?" — the flux CLI's `isObjectReady` rules
//! (SPEC §4.2) as pure functions over the dynamic object, shared by `resume --wait`,
//! `reconcile` and the console's action progress.

use serde_json::Value;

/// Outcome of one readiness poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Reconciled at the latest generation and Ready=True.
    Ready,
    /// Still working: keep polling.
    Pending(String),
    /// Reconciled and failed (Ready=False, or Stalled): stop with this message.
    Failed(String),
}

pub fn condition<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Static objects (Alert, Provider, HelmRepository type oci) have no reconcile status.
pub fn is_static(obj: &Value) -> bool {
    let kind = str_field(obj, "kind");
    kind == "Alert"
        || kind == "Provider"
        || (kind == "HelmRepository"
            && obj.pointer("/spec/type").and_then(Value::as_str) == Some("oci"))
}

/// The flux CLI's readiness rules: observedGeneration ≥ 1, a Ready condition about the
/// latest generation, then the kstatus-style verdict of Ready/Stalled.
pub fn readiness(obj: &Value) -> Readiness {
    if is_static(obj) {
        return Readiness::Ready;
    }
    let generation = obj
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let observed = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    if observed < 1 {
        return Readiness::Pending("waiting to be reconciled".into());
    }
    let Some(ready) = condition(obj, "Ready") else {
        return Readiness::Pending("status can't be determined".into());
    };
    let cond_gen = ready
        .get("observedGeneration")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let current = if cond_gen != 0 {
        cond_gen == generation
    } else {
        observed == generation
    };
    if !current {
        return Readiness::Pending("reconciliation in progress".into());
    }
    if let Some(stalled) = condition(obj, "Stalled")
        && str_field(stalled, "status") == "True"
    {
        return Readiness::Failed(str_field(stalled, "message").to_string());
    }
    if condition(obj, "Reconciling").is_some_and(|c| str_field(c, "status") == "True") {
        return Readiness::Pending(str_field(ready, "message").to_string());
    }
    match str_field(ready, "status") {
        "True" => Readiness::Ready,
        "False" => Readiness::Failed(str_field(ready, "message").to_string()),
        _ => Readiness::Pending(str_field(ready, "message").to_string()),
    }
}

/// The success line the flux CLI prints after a reconcile (SPEC §4.3).
pub fn success_message(obj: &Value) -> String {
    let kind = str_field(obj, "kind");
    let status = obj.get("status").cloned().unwrap_or(Value::Null);
    let s = |p: &str| {
        status
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let ready_msg = condition(obj, "Ready")
        .map(|c| str_field(c, "message").to_string())
        .unwrap_or_default();
    match kind {
        "GitRepository" | "OCIRepository" | "Bucket" | "HelmChart" => {
            format!("fetched revision {}", s("/artifact/revision"))
        }
        "HelmRepository" if is_static(obj) => ready_msg,
        "HelmRepository" => format!("fetched revision {}", s("/artifact/revision")),
        "Kustomization" => format!("applied revision {}", s("/lastAppliedRevision")),
        "HelmRelease" => {
            let chart = status
                .pointer("/history/0/chartVersion")
                .and_then(Value::as_str)
                .map(str::to_string);
            format!(
                "applied revision {}",
                chart.unwrap_or_else(|| s("/lastAttemptedRevision"))
            )
        }
        "ImageRepository" => {
            let n = status
                .pointer("/lastScanResult/tagCount")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            format!("scan fetched {n} tags")
        }
        "ImagePolicy" => {
            let r = status.get("latestRef");
            let reference = match r {
                Some(r) => {
                    let mut out = format!("{}:{}", str_field(r, "name"), str_field(r, "tag"));
                    if let Some(d) = r.get("digest").and_then(Value::as_str) {
                        out.push('@');
                        out.push_str(d);
                    }
                    out
                }
                None => s("/latestImage"),
            };
            format!("selected ref {reference}")
        }
        "Alert" | "Provider" | "Receiver" => format!("{kind} reconciliation completed"),
        _ => ready_msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ks(generation: i64, observed: i64, ready: &str, msg: &str) -> Value {
        json!({"kind":"Kustomization","metadata":{"generation":generation},
               "status":{"observedGeneration":observed,"lastAppliedRevision":"main@sha1:abc",
               "conditions":[{"type":"Ready","status":ready,"message":msg,"observedGeneration":observed}]}})
    }

    #[test]
    fn ready_needs_the_latest_generation() {
        assert_eq!(readiness(&ks(2, 2, "True", "ok")), Readiness::Ready);
        assert!(matches!(
            readiness(&ks(3, 2, "True", "ok")),
            Readiness::Pending(_)
        ));
        assert!(matches!(
            readiness(&ks(1, -1, "Unknown", "")),
            Readiness::Pending(_)
        ));
        assert_eq!(
            readiness(&ks(2, 2, "False", "boom")),
            Readiness::Failed("boom".into())
        );
    }

    #[test]
    fn static_objects_are_ready_and_messages_follow_flux() {
        assert_eq!(readiness(&json!({"kind":"Alert"})), Readiness::Ready);
        assert_eq!(
            success_message(&ks(1, 1, "True", "")),
            "applied revision main@sha1:abc"
        );
        let pol =
            json!({"kind":"ImagePolicy","status":{"latestRef":{"name":"ghcr.io/a","tag":"1.2.3"}}});
        assert_eq!(success_message(&pol), "selected ref ghcr.io/a:1.2.3");
    }
}
