//! Merging an applied configuration into the live object (structured-merge-diff's Merge):
//! objects merge field by field, keyed lists item by item, sets by value, and atomic lists
//! and maps are replaced. A `null` in the configuration removes the field.
//!
//! List order follows structured-merge-diff: live-only items stay where they were, items
//! the configuration names appear in the configuration's order.

use super::fieldset::item_element;
use super::path::{Path, PathElement, schema_path};
use super::values::index_items;
use crate::engine::patch::schema::{ListStrategy, MergeSchema, apply_strategy};
use serde_json::{Map, Value};

/// Merge `config` into `live`.
pub fn merge(live: &Value, config: &Value, schema: &dyn MergeSchema) -> Value {
    merge_at(Some(live), config, &mut Vec::new(), schema)
}

fn merge_at(
    live: Option<&Value>,
    config: &Value,
    path: &mut Path,
    schema: &dyn MergeSchema,
) -> Value {
    match (live, config) {
        (Some(Value::Object(l)), Value::Object(c))
            if path.is_empty() || !schema.map_is_atomic(&schema_path(path)) =>
        {
            Value::Object(merge_objects(l, c, path, schema))
        }
        (Some(Value::Array(l)), Value::Array(c)) => {
            let strategy = apply_strategy(schema, &schema_path(path));
            if strategy == ListStrategy::Atomic {
                return without_nulls(config);
            }
            Value::Array(merge_lists(l, c, &strategy, path, schema))
        }
        _ => without_nulls(config),
    }
}

fn merge_objects(
    live: &Map<String, Value>,
    config: &Map<String, Value>,
    path: &mut Path,
    schema: &dyn MergeSchema,
) -> Map<String, Value> {
    let mut out = live.clone();
    for (key, value) in config {
        if value.is_null() {
            out.shift_remove(key);
            continue;
        }
        path.push(PathElement::Field(key.clone()));
        let merged = merge_at(live.get(key), value, path, schema);
        path.pop();
        out.insert(key.clone(), merged);
    }
    out
}

fn merge_item(
    live: Option<&Value>,
    config: Option<&Value>,
    path: &mut Path,
    schema: &dyn MergeSchema,
) -> Value {
    match (live, config) {
        (Some(Value::Object(l)), Some(Value::Object(c))) => {
            Value::Object(merge_objects(l, c, path, schema))
        }
        (_, Some(c)) => without_nulls(c),
        (Some(l), None) => l.clone(),
        (None, None) => Value::Null,
    }
}

/// structured-merge-diff's list walk: shared items are emitted in configuration order;
/// a live-only item is emitted as soon as it is reached.
fn merge_lists(
    live: &[Value],
    config: &[Value],
    strategy: &ListStrategy,
    path: &mut Path,
    schema: &dyn MergeSchema,
) -> Vec<Value> {
    let lhs = index_items(Some(&Value::Array(live.to_vec())), strategy)
        .into_iter()
        .map(|(e, _)| e)
        .collect::<Vec<_>>();
    let rhs = config
        .iter()
        .map(|item| item_element(item, strategy))
        .collect::<Vec<_>>();
    let live_item = |e: &PathElement| lhs.iter().position(|x| x == e).map(|i| &live[i]);
    let config_item = |e: &PathElement| rhs.iter().position(|x| x == e).map(|i| &config[i]);

    let mut shared = rhs.iter().filter(|e| lhs.contains(e));
    let mut next_shared = shared.next();
    let mut merged_rhs: Vec<&PathElement> = Vec::new();
    let mut out = Vec::with_capacity(live.len().max(config.len()));
    let (mut li, mut ri) = (0, 0);
    while li < lhs.len() || ri < rhs.len() {
        if li < lhs.len() && ri < rhs.len() {
            if lhs[li] == rhs[ri] {
                merged_rhs.push(&rhs[ri]);
                path.push(rhs[ri].clone());
                out.push(merge_item(Some(&live[li]), Some(&config[ri]), path, schema));
                path.pop();
                li += 1;
                ri += 1;
                next_shared = shared.next();
                continue;
            }
            if rhs.contains(&lhs[li]) && next_shared.is_some_and(|n| *n != lhs[li]) {
                // A shared item, but not the one due now: it comes later in config order.
                li += 1;
                continue;
            }
        }
        if li < lhs.len() {
            if !rhs.contains(&lhs[li]) {
                out.push(live[li].clone());
                li += 1;
                continue;
            }
            if merged_rhs.contains(&&lhs[li]) {
                li += 1;
                continue;
            }
        }
        if ri < rhs.len() {
            let element = &rhs[ri];
            merged_rhs.push(element);
            path.push(element.clone());
            out.push(merge_item(
                live_item(element),
                config_item(element),
                path,
                schema,
            ));
            path.pop();
            ri += 1;
            if next_shared == Some(element) {
                next_shared = shared.next();
            }
        }
    }
    out
}

/// A configuration value placed where the live object has nothing: nulls mean "absent".
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
