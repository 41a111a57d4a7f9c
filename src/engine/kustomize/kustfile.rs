//! The kustomization file: finding it in a directory and reading its fields, with legacy fields
//! (`bases`, `imageTags`, `env`) folded into their current forms as kustomize does.

use super::error::{KustomizeError, Result};
use super::fs::KustFs;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Kustomization {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    #[allow(dead_code)] // accepted; has no effect on the output here
    pub metadata: Option<Value>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub bases: Vec<String>,
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    pub crds: Vec<String>,
    pub namespace: Option<String>,
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: Vec<LabelEntry>,
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub images: Vec<ImageEntry>,
    #[serde(default)]
    pub image_tags: Vec<ImageEntry>,
    #[serde(default)]
    pub replicas: Vec<ReplicaEntry>,
    #[serde(default)]
    pub patches: Vec<PatchEntry>,
    #[serde(default)]
    pub patches_strategic_merge: Vec<String>,
    #[serde(default, rename = "patchesJson6902")]
    pub patches_json6902: Vec<PatchEntry>,
    #[serde(default)]
    pub config_map_generator: Vec<GeneratorArgs>,
    #[serde(default)]
    pub secret_generator: Vec<GeneratorArgs>,
    pub generator_options: Option<GeneratorOptions>,
    #[serde(default)]
    pub generators: Vec<String>,
    #[serde(default)]
    pub transformers: Vec<String>,
    #[serde(default)]
    pub validators: Vec<String>,
    #[serde(default)]
    pub replacements: Vec<Value>,
    pub sort_options: Option<SortOptions>,
    #[serde(default)]
    pub vars: Vec<Value>,
    #[serde(default)]
    pub configurations: Vec<String>,
    #[allow(dead_code)] // accepted; has no effect on the output here
    pub openapi: Option<Value>,
    #[serde(default)]
    pub helm_charts: Vec<Value>,
    pub helm_globals: Option<Value>,
    #[serde(default)]
    pub helm_chart_inflation_generator: Vec<Value>,
    #[serde(default)]
    pub build_metadata: Vec<String>,
    #[allow(dead_code)] // accepted; has no effect on the output here
    pub inventory: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelEntry {
    #[serde(default)]
    pub pairs: BTreeMap<String, String>,
    #[serde(default)]
    pub include_selectors: bool,
    #[serde(default)]
    pub include_templates: bool,
    /// Newer kustomize: whether StatefulSet volumeClaimTemplates get the labels. When absent,
    /// includeTemplates decides, as in kustomize v5.6 (kubectl 1.33).
    pub include_volume_claim_templates: Option<bool>,
    #[serde(default)]
    pub fields: Vec<super::fieldspec::FieldSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageEntry {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub new_name: String,
    #[serde(default)]
    pub new_tag: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub tag_suffix: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaEntry {
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchEntry {
    pub path: Option<String>,
    pub patch: Option<String>,
    pub target: Option<super::selector::Selector>,
    #[serde(default)]
    pub options: BTreeMap<String, bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorOptions {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub disable_name_suffix_hash: bool,
    #[serde(default)]
    pub immutable: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorArgs {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub behavior: String,
    #[serde(default)]
    pub literals: Vec<String>,
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub envs: Vec<String>,
    #[serde(default)]
    pub env: Option<String>,
    #[serde(default, rename = "type")]
    pub kind_type: String,
    pub options: Option<GeneratorOptions>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SortOptions {
    #[serde(default)]
    pub order: String,
    pub legacy_sort_options: Option<LegacySortOptions>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LegacySortOptions {
    #[serde(default)]
    pub order_first: Vec<String>,
    #[serde(default)]
    pub order_last: Vec<String>,
}

/// A kustomization read from a directory, with the file it came from.
#[derive(Debug, Clone)]
pub struct KustFile {
    pub dir: PathBuf,
    pub file: PathBuf,
    pub k: Kustomization,
}

impl KustFile {
    pub fn is_component(&self) -> bool {
        self.k.kind.as_deref() == Some("Component")
    }
}

/// Find and read the kustomization file in `dir`.
pub fn load(fs: &dyn KustFs, dir: &Path) -> Result<KustFile> {
    let found: Vec<PathBuf> = FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| fs.is_file(p))
        .collect();
    let file = match found.len() {
        0 => return Err(KustomizeError::MissingKustomization(dir.to_path_buf())),
        1 => found[0].clone(),
        _ => return Err(KustomizeError::MultipleKustomizations(dir.to_path_buf())),
    };
    let bytes = fs.read(&file).map_err(|e| KustomizeError::Io {
        path: file.clone(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let k = parse(&text).map_err(|message| KustomizeError::InvalidKustomization {
        file: file.clone(),
        message,
    })?;
    Ok(KustFile {
        dir: dir.to_path_buf(),
        file,
        k,
    })
}

/// Parse kustomization text; the error says which field is wrong.
pub fn parse(text: &str) -> std::result::Result<Kustomization, String> {
    let value: Value = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        let docs =
            crate::engine::yaml::parse_documents_last_key_wins(text).map_err(|e| e.to_string())?;
        match docs.len() {
            0 => Value::Object(Map::new()),
            1 => docs.into_iter().next().unwrap_or_default(),
            _ => return Err("a kustomization file must hold a single YAML document".into()),
        }
    };
    let value = normalise_legacy(value);
    let mut k: Kustomization = serde_json::from_value(value).map_err(|e| e.to_string())?;
    match k.kind.as_deref() {
        None | Some("") | Some("Kustomization") | Some("Component") => {}
        Some(other) => return Err(format!("kind '{other}' is not Kustomization or Component")),
    }
    if let Some(av) = k.api_version.as_deref() {
        if !av.is_empty() && !av.starts_with("kustomize.config.k8s.io/") {
            return Err(format!(
                "apiVersion '{av}' is not a kustomize.config.k8s.io version"
            ));
        }
    }
    if k.kind.as_deref() == Some("Component") {
        if let Some(av) = k.api_version.as_deref().filter(|av| !av.is_empty()) {
            if av != "kustomize.config.k8s.io/v1alpha1" {
                return Err(format!(
                    "apiVersion for Component should be kustomize.config.k8s.io/v1alpha1, not '{av}'"
                ));
            }
        }
    }
    if let Some(openapi) = k.openapi.as_ref() {
        let has = |key: &str| openapi.get(key).is_some_and(|v| !v.is_null());
        if has("path") && has("version") {
            return Err(
                "field 'openapi': builtin version and custom schema provided, cannot use both"
                    .into(),
            );
        }
        if let Some(v) = openapi.get("version").and_then(Value::as_str) {
            if v != "v1.21.2" {
                return Err(format!(
                    "field 'openapi': the builtin schema version '{v}' is not available (v1.21.2 is)"
                ));
            }
        }
    }
    if !k.helm_charts.is_empty()
        || !k.helm_chart_inflation_generator.is_empty()
        || k.helm_globals.is_some()
    {
        return Err("field 'helmCharts': Helm chart inflation is not supported; render the chart with a HelmRelease instead".into());
    }
    if !k.validators.is_empty() {
        return Err("field 'validators': validator plugins are not supported".into());
    }
    let bases = std::mem::take(&mut k.bases);
    k.resources.extend(bases);
    let tags = std::mem::take(&mut k.image_tags);
    k.images.extend(tags);
    for generator in k
        .config_map_generator
        .iter_mut()
        .chain(k.secret_generator.iter_mut())
    {
        if let Some(env) = generator.env.take() {
            generator.envs.insert(0, env);
        }
    }
    Ok(k)
}

const FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "crds",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "imageTags",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "generators",
    "transformers",
    "validators",
    "replacements",
    "sortOptions",
    "vars",
    "configurations",
    "openapi",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
    "buildMetadata",
    "inventory",
];

/// Go's JSON decoding matches field names case-insensitively; so does kustomize.
fn canonical_keys(value: Value) -> Value {
    let Value::Object(map) = value else {
        return value;
    };
    map.into_iter()
        .map(|(k, v)| {
            let key = FIELDS
                .iter()
                .find(|f| f.eq_ignore_ascii_case(&k))
                .map(|f| f.to_string())
                .unwrap_or(k);
            (key, v)
        })
        .collect()
}

/// Values kustomize accepts loosely: label and annotation values given as numbers or bools.
fn normalise_legacy(value: Value) -> Value {
    let mut value = canonical_keys(value);
    for field in ["commonLabels", "commonAnnotations"] {
        if let Some(map) = value.get_mut(field).and_then(Value::as_object_mut) {
            for v in map.values_mut() {
                stringify_scalar(v);
            }
        }
    }
    value
}

fn stringify_scalar(v: &mut Value) {
    match v {
        Value::Number(n) => *v = Value::String(n.to_string()),
        Value::Bool(b) => *v = Value::String(b.to_string()),
        Value::Null => *v = Value::String(String::new()),
        _ => {}
    }
}
