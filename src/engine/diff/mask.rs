//! Secret masking for every renderer: values become `***`, or `*** (before)` / `*** (after)`
//! where the value changed, so a diff still says *which* keys differ without showing any value.
//! Run after normalisation (stringData already folded into data).

use serde_json::Value;

pub const MASK: &str = "***";
pub const BEFORE: &str = "*** (before)";
pub const AFTER: &str = "*** (after)";

fn is_secret(o: &Value) -> bool {
    o.get("kind").and_then(Value::as_str) == Some("Secret")
}

/// Mask the data of a live/merged Secret pair in place (either side may be absent).
pub fn mask_pair(live: Option<&mut Value>, merged: Option<&mut Value>) {
    let live = live.filter(|l| is_secret(l));
    let merged = merged.filter(|m| is_secret(m));
    match (live, merged) {
        (Some(l), Some(m)) => {
            let ld = l.get("data").cloned().unwrap_or(Value::Null);
            let md = m.get("data").cloned().unwrap_or(Value::Null);
            mask_side(l, |k, v| {
                if md.get(k).is_some_and(|o| o != v) {
                    BEFORE
                } else {
                    MASK
                }
            });
            mask_side(m, |k, v| {
                if ld.get(k).is_some_and(|o| o != v) {
                    AFTER
                } else {
                    MASK
                }
            });
        }
        (Some(one), None) | (None, Some(one)) => mask_side(one, |_, _| MASK),
        (None, None) => {}
    }
}

fn mask_side(obj: &mut Value, label: impl Fn(&str, &Value) -> &'static str) {
    for field in ["data", "stringData"] {
        if let Some(d) = obj.get_mut(field).and_then(Value::as_object_mut) {
            for (k, v) in d.iter_mut() {
                *v = Value::String(label(k, v).to_string());
            }
        }
    }
    // The last-applied annotation (kubectl) would carry the plain values.
    if let Some(a) = obj
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
        && a.contains_key("kubectl.kubernetes.io/last-applied-configuration")
    {
        a.insert(
            "kubectl.kubernetes.io/last-applied-configuration".into(),
            Value::String(MASK.into()),
        );
    }
}
