//! Simulated rollout for the embedded store, which has no kubelet: Deployments, StatefulSets,
//! DaemonSets, ReplicaSets and Jobs get the status a healthy rollout would report, so kstatus
//! (and therefore Flux health checks) see them Current. The annotation
//! `fluxdeck.io/simulate-rollout: fail|hang` turns one into a drill: `fail` reports what a
//! real failure looks like (Deployment progress deadline exceeded → kstatus Failed; Job
//! failed), `hang` never becomes ready. Only ever started against the embedded store.

use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub const ANNOTATION: &str = "fluxdeck.io/simulate-rollout";
const FIELD_MANAGER: &str = "fluxdeck-simulated-rollout";

/// How a simulated rollout ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Succeed,
    Fail,
    Hang,
}

pub fn mode(obj: &Value) -> Mode {
    let v = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(ANNOTATION))
        .and_then(Value::as_str)
        .unwrap_or("");
    match v.to_ascii_lowercase().as_str() {
        "fail" => Mode::Fail,
        "hang" => Mode::Hang,
        _ => Mode::Succeed,
    }
}

fn int(obj: &Value, ptr: &str, default: i64) -> i64 {
    obj.pointer(ptr).and_then(Value::as_i64).unwrap_or(default)
}

fn cond(type_: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": type_, "status": status, "reason": reason, "message": message})
}

/// The status the workload should report (pure; timestamps are added when writing).
pub fn desired_status(obj: &Value) -> Option<Value> {
    let kind = obj.get("kind")?.as_str()?;
    let name = obj.pointer("/metadata/name")?.as_str()?;
    let generation = int(obj, "/metadata/generation", 1);
    let replicas = int(obj, "/spec/replicas", 1);
    let m = mode(obj);
    let ready = if m == Mode::Succeed { replicas } else { 0 };
    Some(match kind {
        "Deployment" => {
            let progressing = match m {
                Mode::Succeed => cond(
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    &format!("ReplicaSet \"{name}\" has successfully progressed."),
                ),
                Mode::Fail => cond(
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    &format!("ReplicaSet \"{name}\" has timed out progressing."),
                ),
                Mode::Hang => cond(
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    &format!("ReplicaSet \"{name}\" is progressing."),
                ),
            };
            let available = if m == Mode::Succeed {
                cond(
                    "Available",
                    "True",
                    "MinimumReplicasAvailable",
                    "Deployment has minimum availability.",
                )
            } else {
                cond(
                    "Available",
                    "False",
                    "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.",
                )
            };
            json!({
                "observedGeneration": generation,
                "replicas": replicas,
                "updatedReplicas": replicas,
                "readyReplicas": ready,
                "availableReplicas": ready,
                "unavailableReplicas": replicas - ready,
                "conditions": [available, progressing],
            })
        }
        "StatefulSet" => json!({
            "observedGeneration": generation,
            "replicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
            "currentRevision": format!("{name}-{generation}"),
            "updateRevision": format!("{name}-{generation}"),
        }),
        "DaemonSet" => {
            // One simulated node.
            let up = if m == Mode::Succeed { 1 } else { 0 };
            json!({
                "observedGeneration": generation,
                "desiredNumberScheduled": 1,
                "currentNumberScheduled": 1,
                "updatedNumberScheduled": 1,
                "numberAvailable": up,
                "numberReady": up,
                "numberUnavailable": 1 - up,
                "numberMisscheduled": 0,
            })
        }
        "ReplicaSet" => json!({
            "observedGeneration": generation,
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
        }),
        "Job" => {
            if obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
                return None;
            }
            let completions = int(obj, "/spec/completions", 1);
            match m {
                Mode::Succeed => json!({
                    "succeeded": completions,
                    "active": 0,
                    "conditions": [
                        cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
                        cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
                    ],
                }),
                Mode::Fail => json!({
                    "failed": 1,
                    "active": 0,
                    "conditions": [
                        cond("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                        cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
                    ],
                }),
                Mode::Hang => json!({"active": 1}),
            }
        }
        _ => return None,
    })
}

fn strip_times(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.ends_with("Time") && k.as_str() != "lastUpdateTime")
                .map(|(k, v)| (k.clone(), strip_times(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_times).collect()),
        other => other.clone(),
    }
}

/// True when the object's status differs from the desired one (ignoring timestamps and any
/// field the simulation does not own).
pub fn needs_patch(obj: &Value, desired: &Value) -> bool {
    let current = obj.get("status").cloned().unwrap_or(Value::Null);
    let Some(want) = desired.as_object() else {
        return false;
    };
    want.iter()
        .any(|(k, v)| strip_times(current.get(k).unwrap_or(&Value::Null)) != strip_times(v))
}

fn with_times(mut status: Value, start: Option<&Value>) -> Value {
    let now = Timestamp::from_second(Timestamp::now().as_second())
        .unwrap_or(Timestamp::now())
        .to_string();
    if let Some(conds) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conds {
            c["lastTransitionTime"] = json!(now);
            c["lastUpdateTime"] = json!(now);
        }
    }
    if status.get("active").is_some() {
        status["startTime"] = start.cloned().unwrap_or_else(|| json!(now));
        if status.get("succeeded").is_some() {
            status["completionTime"] = json!(now);
        }
    }
    status
}

fn resource(group: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.into(),
        version: "v1".into(),
        api_version: format!("{group}/v1"),
        kind: kind.into(),
        plural: plural.into(),
    }
}

pub fn kinds() -> Vec<ApiResource> {
    vec![
        resource("apps", "Deployment", "deployments"),
        resource("apps", "StatefulSet", "statefulsets"),
        resource("apps", "DaemonSet", "daemonsets"),
        resource("apps", "ReplicaSet", "replicasets"),
        resource("batch", "Job", "jobs"),
    ]
}

async fn patch(client: kube::Client, ar: ApiResource, obj: DynamicObject, delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let Ok(value) = serde_json::to_value(&obj) else {
        return;
    };
    let Some(desired) = desired_status(&value) else {
        return;
    };
    let status = with_times(desired, value.pointer("/status/startTime"));
    let (Some(ns), Some(name)) = (
        obj.metadata.namespace.as_deref(),
        obj.metadata.name.as_deref(),
    ) else {
        return;
    };
    let api: Api<DynamicObject> = Api::namespaced_with(client, ns, &ar);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    let body = json!({"status": status});
    if let Err(e) = api.patch_status(name, &params, &Patch::Merge(&body)).await {
        tracing::debug!("simulated rollout of {}/{ns}/{name}: {e}", ar.kind);
    }
}

/// Watch every workload kind and write simulated status after `delay`.
pub fn start(client: kube::Client, delay: Duration) -> Vec<JoinHandle<()>> {
    kinds()
        .into_iter()
        .map(|ar| {
            let client = client.clone();
            tokio::spawn(async move {
                let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
                let stream = watcher(api, watcher::Config::default())
                    .default_backoff()
                    .applied_objects();
                futures::pin_mut!(stream);
                while let Some(item) = stream.next().await {
                    let Ok(obj) = item else { continue };
                    if obj.metadata.deletion_timestamp.is_some() {
                        continue;
                    }
                    let Ok(value) = serde_json::to_value(&obj) else {
                        continue;
                    };
                    if desired_status(&value).is_some_and(|d| needs_patch(&value, &d)) {
                        tokio::spawn(patch(client.clone(), ar.clone(), obj, delay));
                    }
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kstatus::{Rules, Status, compute_with};

    fn workload(api: &str, kind: &str, annotation: Option<&str>) -> Value {
        let mut o = json!({
            "apiVersion": api, "kind": kind,
            "metadata": {"name": "w", "namespace": "n", "generation": 2},
            "spec": {"replicas": 3},
        });
        if let Some(a) = annotation {
            o["metadata"]["annotations"] = json!({ANNOTATION: a});
        }
        o
    }

    fn status_after(mut o: Value) -> Status {
        let s = with_times(desired_status(&o).unwrap(), None);
        o["status"] = s;
        compute_with(&o, Rules::Flux).unwrap().status
    }

    #[test]
    fn every_kind_becomes_current_and_drills_fail_or_hang() {
        for (api, kind) in [
            ("apps/v1", "Deployment"),
            ("apps/v1", "StatefulSet"),
            ("apps/v1", "DaemonSet"),
            ("apps/v1", "ReplicaSet"),
            ("batch/v1", "Job"),
        ] {
            assert_eq!(
                status_after(workload(api, kind, None)),
                Status::Current,
                "{kind}"
            );
            assert_eq!(
                status_after(workload(api, kind, Some("hang"))),
                Status::InProgress,
                "{kind} hang"
            );
        }
        assert_eq!(
            status_after(workload("apps/v1", "Deployment", Some("fail"))),
            Status::Failed
        );
        assert_eq!(
            status_after(workload("batch/v1", "Job", Some("FAIL"))),
            Status::Failed
        );
    }

    #[test]
    fn patches_only_when_the_status_differs() {
        let mut o = workload("apps/v1", "Deployment", None);
        let d = desired_status(&o).unwrap();
        assert!(needs_patch(&o, &d));
        o["status"] = with_times(d.clone(), None);
        assert!(!needs_patch(&o, &d));
        o["metadata"]["generation"] = json!(3);
        assert!(needs_patch(&o, &desired_status(&o).unwrap()));
        assert_eq!(
            desired_status(&json!({"kind": "ConfigMap", "metadata": {"name": "x"}})),
            None
        );
    }
}
