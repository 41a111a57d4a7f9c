//! Aggregation of many statuses and the decision logic of Flux's `WaitForSet`, kept pure: the
//! caller polls, reads each object, and asks `wait_outcome` whether to stop.

use super::Status;

/// One polled resource: its identifier (`Kind/namespace/name`), its status and any read error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceStatus {
    pub id: String,
    pub status: Status,
    pub error: Option<String>,
}

/// Aggregate of a set: any Failed → Failed; else any Unknown → Unknown; else all Current →
/// Current; else InProgress. An empty set counts as Current.
pub fn aggregate<I: IntoIterator<Item = Status>>(statuses: I) -> Status {
    let all: Vec<Status> = statuses.into_iter().collect();
    if all.contains(&Status::Failed) {
        Status::Failed
    } else if all.contains(&Status::Unknown) {
        Status::Unknown
    } else if all.iter().all(|s| *s == Status::Current) {
        Status::Current
    } else {
        Status::InProgress
    }
}

/// Every status is either Failed or Current: nothing will change any more.
pub fn is_terminal_set<I: IntoIterator<Item = Status>>(statuses: I) -> bool {
    statuses
        .into_iter()
        .all(|s| matches!(s, Status::Current | Status::Failed))
}

/// What a waiter should do after one poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitOutcome {
    /// Everything is Current.
    Ready,
    /// Keep polling.
    Continue,
    /// Stop with this error (timeout, fail-fast, or a terminal set that is not all Current).
    Failed(String),
}

/// Decide after one poll. `timed_out` is true once the deadline has passed.
pub fn wait_outcome(resources: &[ResourceStatus], fail_fast: bool, timed_out: bool) -> WaitOutcome {
    let statuses = || resources.iter().map(|r| r.status);
    if aggregate(statuses()) == Status::Current {
        return WaitOutcome::Ready;
    }
    let any_failed = statuses().any(|s| s == Status::Failed);
    if (fail_fast && any_failed) || is_terminal_set(statuses()) {
        let stalled: Vec<&ResourceStatus> = resources
            .iter()
            .filter(|r| r.status == Status::Failed)
            .collect();
        return WaitOutcome::Failed(format!(
            "failed early due to stalled resources: [{}]",
            describe(&stalled)
        ));
    }
    if timed_out {
        let pending: Vec<&ResourceStatus> = resources
            .iter()
            .filter(|r| r.status != Status::Current)
            .collect();
        return WaitOutcome::Failed(format!("timeout waiting for: [{}]", describe(&pending)));
    }
    WaitOutcome::Continue
}

fn describe(resources: &[&ResourceStatus]) -> String {
    resources
        .iter()
        .map(|r| match (&r.error, r.status) {
            (Some(_), Status::Unknown) => format!("can't determine status for {}", r.id),
            (Some(err), status) => format!("{} status: '{}': {}", r.id, status, err),
            (None, status) => format!("{} status: '{}'", r.id, status),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
