//! `metav1.Condition` bookkeeping with Flux's rules (SPEC §2.1), pure over `status` JSON:
//! observedGeneration on every condition, lastTransitionTime kept unless status/reason/message
//! change, abnormal-true types (Reconciling, Stalled) present only while True and mutually
//! exclusive, messages capped at 32768 bytes, and the Stalled/Reconciling/Ready-first ordering.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

pub const READY: &str = "Ready";
pub const RECONCILING: &str = "Reconciling";
pub const STALLED: &str = "Stalled";
pub const HEALTHY: &str = "Healthy";

/// Flux caps condition messages at 32768 bytes: 32765 bytes plus `...`.
const MAX_MESSAGE: usize = 32768;

/// Condition status values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondStatus {
    True,
    False,
    Unknown,
}

impl CondStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CondStatus::True => "True",
            CondStatus::False => "False",
            CondStatus::Unknown => "Unknown",
        }
    }
}

/// Cut a message to the Flux limit on a char boundary.
pub fn trim_message(message: &str) -> String {
    if message.len() <= MAX_MESSAGE {
        return message.to_string();
    }
    let mut end = MAX_MESSAGE - 3;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &message[..end])
}

/// Conditions of a status object (empty when absent).
pub fn list(status: &Value) -> Vec<Value> {
    status
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

pub fn get<'a>(status: &'a Value, type_: &str) -> Option<&'a Value> {
    status
        .get("conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

/// True when the condition exists with status True.
pub fn is_true(status: &Value, type_: &str) -> bool {
    get(status, type_)
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

pub fn reason<'a>(status: &'a Value, type_: &str) -> Option<&'a str> {
    get(status, type_)?.get("reason")?.as_str()
}

pub fn message<'a>(status: &'a Value, type_: &str) -> Option<&'a str> {
    get(status, type_)?.get("message")?.as_str()
}

fn now_seconds(now: Timestamp) -> String {
    // metav1.Time serialises at second precision in UTC.
    let secs = now.as_second();
    Timestamp::from_second(secs)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| now.to_string())
}

/// Set (or replace) a condition, keeping lastTransitionTime when nothing but the generation
/// changed. Setting Reconciling=True removes Stalled and the reverse (they are exclusive).
pub fn set(
    status: &mut Value,
    type_: &str,
    cond: CondStatus,
    reason: &str,
    message: &str,
    generation: i64,
    now: Timestamp,
) {
    let message = trim_message(message);
    let mut conds = list(status);
    let previous = conds
        .iter()
        .position(|c| c.get("type").and_then(Value::as_str) == Some(type_));
    let transition = previous
        .and_then(|i| {
            let old = &conds[i];
            let same = old.get("status").and_then(Value::as_str) == Some(cond.as_str())
                && old.get("reason").and_then(Value::as_str) == Some(reason)
                && old.get("message").and_then(Value::as_str) == Some(message.as_str());
            same.then(|| old.get("lastTransitionTime").cloned())
                .flatten()
        })
        .unwrap_or_else(|| Value::String(now_seconds(now)));
    let new = json!({
        "type": type_,
        "status": cond.as_str(),
        "observedGeneration": generation,
        "lastTransitionTime": transition,
        "reason": reason,
        "message": message,
    });
    match previous {
        Some(i) => conds[i] = new,
        None => conds.push(new),
    }
    write(status, conds);
    if cond == CondStatus::True {
        match type_ {
            RECONCILING => delete(status, STALLED),
            STALLED => delete(status, RECONCILING),
            _ => {}
        }
    }
}

/// Remove a condition type.
pub fn delete(status: &mut Value, type_: &str) {
    let mut conds = list(status);
    conds.retain(|c| c.get("type").and_then(Value::as_str) != Some(type_));
    write(status, conds);
}

fn write(status: &mut Value, mut conds: Vec<Value>) {
    sort(&mut conds);
    if !status.is_object() {
        *status = Value::Object(Map::new());
    }
    if let Some(map) = status.as_object_mut() {
        map.insert("conditions".into(), Value::Array(conds));
    }
}

/// Stalled, Reconciling, Ready first; then higher observedGeneration, then by type.
pub fn sort(conds: &mut [Value]) {
    fn rank(c: &Value) -> (u8, i64, String) {
        let t = c.get("type").and_then(Value::as_str).unwrap_or("");
        let first = match t {
            STALLED => 0,
            RECONCILING => 1,
            READY => 2,
            _ => 3,
        };
        let generation = c
            .get("observedGeneration")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        (first, -generation, t.to_string())
    }
    conds.sort_by_key(rank);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).unwrap()
    }

    #[test]
    fn transition_time_changes_only_with_status_reason_or_message() {
        let mut st = json!({});
        set(&mut st, READY, CondStatus::True, "Succeeded", "ok", 1, t(0));
        let first = get(&st, READY).unwrap()["lastTransitionTime"].clone();
        set(
            &mut st,
            READY,
            CondStatus::True,
            "Succeeded",
            "ok",
            2,
            t(10),
        );
        assert_eq!(get(&st, READY).unwrap()["lastTransitionTime"], first);
        assert_eq!(get(&st, READY).unwrap()["observedGeneration"], 2);
        set(&mut st, READY, CondStatus::False, "Failed", "bad", 2, t(20));
        assert_ne!(get(&st, READY).unwrap()["lastTransitionTime"], first);
    }

    #[test]
    fn reconciling_and_stalled_are_exclusive_and_ordered_first() {
        let mut st = json!({});
        set(
            &mut st,
            "ArtifactInStorage",
            CondStatus::True,
            "Succeeded",
            "x",
            1,
            t(0),
        );
        set(&mut st, READY, CondStatus::False, "Failed", "x", 1, t(0));
        set(&mut st, STALLED, CondStatus::True, "Failed", "x", 1, t(0));
        set(
            &mut st,
            RECONCILING,
            CondStatus::True,
            "Progressing",
            "x",
            1,
            t(0),
        );
        let types: Vec<String> = list(&st)
            .iter()
            .map(|c| c["type"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(types, ["Reconciling", "Ready", "ArtifactInStorage"]);
        set(&mut st, STALLED, CondStatus::True, "Failed", "x", 1, t(0));
        assert!(get(&st, RECONCILING).is_none());
        assert_eq!(list(&st)[0]["type"], "Stalled");
    }

    #[test]
    fn long_messages_are_cut_with_an_ellipsis() {
        let long = "é".repeat(20_000);
        let cut = trim_message(&long);
        assert!(cut.len() <= MAX_MESSAGE && cut.ends_with("..."));
        assert_eq!(trim_message("short"), "short");
    }
}
