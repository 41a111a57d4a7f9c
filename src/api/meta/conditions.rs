//! `metav1.Condition` and Flux's rules for setting it (`fluxcd/pkg/runtime/conditions`):
//! observedGeneration always follows the object, lastTransitionTime moves only when status,
//! reason or message change, Reconciling and Stalled are "abnormal-true" (present only while
//! True and mutually exclusive), and the list is kept ordered Stalled, Reconciling, Ready,
//! then the rest by higher observedGeneration and type name.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

pub const READY: &str = "Ready";
pub const RECONCILING: &str = "Reconciling";
pub const STALLED: &str = "Stalled";
pub const HEALTHY: &str = "Healthy";
pub const ARTIFACT_IN_STORAGE: &str = "ArtifactInStorage";
pub const ARTIFACT_OUTDATED: &str = "ArtifactOutdated";
pub const SOURCE_VERIFIED: &str = "SourceVerified";
pub const FETCH_FAILED: &str = "FetchFailed";
pub const BUILD_FAILED: &str = "BuildFailed";
pub const STORAGE_OPERATION_FAILED: &str = "StorageOperationFailed";
pub const INCLUDE_UNAVAILABLE: &str = "IncludeUnavailable";
pub const RELEASED: &str = "Released";
pub const TEST_SUCCESS: &str = "TestSuccess";
pub const REMEDIATED: &str = "Remediated";
pub const DRIFTED: &str = "Drifted";

/// Generic reasons (exact strings) from `fluxcd/pkg/apis/meta`.
pub mod reasons {
    pub const SUCCEEDED: &str = "Succeeded";
    pub const FAILED: &str = "Failed";
    pub const PROGRESSING: &str = "Progressing";
    pub const PROGRESSING_WITH_RETRY: &str = "ProgressingWithRetry";
    pub const SUSPENDED: &str = "Suspended";
    pub const DEPENDENCY_NOT_READY: &str = "DependencyNotReady";
    pub const INVALID_PATH: &str = "InvalidPath";
    pub const INVALID_URL: &str = "InvalidURL";
    pub const INSECURE_CONNECTIONS_DISALLOWED: &str = "InsecureConnectionsDisallowed";
    pub const UNSUPPORTED_CONNECTION_TYPE: &str = "UnsupportedConnectionType";
    pub const PRUNE_FAILED: &str = "PruneFailed";
    pub const ARTIFACT_FAILED: &str = "ArtifactFailed";
    pub const BUILD_FAILED: &str = "BuildFailed";
    pub const HEALTH_CHECK_FAILED: &str = "HealthCheckFailed";
    pub const RECONCILIATION_SUCCEEDED: &str = "ReconciliationSucceeded";
    pub const RECONCILIATION_FAILED: &str = "ReconciliationFailed";
    pub const INVALID_CEL_EXPRESSION: &str = "InvalidCELExpression";
    pub const FEATURE_GATE_DISABLED: &str = "FeatureGateDisabled";
    pub const HEALTH_CHECK_CANCELED: &str = "HealthCheckCanceled";
    pub const ACCESS_DENIED: &str = "AccessDenied";
}

/// Longest message a condition keeps; longer ones are cut to this many bytes ending in `...`.
pub const MAX_MESSAGE_BYTES: usize = 32768;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: ConditionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// RFC 3339, UTC, whole seconds.
    #[serde(default)]
    pub last_transition_time: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub message: String,
}

impl Condition {
    pub fn new(
        type_: &str,
        status: ConditionStatus,
        reason: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            type_: type_.to_string(),
            status,
            observed_generation: None,
            last_transition_time: String::new(),
            reason: reason.to_string(),
            message: message.into(),
        }
    }
    pub fn is_true(&self) -> bool {
        self.status == ConditionStatus::True
    }
    fn same_state(&self, other: &Condition) -> bool {
        self.type_ == other.type_
            && self.status == other.status
            && self.reason == other.reason
            && self.message == other.message
    }
}

/// Format a time as a condition timestamp: UTC, truncated to seconds.
pub fn transition_time(now: jiff::Timestamp) -> String {
    now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn get<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

pub fn is_true(conditions: &[Condition], type_: &str) -> bool {
    get(conditions, type_).is_some_and(Condition::is_true)
}

pub fn delete(conditions: &mut Vec<Condition>, type_: &str) {
    conditions.retain(|c| c.type_ != type_);
}

/// Set `condition` as Flux's `conditions.Set` does, for an object at `generation`.
pub fn set(
    conditions: &mut Vec<Condition>,
    mut condition: Condition,
    generation: i64,
    now: jiff::Timestamp,
) {
    condition.observed_generation = Some(generation);
    condition.message = truncate_message(condition.message);
    match conditions.iter_mut().find(|c| c.type_ == condition.type_) {
        Some(existing) if existing.same_state(&condition) => {
            // Same state: keep the transition time, but follow the generation.
            existing.observed_generation = condition.observed_generation;
        }
        Some(existing) => {
            condition.last_transition_time = transition_time(now);
            *existing = condition;
        }
        None => {
            if condition.last_transition_time.is_empty() {
                condition.last_transition_time = transition_time(now);
            }
            conditions.push(condition);
        }
    }
    sort(conditions);
}

/// Mark Reconciling=True (and drop Stalled), as at the start of a reconcile.
pub fn mark_reconciling(
    conditions: &mut Vec<Condition>,
    reason: &str,
    message: &str,
    generation: i64,
    now: jiff::Timestamp,
) {
    delete(conditions, STALLED);
    set(
        conditions,
        Condition::new(RECONCILING, ConditionStatus::True, reason, message),
        generation,
        now,
    );
}

/// Mark Stalled=True (and drop Reconciling): the object cannot progress without a change.
pub fn mark_stalled(
    conditions: &mut Vec<Condition>,
    reason: &str,
    message: &str,
    generation: i64,
    now: jiff::Timestamp,
) {
    delete(conditions, RECONCILING);
    set(
        conditions,
        Condition::new(STALLED, ConditionStatus::True, reason, message),
        generation,
        now,
    );
}

/// Sort as Flux does: Stalled, Reconciling, Ready first; the rest by higher
/// observedGeneration, then alphabetically by type. The sort is stable.
pub fn sort(conditions: &mut [Condition]) {
    conditions.sort_by(order);
}

fn weight(type_: &str) -> Option<u8> {
    match type_ {
        STALLED => Some(0),
        RECONCILING => Some(1),
        READY => Some(2),
        _ => None,
    }
}

fn order(a: &Condition, b: &Condition) -> Ordering {
    match (weight(&a.type_), weight(&b.type_)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => b
            .observed_generation
            .unwrap_or(0)
            .cmp(&a.observed_generation.unwrap_or(0))
            .then_with(|| a.type_.cmp(&b.type_)),
    }
}

fn truncate_message(message: String) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message;
    }
    let mut cut = MAX_MESSAGE_BYTES - 3;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", &message[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConditionStatus::*;

    fn at(secs: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    #[test]
    fn transition_time_moves_only_on_state_change() {
        let mut list = Vec::new();
        set(
            &mut list,
            Condition::new(READY, False, "Progressing", "working"),
            1,
            at(0),
        );
        let first = list[0].last_transition_time.clone();
        assert_eq!(first, "2023-11-14T22:13:20Z");
        set(
            &mut list,
            Condition::new(READY, False, "Progressing", "working"),
            2,
            at(10),
        );
        assert_eq!(
            list[0].last_transition_time, first,
            "same state keeps the time"
        );
        assert_eq!(
            list[0].observed_generation,
            Some(2),
            "generation always follows"
        );
        set(
            &mut list,
            Condition::new(READY, True, "Succeeded", "done"),
            2,
            at(20),
        );
        assert_eq!(list[0].last_transition_time, "2023-11-14T22:13:40Z");
        set(
            &mut list,
            Condition::new(READY, True, "Succeeded", "done again"),
            2,
            at(30),
        );
        assert_eq!(
            list[0].last_transition_time, "2023-11-14T22:13:50Z",
            "message change moves it"
        );
    }

    #[test]
    fn reconciling_and_stalled_exclude_each_other() {
        let mut list = Vec::new();
        mark_stalled(&mut list, "InvalidPath", "bad", 1, at(0));
        mark_reconciling(&mut list, "Progressing", "again", 1, at(1));
        assert!(get(&list, STALLED).is_none());
        assert!(is_true(&list, RECONCILING));
        mark_stalled(&mut list, "InvalidPath", "bad", 1, at(2));
        assert!(get(&list, RECONCILING).is_none());
    }

    #[test]
    fn ordering_puts_the_kstatus_triad_first() {
        let mut list = Vec::new();
        set(
            &mut list,
            Condition::new("Healthy", True, "Succeeded", ""),
            1,
            at(0),
        );
        set(
            &mut list,
            Condition::new("ArtifactInStorage", True, "Succeeded", ""),
            1,
            at(0),
        );
        set(
            &mut list,
            Condition::new("Released", True, "Succeeded", ""),
            2,
            at(0),
        );
        set(
            &mut list,
            Condition::new(READY, True, "Succeeded", ""),
            2,
            at(0),
        );
        set(
            &mut list,
            Condition::new(RECONCILING, True, "Progressing", ""),
            2,
            at(0),
        );
        set(
            &mut list,
            Condition::new(STALLED, True, "Failed", ""),
            2,
            at(0),
        );
        let types: Vec<&str> = list.iter().map(|c| c.type_.as_str()).collect();
        // Stalled deleted nothing here (set does not enforce the pair; the mark_* helpers do).
        assert_eq!(
            types,
            [
                STALLED,
                RECONCILING,
                READY,
                "Released",
                "ArtifactInStorage",
                "Healthy"
            ]
        );
    }

    #[test]
    fn long_messages_are_cut_with_an_ellipsis() {
        let mut list = Vec::new();
        set(
            &mut list,
            Condition::new(READY, False, "Failed", "é".repeat(20000)),
            1,
            at(0),
        );
        let msg = &list[0].message;
        assert!(
            msg.len() <= MAX_MESSAGE_BYTES && msg.ends_with("..."),
            "{}",
            msg.len()
        );
    }

    #[test]
    fn wire_format_matches_metav1() {
        let c: Condition = serde_json::from_value(serde_json::json!({
            "type": "Ready", "status": "True", "observedGeneration": 3,
            "lastTransitionTime": "2024-01-01T00:00:00Z", "reason": "Succeeded", "message": "ok"
        }))
        .unwrap();
        assert!(c.is_true());
        assert_eq!(serde_json::to_value(&c).unwrap()["observedGeneration"], 3);
    }
}
