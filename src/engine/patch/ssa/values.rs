//! Walks over object values by field path: comparing two versions of an object (which
//! paths were added, modified, removed) and removing owned subtrees.

use super::fieldset::{FieldSet, Node, item_element};
use super::path::{Path, PathElement, schema_path};
use crate::engine::patch::schema::{ListStrategy, MergeSchema, apply_strategy};
use serde_json::{Map, Value};

/// The difference between two versions of an object, as structured-merge-diff's Compare:
/// a path appearing (with everything under it) is added, disappearing is removed, and a
/// changed scalar, atomic list or atomic map is modified.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub added: FieldSet,
    pub modified: FieldSet,
    pub removed: FieldSet,
}

impl Comparison {
    pub fn is_same(&self) -> bool {
        self.added.is_empty() && self.modified.is_empty() && self.removed.is_empty()
    }

    /// Paths that now carry a value the old object did not have.
    pub fn changed(&self) -> FieldSet {
        self.added.union(&self.modified)
    }

    pub fn without_subtrees(&self, prefixes: &[Path]) -> Comparison {
        Comparison {
            added: self.added.without_subtrees(prefixes),
            modified: self.modified.without_subtrees(prefixes),
            removed: self.removed.without_subtrees(prefixes),
        }
    }
}

/// Compare `old` with `new` (both whole objects).
pub fn compare(old: &Value, new: &Value, schema: &dyn MergeSchema) -> Comparison {
    let mut out = Comparison::default();
    walk(Some(old), Some(new), &mut Vec::new(), schema, &mut out);
    out
}

fn is_granular_object(value: Option<&Value>, path: &Path, schema: &dyn MergeSchema) -> bool {
    matches!(value, Some(Value::Object(m)) if !m.is_empty())
        && !schema.map_is_atomic(&schema_path(path))
}

fn list_strategy(path: &Path, schema: &dyn MergeSchema) -> ListStrategy {
    apply_strategy(schema, &schema_path(path))
}

fn walk(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    path: &mut Path,
    schema: &dyn MergeSchema,
    out: &mut Comparison,
) {
    let both_objects_or_missing =
        lhs.is_none_or(Value::is_object) && rhs.is_none_or(Value::is_object);
    let granular_object = both_objects_or_missing
        && (path.is_empty()
            || is_granular_object(lhs, path, schema)
            || is_granular_object(rhs, path, schema));
    let both_lists_or_missing = lhs.is_none_or(Value::is_array) && rhs.is_none_or(Value::is_array);
    let granular_list = both_lists_or_missing
        && (lhs.is_some() || rhs.is_some())
        && list_strategy(path, schema) != ListStrategy::Atomic;

    if !path.is_empty() {
        match (lhs, rhs) {
            (None, Some(_)) => out.added.insert(path.clone()),
            (Some(_), None) => out.removed.insert(path.clone()),
            (Some(l), Some(r)) if !granular_object && !granular_list && l != r => {
                out.modified.insert(path.clone())
            }
            _ => {}
        }
    }
    if granular_object {
        let empty = Map::new();
        let l = lhs.and_then(Value::as_object).unwrap_or(&empty);
        let r = rhs.and_then(Value::as_object).unwrap_or(&empty);
        for key in l.keys().chain(r.keys().filter(|k| !l.contains_key(*k))) {
            path.push(PathElement::Field(key.clone()));
            walk(l.get(key), r.get(key), path, schema, out);
            path.pop();
        }
    } else if granular_list {
        let strategy = list_strategy(path, schema);
        let l = index_items(lhs, &strategy);
        let r = index_items(rhs, &strategy);
        let keyed = matches!(strategy, ListStrategy::Map { .. });
        let mut seen: Vec<&PathElement> = Vec::new();
        for (element, _) in l.iter().chain(r.iter()) {
            if seen.contains(&element) {
                continue;
            }
            seen.push(element);
            let lv = l.iter().find(|(e, _)| e == element).map(|(_, v)| *v);
            let rv = r.iter().find(|(e, _)| e == element).map(|(_, v)| *v);
            path.push(element.clone());
            if keyed {
                walk_item(lv, rv, path, schema, out);
            } else {
                match (lv, rv) {
                    (None, Some(_)) => out.added.insert(path.clone()),
                    (Some(_), None) => out.removed.insert(path.clone()),
                    _ => {}
                }
            }
            path.pop();
        }
    }
}

/// A keyed-list item: the item itself is added/removed as a whole, its fields are compared.
fn walk_item(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    path: &mut Path,
    schema: &dyn MergeSchema,
    out: &mut Comparison,
) {
    match (lhs, rhs) {
        (None, Some(_)) => out.added.insert(path.clone()),
        (Some(_), None) => out.removed.insert(path.clone()),
        _ => {}
    }
    let empty = Map::new();
    let l = lhs.and_then(Value::as_object).unwrap_or(&empty);
    let r = rhs.and_then(Value::as_object).unwrap_or(&empty);
    for key in l.keys().chain(r.keys().filter(|k| !l.contains_key(*k))) {
        path.push(PathElement::Field(key.clone()));
        walk(l.get(key), r.get(key), path, schema, out);
        path.pop();
    }
}

pub(crate) fn index_items<'v>(
    list: Option<&'v Value>,
    strategy: &ListStrategy,
) -> Vec<(PathElement, &'v Value)> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| (item_element(item, strategy), item))
                .collect()
        })
        .unwrap_or_default()
}

/// Remove from `value` every subtree whose path is in `set`.
pub fn remove_paths(value: &mut Value, set: &FieldSet, schema: &dyn MergeSchema) {
    remove_in(value, &set.tree(), &mut Vec::new(), schema);
}

fn remove_in(value: &mut Value, node: &Node, path: &mut Path, schema: &dyn MergeSchema) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| {
                node.children
                    .get(&PathElement::Field(key.clone()))
                    .is_none_or(|child| !child.member)
            });
            for (key, child_value) in map.iter_mut() {
                let element = PathElement::Field(key.clone());
                if let Some(child) = node.children.get(&element) {
                    path.push(element);
                    remove_in(child_value, child, path, schema);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            let strategy = list_strategy(path, schema);
            if strategy == ListStrategy::Atomic {
                return;
            }
            items.retain(|item| {
                node.children
                    .get(&item_element(item, &strategy))
                    .is_none_or(|c| !c.member)
            });
            for item in items.iter_mut() {
                let element = item_element(item, &strategy);
                if let Some(child) = node.children.get(&element) {
                    path.push(element);
                    remove_in(item, child, path, schema);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}
