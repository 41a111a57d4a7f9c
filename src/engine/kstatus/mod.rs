//! kstatus: compute whether a Kubernetes object has reached its desired state, with the same
//! rules as cli-utils `pkg/kstatus/status` (SPEC §3). Pure: the caller supplies "now" when a rule
//! depends on time (`compute_at`), and the object as a JSON value.
//!
//! Order of decisions (first one wins): deletion → observed generation → standard
//! `Reconciling`/`Stalled` conditions → built-in kind rules → generic `Ready` fallback → Current.

mod aggregate;
mod core_kinds;
mod fields;
mod workloads;

pub use aggregate::{ResourceStatus, WaitOutcome, aggregate, is_terminal_set, wait_outcome};

use jiff::Timestamp;
use serde_json::Value;

use fields::{conditions, int_field, str_field};

/// The kstatus statuses. `compute` only yields the first four; `NotFound` and `Unknown` come
/// from readers that could not fetch the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Status {
    InProgress,
    Failed,
    Current,
    Terminating,
    NotFound,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
            Status::Current => "Current",
            Status::Terminating => "Terminating",
            Status::NotFound => "NotFound",
            Status::Unknown => "Unknown",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A synthesized kstatus condition (`Reconciling` for InProgress, `Stalled` for Failed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

/// The outcome of `compute`: a status, a human message and the synthesized conditions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusResult {
    pub status: Status,
    pub message: String,
    pub conditions: Vec<Condition>,
}

impl StatusResult {
    pub(crate) fn current(message: impl Into<String>) -> Self {
        StatusResult {
            status: Status::Current,
            message: message.into(),
            conditions: Vec::new(),
        }
    }

    pub(crate) fn in_progress(reason: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        StatusResult {
            status: Status::InProgress,
            conditions: vec![synth("Reconciling", reason, &message)],
            message,
        }
    }

    pub(crate) fn failed(reason: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        StatusResult {
            status: Status::Failed,
            conditions: vec![synth("Stalled", reason, &message)],
            message,
        }
    }
}

fn synth(type_: &str, reason: &str, message: &str) -> Condition {
    Condition {
        type_: type_.to_string(),
        status: "True".to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
    }
}

/// Which rule set to use for kinds where Flux deviates from upstream kstatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rules {
    /// cli-utils defaults: a started Job counts as Current while it runs.
    #[default]
    Upstream,
    /// Flux's custom Job reader: a Job is Current only when complete (or suspended).
    Flux,
}

/// An object whose status cannot be computed (a malformed field the rules depend on).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KstatusError {
    #[error(
        "{kind} {name}: unknown Pod phase {phase:?} (expected Pending, Running, Succeeded or Failed)"
    )]
    UnknownPodPhase {
        kind: String,
        name: String,
        phase: String,
    },
}

/// Compute the status with upstream rules at the current wall-clock time.
pub fn compute(obj: &Value) -> Result<StatusResult, KstatusError> {
    compute_at(obj, Rules::Upstream, Timestamp::now())
}

/// Compute the status with the given rule set at the current wall-clock time.
pub fn compute_with(obj: &Value, rules: Rules) -> Result<StatusResult, KstatusError> {
    compute_at(obj, rules, Timestamp::now())
}

/// Compute the status as of `now` (only the Pod scheduling grace period depends on it).
pub fn compute_at(obj: &Value, rules: Rules, now: Timestamp) -> Result<StatusResult, KstatusError> {
    if let Some(result) = generic_properties(obj) {
        return Ok(result);
    }
    let group_kind = group_kind(obj);
    let by_kind = match group_kind.as_str() {
        "Secret" | "ConfigMap" | "batch/CronJob" => {
            Some(StatusResult::current("Resource is always ready"))
        }
        "Service" => Some(core_kinds::service(obj)),
        "PersistentVolumeClaim" => Some(core_kinds::pvc(obj)),
        "Pod" => Some(core_kinds::pod(obj, now)?),
        "apps/Deployment" | "extensions/Deployment" => Some(workloads::deployment(obj)),
        "apps/ReplicaSet" | "extensions/ReplicaSet" => Some(workloads::replica_set(obj)),
        "apps/StatefulSet" => Some(workloads::stateful_set(obj)),
        "apps/DaemonSet" | "extensions/DaemonSet" => Some(workloads::daemon_set(obj)),
        "policy/PodDisruptionBudget" => Some(StatusResult::current(
            "AllowedDisruptions has been computed.",
        )),
        "batch/Job" => Some(match rules {
            Rules::Upstream => core_kinds::job_upstream(obj),
            Rules::Flux => core_kinds::job_flux(obj),
        }),
        "apiextensions.k8s.io/CustomResourceDefinition" => Some(core_kinds::crd(obj)),
        _ => None,
    };
    if let Some(result) = by_kind {
        return Ok(result);
    }
    Ok(ready_fallback(obj))
}

/// `group/Kind`, or just `Kind` for the core group, as the built-in rules are keyed.
pub fn group_kind(obj: &Value) -> String {
    let kind = str_field(obj, &["kind"]).unwrap_or_default();
    let api_version = str_field(obj, &["apiVersion"]).unwrap_or_default();
    match api_version.rsplit_once('/') {
        Some((group, _version)) => format!("{group}/{kind}"),
        None => kind.to_string(),
    }
}

/// Deletion, observed generation and the standard kstatus conditions apply to every kind.
fn generic_properties(obj: &Value) -> Option<StatusResult> {
    if obj
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
    {
        return Some(StatusResult {
            status: Status::Terminating,
            message: "Resource scheduled for deletion".to_string(),
            conditions: Vec::new(),
        });
    }
    if let (Some(generation), Some(observed)) = (
        int_field(obj, &["metadata", "generation"]),
        int_field(obj, &["status", "observedGeneration"]),
    ) && generation != observed
    {
        let kind = str_field(obj, &["kind"]).unwrap_or_default();
        return Some(StatusResult::in_progress(
            "LatestGenerationNotObserved",
            format!(
                "{kind} generation is {generation}, but latest observed generation is {observed}"
            ),
        ));
    }
    for c in conditions(obj) {
        if c.status != "True" {
            continue;
        }
        match c.type_.as_str() {
            "Reconciling" => return Some(StatusResult::in_progress(&c.reason, c.message.clone())),
            "Stalled" => return Some(StatusResult::failed(&c.reason, c.message.clone())),
            _ => {}
        }
    }
    None
}

/// Kinds without a built-in rule: a `Ready` condition decides, otherwise the object is Current.
fn ready_fallback(obj: &Value) -> StatusResult {
    match conditions(obj).into_iter().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => StatusResult::current("Resource is Ready"),
        Some(c) => StatusResult::in_progress(&c.reason, c.message),
        None => StatusResult::current("Resource is current"),
    }
}

#[cfg(test)]
mod tests;
