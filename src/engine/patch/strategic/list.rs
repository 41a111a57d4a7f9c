//! List merging for strategic merge patch, including kube-apiserver's element order: patch
//! items keep their relative patch order, server-only items keep their relative live order,
//! and the two are interleaved by live position where both are known (a patch item the live
//! list does not have goes before the server-only items that follow it).

use super::{DIRECTIVE, Merger};
use crate::engine::patch::error::{PatchError, dotted};
use crate::engine::patch::schema::ListStrategy;
use serde_json::{Map, Value};

/// An atomic list is replaced by the patch list; directive elements mean nothing there.
pub(super) fn atomic(patch_list: &[Value]) -> Vec<Value> {
    patch_list
        .iter()
        .filter(|item| !is_directive_element(item))
        .cloned()
        .collect()
}

fn is_directive_element(item: &Value) -> bool {
    item.as_object().is_some_and(|m| m.contains_key(DIRECTIVE))
}

/// The merge keys to identify elements by, when the list is keyed and holds objects.
pub(super) fn identity_keys(strategy: &ListStrategy, items: &[Value]) -> Option<Vec<String>> {
    match strategy {
        ListStrategy::Map { keys } if items.iter().all(Value::is_object) => Some(keys.clone()),
        _ => None,
    }
}

/// What makes two elements "the same": their key values for a keyed list, else the value.
pub(crate) fn identity(item: &Value, keys: &Option<Vec<String>>) -> Value {
    match (keys, item) {
        (Some(keys), Value::Object(map)) => Value::Array(
            keys.iter()
                .map(|k| map.get(k).cloned().unwrap_or(Value::Null))
                .collect(),
        ),
        _ => item.clone(),
    }
}

fn index_in(list: &[Value], item: &Value, keys: &Option<Vec<String>>) -> Option<usize> {
    let wanted = identity(item, keys);
    list.iter()
        .position(|candidate| identity(candidate, keys) == wanted)
}

/// Stable sort by position in `order`; items not in `order` keep their order at the end.
fn sort_by_order(items: &mut [Value], order: &[Value], keys: &Option<Vec<String>>) {
    items.sort_by_cached_key(|item| index_in(order, item, keys).unwrap_or(usize::MAX));
}

/// Interleave server-only items (`left`) into patch items (`right`), keeping each side's
/// relative order; a server-only item goes first only when both are in the live list and it
/// comes earlier there.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    keys: &Option<Vec<String>>,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => {
                match (
                    index_in(server_order, l, keys),
                    index_in(server_order, r, keys),
                ) {
                    (Some(li), Some(ri)) => li < ri,
                    _ => false,
                }
            }
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}

/// Split `merged` into the items `partition_by` names and the rest, order them (the first
/// by `patch_order`, the rest by `server_order`) and interleave them.
pub(super) fn order_by(
    merged: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    keys: &Option<Vec<String>>,
) -> Vec<Value> {
    let (mut in_patch, mut server_only): (Vec<Value>, Vec<Value>) = merged
        .into_iter()
        .partition(|item| index_in(patch_order, item, keys).is_some());
    sort_by_order(&mut in_patch, patch_order, keys);
    sort_by_order(&mut server_only, server_order, keys);
    merge_sorted(server_only, in_patch, server_order, keys)
}

/// kube's validatePatchWithSetOrderList: the patch list's items (deletions aside) must
/// appear in `$setElementOrder` and in the same relative order.
pub(super) fn check_order_matches(
    patch_list: &[Value],
    order: &[Value],
    keys: &Option<Vec<String>>,
    path: &[&str],
) -> Result<(), PatchError> {
    let is_delete = |item: &Value| item.get(DIRECTIVE).and_then(Value::as_str) == Some("delete");
    let items: Vec<&Value> = patch_list.iter().filter(|item| !is_delete(item)).collect();
    // kube's walk: a directive element is skipped only while order entries remain, so a
    // trailing `{"$patch": "replace"}` after the last ordered item is refused like kubectl.
    let (mut at, mut wanted) = (0, 0);
    while at < items.len() && wanted < order.len() {
        if is_directive_element(items[at]) {
            at += 1;
            continue;
        }
        if identity(items[at], keys) == identity(&order[wanted], keys) {
            at += 1;
        }
        wanted += 1;
    }
    if at < items.len() {
        return Err(PatchError::Invalid(format!(
            "the order of the patch list at {} does not match its $setElementOrder list",
            dotted(path)
        )));
    }
    Ok(())
}

enum ElementKind {
    Scalars,
    Objects,
}

fn element_kind(
    existing: &[Value],
    patch: &[Value],
    path: &[&str],
) -> Result<ElementKind, PatchError> {
    let mut objects = 0usize;
    let mut scalars = 0usize;
    for item in existing.iter().chain(patch) {
        match item {
            Value::Object(_) => objects += 1,
            Value::Array(_) => {
                return Err(PatchError::UnmergeableList {
                    path: dotted(path),
                    reason: "lists of lists cannot be merged; replace the list".into(),
                });
            }
            _ => scalars += 1,
        }
    }
    if objects > 0 && scalars > 0 {
        return Err(PatchError::UnmergeableList {
            path: dotted(path),
            reason: "the list mixes objects and scalars".into(),
        });
    }
    Ok(if objects > 0 {
        ElementKind::Objects
    } else {
        ElementKind::Scalars
    })
}

impl Merger<'_> {
    /// Merge a Set or Map list.
    pub(super) fn merge_list_with<'p>(
        &self,
        existing: Vec<Value>,
        patch_list: &'p [Value],
        path: &mut Vec<&'p str>,
        strategy: &ListStrategy,
    ) -> Result<Vec<Value>, PatchError> {
        if existing.is_empty() && patch_list.is_empty() {
            return Ok(existing);
        }
        match element_kind(&existing, patch_list, path)? {
            ElementKind::Scalars => Ok(merge_scalars(existing, patch_list)),
            ElementKind::Objects => {
                let keys = identity_keys(strategy, &[]);
                self.merge_objects(existing, patch_list, path, &keys)
            }
        }
    }

    fn merge_objects<'p>(
        &self,
        mut existing: Vec<Value>,
        patch_list: &'p [Value],
        path: &mut Vec<&'p str>,
        keys: &Option<Vec<String>>,
    ) -> Result<Vec<Value>, PatchError> {
        // Special elements first: deletions by key, and a whole-list replace.
        let mut plain: Vec<&'p Map<String, Value>> = Vec::new();
        let mut replace = false;
        for item in patch_list {
            let Value::Object(map) = item else { continue };
            match map.get(DIRECTIVE) {
                None => plain.push(map),
                Some(Value::String(d)) if d == "delete" => {
                    require_key(map, keys, path)?;
                    let doomed = identity(item, keys);
                    existing.retain(|candidate| identity(candidate, keys) != doomed);
                }
                Some(Value::String(d)) if d == "replace" => replace = true,
                Some(Value::String(d)) if d == "merge" => {}
                Some(other) => {
                    return Err(PatchError::BadDirective {
                        path: dotted(path),
                        directive: other.to_string(),
                        reason: "a list element accepts $patch: delete or replace".into(),
                    });
                }
            }
        }
        if replace {
            let mut replaced = Vec::with_capacity(plain.len());
            for map in plain {
                replaced.push(Value::Object(self.merge_map(Map::new(), map, path)?));
            }
            return Ok(replaced);
        }

        let server_order = existing.clone();
        let mut merged = existing;
        for map in &plain {
            require_key(map, keys, path)?;
            let wanted = identity(&Value::Object((*map).clone()), keys);
            match merged
                .iter()
                .position(|candidate| identity(candidate, keys) == wanted)
            {
                Some(at) => {
                    let current = match merged[at].take() {
                        Value::Object(current) => current,
                        _ => Map::new(),
                    };
                    merged[at] = Value::Object(self.merge_map(current, map, path)?);
                }
                None => merged.push(Value::Object(self.merge_map(Map::new(), map, path)?)),
            }
        }
        let patch_order: Vec<Value> = plain.iter().map(|m| Value::Object((*m).clone())).collect();
        Ok(order_by(merged, &patch_order, &server_order, keys))
    }
}

/// A keyed patch element must carry at least one of the list's keys.
fn require_key(
    map: &Map<String, Value>,
    keys: &Option<Vec<String>>,
    path: &[&str],
) -> Result<(), PatchError> {
    match keys {
        Some(keys) if !keys.iter().any(|k| map.contains_key(k)) => {
            Err(PatchError::MissingMergeKey {
                path: dotted(path),
                key: keys.join(","),
                element: Value::Object(map.clone()).to_string(),
            })
        }
        _ => Ok(()),
    }
}

/// Union of two scalar lists without duplicates, in kube's element order.
fn merge_scalars(existing: Vec<Value>, patch_list: &[Value]) -> Vec<Value> {
    let mut merged: Vec<Value> = Vec::with_capacity(existing.len() + patch_list.len());
    for item in existing.iter().chain(patch_list) {
        if !merged.contains(item) {
            merged.push(item.clone());
        }
    }
    order_by(merged, patch_list, &existing, &None)
}
