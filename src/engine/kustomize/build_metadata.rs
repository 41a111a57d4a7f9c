//! `buildMetadata: [transformerAnnotations]`: each resource a transformer ran on records it in
//! the `alpha.config.kubernetes.io/transformations` annotation, a YAML list of
//! `{configuredIn, configuredBy: {apiVersion, kind, name, namespace}}` entries in the order
//! the transformers ran.

use super::resource::Resource;
use serde_json::Value;

pub const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";

/// Who configured a transformer: a kustomization field (`builtin`, a kind) or a plugin
/// configuration object.
pub struct ConfiguredBy {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ConfiguredBy {
    pub fn field(kind: &str) -> Self {
        ConfiguredBy {
            api_version: "builtin".into(),
            kind: kind.into(),
            name: String::new(),
            namespace: String::new(),
        }
    }

    pub fn plugin(config: &Value) -> Self {
        let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
        let meta = config.get("metadata");
        ConfiguredBy {
            api_version: s(config.get("apiVersion")),
            kind: s(config.get("kind")),
            name: s(meta.and_then(|m| m.get("name"))),
            namespace: s(meta.and_then(|m| m.get("namespace"))),
        }
    }
}

/// Append one transformation entry to every resource.
pub fn record(resources: &mut [Resource], configured_in: &str, by: &ConfiguredBy) {
    let mut entry = format!("- configuredIn: {configured_in}\n  configuredBy:\n");
    for (key, value) in [
        ("apiVersion", &by.api_version),
        ("kind", &by.kind),
        ("name", &by.name),
        ("namespace", &by.namespace),
    ] {
        if !value.is_empty() {
            entry.push_str(&format!("    {key}: {value}\n"));
        }
    }
    for r in resources.iter_mut() {
        let text = format!("{}{entry}", r.annotation(TRANSFORMATIONS).unwrap_or(""));
        r.set_annotation(TRANSFORMATIONS, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_accumulate_in_order() {
        let mut rs = vec![Resource::new(
            json!({"kind": "Service", "metadata": {"name": "a"}}),
        )];
        record(
            &mut rs,
            "base/kustomization.yaml",
            &ConfiguredBy::field("PrefixTransformer"),
        );
        record(
            &mut rs,
            "kustomization.yaml",
            &ConfiguredBy::field("SuffixTransformer"),
        );
        let text = rs[0].annotation(TRANSFORMATIONS).unwrap();
        assert_eq!(
            text,
            "- configuredIn: base/kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: SuffixTransformer\n"
        );
    }
}
