use super::*;
use serde_json::json;

fn job(status: Value, suspend: bool) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "generation": 1},
           "spec": {"suspend": suspend}, "status": status})
}

#[test]
fn flux_job_rule_waits_for_completion() {
    let running = job(
        json!({"startTime": "2024-01-01T00:00:00Z", "active": 1}),
        false,
    );
    assert_eq!(
        compute_with(&running, Rules::Upstream).unwrap().status,
        Status::Current
    );
    let flux = compute_with(&running, Rules::Flux).unwrap();
    assert_eq!(flux.status, Status::InProgress);
    assert_eq!(flux.conditions[0].reason, "JobInProgress");

    let done = job(
        json!({"conditions": [{"type": "Complete", "status": "True"}]}),
        false,
    );
    assert_eq!(
        compute_with(&done, Rules::Flux).unwrap().status,
        Status::Current
    );
    let failed = job(
        json!({"conditions": [{"type": "Failed", "status": "True"}]}),
        false,
    );
    let r = compute_with(&failed, Rules::Flux).unwrap();
    assert_eq!(
        (r.status, r.conditions[0].type_.as_str()),
        (Status::Failed, "Stalled")
    );
    assert_eq!(
        compute_with(&job(json!({}), true), Rules::Flux)
            .unwrap()
            .status,
        Status::Current
    );
    assert_eq!(
        compute_with(&job(json!({}), false), Rules::Flux)
            .unwrap()
            .status,
        Status::InProgress
    );
}

#[test]
fn deletion_and_generation_come_first() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}});
    assert_eq!(compute(&obj).unwrap().status, Status::Terminating);
    let obj = json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"generation": 3}, "status": {"observedGeneration": 2,
        "conditions": [{"type": "Ready", "status": "True"}]}});
    let r = compute(&obj).unwrap();
    assert_eq!(
        r.message,
        "Widget generation is 3, but latest observed generation is 2"
    );
}

#[test]
fn stalled_beats_ready_and_ready_false_is_in_progress() {
    let obj = json!({"apiVersion": "example.com/v1", "kind": "Widget", "status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "Broken", "message": "bad"},
        {"type": "Stalled", "status": "True", "reason": "Broken", "message": "bad"}]}});
    assert_eq!(compute(&obj).unwrap().status, Status::Failed);
    let obj = json!({"apiVersion": "example.com/v1", "kind": "Widget", "status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "Broken", "message": "bad"}]}});
    let r = compute(&obj).unwrap();
    assert_eq!((r.status, r.message.as_str()), (Status::InProgress, "bad"));
}

#[test]
fn deployment_progress_deadline_fails_and_partition_rollout_waits() {
    let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"progressDeadlineSeconds": 60},
        "status": {"conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}});
    assert_eq!(compute(&dep).unwrap().status, Status::Failed);
    let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "spec": {"replicas": 3, "updateStrategy": {"rollingUpdate": {"partition": 1}}},
        "status": {"replicas": 3, "readyReplicas": 3, "updatedReplicas": 1}});
    let r = compute(&sts).unwrap();
    assert_eq!(
        (r.status, r.conditions[0].reason.as_str()),
        (Status::InProgress, "PartitionRollout")
    );
}

#[test]
fn pod_unschedulable_gets_a_grace_period() {
    let created: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"},
        "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}});
    let soon = created
        .checked_add(jiff::SignedDuration::from_secs(5))
        .unwrap();
    let late = created
        .checked_add(jiff::SignedDuration::from_secs(30))
        .unwrap();
    assert_eq!(
        compute_at(&pod, Rules::Upstream, soon).unwrap().status,
        Status::InProgress
    );
    assert_eq!(
        compute_at(&pod, Rules::Upstream, late).unwrap().status,
        Status::Failed
    );
    let bad = json!({"apiVersion": "v1", "kind": "Pod", "status": {"phase": "Exploded"}});
    assert!(compute(&bad).is_err());
}

#[test]
fn aggregation_and_wait_decisions() {
    use Status::*;
    assert_eq!(aggregate([]), Current);
    assert_eq!(aggregate([Current, InProgress]), InProgress);
    assert_eq!(aggregate([Unknown, InProgress]), Unknown);
    assert_eq!(aggregate([Unknown, Failed]), Failed);
    let rs = |id: &str, status| ResourceStatus {
        id: id.to_string(),
        status,
        error: None,
    };
    let set = [
        rs("Deployment/default/a", Current),
        rs("Job/default/b", InProgress),
    ];
    assert_eq!(wait_outcome(&set, true, false), WaitOutcome::Continue);
    assert_eq!(
        wait_outcome(&set, true, true),
        WaitOutcome::Failed(
            "timeout waiting for: [Job/default/b status: 'InProgress']".to_string()
        )
    );
    let set = [
        rs("Deployment/default/a", Failed),
        rs("Job/default/b", InProgress),
    ];
    assert!(
        matches!(wait_outcome(&set, true, false), WaitOutcome::Failed(m) if m.starts_with("failed early"))
    );
    assert_eq!(wait_outcome(&set, false, false), WaitOutcome::Continue);
    let unknown = [ResourceStatus {
        id: "Job/x/y".into(),
        status: Unknown,
        error: Some("boom".into()),
    }];
    assert_eq!(
        wait_outcome(&unknown, false, true),
        WaitOutcome::Failed(
            "timeout waiting for: [can't determine status for Job/x/y]".to_string()
        )
    );
}
