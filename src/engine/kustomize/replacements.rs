//! Replacements: copy a field of one source resource into fields of selected target resources
//! (with delimiter/index refinement and optional creation of missing fields).

use super::build::Builder;
use super::fs::join_clean;
use super::resource::{ResId, Resource};
use super::selector::{CompiledSelector, Selector};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldOptions {
    #[serde(default)]
    pub delimiter: String,
    #[serde(default)]
    pub index: i64,
    #[serde(default)]
    pub create: bool,
    #[serde(default)]
    #[allow(dead_code)] // accepted for compatibility; values are copied as text
    pub encoding: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    pub select: Option<Selector>,
    #[serde(default)]
    pub reject: Vec<Selector>,
    #[serde(default)]
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Replacement {
    pub source: Option<Source>,
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// Read the `replacements:` entries, loading `path:` entries from their files.
pub fn load(b: &Builder, dir: &Path, entries: &[Value]) -> Result<Vec<Replacement>, String> {
    let mut out = Vec::new();
    for entry in entries {
        if let Some(path) = entry.get("path").and_then(Value::as_str) {
            let file = join_clean(dir, path);
            let text = b.read_text(&file).map_err(|e| e.to_string())?;
            for doc in crate::engine::yaml::parse_documents(&text)
                .map_err(|e| e.in_origin(file.display().to_string()).to_string())?
            {
                let items = match doc {
                    Value::Array(items) => items,
                    other => vec![other],
                };
                for item in items {
                    out.push(
                        serde_json::from_value(item)
                            .map_err(|e| format!("{}: {e}", file.display()))?,
                    );
                }
            }
        } else {
            out.push(serde_json::from_value(entry.clone()).map_err(|e| e.to_string())?);
        }
    }
    Ok(out)
}

fn all_ids(r: &Resource) -> Vec<ResId> {
    let mut ids = vec![r.cur_id()];
    ids.extend(r.prev_ids());
    ids
}

/// kustomize's `IsSelectedBy`: exact name, namespace (empty equals default) and gvk.
fn id_selected(
    id: &ResId,
    group: &str,
    version: &str,
    kind: &str,
    name: &str,
    namespace: &str,
) -> bool {
    (name.is_empty() || id.name == name)
        && (namespace.is_empty()
            || namespace == id.namespace
            || (namespace == "default" && id.namespace.is_empty()))
        && (group.is_empty() || id.group == group)
        && (version.is_empty() || id.version == version)
        && (kind.is_empty() || id.kind == kind)
}

fn sel_matches(id: &ResId, s: &Selector) -> bool {
    id_selected(id, &s.group, &s.version, &s.kind, &s.name, &s.namespace)
}

/// Split a field path at dots outside brackets.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn lookup<'a>(node: &'a Value, path: &[String]) -> Option<&'a Value> {
    let Some(seg) = path.first() else {
        return Some(node);
    };
    let rest = &path[1..];
    match node {
        Value::Array(items) => {
            if let Some((k, v)) = seg
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.split_once('='))
            {
                let item = items
                    .iter()
                    .find(|i| i.get(k).map(scalar_text).as_deref() == Some(v))?;
                return lookup(item, rest);
            }
            let idx: usize = seg.parse().ok()?;
            lookup(items.get(idx)?, rest)
        }
        Value::Object(map) => {
            let key = seg
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .unwrap_or(seg);
            lookup(map.get(key)?, rest)
        }
        _ => None,
    }
}

fn refine(opts: Option<&FieldOptions>, v: &Value) -> Result<Value, String> {
    let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) else {
        return Ok(v.clone());
    };
    let text = scalar_text(v);
    let parts: Vec<&str> = text.split(o.delimiter.as_str()).collect();
    if o.index < 0 || o.index as usize >= parts.len() {
        return Err(format!(
            "options.index {} is out of bounds for value {text}",
            o.index
        ));
    }
    Ok(json!(parts[o.index as usize]))
}

fn set_value(opts: Option<&FieldOptions>, target: &mut Value, value: &Value) -> Result<(), String> {
    let mut value = value.clone();
    if let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) {
        if target.is_object() || target.is_array() {
            return Err("delimiter option can only be used with scalar nodes".into());
        }
        let current = scalar_text(target);
        let mut parts: Vec<String> = current
            .split(o.delimiter.as_str())
            .map(str::to_string)
            .collect();
        let v = scalar_text(&value);
        if o.index < 0 {
            parts.insert(0, v);
        } else if o.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[o.index as usize] = v;
        }
        value = json!(parts.join(&o.delimiter));
    }
    let scalar = |v: &Value| !(v.is_object() || v.is_array());
    if scalar(target) && scalar(&value) && !target.is_null() {
        // Like kyaml, a scalar keeps its own type where the new text allows it.
        let text = scalar_text(&value);
        *target = match target {
            Value::Number(_) => text
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<f64>().map(Value::from))
                .unwrap_or(json!(text)),
            Value::Bool(_) => text.parse::<bool>().map(Value::Bool).unwrap_or(json!(text)),
            _ => json!(text),
        };
    } else {
        *target = value;
    }
    Ok(())
}

/// Visit (creating when asked) every field a target path reaches.
fn visit(
    node: &mut Value,
    path: &[String],
    create: bool,
    f: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<usize, String> {
    let Some(seg) = path.first() else {
        f(node)?;
        return Ok(1);
    };
    let rest = &path[1..];
    if node.is_null() && create {
        *node = if seg.starts_with('[') && seg.contains('=') {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
    }
    match node {
        Value::Array(items) => {
            if seg == "*" {
                let mut n = 0;
                for item in items.iter_mut() {
                    n += visit(item, rest, create, f)?;
                }
                return Ok(n);
            }
            if let Some((k, v)) = seg
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.split_once('='))
            {
                let mut n = 0;
                for item in items.iter_mut() {
                    if item.get(k).map(scalar_text).as_deref() == Some(v) || v == "*" {
                        n += visit(item, rest, create, f)?;
                    }
                }
                if n == 0 && create {
                    let mut elem = Map::new();
                    elem.insert(k.to_string(), json!(v));
                    items.push(Value::Object(elem));
                    if let Some(last) = items.last_mut() {
                        n += visit(last, rest, create, f)?;
                    }
                }
                return Ok(n);
            }
            match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) => visit(item, rest, create, f),
                None => Ok(0),
            }
        }
        Value::Object(map) => {
            if seg == "*" {
                let mut n = 0;
                for v in map.values_mut() {
                    n += visit(v, rest, create, f)?;
                }
                return Ok(n);
            }
            let key = seg
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .unwrap_or(seg)
                .to_string();
            if !map.contains_key(&key) {
                if !create {
                    return Ok(0);
                }
                map.insert(key.clone(), Value::Null);
            }
            match map.get_mut(&key) {
                Some(child) => visit(child, rest, create, f),
                None => Ok(0),
            }
        }
        _ => Ok(0),
    }
}

pub fn apply(resources: &mut [Resource], replacements: &[Replacement]) -> Result<(), String> {
    for rep in replacements {
        let Some(src) = &rep.source else {
            return Err("a replacement needs a source".into());
        };
        let matches: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                all_ids(r).iter().any(|id| {
                    id_selected(
                        id,
                        &src.group,
                        &src.version,
                        &src.kind,
                        &src.name,
                        &src.namespace,
                    )
                })
            })
            .map(|(i, _)| i)
            .collect();
        let describe = || format!("{}/{} {}", src.kind, src.version, src.name);
        let source = match matches.as_slice() {
            [one] => &resources[*one],
            [] => return Err(format!("nothing selected by source {}", describe())),
            _ => {
                return Err(format!(
                    "multiple matches for source selector {}",
                    describe()
                ));
            }
        };
        let field_path = if src.field_path.is_empty() {
            "metadata.name"
        } else {
            &src.field_path
        };
        let raw = lookup(&source.obj, &split_path(field_path))
            .filter(|v| !v.is_null())
            .ok_or_else(|| {
                format!(
                    "fieldPath `{field_path}` is missing for replacement source {}",
                    describe()
                )
            })?;
        let value = refine(src.options.as_ref(), raw)?;
        for target in &rep.targets {
            let Some(select) = &target.select else {
                return Err("target must specify resources to select".into());
            };
            let compiled = CompiledSelector::new(&Selector {
                name: String::new(),
                namespace: String::new(),
                ..select.clone()
            })?;
            let paths: Vec<String> = if target.field_paths.is_empty() {
                vec!["metadata.name".into()]
            } else {
                target.field_paths.clone()
            };
            for r in resources.iter_mut() {
                let ids = all_ids(r);
                if !ids.iter().any(|id| sel_matches(id, select)) || !compiled.matches_current(r) {
                    continue;
                }
                let rejected = target.reject.iter().any(|rej| {
                    let empty_id = rej.kind.is_empty()
                        && rej.name.is_empty()
                        && rej.namespace.is_empty()
                        && rej.group.is_empty()
                        && rej.version.is_empty();
                    let by_id = !empty_id && ids.iter().any(|id| sel_matches(id, rej));
                    let by_labels = (!rej.label_selector.is_empty()
                        || !rej.annotation_selector.is_empty())
                        && CompiledSelector::new(&Selector {
                            name: String::new(),
                            namespace: String::new(),
                            ..rej.clone()
                        })
                        .is_ok_and(|c| c.matches_current(r));
                    by_id || by_labels
                });
                if rejected {
                    continue;
                }
                let create = target.options.as_ref().is_some_and(|o| o.create);
                for fp in &paths {
                    let n = visit(&mut r.obj, &split_path(fp), create, &mut |t| {
                        set_value(target.options.as_ref(), t, &value)
                    })?;
                    if n == 0 {
                        let what = if create { "find or create" } else { "find" };
                        return Err(format!(
                            "unable to {what} field \"{fp}\" in replacement target {}",
                            r.cur_id().describe()
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
