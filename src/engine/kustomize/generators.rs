//! configMapGenerator and secretGenerator: data from literals, files and env files, generator
//! options (labels, annotations, immutable, hash suffix), and the create/merge/replace
//! behaviours against resources already accumulated.

use super::error::{KustomizeError, Result};
use super::fs::{KustFs, join_clean};
use super::kustfile::{GeneratorArgs, GeneratorOptions};
use super::resource::{Behavior, NEEDS_HASH, Resource};
use base64::Engine;
use serde_json::{Map, Value, json};
use std::path::Path;

pub enum GenKind {
    ConfigMap,
    Secret,
}

/// kustomize's base64 for generated data: lines of 70 characters, each ending in a newline,
/// once the encoding is 70 characters or longer.
fn encode_base64(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    if encoded.len() < 70 {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 70 + 1);
    for chunk in encoded.as_bytes().chunks(70) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Key/value pairs in source order; file contents may be binary.
type Pairs = Vec<(String, Vec<u8>)>;

fn collect(
    fs: &dyn KustFs,
    dir: &Path,
    file: &Path,
    field: &str,
    args: &GeneratorArgs,
) -> Result<Pairs> {
    let err =
        |m: String| KustomizeError::field(file, field, format!("generator '{}': {m}", args.name));
    let mut pairs: Pairs = Vec::new();
    for lit in &args.literals {
        let (k, v) = lit
            .split_once('=')
            .ok_or_else(|| err(format!("literal '{lit}' is not of the form key=value")))?;
        pairs.push((k.trim().to_string(), unquote(v).as_bytes().to_vec()));
    }
    for env in &args.envs {
        let path = join_clean(dir, env);
        let bytes = fs
            .read(&path)
            .map_err(|e| err(format!("env file {}: {e}", path.display())))?;
        let text = String::from_utf8_lossy(&bytes);
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim_start().trim_end_matches('\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, v)) => pairs.push((k.trim().to_string(), v.as_bytes().to_vec())),
                None => {
                    // A bare key takes its value from the process environment, as kustomize does.
                    if let Ok(v) = std::env::var(line.trim()) {
                        pairs.push((line.trim().to_string(), v.into_bytes()));
                    } else {
                        return Err(err(format!(
                            "{}:{}: line '{line}' has no '='",
                            path.display(),
                            n + 1
                        )));
                    }
                }
            }
        }
    }
    for f in &args.files {
        let (key, rel) = match f.split_once('=') {
            Some((k, p)) => (k.to_string(), p),
            None => {
                let name = Path::new(f)
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                (name, f.as_str())
            }
        };
        let path = join_clean(dir, rel);
        if fs.is_dir(&path) {
            // A directory contributes each regular file in it, keyed by file name.
            if f.contains('=') {
                return Err(err(format!(
                    "file source {} is a directory and cannot take a key",
                    path.display()
                )));
            }
            let entries = fs
                .list_dir(&path)
                .map_err(|e| err(format!("directory {}: {e}", path.display())))?;
            for entry in entries.into_iter().filter(|p| fs.is_file(p)) {
                let name = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let bytes = fs
                    .read(&entry)
                    .map_err(|e| err(format!("file {}: {e}", entry.display())))?;
                pairs.push((name, bytes));
            }
            continue;
        }
        let bytes = fs
            .read(&path)
            .map_err(|e| err(format!("file {}: {e}", path.display())))?;
        pairs.push((key, bytes));
    }
    for (k, _) in &pairs {
        if !valid_key(k) {
            return Err(err(format!(
                "'{k}' is not a valid key name: use letters, digits, '-', '_' or '.'"
            )));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (k, _) in &pairs {
        if !seen.insert(k.clone()) {
            return Err(err(format!("key '{k}' is given more than once")));
        }
    }
    Ok(pairs)
}

/// Generator-level options merged with the kustomization's generatorOptions (global wins).
fn merged_options(
    global: Option<&GeneratorOptions>,
    local: Option<&GeneratorOptions>,
) -> GeneratorOptions {
    let mut out = local.cloned().unwrap_or_default();
    if let Some(g) = global {
        out.labels.extend(g.labels.clone());
        out.annotations.extend(g.annotations.clone());
        out.disable_name_suffix_hash |= g.disable_name_suffix_hash;
        out.immutable |= g.immutable;
    }
    out
}

pub fn generate(
    fs: &dyn KustFs,
    dir: &Path,
    file: &Path,
    kind: GenKind,
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
) -> Result<Resource> {
    let field = match kind {
        GenKind::ConfigMap => "configMapGenerator",
        GenKind::Secret => "secretGenerator",
    };
    if args.name.is_empty() {
        return Err(KustomizeError::field(
            file,
            field,
            "a generator needs a name",
        ));
    }
    let pairs = collect(fs, dir, file, field, args)?;
    let options = merged_options(global, args.options.as_ref());
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(args.name));
    if !args.namespace.is_empty() {
        metadata.insert("namespace".into(), json!(args.namespace));
    }
    if !options.labels.is_empty() {
        metadata.insert("labels".into(), json!(options.labels));
    }
    let mut annotations: Map<String, Value> = options
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if !options.disable_name_suffix_hash {
        annotations.insert(NEEDS_HASH.into(), json!("enabled"));
    }
    if !annotations.is_empty() {
        metadata.insert("annotations".into(), Value::Object(annotations));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!("v1"));
    match kind {
        GenKind::ConfigMap => {
            obj.insert("kind".into(), json!("ConfigMap"));
            obj.insert("metadata".into(), Value::Object(metadata));
            let mut data = Map::new();
            let mut binary = Map::new();
            for (k, v) in pairs {
                match String::from_utf8(v) {
                    Ok(s) => data.insert(k, Value::String(s)),
                    Err(e) => binary.insert(k, Value::String(encode_base64(&e.into_bytes()))),
                };
            }
            if !data.is_empty() {
                obj.insert("data".into(), Value::Object(data));
            }
            if !binary.is_empty() {
                obj.insert("binaryData".into(), Value::Object(binary));
            }
        }
        GenKind::Secret => {
            obj.insert("kind".into(), json!("Secret"));
            obj.insert("metadata".into(), Value::Object(metadata));
            let t = if args.kind_type.is_empty() {
                "Opaque"
            } else {
                &args.kind_type
            };
            obj.insert("type".into(), json!(t));
            let data: Map<String, Value> = pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(encode_base64(&v))))
                .collect();
            if !data.is_empty() {
                obj.insert("data".into(), Value::Object(data));
            }
        }
    }
    if options.immutable {
        obj.insert("immutable".into(), json!(true));
    }
    let behavior = match args.behavior.as_str() {
        "" | "create" => Behavior::Create,
        "merge" => Behavior::Merge,
        "replace" => Behavior::Replace,
        other => {
            return Err(KustomizeError::field(
                file,
                field,
                format!(
                    "generator '{}': behavior '{other}' is not create, merge or replace",
                    args.name
                ),
            ));
        }
    };
    Ok(Resource {
        obj: Value::Object(obj),
        behavior,
    })
}

fn merge_string_maps(base: Option<&Value>, over: Option<&Value>) -> Option<Value> {
    let mut out = base.and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, v) in over.and_then(Value::as_object).into_iter().flatten() {
        out.insert(k.clone(), v.clone());
    }
    if out.is_empty() {
        None
    } else {
        Some(Value::Object(out))
    }
}

/// Combine a merge/replace generator result with the resource it targets.
/// The result keeps a hash suffix only when the old resource had one and the merging
/// kustomization's generatorOptions do not disable hashing (what kubectl 1.33 does).
pub fn absorb(old: &Resource, mut new: Resource, global_disable: bool) -> Resource {
    let old_meta = old.obj.get("metadata");
    let new_meta = new.obj.get("metadata").cloned();
    let labels = merge_string_maps(
        old_meta.and_then(|m| m.get("labels")),
        new_meta.as_ref().and_then(|m| m.get("labels")),
    );
    let annotations = merge_string_maps(
        old_meta.and_then(|m| m.get("annotations")),
        new_meta.as_ref().and_then(|m| m.get("annotations")),
    );
    let merge_data = new.behavior == Behavior::Merge;
    {
        let meta = new.metadata_mut();
        for (key, val) in [("labels", labels), ("annotations", annotations)] {
            match val {
                Some(v) => meta.insert(key.into(), v),
                None => meta.remove(key),
            };
        }
        meta.insert("name".into(), json!(old.name()));
        if old.namespace().is_empty() {
            meta.remove("namespace");
        } else {
            meta.insert("namespace".into(), json!(old.namespace()));
        }
    }
    let hashed = old.needs_hash() && !global_disable;
    if let Some(ann) = new
        .obj
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    {
        ann.remove(NEEDS_HASH);
    }
    if hashed {
        new.set_annotation(NEEDS_HASH, "enabled");
    } else if let Some(meta) = new.obj.get_mut("metadata").and_then(Value::as_object_mut) {
        if meta
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(|a| a.is_empty())
        {
            meta.remove("annotations");
        }
    }
    if merge_data {
        for field in ["data", "binaryData"] {
            if let Some(merged) = merge_string_maps(old.obj.get(field), new.obj.get(field)) {
                if let Some(obj) = new.obj.as_object_mut() {
                    obj.insert(field.into(), merged);
                }
            }
        }
    }
    new.behavior = Behavior::Create;
    new
}
