//! Server-side apply field management, as kube-apiserver's fieldmanager and
//! structured-merge-diff do it: every manager owns a set of field paths
//! (`metadata.managedFields`); an apply merges its configuration, removes what the same
//! manager applied before but no longer applies (unless someone else owns it), and fails
//! with conflicts when it would change a value another manager owns, unless forced.
//! Non-apply writes (create/update/patch) hand the fields they change to their manager.
//!
//! Server-owned metadata (uid, resourceVersion, generation, creationTimestamp,
//! managedFields, ...) as well as apiVersion, kind, name and namespace are never owned.
//! Status/spec separation per subresource is the caller's business: reset the fields a
//! subresource may not change before calling.

mod conflicts;
mod fieldset;
mod managed;
mod merge;
mod path;
mod values;

pub use conflicts::{ApplyConflicts, ApplyError, Conflict};
pub use fieldset::FieldSet;
pub use managed::{
    ManagedFieldsEntry, Operation, read_managed_fields, strip_managed_fields, write_managed_fields,
};
pub use merge::merge;
pub use path::{Path, PathElement, display_path};
pub use values::{Comparison, compare, remove_paths};

use crate::engine::patch::schema::{ListStrategy, MergeSchema, apply_strategy};
use serde_json::{Value, json};

/// Fields nobody owns (kube's stripMeta set plus deletion markers). Subtrees are dropped.
const SERVER_OWNED: &[&[&str]] = &[
    &["apiVersion"],
    &["kind"],
    &["metadata", "name"],
    &["metadata", "namespace"],
    &["metadata", "creationTimestamp"],
    &["metadata", "selfLink"],
    &["metadata", "uid"],
    &["metadata", "clusterName"],
    &["metadata", "generation"],
    &["metadata", "managedFields"],
    &["metadata", "resourceVersion"],
    &["metadata", "deletionTimestamp"],
    &["metadata", "deletionGracePeriodSeconds"],
];

fn server_owned() -> Vec<Path> {
    SERVER_OWNED
        .iter()
        .map(|p| {
            p.iter()
                .map(|f| PathElement::Field(f.to_string()))
                .collect()
        })
        .collect()
}

/// Drop server-owned fields, and `metadata` itself as a member (it always exists).
fn strip(set: &FieldSet) -> FieldSet {
    let mut metadata = FieldSet::new();
    metadata.insert(vec![PathElement::Field("metadata".into())]);
    set.without_subtrees(&server_owned()).difference(&metadata)
}

fn api_version_of(object: Option<&Value>) -> Option<String> {
    object
        .and_then(|o| o.get("apiVersion"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Server-side apply of `config` by `manager` onto `live` (None: the object is created).
///
/// Returns the new object with updated `metadata.managedFields`. With `force`, conflicting
/// fields are taken from their owners instead of failing. `now` is the RFC 3339 time
/// written to the manager's entry when the object changes.
pub fn apply(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    schema: &dyn MergeSchema,
    now: &str,
) -> Result<Value, ApplyError> {
    apply_subresource(live, config, manager, None, force, schema, now)
}

/// [`apply`] through a subresource (`status`, `scale`): the manager's entry records the
/// subresource. The caller restricts `config` to the fields the subresource may change.
pub fn apply_subresource(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    subresource: Option<&str>,
    force: bool,
    schema: &dyn MergeSchema,
    now: &str,
) -> Result<Value, ApplyError> {
    validate_config(config, schema)?;
    let api_version = api_version_of(Some(config))
        .or_else(|| api_version_of(live))
        .ok_or_else(|| ApplyError::Invalid("the applied configuration has no apiVersion".into()))?;

    let mut live_plain = live.cloned().unwrap_or_else(|| json!({}));
    let mut entries = read_managed_fields(&live_plain).unwrap_or_default();
    strip_managed_fields(&mut live_plain);

    let merged = merge(&live_plain, config, schema);
    let applied = strip(&FieldSet::from_value(config, schema));
    let mine = entries
        .iter()
        .position(|e| e.is(manager, Operation::Apply, &api_version, subresource));
    let last_applied = mine.map(|i| entries[i].fields.clone()).unwrap_or_default();
    let previous_time = mine.and_then(|i| entries[i].time.clone());
    if let Some(i) = mine {
        entries.remove(i);
    }
    let my_entry = ManagedFieldsEntry {
        manager: manager.to_string(),
        operation: Operation::Apply,
        api_version,
        time: previous_time.clone(),
        fields: applied,
        subresource: subresource.map(str::to_string),
    };

    let everyone = entries
        .iter()
        .fold(my_entry.fields.clone(), |acc, e| acc.union(&e.fields));
    let result = prune(merged, &last_applied, &everyone, schema);
    let comparison = compare(&live_plain, &result, schema).without_subtrees(&server_owned());
    let changed = comparison.changed();

    let mut conflicts = Vec::new();
    for entry in &entries {
        for path in entry.fields.intersection(&changed).paths_in_order() {
            conflicts.push(Conflict {
                manager: entry.display_name(),
                path: display_path(&path),
            });
        }
    }
    if !force && !conflicts.is_empty() {
        return Err(ApplyError::Conflicts(ApplyConflicts::new(conflicts)));
    }
    for entry in &mut entries {
        entry.fields = entry
            .fields
            .difference(&changed)
            .difference(&comparison.removed);
    }
    entries.retain(|e| !e.fields.is_empty());

    let mut my_entry = my_entry;
    if !comparison.is_same() || previous_time.is_none() {
        my_entry.time = Some(now.to_string());
    }
    if !my_entry.fields.is_empty() {
        entries.push(my_entry);
    }
    let mut result = result;
    write_managed_fields(&mut result, entries);
    Ok(result)
}

/// Attribute a non-apply write (create when `old` is None, update, patch) to `manager`:
/// the fields it added or changed become its own (operation Update, the object's
/// apiVersion, `subresource`) and are taken from every other manager; removed fields are
/// owned by nobody. `new` gets the resulting `metadata.managedFields`.
///
/// As in kube-apiserver, managedFields sent with a main-resource write replace the
/// recorded ones (so clients can edit them); otherwise `old`'s are kept.
pub fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    schema: &dyn MergeSchema,
    now: &str,
) {
    let sent = read_managed_fields(new).unwrap_or_default();
    let mut entries = if subresource.is_none() && !sent.is_empty() {
        sent
    } else {
        old.map(|o| read_managed_fields(o).unwrap_or_default())
            .unwrap_or_default()
    };
    strip_managed_fields(new);
    let mut old_plain = old.cloned().unwrap_or_else(|| json!({}));
    strip_managed_fields(&mut old_plain);

    let comparison = compare(&old_plain, new, schema).without_subtrees(&server_owned());
    let gained = strip(&comparison.changed());
    for entry in &mut entries {
        entry.fields = entry
            .fields
            .difference(&gained)
            .difference(&comparison.removed);
    }
    let api_version = api_version_of(Some(new))
        .or_else(|| api_version_of(old))
        .unwrap_or_default();
    if !gained.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.is(manager, Operation::Update, &api_version, subresource))
        {
            Some(entry) => {
                entry.fields = entry.fields.union(&gained);
                entry.time = Some(now.to_string());
            }
            None => entries.push(ManagedFieldsEntry {
                manager: manager.to_string(),
                operation: Operation::Update,
                api_version,
                time: Some(now.to_string()),
                fields: gained,
                subresource: subresource.map(str::to_string),
            }),
        }
    }
    entries.retain(|e| !e.fields.is_empty());
    write_managed_fields(new, entries);
}

/// Remove what the applier owned before (`last_applied`) that nobody owns now, as
/// structured-merge-diff's prune: a previously applied field is removed with its subtree
/// when it, or something under it, is no longer owned by anyone.
fn prune(
    mut merged: Value,
    last_applied: &FieldSet,
    everyone: &FieldSet,
    schema: &dyn MergeSchema,
) -> Value {
    if last_applied.is_empty() {
        return merged;
    }
    let last = last_applied.with_named_ancestors();
    let owned = everyone.with_named_ancestors();
    let present = FieldSet::from_value(&merged, schema).with_named_ancestors();
    // Prefix checks walk a path's own prefixes (its depth) rather than the other set, so
    // large objects (CRDs with big schemas) stay linear.
    let has_prefix_in =
        |path: &Path, set: &FieldSet| (1..=path.len()).any(|n| set.contains(&path[..n]));
    let mut orphans = FieldSet::new();
    for path in present.iter() {
        if !owned.contains(path) && has_prefix_in(path, &last) {
            orphans.insert(path.clone());
        }
    }
    let mut doomed = FieldSet::new();
    for path in last.iter() {
        if has_prefix_in(path, &orphans) {
            doomed.insert(path.clone());
        }
    }
    remove_paths(&mut merged, &doomed, schema);
    merged
}

/// An applied configuration must be an object without managedFields whose keyed-list
/// items carry their keys.
fn validate_config(config: &Value, schema: &dyn MergeSchema) -> Result<(), ApplyError> {
    if !config.is_object() {
        return Err(ApplyError::Invalid(
            "the applied configuration must be an object".into(),
        ));
    }
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|m| !m.is_null())
    {
        return Err(ApplyError::Invalid(
            "metadata.managedFields must be nil in an applied configuration".into(),
        ));
    }
    check_keys(config, &mut Vec::new(), schema)
}

fn check_keys<'v>(
    value: &'v Value,
    path: &mut Vec<&'v str>,
    schema: &dyn MergeSchema,
) -> Result<(), ApplyError> {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(key);
                check_keys(child, path, schema)?;
                path.pop();
            }
        }
        Value::Array(items) => {
            if let ListStrategy::Map { keys } = apply_strategy(schema, path) {
                for item in items {
                    let Value::Object(fields) = item else {
                        return Err(ApplyError::Invalid(format!(
                            ".{}: expected objects in a list keyed by {}, found {item}",
                            path.join("."),
                            keys.join(",")
                        )));
                    };
                    if !keys.iter().any(|k| fields.contains_key(k)) {
                        return Err(ApplyError::Invalid(format!(
                            ".{}: associative list with keys has an element that omits key field {:?}: {item}",
                            path.join("."),
                            keys[0]
                        )));
                    }
                    check_keys(item, path, schema)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}
