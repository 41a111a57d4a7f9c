//! Pure scheduling decisions: interval jitter, what counts as "this object asked for a
//! reconcile" (SPEC §2.2 predicates), and spec durations.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use crate::engine::duration;

/// `reconcile.fluxcd.io/requestedAt`.
pub const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";
/// Flux's default `--interval-jitter-percentage`.
pub const JITTER_PERCENT: f64 = 5.0;

/// `interval` moved by `sample` ∈ [-1, 1] times 5% (sample outside the range is clamped).
pub fn jittered(interval: Duration, sample: f64) -> Duration {
    let s = sample.clamp(-1.0, 1.0);
    let factor = 1.0 + s * JITTER_PERCENT / 100.0;
    Duration::from_secs_f64((interval.as_secs_f64() * factor).max(0.0))
}

/// A uniform sample in [-1, 1] for `jittered`.
pub fn jitter_sample() -> f64 {
    rand::random::<f64>() * 2.0 - 1.0
}

pub fn requested_at(obj: &Value) -> Option<String> {
    obj.pointer("/metadata/annotations")?
        .get(REQUESTED_AT)?
        .as_str()
        .map(str::to_string)
}

pub fn generation(obj: &Value) -> i64 {
    obj.pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

/// The fingerprint of everything that asks for a reconcile of the object itself: a new
/// generation, a new requestedAt token, or the start of deletion. Status writes leave it alone.
pub fn self_trigger_key(obj: &Value) -> u64 {
    trigger_key(
        generation(obj),
        obj.pointer("/metadata/annotations")
            .and_then(|a| a.get(REQUESTED_AT))
            .and_then(Value::as_str),
        obj.pointer("/metadata/deletionTimestamp").is_some(),
    )
}

/// `self_trigger_key` from the metadata alone: the watch loop computes it for every event,
/// and converting whole objects to JSON for three metadata fields dominated that loop.
pub fn self_trigger_key_of(meta: &ObjectMeta) -> u64 {
    trigger_key(
        meta.generation.unwrap_or(0),
        meta.annotations
            .as_ref()
            .and_then(|a| a.get(REQUESTED_AT))
            .map(String::as_str),
        meta.deletion_timestamp.is_some(),
    )
}

fn trigger_key(generation: i64, requested_at: Option<&str>, deleting: bool) -> u64 {
    let mut h = DefaultHasher::new();
    generation.hash(&mut h);
    requested_at.hash(&mut h);
    deleting.hash(&mut h);
    h.finish()
}

/// A source's artifact revision (what consumers react to).
pub fn artifact_revision(obj: &Value) -> Option<&str> {
    obj.pointer("/status/artifact/revision")?.as_str()
}

/// A Go duration at `/spec/<field>`; absent → `default`; malformed → Err with the field name.
pub fn spec_duration(obj: &Value, field: &str, default: Duration) -> Result<Duration, String> {
    match obj
        .pointer(&format!("/spec/{field}"))
        .and_then(Value::as_str)
    {
        None => Ok(default),
        Some(text) => {
            duration::parse(text).map_err(|e| format!("invalid spec.{field} {text:?}: {e}"))
        }
    }
}

pub fn suspended(obj: &Value) -> bool {
    obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jitter_stays_within_five_percent() {
        let i = Duration::from_secs(100);
        assert_eq!(jittered(i, 0.0), i);
        assert_eq!(jittered(i, 1.0), Duration::from_secs(105));
        assert_eq!(jittered(i, -1.0), Duration::from_secs(95));
        assert_eq!(jittered(i, 7.0), Duration::from_secs(105));
        for _ in 0..100 {
            let d = jittered(i, jitter_sample());
            assert!(d >= Duration::from_secs(95) && d <= Duration::from_secs(105));
        }
    }

    #[test]
    fn status_changes_do_not_trigger_but_tokens_and_generations_do() {
        let a = json!({"metadata": {"generation": 1}, "status": {"x": 1}});
        let b = json!({"metadata": {"generation": 1}, "status": {"x": 2}});
        assert_eq!(self_trigger_key(&a), self_trigger_key(&b));
        let c = json!({"metadata": {"generation": 2}});
        assert_ne!(self_trigger_key(&a), self_trigger_key(&c));
        let d = json!({"metadata": {"generation": 1, "annotations": {REQUESTED_AT: "t1"}}});
        let e = json!({"metadata": {"generation": 1, "annotations": {REQUESTED_AT: "t2"}}});
        assert_ne!(self_trigger_key(&a), self_trigger_key(&d));
        assert_ne!(self_trigger_key(&d), self_trigger_key(&e));
        let f = json!({"metadata": {"generation": 1, "deletionTimestamp": "2026-01-01T00:00:00Z"}});
        assert_ne!(self_trigger_key(&a), self_trigger_key(&f));
        for o in [&a, &c, &d, &e, &f] {
            let meta: ObjectMeta = serde_json::from_value(o["metadata"].clone()).unwrap();
            assert_eq!(self_trigger_key_of(&meta), self_trigger_key(o));
        }
    }

    #[test]
    fn spec_durations_name_the_field() {
        let o = json!({"spec": {"interval": "1m30s", "timeout": "soon"}});
        assert_eq!(
            spec_duration(&o, "interval", Duration::ZERO),
            Ok(Duration::from_secs(90))
        );
        assert!(
            spec_duration(&o, "timeout", Duration::ZERO)
                .unwrap_err()
                .contains("spec.timeout")
        );
        assert_eq!(
            spec_duration(&o, "retryInterval", Duration::from_secs(5)),
            Ok(Duration::from_secs(5))
        );
    }
}
