//! The builtin transformers a kustomization's fields configure, run in kustomize's order:
//! patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels, commonLabels,
//! commonAnnotations, patchesJson6902, replicas, images, replacements, then `transformers:`.

use super::build::{Accumulator, Builder};
use super::build_metadata::ConfiguredBy;
use super::error::{KustomizeError, Result};
use super::fieldspec::{FieldSpec, merge_specs};
use super::fs::join_clean;
use super::kustfile::{KustFile, PatchEntry};
use super::patches::{self, Patch, PatchOptions};
use super::transformers::{self, NamespaceOptions, SubjectMode};
use serde_json::Value;
use std::path::Path;

/// Where StatefulSets carry the labels of their PersistentVolumeClaims.
const CLAIM_TEMPLATE_LABELS: &str = "spec/volumeClaimTemplates[]/metadata/labels";

fn field_err<'a>(kf: &'a KustFile, field: &str) -> impl Fn(String) -> KustomizeError + 'a {
    let field = field.to_string();
    move |m| KustomizeError::field(&kf.file, &field, m)
}

/// Text of a patch given as a path (relative to the kustomization) or inline.
pub fn patch_text(
    b: &Builder,
    dir: &Path,
    entry: &PatchEntry,
    file: &Path,
    field: &str,
) -> Result<String> {
    match (&entry.path, &entry.patch) {
        (Some(_), Some(_)) => Err(KustomizeError::field(
            file,
            field,
            "patch and path can't be set at the same time",
        )),
        (None, None) => Err(KustomizeError::field(
            file,
            field,
            "must specify one of patch and path",
        )),
        (Some(p), None) => b.read_text(&join_clean(dir, p)),
        (None, Some(inline)) => Ok(inline.clone()),
    }
}

/// A patchesStrategicMerge entry is a file path, or inline YAML when no such file exists.
fn strategic_text(b: &Builder, kf: &KustFile, entry: &str) -> Result<String> {
    let path = join_clean(&kf.dir, entry);
    if b.fs.is_file(&path) {
        return b.read_text(&path);
    }
    if entry.contains('\n')
        || entry.contains(':') && !entry.ends_with(".yaml") && !entry.ends_with(".yml")
    {
        return Ok(entry.to_string());
    }
    Err(KustomizeError::field(
        &kf.file,
        "patchesStrategicMerge",
        format!("'{entry}' is neither a file nor an inline patch"),
    ))
}

fn options_of(entry: &PatchEntry) -> PatchOptions {
    PatchOptions {
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
    }
}

pub fn run_transformers(b: &mut Builder, kf: &KustFile, acc: &mut Accumulator) -> Result<()> {
    let k = &kf.k;
    let no_change = PatchOptions {
        allow_name_change: false,
        allow_kind_change: false,
    };
    for entry in &k.patches_strategic_merge {
        let text = strategic_text(b, kf, entry)?;
        let patch = patches::parse_patch(&text).map_err(field_err(kf, "patchesStrategicMerge"))?;
        let patch = match patch {
            Patch::Json6902(_) => {
                return Err(KustomizeError::field(
                    &kf.file,
                    "patchesStrategicMerge",
                    format!("'{entry}' is a JSON 6902 patch; list it under patches"),
                ));
            }
            Patch::Strategic(docs) if docs.is_empty() => {
                return Err(KustomizeError::field(
                    &kf.file,
                    "patchesStrategicMerge",
                    format!("patch '{entry}' is empty"),
                ));
            }
            p => p,
        };
        patches::apply(&mut acc.resources, &patch, None, &no_change)
            .map_err(field_err(kf, "patchesStrategicMerge"))?;
    }
    for entry in &k.patches {
        let text = patch_text(b, &kf.dir, entry, &kf.file, "patches")?;
        let patch = patches::parse_patch(&text).map_err(field_err(kf, "patches"))?;
        patches::apply(
            &mut acc.resources,
            &patch,
            entry.target.as_ref(),
            &options_of(entry),
        )
        .map_err(field_err(kf, "patches"))?;
    }
    if let Some(ns) = k.namespace.as_deref().filter(|ns| !ns.is_empty()) {
        let opts = NamespaceOptions {
            namespace: ns.to_string(),
            unset_only: false,
            subject_mode: SubjectMode::DefaultOnly,
        };
        transformers::namespace(&mut acc.resources, &acc.config.namespace, &opts)
            .map_err(field_err(kf, "namespace"))?;
        record(
            b,
            acc,
            &kf.file,
            ConfiguredBy::field("NamespaceTransformer"),
        );
    }
    if let Some(p) = k.name_prefix.as_deref() {
        transformers::prefix_suffix(&mut acc.resources, p, "", &acc.config.name_prefix)
            .map_err(field_err(kf, "namePrefix"))?;
        record(b, acc, &kf.file, ConfiguredBy::field("PrefixTransformer"));
    }
    if let Some(s) = k.name_suffix.as_deref() {
        transformers::prefix_suffix(&mut acc.resources, "", s, &acc.config.name_suffix)
            .map_err(field_err(kf, "nameSuffix"))?;
        record(b, acc, &kf.file, ConfiguredBy::field("SuffixTransformer"));
    }
    for label in &k.labels {
        let mut specs: Vec<FieldSpec> = label.fields.clone();
        merge_specs(&mut specs, &acc.config.labels);
        if label.include_selectors {
            merge_specs(&mut specs, &acc.config.common_labels);
        } else {
            merge_specs(&mut specs, &[FieldSpec::new("metadata/labels", true)]);
            let is_claim = |s: &FieldSpec| s.path == CLAIM_TEMPLATE_LABELS;
            if label.include_templates {
                let templates: Vec<FieldSpec> = acc
                    .config
                    .template_labels
                    .iter()
                    .filter(|s| label.include_volume_claim_templates.is_none() || !is_claim(s))
                    .cloned()
                    .collect();
                merge_specs(&mut specs, &templates);
            }
            if label.include_volume_claim_templates == Some(true) {
                let claims: Vec<FieldSpec> = acc
                    .config
                    .common_labels
                    .iter()
                    .filter(|s| is_claim(s))
                    .cloned()
                    .collect();
                merge_specs(&mut specs, &claims);
            }
        }
        transformers::add_map_entries(&mut acc.resources, &label.pairs, &specs)
            .map_err(field_err(kf, "labels"))?;
    }
    transformers::add_map_entries(
        &mut acc.resources,
        &k.common_labels,
        &acc.config.common_labels,
    )
    .map_err(field_err(kf, "commonLabels"))?;
    transformers::add_map_entries(
        &mut acc.resources,
        &k.common_annotations,
        &acc.config.common_annotations,
    )
    .map_err(field_err(kf, "commonAnnotations"))?;
    for entry in &k.patches_json6902 {
        let text = patch_text(b, &kf.dir, entry, &kf.file, "patchesJson6902")?;
        let ops = parse_json6902(&text).map_err(field_err(kf, "patchesJson6902"))?;
        let Some(target) = entry.target.as_ref() else {
            return Err(KustomizeError::field(
                &kf.file,
                "patchesJson6902",
                "a JSON 6902 patch needs a target",
            ));
        };
        patches::apply(
            &mut acc.resources,
            &Patch::Json6902(ops),
            Some(target),
            &no_change,
        )
        .map_err(field_err(kf, "patchesJson6902"))?;
    }
    for r in &k.replicas {
        transformers::replicas(&mut acc.resources, &r.name, r.count, &acc.config.replicas)
            .map_err(field_err(kf, "replicas"))?;
    }
    if !k.images.is_empty() {
        super::images::transform(&mut acc.resources, &k.images, &acc.config.images)
            .map_err(field_err(kf, "images"))?;
    }
    if !k.replacements.is_empty() {
        let list = super::replacements::load(b, &kf.dir, &k.replacements)
            .map_err(field_err(kf, "replacements"))?;
        super::replacements::apply(&mut acc.resources, &list)
            .map_err(field_err(kf, "replacements"))?;
    }
    for entry in &k.transformers {
        let (path, configs) = b.plugin_configs(kf, entry, "transformers")?;
        for config in configs {
            super::plugins::run_transformer(
                false,
                b,
                &kf.dir,
                &path,
                &config,
                &mut acc.resources,
                &acc.config,
            )?;
            record(b, acc, &path, ConfiguredBy::plugin(&config));
        }
    }
    Ok(())
}

/// Record a transformer run on every resource when the build asks for transformer
/// annotations; `configured_in` is the kustomization or plugin configuration file.
fn record(b: &Builder, acc: &mut Accumulator, configured_in: &Path, by: ConfiguredBy) {
    if b.transformations {
        let configured_in = super::build::relative(&b.root, configured_in);
        super::build_metadata::record(&mut acc.resources, &configured_in, &by);
    }
}

/// JSON 6902 operations given as JSON or YAML.
pub fn parse_json6902(text: &str) -> std::result::Result<Value, String> {
    let docs = crate::engine::yaml::parse_documents(text).map_err(|e| e.to_string())?;
    match docs.into_iter().next() {
        Some(v @ Value::Array(_)) => Ok(v),
        Some(_) => Err("a JSON 6902 patch must be a list of operations".into()),
        None => Err("the JSON 6902 patch is empty".into()),
    }
}
