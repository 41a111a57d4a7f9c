//! kstatus-like health for managed (non-Flux) objects shown in the tree's inventory: the
//! subset of SPEC.md §3.2 that matters on a console (terminating, generation, the triad,
//! workload replica counts, Jobs, PVCs, the Ready fallback). Anything else is Current.

use super::object::{Health, conditions};
use serde_json::Value;

/// (health, short message) of a managed object.
pub fn managed_health(obj: &Value) -> (Health, String) {
    if obj.pointer("/metadata/deletionTimestamp").is_some() {
        return (Health::InProgress, "Resource scheduled for deletion".into());
    }
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    let observed = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    if let (Some(g), Some(o)) = (generation, observed) {
        if g != o {
            return (
                Health::InProgress,
                format!("{kind} generation is {g}, but latest observed generation is {o}"),
            );
        }
    }
    let conds = conditions(obj);
    for c in &conds {
        if c.type_ == "Reconciling" && c.status == "True" {
            return (Health::InProgress, c.message.clone());
        }
        if c.type_ == "Stalled" && c.status == "True" {
            return (Health::Failing, c.message.clone());
        }
    }
    let int = |p: &str, d: i64| obj.pointer(p).and_then(Value::as_i64).unwrap_or(d);
    match kind {
        "Secret" | "ConfigMap" | "CronJob" | "Namespace" | "ServiceAccount" => {
            return (Health::Ready, "Resource is always ready".into());
        }
        "Deployment" | "StatefulSet" => {
            if conds
                .iter()
                .any(|c| c.type_ == "Progressing" && c.reason == "ProgressDeadlineExceeded")
            {
                return (Health::Failing, "Progress deadline exceeded".into());
            }
            let spec = int("/spec/replicas", 1);
            let ready = int("/status/readyReplicas", 0);
            let updated = int("/status/updatedReplicas", 0);
            if spec > updated && kind == "Deployment" {
                return (Health::InProgress, format!("Updated: {updated}/{spec}"));
            }
            if spec > ready {
                return (Health::InProgress, format!("Ready: {ready}/{spec}"));
            }
            return (
                Health::Ready,
                format!("{kind} is available. Replicas: {spec}"),
            );
        }
        "DaemonSet" => {
            let desired = int("/status/desiredNumberScheduled", -1);
            let ready = int("/status/numberReady", 0);
            if desired < 0 || desired > ready {
                return (
                    Health::InProgress,
                    format!("Ready: {ready}/{}", desired.max(0)),
                );
            }
            return (Health::Ready, "All replicas scheduled as expected".into());
        }
        "Job" => {
            if conds
                .iter()
                .any(|c| c.type_ == "Failed" && c.status == "True")
            {
                return (Health::Failing, "Job failed".into());
            }
            if conds
                .iter()
                .any(|c| c.type_ == "Complete" && c.status == "True")
            {
                return (Health::Ready, "Job completed".into());
            }
            return (Health::InProgress, "Job in progress".into());
        }
        "PersistentVolumeClaim" => {
            let phase = obj
                .pointer("/status/phase")
                .and_then(Value::as_str)
                .unwrap_or("unknown");
            if phase != "Bound" {
                return (
                    Health::InProgress,
                    format!("PVC is not Bound. phase: {phase}"),
                );
            }
            return (Health::Ready, "PVC is Bound".into());
        }
        _ => {}
    }
    match conds.iter().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => (Health::Ready, "Resource is Ready".into()),
        Some(c) => (Health::InProgress, c.message.clone()),
        None => (Health::Ready, "Resource is current".into()),
    }
}
