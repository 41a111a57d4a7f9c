//! Sets of field paths, the unit of server-side apply ownership, and their `fieldsV1` JSON
//! form exactly as kube-apiserver writes it: `{"f:metadata":{"f:labels":{"f:app":{}}}}`, a
//! leaf is `{}`, and a path that is itself owned and also has owned children carries
//! `".": {}` first (`"k:{\"name\":\"nginx\"}":{".":{},"f:name":{}}`). Children are sorted
//! the way structured-merge-diff sorts them (fields, then keyed items, then set values).

use super::path::{OrdValue, Path, PathElement, schema_path};
use crate::engine::patch::schema::{ListStrategy, MergeSchema, apply_strategy};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A set of owned field paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    paths: BTreeSet<Path>,
}

/// The set as a tree: `member` marks a path in the set.
#[derive(Default)]
pub(crate) struct Node {
    pub(crate) member: bool,
    pub(crate) children: BTreeMap<PathElement, Node>,
}

impl FieldSet {
    pub fn new() -> Self {
        FieldSet::default()
    }

    pub fn insert(&mut self, path: Path) {
        self.paths.insert(path);
    }

    pub fn contains(&self, path: &[PathElement]) -> bool {
        self.paths.contains(path)
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Path> {
        self.paths.iter()
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        FieldSet {
            paths: self.paths.union(&other.paths).cloned().collect(),
        }
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        FieldSet {
            paths: self.paths.difference(&other.paths).cloned().collect(),
        }
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        FieldSet {
            paths: self.paths.intersection(&other.paths).cloned().collect(),
        }
    }

    /// Drop every path at or below one of `prefixes` (server-owned fields).
    pub fn without_subtrees(&self, prefixes: &[Path]) -> FieldSet {
        let paths = self
            .paths
            .iter()
            .filter(|p| !prefixes.iter().any(|prefix| p.starts_with(prefix)))
            .cloned()
            .collect();
        FieldSet { paths }
    }

    /// The set plus every ancestor that is reached through a field name: owning
    /// `.spec.replicas` implies a stake in `.spec`, but not in an enclosing list item
    /// (structured-merge-diff's EnsureNamedFieldsAreMembers).
    pub fn with_named_ancestors(&self) -> FieldSet {
        let mut out = self.paths.clone();
        for path in &self.paths {
            for end in 1..path.len() {
                if matches!(path[end - 1], PathElement::Field(_)) {
                    out.insert(path[..end].to_vec());
                }
            }
        }
        FieldSet { paths: out }
    }

    /// Paths in structured-merge-diff's iteration order: at each level the owned paths
    /// first, then the descent into children, both sorted.
    pub fn paths_in_order(&self) -> Vec<Path> {
        fn visit(node: &Node, prefix: &mut Path, out: &mut Vec<Path>) {
            for (element, child) in &node.children {
                if child.member {
                    prefix.push(element.clone());
                    out.push(prefix.clone());
                    prefix.pop();
                }
            }
            for (element, child) in &node.children {
                if !child.children.is_empty() {
                    prefix.push(element.clone());
                    visit(child, prefix, out);
                    prefix.pop();
                }
            }
        }
        let mut out = Vec::new();
        visit(&self.tree(), &mut Vec::new(), &mut out);
        out
    }

    pub(crate) fn tree(&self) -> Node {
        let mut root = Node::default();
        for path in &self.paths {
            let mut node = &mut root;
            for element in path {
                node = node.children.entry(element.clone()).or_default();
            }
            node.member = true;
        }
        root
    }

    /// Serialize as a managedFields `fieldsV1` object.
    pub fn to_fields_v1(&self) -> Value {
        emit(&self.tree(), false)
    }

    /// Parse a managedFields `fieldsV1` object.
    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, String> {
        let mut set = FieldSet::new();
        let Value::Object(map) = value else {
            return Err(format!("fieldsV1 must be an object, not {value}"));
        };
        read(map, &mut Vec::new(), &mut set)?;
        Ok(set)
    }

    /// The fields an applied configuration sets (structured-merge-diff's ToFieldSet):
    /// every scalar, every atomic list or map, every item of a set or keyed list, and every
    /// empty or null field. Objects with content are not themselves members.
    pub fn from_value(value: &Value, schema: &dyn MergeSchema) -> FieldSet {
        let mut set = FieldSet::new();
        if let Value::Object(map) = value {
            collect_object(map, &mut Vec::new(), schema, &mut set);
        }
        set
    }
}

fn emit(node: &Node, include_self: bool) -> Value {
    let mut out = Map::new();
    if include_self && node.member && !node.children.is_empty() {
        out.insert(".".into(), Value::Object(Map::new()));
    }
    for (element, child) in &node.children {
        out.insert(element.to_fields_v1_key(), emit(child, true));
    }
    Value::Object(out)
}

fn read(map: &Map<String, Value>, path: &mut Path, set: &mut FieldSet) -> Result<(), String> {
    for (key, child) in map {
        if key == "." {
            set.insert(path.clone());
            continue;
        }
        let element = PathElement::from_fields_v1_key(key)
            .ok_or_else(|| format!("invalid fieldsV1 key {key:?}"))?;
        path.push(element);
        match child {
            Value::Object(inner) if inner.is_empty() => set.insert(path.clone()),
            Value::Object(inner) => read(inner, path, set)?,
            other => {
                return Err(format!(
                    "fieldsV1 entry {key:?} must be an object, not {other}"
                ));
            }
        }
        path.pop();
    }
    Ok(())
}

fn collect_object(
    map: &Map<String, Value>,
    path: &mut Path,
    schema: &dyn MergeSchema,
    set: &mut FieldSet,
) {
    for (key, value) in map {
        path.push(PathElement::Field(key.clone()));
        collect_value(value, path, schema, set);
        path.pop();
    }
}

/// Record `value` found at `path` (the path already names it).
fn collect_value(value: &Value, path: &mut Path, schema: &dyn MergeSchema, set: &mut FieldSet) {
    match value {
        Value::Object(map) if map.is_empty() || schema.map_is_atomic(&schema_path(path)) => {
            set.insert(path.clone())
        }
        Value::Object(map) => collect_object(map, path, schema, set),
        Value::Array(items) => {
            let strategy = apply_strategy(schema, &schema_path(path));
            if strategy == ListStrategy::Atomic {
                set.insert(path.clone());
                return;
            }
            for item in items {
                path.push(item_element(item, &strategy));
                set.insert(path.clone());
                if let (ListStrategy::Map { .. }, Value::Object(fields)) = (&strategy, item) {
                    collect_object(fields, path, schema, set);
                }
                path.pop();
            }
        }
        _ => set.insert(path.clone()),
    }
}

/// How an item of a non-atomic list is named: by its key fields in a keyed list (the keys
/// it has, sorted by name), by value in a set.
pub fn item_element(item: &Value, strategy: &ListStrategy) -> PathElement {
    match (strategy, item) {
        (ListStrategy::Map { keys }, Value::Object(map)) => {
            let mut fields: Vec<(String, OrdValue)> = keys
                .iter()
                .filter_map(|k| map.get(k).map(|v| (k.clone(), OrdValue(v.clone()))))
                .collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            PathElement::Key(fields)
        }
        _ => PathElement::Value(OrdValue(item.clone())),
    }
}
