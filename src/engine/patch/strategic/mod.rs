//! Kubernetes strategic merge patch (`application/strategic-merge-patch+json`, kustomize
//! `patchesStrategicMerge`).
//!
//! Maps merge recursively and `null` deletes a field. Lists merge as the schema says: by key,
//! as a set of scalars, or atomically (replaced). Directives:
//! - `$patch: replace` in a map replaces the map; `$patch: delete` empties it; in a keyed list
//!   an element `{"$patch": "replace"}` replaces the list and `{"name": x, "$patch": "delete"}`
//!   removes element x;
//! - `$retainKeys: [..]` drops every other key of the map;
//! - `$deleteFromPrimitiveList/<field>: [..]` removes those values from a scalar list;
//! - `$setElementOrder/<field>: [..]` fixes the order of the merged list.
//!
//! Key order: existing keys keep their place, new keys are appended in patch order.

mod list;

use super::error::{PatchError, dotted};
use super::schema::{ListStrategy, MergeSchema};
use serde_json::{Map, Value};
use std::collections::HashSet;

pub(crate) const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";

/// Apply a strategic merge `patch` (a JSON object) to `target`.
pub fn strategic_merge(
    target: &Value,
    patch: &Value,
    schema: &dyn MergeSchema,
) -> Result<Value, PatchError> {
    let Value::Object(patch) = patch else {
        return Err(PatchError::Invalid(format!(
            "a strategic merge patch must be a JSON object, not {}",
            kind_name(patch)
        )));
    };
    let original = match target {
        Value::Object(map) => map.clone(),
        Value::Null => Map::new(),
        other => {
            return Err(PatchError::Invalid(format!(
                "strategic merge needs an object to patch, not {}",
                kind_name(other)
            )));
        }
    };
    let merger = Merger { schema };
    Ok(Value::Object(merger.merge_map(
        original,
        patch,
        &mut Vec::new(),
    )?))
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub(crate) struct Merger<'s> {
    pub(crate) schema: &'s dyn MergeSchema,
}

impl Merger<'_> {
    /// Merge `patch` into `original` (the map at `path`), honouring a map-level `$patch`.
    pub(crate) fn merge_map<'p>(
        &self,
        original: Map<String, Value>,
        patch: &'p Map<String, Value>,
        path: &mut Vec<&'p str>,
    ) -> Result<Map<String, Value>, PatchError> {
        match patch.get(DIRECTIVE) {
            None => self.merge_fields(original, patch, path),
            Some(Value::String(d)) if d == "replace" => self.merge_fields(Map::new(), patch, path),
            Some(Value::String(d)) if d == "delete" => Ok(Map::new()),
            // Accepted as the explicit form of the default.
            Some(Value::String(d)) if d == "merge" => self.merge_fields(original, patch, path),
            Some(other) => Err(PatchError::BadDirective {
                path: dotted(path),
                directive: other.to_string(),
                reason: "a map accepts $patch: replace, delete or merge".into(),
            }),
        }
    }

    fn merge_fields<'p>(
        &self,
        mut original: Map<String, Value>,
        patch: &'p Map<String, Value>,
        path: &mut Vec<&'p str>,
    ) -> Result<Map<String, Value>, PatchError> {
        retain_keys(&mut original, patch, path)?;
        let ordered = self.apply_element_orders(&mut original, patch, path)?;

        for (key, patch_value) in patch {
            if key == DIRECTIVE || key == RETAIN_KEYS || key.starts_with(SET_ELEMENT_ORDER) {
                continue;
            }
            if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
                delete_from_primitive_list(&mut original, field, patch_value, path)?;
                continue;
            }
            if ordered.contains(key.as_str()) {
                continue;
            }
            if patch_value.is_null() {
                original.shift_remove(key);
                continue;
            }
            path.push(key);
            // Take the value out in place so the key keeps its position.
            let merged = match original.get_mut(key) {
                Some(slot) => self.merge_value(slot.take(), patch_value, path)?,
                None => self.fresh_value(patch_value, path)?,
            };
            path.pop();
            match merged {
                Some(value) => {
                    original.insert(key.clone(), value);
                }
                None => {
                    original.shift_remove(key);
                }
            }
        }
        Ok(original)
    }

    /// Merge one existing field value with its patch value. `None` means "no field".
    fn merge_value<'p>(
        &self,
        existing: Value,
        patch_value: &'p Value,
        path: &mut Vec<&'p str>,
    ) -> Result<Option<Value>, PatchError> {
        match (existing, patch_value) {
            (Value::Object(existing), Value::Object(patch_map)) => Ok(Some(Value::Object(
                self.merge_map(existing, patch_map, path)?,
            ))),
            (Value::Array(existing), Value::Array(patch_list)) => Ok(Some(Value::Array(
                self.merge_list(existing, patch_list, path)?,
            ))),
            // Scalars, and values whose kind changes, are replaced.
            _ => self.fresh_value(patch_value, path),
        }
    }

    /// A patch value for a field the target does not have: directives and nulls inside it
    /// are resolved against nothing, so the result is plain data.
    pub(crate) fn fresh_value<'p>(
        &self,
        patch_value: &'p Value,
        path: &mut Vec<&'p str>,
    ) -> Result<Option<Value>, PatchError> {
        match patch_value {
            Value::Null => Ok(None),
            Value::Object(map) if map.get(DIRECTIVE).and_then(Value::as_str) == Some("delete") => {
                Ok(None)
            }
            Value::Object(map) => Ok(Some(Value::Object(self.merge_map(
                Map::new(),
                map,
                path,
            )?))),
            Value::Array(list) => Ok(Some(Value::Array(self.merge_list(
                Vec::new(),
                list,
                path,
            )?))),
            scalar => Ok(Some(scalar.clone())),
        }
    }

    /// Handle every `$setElementOrder/<field>` of `patch`: merge that field's list and put it
    /// in the requested order. Returns the fields handled so the main loop skips them.
    fn apply_element_orders<'p>(
        &self,
        original: &mut Map<String, Value>,
        patch: &'p Map<String, Value>,
        path: &mut Vec<&'p str>,
    ) -> Result<HashSet<&'p str>, PatchError> {
        let mut handled = HashSet::new();
        for (key, order) in patch {
            let Some(field) = key.strip_prefix(SET_ELEMENT_ORDER) else {
                continue;
            };
            let Value::Array(order) = order else {
                return Err(PatchError::Invalid(format!(
                    "{key} at {} must be a list",
                    dotted(path)
                )));
            };
            let patch_list = match patch.get(field) {
                Some(Value::Array(list)) => Some(list),
                // A null or a non-list value is handled by the main loop as usual.
                Some(_) => continue,
                None => None,
            };
            let original_list = match original.get(field) {
                Some(Value::Array(list)) => Some(list.clone()),
                _ => None,
            };
            path.push(field);
            let merged = match (original_list.clone(), patch_list) {
                (None, None) => {
                    path.pop();
                    continue;
                }
                (Some(existing), None) => existing,
                (existing, Some(list)) => {
                    self.merge_list(existing.unwrap_or_default(), list, path)?
                }
            };
            let strategy = self.schema.list_strategy(path).resolve(&[&merged]);
            let keys = list::identity_keys(&strategy, &merged);
            if let Some(list) = patch_list {
                list::check_order_matches(list, order, &keys, path)?;
            }
            let ordered = list::order_by(merged, order, &original_list.unwrap_or_default(), &keys);
            path.pop();
            original.insert(field.to_string(), Value::Array(ordered));
            handled.insert(field);
        }
        Ok(handled)
    }

    /// Merge a list field with its patch list according to the schema's strategy.
    pub(crate) fn merge_list<'p>(
        &self,
        existing: Vec<Value>,
        patch_list: &'p [Value],
        path: &mut Vec<&'p str>,
    ) -> Result<Vec<Value>, PatchError> {
        match self
            .schema
            .list_strategy(path)
            .resolve(&[&existing, patch_list])
        {
            ListStrategy::Atomic => Ok(list::atomic(patch_list)),
            strategy => self.merge_list_with(existing, patch_list, path, &strategy),
        }
    }
}

/// `$retainKeys`: every key of the original not listed is dropped; the patch may not set a
/// key it does not list.
fn retain_keys(
    original: &mut Map<String, Value>,
    patch: &Map<String, Value>,
    path: &[&str],
) -> Result<(), PatchError> {
    let Some(retain) = patch.get(RETAIN_KEYS) else {
        return Ok(());
    };
    let Value::Array(retain) = retain else {
        return Err(PatchError::Invalid(format!(
            "$retainKeys at {} must be a list of field names",
            dotted(path)
        )));
    };
    let retained: HashSet<&str> = retain.iter().filter_map(Value::as_str).collect();
    for (key, value) in patch {
        let directive = key == DIRECTIVE
            || key == RETAIN_KEYS
            || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            || key.starts_with(SET_ELEMENT_ORDER);
        if !directive && !value.is_null() && !retained.contains(key.as_str()) {
            return Err(PatchError::RetainKeys {
                path: dotted(path),
                key: key.clone(),
            });
        }
    }
    original.retain(|key, _| retained.contains(key.as_str()));
    Ok(())
}

/// `$deleteFromPrimitiveList/<field>: [values]` removes the values from a scalar list.
fn delete_from_primitive_list(
    original: &mut Map<String, Value>,
    field: &str,
    values: &Value,
    path: &[&str],
) -> Result<(), PatchError> {
    let Value::Array(values) = values else {
        return Err(PatchError::Invalid(format!(
            "$deleteFromPrimitiveList/{field} at {} must be a list of values",
            dotted(path)
        )));
    };
    if let Some(Value::Array(list)) = original.get_mut(field) {
        list.retain(|item| !values.contains(item));
    }
    Ok(())
}
