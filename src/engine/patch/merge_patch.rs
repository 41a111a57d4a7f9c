//! RFC 7386 JSON merge patch, as used by `kubectl patch --type merge` and
//! `application/merge-patch+json`.
//!
//! Objects merge recursively, `null` deletes a member, and anything else (arrays included)
//! replaces the target wholesale. A non-object patch replaces the whole target.

use serde_json::{Map, Value};

/// Apply `patch` to `target` and return the result.
pub fn merge_patch(target: &Value, patch: &Value) -> Value {
    let Value::Object(patch_map) = patch else {
        return patch.clone();
    };
    let mut result = match target {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    for (key, patch_value) in patch_map {
        if patch_value.is_null() {
            result.remove(key);
            continue;
        }
        let merged = match result.get(key) {
            Some(existing) => merge_patch(existing, patch_value),
            None => merge_patch(&Value::Null, patch_value),
        };
        result.insert(key.clone(), merged);
    }
    Value::Object(result)
}

/// The merge patch that turns `from` into `to` (the inverse of [`merge_patch`] where one
/// exists: `merge_patch(from, &merge_patch_diff(from, to)) == to` whenever `to` contains no
/// `null` inside objects, since merge patch cannot express a member whose value is null).
pub fn merge_patch_diff(from: &Value, to: &Value) -> Value {
    let (Value::Object(from_map), Value::Object(to_map)) = (from, to) else {
        return to.clone();
    };
    let mut patch = Map::new();
    for key in from_map.keys() {
        if !to_map.contains_key(key) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    for (key, to_value) in to_map {
        match from_map.get(key) {
            Some(from_value) if from_value == to_value => {}
            Some(from_value @ Value::Object(_)) if to_value.is_object() => {
                patch.insert(key.clone(), merge_patch_diff(from_value, to_value));
            }
            _ => {
                patch.insert(key.clone(), to_value.clone());
            }
        }
    }
    Value::Object(patch)
}
