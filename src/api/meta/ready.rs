//! One summary state per Flux object for list views and `get`-style output, computed from a
//! dynamic object in the order SPEC §10.1 gives: suspended, then kstatus-like progress
//! (terminating, generation not yet observed, Reconciling), Stalled, and finally Ready.

use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadyState {
    Ready,
    NotReady,
    Reconciling,
    Stalled,
    Suspended,
    /// Alert/Provider (notification v1beta3) have no status at all: nothing to wait for.
    Static,
    Unknown,
}

impl ReadyState {
    pub fn of(object: &Value) -> ReadyState {
        ReadySummary::of(object).state
    }

    pub fn label(self) -> &'static str {
        match self {
            ReadyState::Ready => "Ready",
            ReadyState::NotReady => "Not Ready",
            ReadyState::Reconciling => "Reconciling",
            ReadyState::Stalled => "Stalled",
            ReadyState::Suspended => "Suspended",
            ReadyState::Static => "Static",
            ReadyState::Unknown => "Unknown",
        }
    }
}

impl fmt::Display for ReadyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The state plus the reason and message that explain it (from the deciding condition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadySummary {
    pub state: ReadyState,
    pub reason: Option<String>,
    pub message: Option<String>,
}

impl ReadySummary {
    fn new(state: ReadyState) -> Self {
        Self {
            state,
            reason: None,
            message: None,
        }
    }

    fn from_condition(state: ReadyState, condition: &Value) -> Self {
        let text = |k: &str| {
            condition
                .get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        Self {
            state,
            reason: text("reason"),
            message: text("message"),
        }
    }

    pub fn of(object: &Value) -> ReadySummary {
        if object.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
            return ReadySummary::new(ReadyState::Suspended);
        }
        if object
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null())
        {
            let mut s = ReadySummary::new(ReadyState::Reconciling);
            s.message = Some("Resource is terminating".into());
            return s;
        }
        let conditions = object
            .pointer("/status/conditions")
            .and_then(Value::as_array);
        let Some(conditions) = conditions.filter(|c| !c.is_empty()) else {
            return ReadySummary::new(if is_static_kind(object) {
                ReadyState::Static
            } else {
                ReadyState::Unknown
            });
        };
        let generation = object
            .pointer("/metadata/generation")
            .and_then(Value::as_i64);
        let observed = object
            .pointer("/status/observedGeneration")
            .and_then(Value::as_i64);
        if let (Some(generation), Some(observed)) = (generation, observed)
            && observed != generation
        {
            let mut s = ReadySummary::new(ReadyState::Reconciling);
            s.message = Some(format!(
                "waiting for generation {generation} to be observed"
            ));
            return s;
        }
        let find = |t: &str| {
            conditions
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(t))
        };
        let status_of = |c: &Value| {
            c.get("status")
                .and_then(Value::as_str)
                .unwrap_or("Unknown")
                .to_string()
        };
        if let Some(c) = find("Reconciling").filter(|c| status_of(c) == "True") {
            return ReadySummary::from_condition(ReadyState::Reconciling, c);
        }
        if let Some(c) = find("Stalled").filter(|c| status_of(c) == "True") {
            return ReadySummary::from_condition(ReadyState::Stalled, c);
        }
        match find("Ready") {
            Some(c) => {
                let state = match status_of(c).as_str() {
                    "True" => ReadyState::Ready,
                    "False" => ReadyState::NotReady,
                    _ => ReadyState::Reconciling,
                };
                ReadySummary::from_condition(state, c)
            }
            None => ReadySummary::new(ReadyState::Unknown),
        }
    }
}

fn is_static_kind(object: &Value) -> bool {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    matches!(kind, "Alert" | "Provider") && api_version == "notification.toolkit.fluxcd.io/v1beta3"
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ks(spec: Value, status: Value) -> Value {
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
               "metadata": {"name": "a", "generation": 2}, "spec": spec, "status": status})
    }

    fn cond(t: &str, s: &str, reason: &str) -> Value {
        json!({"type": t, "status": s, "reason": reason, "message": format!("{t} {reason}")})
    }

    #[test]
    fn states_follow_the_spec_order() {
        let ready =
            json!({"observedGeneration": 2, "conditions": [cond("Ready", "True", "Succeeded")]});
        assert_eq!(
            ReadyState::of(&ks(json!({}), ready.clone())),
            ReadyState::Ready
        );
        assert_eq!(
            ReadyState::of(&ks(json!({"suspend": true}), ready)),
            ReadyState::Suspended
        );
        let stale =
            json!({"observedGeneration": 1, "conditions": [cond("Ready", "True", "Succeeded")]});
        assert_eq!(
            ReadyState::of(&ks(json!({}), stale)),
            ReadyState::Reconciling
        );
        let stalled = json!({"observedGeneration": 2, "conditions": [
            cond("Stalled", "True", "InvalidPath"), cond("Ready", "False", "InvalidPath")]});
        let s = ReadySummary::of(&ks(json!({}), stalled));
        assert_eq!(
            (s.state, s.reason.as_deref()),
            (ReadyState::Stalled, Some("InvalidPath"))
        );
        let failing =
            json!({"observedGeneration": 2, "conditions": [cond("Ready", "False", "BuildFailed")]});
        assert_eq!(
            ReadyState::of(&ks(json!({}), failing)),
            ReadyState::NotReady
        );
        let progressing = json!({"observedGeneration": 2, "conditions": [
            cond("Reconciling", "True", "Progressing"), cond("Ready", "Unknown", "Progressing")]});
        assert_eq!(
            ReadyState::of(&ks(json!({}), progressing)),
            ReadyState::Reconciling
        );
        assert_eq!(
            ReadyState::of(&ks(json!({}), json!({"observedGeneration": -1}))),
            ReadyState::Unknown
        );
    }

    #[test]
    fn notification_v1beta3_objects_are_static() {
        let alert = json!({"apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
                           "metadata": {"name": "a"}, "spec": {}});
        assert_eq!(ReadyState::of(&alert), ReadyState::Static);
    }
}
