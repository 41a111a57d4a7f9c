//! Rules for the replicated workloads: Deployment, ReplicaSet, StatefulSet and DaemonSet.
//! Each compares the desired replica count with what the controller reports, in a fixed order,
//! so the first lagging counter names the reason.

use serde_json::Value;

use super::StatusResult;
use super::fields::{conditions, has_condition, int_field, int_or, str_field};

pub(super) fn deployment(obj: &Value) -> StatusResult {
    let mut progressing = int_field(obj, &["spec", "progressDeadlineSeconds"]).is_none();
    let mut available = false;
    for c in conditions(obj) {
        match c.type_.as_str() {
            "Progressing" => {
                if c.reason == "ProgressDeadlineExceeded" {
                    return StatusResult::failed(
                        "ProgressDeadlineExceeded",
                        "Progress deadline exceeded",
                    );
                }
                if c.status == "True" && c.reason == "NewReplicaSetAvailable" {
                    progressing = true;
                }
            }
            "Available" if c.status == "True" => available = true,
            _ => {}
        }
    }
    let spec = int_or(obj, &["spec", "replicas"], 1);
    let status = int_or(obj, &["status", "replicas"], 0);
    let updated = int_or(obj, &["status", "updatedReplicas"], 0);
    let ready = int_or(obj, &["status", "readyReplicas"], 0);
    let avail = int_or(obj, &["status", "availableReplicas"], 0);

    if spec > status {
        return StatusResult::in_progress("LessReplicas", format!("Replicas: {status}/{spec}"));
    }
    if spec > updated {
        return StatusResult::in_progress("LessUpdated", format!("Updated: {updated}/{spec}"));
    }
    if status > spec {
        return StatusResult::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", status - spec),
        );
    }
    if updated > avail {
        return StatusResult::in_progress("LessAvailable", format!("Available: {avail}/{updated}"));
    }
    if spec > ready {
        return StatusResult::in_progress("LessReady", format!("Ready: {ready}/{spec}"));
    }
    if !progressing {
        return StatusResult::in_progress("ReplicaSetNotAvailable", "Rollout in progress");
    }
    if !available {
        return StatusResult::in_progress("DeploymentNotAvailable", "Deployment not Available");
    }
    StatusResult::current(format!("Deployment is available. Replicas: {status}"))
}

pub(super) fn replica_set(obj: &Value) -> StatusResult {
    if has_condition(obj, "ReplicaFailure", "True") {
        return StatusResult::in_progress(
            "ReplicaFailure",
            "Replica Failure condition. Check Pods",
        );
    }
    let spec = int_or(obj, &["spec", "replicas"], 1);
    let status = int_or(obj, &["status", "replicas"], 0);
    let labelled = int_or(obj, &["status", "fullyLabeledReplicas"], 0);
    let avail = int_or(obj, &["status", "availableReplicas"], 0);
    let ready = int_or(obj, &["status", "readyReplicas"], 0);

    if spec > labelled {
        return StatusResult::in_progress("LessLabelled", format!("Labelled: {labelled}/{spec}"));
    }
    if spec > avail {
        return StatusResult::in_progress("LessAvailable", format!("Available: {avail}/{spec}"));
    }
    if spec > ready {
        return StatusResult::in_progress("LessReady", format!("Ready: {ready}/{spec}"));
    }
    if status > spec {
        return StatusResult::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", status - spec),
        );
    }
    StatusResult::current(format!("ReplicaSet is available. Replicas: {status}"))
}

pub(super) fn stateful_set(obj: &Value) -> StatusResult {
    if str_field(obj, &["spec", "updateStrategy", "type"]) == Some("OnDelete") {
        return StatusResult::current("StatefulSet is using the ondelete update strategy");
    }
    let spec = int_or(obj, &["spec", "replicas"], 1);
    let status = int_or(obj, &["status", "replicas"], 0);
    let ready = int_or(obj, &["status", "readyReplicas"], 0);
    let current = int_or(obj, &["status", "currentReplicas"], 0);
    let updated = int_or(obj, &["status", "updatedReplicas"], 0);

    if spec > status {
        return StatusResult::in_progress("LessReplicas", format!("Replicas: {status}/{spec}"));
    }
    if spec > ready {
        return StatusResult::in_progress("LessReady", format!("Ready: {ready}/{spec}"));
    }
    if status > spec {
        return StatusResult::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", status - spec),
        );
    }
    if let Some(partition) = int_field(
        obj,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
    ) {
        let expected = spec - partition;
        if updated < expected {
            return StatusResult::in_progress(
                "PartitionRollout",
                format!("updated: {updated}/{expected}"),
            );
        }
        return StatusResult::current(format!("Partition rollout complete. updated: {updated}"));
    }
    if spec > current {
        return StatusResult::in_progress("LessCurrent", format!("current: {current}/{spec}"));
    }
    let current_revision = str_field(obj, &["status", "currentRevision"]).unwrap_or_default();
    let update_revision = str_field(obj, &["status", "updateRevision"]).unwrap_or_default();
    if current_revision != update_revision {
        return StatusResult::in_progress(
            "RevisionMismatch",
            "Waiting for updated revision to match current",
        );
    }
    StatusResult::current(format!(
        "All replicas scheduled as expected. Replicas: {status}"
    ))
}

pub(super) fn daemon_set(obj: &Value) -> StatusResult {
    // A DaemonSet controller that has not reported yet has no counters to compare.
    if int_field(obj, &["metadata", "generation"]).is_none() {
        return StatusResult::in_progress("NoGeneration", "Missing .metadata.generation field");
    }
    if int_field(obj, &["status", "observedGeneration"]).is_none() {
        return StatusResult::in_progress(
            "NoObservedGeneration",
            "Missing .status.observedGeneration field",
        );
    }
    let Some(desired) = int_field(obj, &["status", "desiredNumberScheduled"]) else {
        return StatusResult::in_progress(
            "NoDesiredNumber",
            "Missing .status.desiredNumberScheduled",
        );
    };
    let scheduled = int_or(obj, &["status", "currentNumberScheduled"], 0);
    let updated = int_or(obj, &["status", "updatedNumberScheduled"], 0);
    let available = int_or(obj, &["status", "numberAvailable"], 0);
    let ready = int_or(obj, &["status", "numberReady"], 0);

    if desired > scheduled {
        return StatusResult::in_progress("LessCurrent", format!("Current: {scheduled}/{desired}"));
    }
    if desired > updated {
        return StatusResult::in_progress("LessUpdated", format!("Updated: {updated}/{desired}"));
    }
    if desired > available {
        return StatusResult::in_progress(
            "LessAvailable",
            format!("Available: {available}/{desired}"),
        );
    }
    if desired > ready {
        return StatusResult::in_progress("LessReady", format!("Ready: {ready}/{desired}"));
    }
    StatusResult::current(format!(
        "All replicas scheduled as expected. Replicas: {desired}"
    ))
}
