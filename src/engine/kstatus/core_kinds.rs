//! Rules for core and batch kinds with their own readiness semantics: Service, PVC, Pod, Job
//! (upstream and Flux variants) and CustomResourceDefinition.

use jiff::Timestamp;
use serde_json::Value;

use super::fields::{conditions, find_condition, get, has_condition, int_or, str_field};
use super::{KstatusError, StatusResult};

/// A Pod that cannot be scheduled gets this long before it counts as Failed, because the
/// scheduler often reports Unschedulable briefly while nodes scale up.
const POD_SCHEDULING_GRACE_SECONDS: i64 = 15;

pub(super) fn service(obj: &Value) -> StatusResult {
    let service_type = str_field(obj, &["spec", "type"]).unwrap_or("ClusterIP");
    let cluster_ip = str_field(obj, &["spec", "clusterIP"]).unwrap_or_default();
    if service_type == "LoadBalancer" && cluster_ip.is_empty() {
        return StatusResult::in_progress(
            "NoIPAssigned",
            "ClusterIP not set. Service type: LoadBalancer",
        );
    }
    StatusResult::current("Service is ready")
}

pub(super) fn pvc(obj: &Value) -> StatusResult {
    match str_field(obj, &["status", "phase"]) {
        Some("Bound") => StatusResult::current("PVC is Bound"),
        phase => StatusResult::in_progress(
            "NotBound",
            format!("PVC is not Bound. phase: {}", phase.unwrap_or("unknown")),
        ),
    }
}

pub(super) fn pod(obj: &Value, now: Timestamp) -> Result<StatusResult, KstatusError> {
    let phase = str_field(obj, &["status", "phase"]).unwrap_or_default();
    Ok(match phase {
        "Succeeded" => StatusResult::current("Pod has completed successfully"),
        "Failed" => StatusResult::current("Pod has completed, but not successfully"),
        "Running" => {
            if has_condition(obj, "Ready", "True") {
                return Ok(StatusResult::current("Pod is Ready"));
            }
            let crashing = crash_looping_containers(obj);
            if !crashing.is_empty() {
                return Ok(StatusResult::failed(
                    "ContainerCrashLooping",
                    format!("Containers in CrashLoop state: {}", crashing.join(",")),
                ));
            }
            StatusResult::in_progress("PodRunningNotReady", "Pod is running but is not Ready")
        }
        "Pending" => match find_condition(obj, "PodScheduled") {
            Some(c) if c.status == "False" && c.reason == "Unschedulable" => {
                if seconds_since_creation(obj, now) < POD_SCHEDULING_GRACE_SECONDS {
                    StatusResult::in_progress("PodNotScheduled", "Pod has not been scheduled")
                } else {
                    StatusResult::failed("PodUnschedulable", "Pod could not be scheduled")
                }
            }
            _ => StatusResult::in_progress("PodPending", "Pod is in the Pending phase"),
        },
        "" => StatusResult::in_progress("PodNotObserved", "Pod phase not available"),
        other => {
            return Err(KstatusError::UnknownPodPhase {
                kind: "Pod".to_string(),
                name: str_field(obj, &["metadata", "name"])
                    .unwrap_or_default()
                    .to_string(),
                phase: other.to_string(),
            });
        }
    })
}

/// A missing or unreadable creationTimestamp counts as "long ago", as Go's zero time does.
fn seconds_since_creation(obj: &Value, now: Timestamp) -> i64 {
    str_field(obj, &["metadata", "creationTimestamp"])
        .and_then(|s| s.parse::<Timestamp>().ok())
        .map(|created| now.as_second() - created.as_second())
        .unwrap_or(i64::MAX)
}

fn crash_looping_containers(obj: &Value) -> Vec<String> {
    let Some(statuses) = get(obj, &["status", "containerStatuses"]).and_then(Value::as_array)
    else {
        return Vec::new();
    };
    statuses
        .iter()
        .filter(|cs| str_field(cs, &["state", "waiting", "reason"]) == Some("CrashLoopBackOff"))
        .map(|cs| str_field(cs, &["name"]).unwrap_or_default().to_string())
        .collect()
}

struct JobCounts {
    completions: i64,
    succeeded: i64,
    active: i64,
    failed: i64,
    started: bool,
}

fn job_counts(obj: &Value) -> JobCounts {
    let parallelism = int_or(obj, &["spec", "parallelism"], 1);
    JobCounts {
        completions: int_or(obj, &["spec", "completions"], parallelism),
        succeeded: int_or(obj, &["status", "succeeded"], 0),
        active: int_or(obj, &["status", "active"], 0),
        failed: int_or(obj, &["status", "failed"], 0),
        started: str_field(obj, &["status", "startTime"]).is_some_and(|s| !s.is_empty()),
    }
}

/// `Complete=True` → Current, `Failed=True` → Failed; `None` when neither is set.
fn job_finished(obj: &Value, n: &JobCounts) -> Option<StatusResult> {
    for c in conditions(obj) {
        match (c.type_.as_str(), c.status.as_str()) {
            ("Complete", "True") => {
                return Some(StatusResult::current(format!(
                    "Job Completed. succeeded: {}/{}",
                    n.succeeded, n.completions
                )));
            }
            ("Failed", "True") => {
                return Some(StatusResult::failed(
                    "JobFailed",
                    format!("Job Failed. failed: {}/{}", n.failed, n.completions),
                ));
            }
            _ => {}
        }
    }
    None
}

fn spec_suspended(obj: &Value) -> bool {
    get(obj, &["spec", "suspend"])
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Upstream kstatus: a Job is Current once it has started (it does not wait for completion).
/// A Job whose `spec.suspend` and `Suspended` condition disagree is still transitioning.
pub(super) fn job_upstream(obj: &Value) -> StatusResult {
    let n = job_counts(obj);
    if let Some(done) = job_finished(obj, &n) {
        return done;
    }
    let suspended_condition = has_condition(obj, "Suspended", "True");
    let suspend = spec_suspended(obj);
    if suspend && suspended_condition {
        return StatusResult::current("Job is suspended");
    }
    if suspend != suspended_condition && find_condition(obj, "Suspended").is_some() {
        let reason = if suspend {
            "JobSuspending"
        } else {
            "JobResuming"
        };
        return StatusResult::in_progress(
            reason,
            "Job is transitioning to or from the suspended state",
        );
    }
    if !n.started {
        return StatusResult::in_progress("JobNotStarted", "Job not started");
    }
    StatusResult::current(format!(
        "Job in progress. success:{}, active: {}, failed: {}",
        n.succeeded, n.active, n.failed
    ))
}

/// Flux's Job reader (kustomize-controller, helm-controller): health checks wait for the Job to
/// finish, so a running Job is InProgress; a suspended Job is Current.
pub(super) fn job_flux(obj: &Value) -> StatusResult {
    if spec_suspended(obj) {
        return StatusResult::current("Job is suspended");
    }
    let n = job_counts(obj);
    if let Some(done) = job_finished(obj, &n) {
        return done;
    }
    if !n.started {
        return StatusResult::in_progress("JobNotStarted", "Job not started");
    }
    StatusResult::in_progress(
        "JobInProgress",
        format!(
            "Job in progress. success:{}, active: {}, failed: {}",
            n.succeeded, n.active, n.failed
        ),
    )
}

pub(super) fn crd(obj: &Value) -> StatusResult {
    for c in conditions(obj) {
        match (c.type_.as_str(), c.status.as_str()) {
            ("NamesAccepted", "False") => return StatusResult::failed(&c.reason, c.message),
            ("Established", "False") if c.reason != "Installing" => {
                return StatusResult::failed(&c.reason, c.message);
            }
            ("Established", "True") => return StatusResult::current("CRD is established"),
            _ => {}
        }
    }
    StatusResult::in_progress("Installing", "Install in progress")
}
