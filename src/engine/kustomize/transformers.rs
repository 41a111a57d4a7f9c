//! The simple builtin transformers: namespace, name prefix/suffix, labels, annotations and
//! replica counts. Each works on a list of resources and its field specs.

use super::fieldspec::{self, Create, FieldSpec};
use super::resource::{PREFIXES, Resource, SUFFIXES, ensure_object};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn gvk(r: &Resource) -> (String, String, String) {
    let (g, v) = r.group_version();
    (g, v, r.kind().to_string())
}

fn apply_specs(
    r: &mut Resource,
    specs: &[FieldSpec],
    create: Option<Create>,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let (g, v, k) = gvk(r);
    for spec in specs.iter().filter(|s| s.selects(&g, &v, &k)) {
        fieldspec::apply(&mut r.obj, spec, create, set)
            .map_err(|e| format!("{}: {e}", r.cur_id().describe()))?;
    }
    Ok(())
}

/// How RoleBinding subjects get the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectMode {
    #[default]
    DefaultOnly,
    AllServiceAccounts,
    None,
}

pub struct NamespaceOptions {
    pub namespace: String,
    pub unset_only: bool,
    pub subject_mode: SubjectMode,
}

/// Set metadata.namespace on namespaced resources and fix namespace fields in its specs.
pub fn namespace(
    resources: &mut [Resource],
    specs: &[FieldSpec],
    opts: &NamespaceOptions,
) -> Result<(), String> {
    let ns = opts.namespace.as_str();
    for r in resources.iter_mut() {
        let kind = r.kind().to_string();
        let before = r.cur_id();
        let mut setter = |v: &mut Value| -> Result<(), String> {
            if v.is_object() || v.is_array() {
                return Err("namespace field specs must target scalar nodes".into());
            }
            let empty = v.as_str().is_none_or(str::is_empty);
            if !opts.unset_only || empty {
                *v = json!(ns);
            }
            Ok(())
        };
        let mut kept: Vec<FieldSpec> = Vec::new();
        for spec in specs {
            match spec.path.as_str() {
                // metadata.namespace only for namespaced kinds, and a Namespace's own name only
                // for core v1 Namespaces.
                "metadata/namespace" => {}
                "metadata/name" if spec.kind == "Namespace" && r.api_version() != "v1" => {}
                "subjects[]/namespace" | "subjects/namespace"
                    if matches!(kind.as_str(), "RoleBinding" | "ClusterRoleBinding") => {}
                _ => kept.push(spec.clone()),
            }
        }
        if !r.cur_id().is_cluster_scoped() {
            let meta = FieldSpec::new("metadata/namespace", true);
            fieldspec::apply(&mut r.obj, &meta, Some(Create::Scalar), &mut setter)?;
        }
        if matches!(kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            role_binding_subjects(r, opts);
        }
        apply_specs(r, &kept, Some(Create::Scalar), &mut setter)?;
        let after = r.cur_id();
        if after.namespace != before.namespace || after.name != before.name {
            r.push_previous_id(&before);
        }
    }
    Ok(())
}

fn role_binding_subjects(r: &mut Resource, opts: &NamespaceOptions) {
    if opts.subject_mode == SubjectMode::None {
        return;
    }
    let Some(subjects) = r.obj.get_mut("subjects").and_then(Value::as_array_mut) else {
        return;
    };
    for s in subjects.iter_mut() {
        let Some(subject) = s.as_object_mut() else {
            continue;
        };
        if subject.get("kind").and_then(Value::as_str) != Some("ServiceAccount") {
            continue;
        }
        let current = subject
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let update = match opts.subject_mode {
            SubjectMode::AllServiceAccounts => true,
            _ => subject.get("name").and_then(Value::as_str) == Some("default"),
        };
        if update && (!opts.unset_only || current.is_empty()) {
            subject.insert("namespace".into(), json!(opts.namespace));
        }
    }
}

/// Kinds whose names are never prefixed or suffixed.
fn skips_prefix(r: &Resource) -> bool {
    let (g, _) = r.group_version();
    matches!(r.kind(), "CustomResourceDefinition" | "Namespace")
        || (r.kind() == "APIService" && g == "apiregistration.k8s.io")
}

pub fn prefix_suffix(
    resources: &mut [Resource],
    prefix: &str,
    suffix: &str,
    specs: &[FieldSpec],
) -> Result<(), String> {
    if prefix.is_empty() && suffix.is_empty() {
        return Ok(());
    }
    for r in resources.iter_mut() {
        if skips_prefix(r) {
            continue;
        }
        // The rename is recorded only when a metadata/name spec selects the resource.
        let (g, v, k) = gvk(r);
        let renames = specs
            .iter()
            .any(|s| s.path == "metadata/name" && s.selects(&g, &v, &k));
        if renames {
            r.store_previous_id();
            if !prefix.is_empty() {
                r.append_annotation_list(PREFIXES, prefix);
            }
            if !suffix.is_empty() {
                r.append_annotation_list(SUFFIXES, suffix);
            }
        }
        apply_specs(r, specs, None, &mut |v| {
            if let Some(s) = v.as_str() {
                *v = json!(format!("{prefix}{s}{suffix}"));
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Add string pairs to every map the specs reach (labels, selectors, annotations).
pub fn add_map_entries(
    resources: &mut [Resource],
    pairs: &BTreeMap<String, String>,
    specs: &[FieldSpec],
) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    for r in resources.iter_mut() {
        apply_specs(r, specs, Some(Create::Map), &mut |v| {
            if !(v.is_object() || v.is_null()) {
                return Err("expected a mapping for labels or annotations".into());
            }
            let map: &mut Map<String, Value> = ensure_object(v);
            for (k, val) in pairs {
                map.insert(k.clone(), json!(val));
            }
            Ok(())
        })?;
    }
    Ok(())
}

pub fn replicas(
    resources: &mut [Resource],
    name: &str,
    count: i64,
    specs: &[FieldSpec],
) -> Result<(), String> {
    let mut found = false;
    for r in resources.iter_mut() {
        let names_match = r.name() == name || r.prev_ids().iter().any(|id| id.name == name);
        if !names_match {
            continue;
        }
        let (g, v, k) = gvk(r);
        for spec in specs.iter().filter(|s| s.selects(&g, &v, &k)) {
            found = true;
            fieldspec::apply(&mut r.obj, spec, Some(Create::Scalar), &mut |v| {
                *v = json!(count);
                Ok(())
            })?;
        }
    }
    if !found {
        let kinds: Vec<String> = specs.iter().map(|s| s.kind.clone()).collect();
        return Err(format!(
            "resource with name {name} does not match a config with the following kinds {kinds:?}"
        ));
    }
    Ok(())
}
