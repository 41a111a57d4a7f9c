//! Patches: strategic merge (by the patch's own id or a target selector) and JSON 6902, from
//! files or inline text, as kustomize's patches, patchesStrategicMerge and patchesJson6902
//! fields and the Patch*Transformer builtins apply them.

use super::resource::Resource;
use super::selector::{CompiledSelector, Selector};
use crate::engine::patch::{AtomicSchema, BuiltinSchema, MergeSchema, json_patch, strategic_merge};
use serde_json::Value;

/// A patch whose text has been read and parsed.
#[derive(Debug, Clone)]
pub enum Patch {
    /// One or more strategic merge documents.
    Strategic(Vec<Value>),
    /// RFC 6902 operations.
    Json6902(Value),
}

/// Parse patch text: a YAML/JSON sequence is a JSON 6902 patch, maps are strategic merges.
pub fn parse_patch(text: &str) -> Result<Patch, String> {
    let docs = crate::engine::yaml::parse_documents(text).map_err(|e| e.to_string())?;
    if docs.is_empty() {
        // An empty patch file changes nothing (kustomize ignores it).
        return Ok(Patch::Strategic(Vec::new()));
    }
    if docs.len() == 1 && docs[0].is_array() {
        return Ok(Patch::Json6902(docs.into_iter().next().unwrap_or_default()));
    }
    if docs.iter().any(|d| !d.is_object()) {
        return Err("a strategic merge patch must be a mapping".into());
    }
    Ok(Patch::Strategic(docs))
}

fn schema_for(r: &Resource) -> Box<dyn MergeSchema> {
    let (g, v) = r.group_version();
    if let Some(custom) = super::openapi::current().and_then(|s| s.for_kind(&g, &v, r.kind())) {
        return Box::new(custom);
    }
    if is_builtin_group(&g) {
        Box::new(BuiltinSchema::for_kind(r.api_version(), r.kind()))
    } else {
        Box::new(AtomicSchema)
    }
}

fn is_builtin_group(group: &str) -> bool {
    !group.contains('.') || group.ends_with(".k8s.io") && !group.ends_with(".x-k8s.io")
}

/// kustomize keeps its internal annotations across a patch, even one that replaces
/// metadata.annotations.
fn internal_annotations(r: &Resource) -> Vec<(String, Value)> {
    r.annotations()
        .into_iter()
        .filter(|(k, _)| k.starts_with("internal.config.kubernetes.io/"))
        .collect()
}

fn restore_annotations(r: &mut Resource, saved: Vec<(String, Value)>) {
    for (k, v) in saved {
        if let Some(s) = v.as_str() {
            r.set_annotation(&k, s);
        }
    }
}

fn drop_empty_annotations(obj: &mut Value) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        if meta
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(|a| a.is_empty())
        {
            meta.remove("annotations");
        }
    }
}

fn is_delete(patch: &Value) -> bool {
    patch.get("$patch").and_then(Value::as_str) == Some("delete")
}

/// Apply one strategic merge document to a resource, keeping its name, kind and namespace
/// unless the options allow changing them. Returns false when the patch deletes the resource.
pub fn apply_strategic(
    r: &mut Resource,
    patch: &Value,
    allow_name: bool,
    allow_kind: bool,
) -> Result<bool, String> {
    if is_delete(patch) {
        return Ok(false);
    }
    let (name, kind, ns) = (
        r.name().to_string(),
        r.kind().to_string(),
        r.namespace().to_string(),
    );
    let before = r.cur_id();
    let mut patch = patch.clone();
    if let Some(map) = patch.as_object_mut() {
        // The patch's own apiVersion must not change the target's group/version.
        if map.contains_key("apiVersion") {
            map.insert(
                "apiVersion".into(),
                Value::String(r.api_version().to_string()),
            );
        }
    }
    let schema = schema_for(r);
    let saved = internal_annotations(r);
    let merged = strategic_merge(&r.obj, &patch, schema.as_ref()).map_err(|e| e.to_string())?;
    r.obj = merged;
    restore_annotations(r, saved);
    if !allow_kind {
        if let Some(m) = r.obj.as_object_mut() {
            m.insert("kind".into(), Value::String(kind));
        }
    }
    if !allow_name {
        r.set_name(&name);
    }
    if ns.is_empty() {
        if let Some(meta) = r.obj.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("namespace");
        }
    } else {
        r.set_namespace(&ns);
    }
    let after = r.cur_id();
    if after.name != before.name || after.kind != before.kind {
        r.push_previous_id(&before);
    }
    Ok(true)
}

/// Apply JSON 6902 operations, recording the old id in case the patch renames the resource.
pub fn apply_json6902(r: &mut Resource, ops: &Value) -> Result<(), String> {
    let before = r.cur_id();
    let saved = internal_annotations(r);
    // During a kustomize build every resource carries internal annotations, so a patch may
    // add to /metadata/annotations even when the resource itself has none.
    let had_annotations = r
        .obj
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .is_some();
    if !had_annotations {
        r.metadata_mut()
            .insert("annotations".into(), Value::Object(serde_json::Map::new()));
    }
    let patched = json_patch(&r.obj, ops).map_err(|e| e.to_string());
    if !had_annotations {
        drop_empty_annotations(&mut r.obj);
    }
    r.obj = patched?;
    if !had_annotations {
        drop_empty_annotations(&mut r.obj);
    }
    restore_annotations(r, saved);
    let after = r.cur_id();
    if after.name != before.name || after.kind != before.kind || after.namespace != before.namespace
    {
        r.push_previous_id(&before);
    }
    Ok(())
}

/// Indices of resources whose original, current or previous id is the patch's own id.
fn by_patch_id(resources: &[Resource], patch: &Value) -> Vec<usize> {
    let p = Resource::new(patch.clone());
    let pid = p.cur_id();
    resources
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let mut ids = r.prev_ids();
            ids.push(r.cur_id());
            ids.iter().any(|id| {
                id.kind == pid.kind
                    && id.name == pid.name
                    && (pid.group.is_empty() && pid.version.is_empty() || id.group == pid.group)
                    && (pid.namespace.is_empty()
                        || id.effective_namespace() == pid.effective_namespace())
            })
        })
        .map(|(i, _)| i)
        .collect()
}

pub struct PatchOptions {
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
}

/// Apply a patch to the resources the target selects (or, for strategic merges without a
/// target, to the resource the patch names).
pub fn apply(
    resources: &mut Vec<Resource>,
    patch: &Patch,
    target: Option<&Selector>,
    opts: &PatchOptions,
) -> Result<(), String> {
    let selected: Option<Vec<usize>> = match target {
        Some(sel) => {
            let compiled = CompiledSelector::new(sel)?;
            Some(
                resources
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| compiled.matches(r))
                    .map(|(i, _)| i)
                    .collect(),
            )
        }
        None => None,
    };
    let mut deleted: Vec<usize> = Vec::new();
    match patch {
        Patch::Json6902(ops) => {
            let Some(indices) = selected else {
                return Err("a JSON 6902 patch needs a target".into());
            };
            for i in indices {
                apply_json6902(&mut resources[i], ops)
                    .map_err(|e| format!("{}: {e}", resources[i].cur_id().describe()))?;
            }
        }
        Patch::Strategic(docs) => {
            for doc in docs {
                let indices = match &selected {
                    Some(list) => list.clone(),
                    None => {
                        let found = by_patch_id(resources, doc);
                        if found.len() != 1 {
                            let id = Resource::new(doc.clone()).cur_id();
                            return Err(format!(
                                "{} resources match the strategic merge patch for {}; a patch without a target must name exactly one resource",
                                found.len(),
                                id.describe()
                            ));
                        }
                        found
                    }
                };
                for i in indices {
                    if deleted.contains(&i) {
                        continue;
                    }
                    let keep = apply_strategic(
                        &mut resources[i],
                        doc,
                        opts.allow_name_change,
                        opts.allow_kind_change,
                    )
                    .map_err(|e| format!("{}: {e}", resources[i].cur_id().describe()))?;
                    if !keep {
                        deleted.push(i);
                    }
                }
            }
        }
    }
    if !deleted.is_empty() {
        let mut i = 0;
        resources.retain(|_| {
            let keep = !deleted.contains(&i);
            i += 1;
            keep
        });
    }
    Ok(())
}
