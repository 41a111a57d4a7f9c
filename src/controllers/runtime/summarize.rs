//! The single exit of every reconcile, as pure functions: fold the outcome into the status
//! (Flux's `finalizeStatus`, SPEC §2.1) and decide when to run again (SPEC §2.2).

use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::conditions::{self, CondStatus, READY, RECONCILING, STALLED};
use super::outcome::{Outcome, RetryPolicy};
use super::schedule;

/// What the object says about itself that the summary needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectFacts {
    pub generation: i64,
    /// `reconcile.fluxcd.io/requestedAt`, if present.
    pub requested_at: Option<String>,
    pub interval: Duration,
}

/// Mark the working status as in progress at the start of an attempt (not patched by itself:
/// the runtime writes status once, at the end).
pub fn begin(status: &mut Value, generation: i64, message: &str, now: Timestamp) {
    conditions::set(
        status,
        RECONCILING,
        CondStatus::True,
        "Progressing",
        message,
        generation,
        now,
    );
}

/// Fold an outcome into the status: Ready/Reconciling/Stalled, observedGeneration and
/// lastHandledReconcileAt.
pub fn finalize(status: &mut Value, facts: &ObjectFacts, outcome: &Outcome, now: Timestamp) {
    let g = facts.generation;
    match outcome {
        Outcome::Ready { reason, message } => {
            conditions::set(status, READY, CondStatus::True, reason, message, g, now);
            conditions::delete(status, RECONCILING);
            conditions::delete(status, STALLED);
        }
        Outcome::Waiting {
            reason, message, ..
        } => {
            conditions::set(status, READY, CondStatus::False, reason, message, g, now);
            conditions::delete(status, STALLED);
        }
        Outcome::Retry(f) => {
            conditions::set(
                status,
                READY,
                CondStatus::False,
                &f.reason,
                &f.message,
                g,
                now,
            );
            conditions::delete(status, STALLED);
        }
        Outcome::Stalled(f) => {
            conditions::set(
                status,
                READY,
                CondStatus::False,
                &f.reason,
                &f.message,
                g,
                now,
            );
            conditions::set(
                status,
                STALLED,
                CondStatus::True,
                &f.reason,
                &f.message,
                g,
                now,
            );
        }
        Outcome::Suspended => {}
    }
    // A failed attempt that was progressing says it will retry.
    if !conditions::is_true(status, READY)
        && let Some(rec) = conditions::get(status, RECONCILING).cloned()
        && !matches!(outcome, Outcome::Suspended)
    {
        let msg = rec.get("message").and_then(Value::as_str).unwrap_or("");
        conditions::set(
            status,
            RECONCILING,
            CondStatus::True,
            "ProgressingWithRetry",
            msg,
            g,
            now,
        );
    }
    let Some(map) = status.as_object_mut() else {
        return;
    };
    if let Some(token) = &facts.requested_at {
        map.insert(
            "lastHandledReconcileAt".into(),
            Value::String(token.clone()),
        );
    }
    if matches!(outcome, Outcome::Ready { .. } | Outcome::Stalled(_)) {
        map.insert("observedGeneration".into(), Value::from(g));
    }
}

/// When to reconcile again; None = only on a watched change.
pub fn requeue_after(
    outcome: &Outcome,
    facts: &ObjectFacts,
    retry: RetryPolicy,
    failures: u32,
    jitter_sample: f64,
) -> Option<Duration> {
    match outcome {
        Outcome::Ready { .. } => Some(schedule::jittered(facts.interval, jitter_sample)),
        Outcome::Waiting { after, .. } => Some(*after),
        Outcome::Retry(_) => Some(retry.delay(failures.max(1))),
        Outcome::Stalled(_) | Outcome::Suspended => None,
    }
}

/// The merge patch that turns `old` status into `new` (removed keys become null).
pub fn status_patch(old: &Value, new: &Value) -> Option<Value> {
    if old == new {
        return None;
    }
    let mut patch = new.as_object().cloned().unwrap_or_default();
    if let Some(old_map) = old.as_object() {
        for key in old_map.keys() {
            if !patch.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    Some(serde_json::json!({ "status": Value::Object(patch) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::runtime::outcome::Failure;
    use serde_json::json;

    fn facts() -> ObjectFacts {
        ObjectFacts {
            generation: 3,
            requested_at: Some("tok-1".into()),
            interval: Duration::from_secs(600),
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_700_000_000).unwrap()
    }

    #[test]
    fn success_sets_ready_observed_generation_and_handled_token() {
        let mut st = json!({"observedGeneration": -1});
        begin(&mut st, 3, "Reconciliation in progress", now());
        finalize(
            &mut st,
            &facts(),
            &Outcome::ready("Succeeded", "done"),
            now(),
        );
        assert_eq!(st["observedGeneration"], 3);
        assert_eq!(st["lastHandledReconcileAt"], "tok-1");
        assert!(conditions::get(&st, RECONCILING).is_none());
        assert!(conditions::is_true(&st, READY));
    }

    #[test]
    fn retry_keeps_observed_generation_and_marks_progressing_with_retry() {
        let mut st = json!({"observedGeneration": 2});
        begin(&mut st, 3, "Fetching", now());
        let failure = Failure::new("BuildFailed", "kustomize build failed: x");
        finalize(&mut st, &facts(), &Outcome::Retry(failure), now());
        assert_eq!(st["observedGeneration"], 2);
        assert_eq!(
            conditions::reason(&st, RECONCILING),
            Some("ProgressingWithRetry")
        );
        assert_eq!(conditions::reason(&st, READY), Some("BuildFailed"));
        let obj =
            json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"generation": 3}, "status": st});
        let r = crate::engine::kstatus::compute(&obj).unwrap();
        assert_eq!(r.status, crate::engine::kstatus::Status::InProgress);
    }

    #[test]
    fn stalled_is_terminal_for_kstatus() {
        let mut st = json!({});
        begin(&mut st, 3, "x", now());
        let failure = Failure::new("InvalidCELExpression", "bad expr");
        finalize(&mut st, &facts(), &Outcome::Stalled(failure), now());
        assert!(conditions::get(&st, RECONCILING).is_none());
        let obj =
            json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"generation": 3}, "status": st});
        let r = crate::engine::kstatus::compute(&obj).unwrap();
        assert_eq!(r.status, crate::engine::kstatus::Status::Failed);
        assert_eq!(
            requeue_after(
                &Outcome::Stalled(Failure::new("a", "b")),
                &facts(),
                RetryPolicy::FLUX_DEFAULT,
                1,
                0.0
            ),
            None
        );
    }

    #[test]
    fn requeue_follows_the_outcome() {
        let f = facts();
        let ready = Outcome::ready("Succeeded", "");
        let d = requeue_after(&ready, &f, RetryPolicy::FLUX_DEFAULT, 0, 1.0).unwrap();
        assert_eq!(d, Duration::from_secs(630));
        let wait = Outcome::waiting(Duration::from_secs(30), "DependencyNotReady", "");
        assert_eq!(
            requeue_after(&wait, &f, RetryPolicy::FLUX_DEFAULT, 0, 0.0),
            Some(Duration::from_secs(30))
        );
        let retry = Outcome::Retry(Failure::new("x", "y"));
        let fixed = RetryPolicy::Fixed(Duration::from_secs(60));
        assert_eq!(
            requeue_after(&retry, &f, fixed, 3, 0.0),
            Some(Duration::from_secs(60))
        );
        assert_eq!(requeue_after(&Outcome::Suspended, &f, fixed, 0, 0.0), None);
    }

    #[test]
    fn status_patch_nulls_removed_fields() {
        let old = json!({"artifact": {"revision": "a"}, "observedGeneration": 1});
        let new = json!({"observedGeneration": 2});
        let p = status_patch(&old, &new).unwrap();
        assert_eq!(
            p,
            json!({"status": {"observedGeneration": 2, "artifact": null}})
        );
        assert_eq!(status_patch(&new, &new), None);
    }
}
