//! Builtin plugin configurations (`apiVersion: builtin`, listed under `transformers:` or
//! `generators:`), dispatched to the same transformers the kustomization fields use.

use super::build::Builder;
use super::config::TransformerConfig;
use super::error::{KustomizeError, Result};
use super::fieldspec::{FieldSpec, specs_from_value};
use super::generators::{self, GenKind};
use super::kustfile::{GeneratorArgs, ImageEntry, PatchEntry, SortOptions};
use super::patches::{self, Patch, PatchOptions};
use super::resource::Resource;
use super::transformers::{self, NamespaceOptions, SubjectMode};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn get<'a>(config: &'a Value, key: &str) -> Option<&'a Value> {
    config.get(key).filter(|v| !v.is_null())
}

fn text(config: &Value, key: &str) -> String {
    get(config, key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn specs(config: &Value) -> std::result::Result<Vec<FieldSpec>, String> {
    match get(config, "fieldSpecs") {
        Some(v) => specs_from_value(v),
        None => Ok(Vec::new()),
    }
}

fn string_map(config: &Value, key: &str) -> BTreeMap<String, String> {
    get(config, key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), super::replacements::scalar_text(v)))
                .collect()
        })
        .unwrap_or_default()
}

fn de<T: serde::de::DeserializeOwned>(v: &Value) -> std::result::Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| e.to_string())
}

fn lower_first(k: &str) -> String {
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Go decodes plugin configurations with case-insensitive field names (`Path`, `Digest`);
/// lower-case the first letter of the keys of the configuration and its option objects.
fn normalise_keys(config: &Value) -> Value {
    let lower = |v: &Value| -> Value {
        match v {
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (lower_first(k), v.clone())).collect())
            }
            other => other.clone(),
        }
    };
    match config {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = lower_first(k);
                    let nested =
                        matches!(key.as_str(), "imageTag" | "replica" | "target" | "options");
                    (key, if nested { lower(v) } else { v.clone() })
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Apply one builtin transformer configuration to `resources`.
pub fn run_transformer(
    direct: bool,
    b: &Builder,
    dir: &Path,
    file: &Path,
    config: &Value,
    resources: &mut Vec<Resource>,
    tc: &TransformerConfig,
) -> Result<()> {
    let kind = text(config, "kind");
    let err = |m: String| KustomizeError::field(file, &kind, m);
    let config = &normalise_keys(config);
    if kind == "SortOrderTransformer" && !direct {
        return Err(err("unable to load builtin SortOrderTransformer: use the sortOptions field of the top-level kustomization".into()));
    }
    transform(b, dir, file, config, resources, tc).map_err(err)
}

fn transform(
    b: &Builder,
    dir: &Path,
    file: &Path,
    config: &Value,
    resources: &mut Vec<Resource>,
    _tc: &TransformerConfig,
) -> std::result::Result<(), String> {
    let kind = text(config, "kind");
    match kind.as_str() {
        "NamespaceTransformer" => {
            let namespace = config
                .get("metadata")
                .and_then(|m| m.get("namespace"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let subject_mode = match text(config, "setRoleBindingSubjects").as_str() {
                "" | "defaultOnly" => SubjectMode::DefaultOnly,
                "allServiceAccounts" => SubjectMode::AllServiceAccounts,
                "none" => SubjectMode::None,
                other => {
                    return Err(format!(
                        "setRoleBindingSubjects '{other}' is not defaultOnly, allServiceAccounts or none"
                    ));
                }
            };
            let unset_only = get(config, "unsetOnly")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let opts = NamespaceOptions {
                namespace,
                unset_only,
                subject_mode,
            };
            transformers::namespace(resources, &specs(config)?, &opts)?;
            check_unique(resources)
        }
        "PrefixTransformer" => {
            transformers::prefix_suffix(resources, &text(config, "prefix"), "", &specs(config)?)
        }
        "SuffixTransformer" => {
            transformers::prefix_suffix(resources, "", &text(config, "suffix"), &specs(config)?)
        }
        "PrefixSuffixTransformer" => {
            let s = specs(config)?;
            transformers::prefix_suffix(resources, &text(config, "prefix"), "", &s)?;
            transformers::prefix_suffix(resources, "", &text(config, "suffix"), &s)
        }
        "LabelTransformer" => {
            transformers::add_map_entries(resources, &string_map(config, "labels"), &specs(config)?)
        }
        "AnnotationsTransformer" => transformers::add_map_entries(
            resources,
            &string_map(config, "annotations"),
            &specs(config)?,
        ),
        "ImageTagTransformer" => {
            let image: ImageEntry = de(get(config, "imageTag").unwrap_or(&Value::Null))?;
            super::images::transform(resources, &[image], &specs(config)?)
        }
        "ReplicaCountTransformer" => {
            let replica =
                get(config, "replica").ok_or("a ReplicaCountTransformer needs 'replica'")?;
            let name = replica.get("name").and_then(Value::as_str).unwrap_or("");
            let count = replica.get("count").and_then(Value::as_i64).unwrap_or(0);
            transformers::replicas(resources, name, count, &specs(config)?)
        }
        "PatchTransformer" => {
            let entry: PatchEntry = de(&strip_meta(config))?;
            let text = super::pipeline::patch_text(b, dir, &entry, file, "PatchTransformer")
                .map_err(|e| e.to_string())?;
            if text.trim().is_empty() {
                return Err("the patch is empty".into());
            }
            let patch = patches::parse_patch(&text)?;
            let opts = PatchOptions {
                allow_name_change: entry
                    .options
                    .get("allowNameChange")
                    .copied()
                    .unwrap_or(false),
                allow_kind_change: entry
                    .options
                    .get("allowKindChange")
                    .copied()
                    .unwrap_or(false),
            };
            patches::apply(resources, &patch, entry.target.as_ref(), &opts)
        }
        "PatchStrategicMergeTransformer" => {
            let mut texts = Vec::new();
            for p in get(config, "paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let path = super::fs::join_clean(dir, p.as_str().unwrap_or(""));
                texts.push(b.read_text(&path).map_err(|e| e.to_string())?);
            }
            if let Some(inline) = get(config, "patches").and_then(Value::as_str) {
                texts.push(inline.to_string());
            }
            if texts.is_empty() {
                return Err("empty file path and empty patch content".into());
            }
            let opts = PatchOptions {
                allow_name_change: false,
                allow_kind_change: false,
            };
            for t in texts {
                match patches::parse_patch(&t)? {
                    Patch::Json6902(_) => {
                        return Err("a JSON 6902 patch is not a strategic merge patch".into());
                    }
                    p => patches::apply(resources, &p, None, &opts)?,
                }
            }
            Ok(())
        }
        "PatchJson6902Transformer" => {
            let target: super::selector::Selector =
                de(get(config, "target").ok_or("a PatchJson6902Transformer needs a target")?)?;
            let path = text(config, "path");
            let op = text(config, "jsonOp");
            let ops_text = match (path.is_empty(), op.is_empty()) {
                (true, true) => return Err("empty file path and empty jsonOp".into()),
                (false, false) => return Err("must specify a file path or jsonOp, not both".into()),
                (false, true) => b
                    .read_text(&super::fs::join_clean(dir, &path))
                    .map_err(|e| e.to_string())?,
                (true, false) => op,
            };
            let ops = super::pipeline::parse_json6902(&ops_text)?;
            let opts = PatchOptions {
                allow_name_change: true,
                allow_kind_change: true,
            };
            patches::apply(resources, &Patch::Json6902(ops), Some(&target), &opts)
        }
        "ReplacementTransformer" => {
            let entries: Vec<Value> = get(config, "replacements")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let list = super::replacements::load(b, dir, &entries)?;
            super::replacements::apply(resources, &list)
        }
        "HashTransformer" => {
            for r in resources.iter_mut().filter(|r| r.needs_hash()) {
                let hash = super::hash::content_hash(&r.obj);
                r.store_previous_id();
                let name = format!("{}-{hash}", r.name());
                r.set_name(&name);
            }
            Ok(())
        }
        "SortOrderTransformer" => {
            let opts: Option<SortOptions> = match get(config, "sortOptions") {
                Some(v) => Some(de(v)?),
                None => None,
            };
            super::order::sort(resources, opts.as_ref())
        }
        other => Err(format!(
            "'{other}' is not a builtin transformer fluxdeck supports (plugins other than builtins are not run)"
        )),
    }
}

fn strip_meta(config: &Value) -> Value {
    let mut c = config.clone();
    if let Some(m) = c.as_object_mut() {
        for k in ["apiVersion", "kind", "metadata"] {
            m.remove(k);
        }
    }
    c
}

/// Two resources that end up with the same id (e.g. after a namespace change) conflict.
fn check_unique(resources: &[Resource]) -> std::result::Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for r in resources {
        let id = r.cur_id();
        let key = format!(
            "{}|{}|{}|{}|{}",
            id.group,
            id.version,
            id.kind,
            id.effective_namespace(),
            id.name
        );
        if !seen.insert(key) {
            return Err(format!(
                "resource {} conflicts with another resource of the same id",
                id.describe()
            ));
        }
    }
    Ok(())
}

/// Run a builtin generator configuration.
pub fn run_generator(
    b: &Builder,
    dir: &Path,
    file: &Path,
    config: &Value,
) -> Result<Vec<Resource>> {
    let config = &normalise_keys(config);
    let kind = text(config, "kind");
    let gen_kind = match kind.as_str() {
        "IAMPolicyGenerator" => {
            return super::iam_policy::generate(config)
                .map(|r| vec![r])
                .map_err(|m| KustomizeError::field(file, &kind, m));
        }
        "ConfigMapGenerator" => GenKind::ConfigMap,
        "SecretGenerator" => GenKind::Secret,
        other => {
            return Err(KustomizeError::field(
                file,
                "generators",
                format!("'{other}' is not a builtin generator fluxdeck supports"),
            ));
        }
    };
    let mut body = strip_meta(config);
    if let (Some(m), Some(meta)) = (body.as_object_mut(), config.get("metadata")) {
        // The generator's own name and namespace win over the configuration's metadata.
        for k in ["name", "namespace"] {
            let own = m
                .get(k)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if let (Some(v), false) = (meta.get(k), own) {
                m.insert(k.into(), v.clone());
            }
        }
    }
    const KNOWN: &[&str] = &[
        "name",
        "namespace",
        "behavior",
        "literals",
        "files",
        "envs",
        "env",
        "type",
        "options",
    ];
    if let Some(m) = body.as_object_mut() {
        // Plugin configurations are read leniently, as kustomize does.
        m.retain(|k, _| KNOWN.contains(&k.as_str()));
    }
    let args: GeneratorArgs = de(&body).map_err(|m| KustomizeError::field(file, &kind, m))?;
    Ok(vec![generators::generate(
        b.fs, dir, file, gen_kind, &args, None,
    )?])
}
