//! Vars (deprecated in kustomize, still used): `$(NAME)` in the varReference fields is
//! replaced by a field of a named resource, once the whole tree is built and names are final.

use super::fieldspec::{self, FieldSpec};
use super::replacements::{scalar_text, split_path};
use super::resource::{Resource, split_api_version};

/// The vars bound to a resource, kept until the build ends.
const REF_VARS: &str = "internal.config.kubernetes.io/refVarNames";
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjRef {
    #[serde(default)]
    pub api_version: String,
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
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FieldRef {
    #[serde(default)]
    pub fieldpath: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Var {
    pub name: String,
    pub objref: ObjRef,
    pub fieldref: Option<FieldRef>,
}

/// Where vars are substituted by default (kustomize's varReference config).
pub fn default_var_reference() -> Vec<FieldSpec> {
    let spec = |kind: &str, path: String| FieldSpec {
        kind: kind.into(),
        path,
        ..Default::default()
    };
    let mut out = Vec::new();
    let holders = [
        ("CronJob", "spec/jobTemplate/spec/template/spec"),
        ("DaemonSet", "spec/template/spec"),
        ("Deployment", "spec/template/spec"),
        ("Job", "spec/template/spec"),
        ("Pod", "spec"),
        ("ReplicaSet", "spec/template/spec"),
        ("StatefulSet", "spec/template/spec"),
    ];
    for (kind, prefix) in holders {
        for c in ["containers", "initContainers"] {
            for field in ["args", "command", "env/value", "volumeMounts/mountPath"] {
                out.push(spec(kind, format!("{prefix}/{c}/{field}")));
            }
        }
        match kind {
            "StatefulSet" => {}
            // kustomize's table has CronJob volumes one level up, next to the pod spec.
            "CronJob" => out.push(spec(
                kind,
                "spec/jobTemplate/spec/template/volumes/nfs/server".into(),
            )),
            _ => out.push(spec(kind, format!("{prefix}/volumes/nfs/server"))),
        }
        if kind == "Deployment" {
            out.push(spec(kind, "spec/template/metadata/annotations".into()));
        }
    }
    out.push(spec("Ingress", "spec/rules/host".into()));
    out.push(spec("Ingress", "spec/tls/hosts".into()));
    out.push(spec("Ingress", "spec/tls/secretName".into()));
    out.push(spec("Service", "spec/ports/port".into()));
    out.push(spec("Service", "spec/ports/targetPort".into()));
    out.push(spec(
        "StatefulSet",
        "spec/volumeClaimTemplates/spec/nfs/server".into(),
    ));
    out.push(spec("PersistentVolume", "spec/nfs/server".into()));
    out.push(spec("", "metadata/labels".into()));
    out.push(spec("", "metadata/annotations".into()));
    out
}

fn lookup(v: &Value, path: &str) -> Option<Value> {
    let mut cur = v.clone();
    for seg in split_path(path) {
        // `ports[0]` style indexes.
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) if rest.ends_with(']') => {
                (n.to_string(), rest[..rest.len() - 1].parse::<usize>().ok())
            }
            _ => (seg.clone(), None),
        };
        if !name.is_empty() {
            cur = cur.get(&name)?.clone();
        }
        if let Some(i) = index {
            cur = cur.get(i)?.clone();
        }
    }
    Some(cur)
}

/// Whether a resource (by its current or a previous id) is the one a var's objref names.
fn names_resource(o: &ObjRef, r: &Resource) -> bool {
    let (mut group, mut version) = split_api_version(&o.api_version);
    if !o.group.is_empty() {
        group = o.group.clone();
    }
    if !o.version.is_empty() {
        version = o.version.clone();
    }
    let mut ids = r.prev_ids();
    ids.push(r.cur_id());
    ids.iter().any(|id| {
        id.kind == o.kind
            && id.name == o.name
            && (group.is_empty() || id.group == group)
            && (version.is_empty() || id.version == version)
            && (o.namespace.is_empty() || id.effective_namespace() == o.namespace)
    })
}

/// Bind vars to the resources accumulated so far, as kustomize does where the vars are
/// declared: a var sees only the resources of its own kustomization (and below), so two
/// sibling bases may each declare a var on a Service of the same name.
pub fn bind(resources: &mut [Resource], vars: &[Var]) -> Result<(), String> {
    for var in vars {
        let matches: Vec<usize> = (0..resources.len())
            .filter(|&i| names_resource(&var.objref, &resources[i]))
            .collect();
        match matches.as_slice() {
            [] => {}
            [one] => {
                let r = &mut resources[*one];
                let mut bound = r.annotation_list(REF_VARS);
                bound.push(var.name.clone());
                r.set_annotation(REF_VARS, &bound.join(","));
            }
            _ => {
                return Err(format!(
                    "var '{}' matches {} resources (unable to disambiguate): give its objref a namespace",
                    var.name,
                    matches.len()
                ));
            }
        }
    }
    Ok(())
}

/// The value of each var, from the resource it was bound to where it was declared (or, for a
/// var declared before its resource existed, the one resource its objref names).
fn values(resources: &[Resource], vars: &[Var]) -> Result<BTreeMap<String, Value>, String> {
    let mut out = BTreeMap::new();
    for var in vars {
        let bound: Vec<&Resource> = resources
            .iter()
            .filter(|r| r.annotation_list(REF_VARS).contains(&var.name))
            .collect();
        let matches: Vec<&Resource> = if bound.is_empty() {
            resources
                .iter()
                .filter(|r| names_resource(&var.objref, r))
                .collect()
        } else {
            bound
        };
        let target = match matches.as_slice() {
            [one] => *one,
            [] => {
                return Err(format!(
                    "var '{}' cannot be mapped to a field in the set of known resources",
                    var.name
                ));
            }
            _ => {
                return Err(format!(
                    "var '{}' matches more than one resource: give its objref a namespace",
                    var.name
                ));
            }
        };
        let path = var
            .fieldref
            .as_ref()
            .map(|f| f.fieldpath.as_str())
            .filter(|p| !p.is_empty())
            .unwrap_or("metadata.name");
        let value = lookup(&target.obj, path).ok_or_else(|| {
            format!(
                "var '{}': field '{path}' not found in {}",
                var.name,
                target.cur_id().describe()
            )
        })?;
        out.insert(var.name.clone(), value);
    }
    Ok(out)
}

/// Expand `$(NAME)` (and `$$` to `$`) the way Kubernetes expands container variables.
fn expand(s: &str, values: &BTreeMap<String, Value>) -> Value {
    if let Some(name) = s.strip_prefix("$(").and_then(|r| r.strip_suffix(')')) {
        if let Some(v) = values.get(name) {
            if !v.is_string() {
                return v.clone();
            }
        }
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(end) if values.contains_key(&inner[..end]) => {
                    out.push_str(&scalar_text(&values[&inner[..end]]));
                    rest = &inner[end + 1..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    json!(out)
}

fn substitute(v: &mut Value, values: &BTreeMap<String, Value>) {
    match v {
        Value::String(s) if s.contains('$') => *v = expand(s, values),
        Value::Array(items) => items.iter_mut().for_each(|i| substitute(i, values)),
        Value::Object(m) => m.values_mut().for_each(|i| {
            if i.is_string() {
                substitute(i, values)
            }
        }),
        _ => {}
    }
}

pub fn resolve(
    resources: &mut [Resource],
    vars: &[Var],
    specs: &[FieldSpec],
) -> Result<(), String> {
    if vars.is_empty() {
        return Ok(());
    }
    let values = values(resources, vars)?;
    for r in resources.iter_mut() {
        let (g, v) = r.group_version();
        let kind = r.kind().to_string();
        for spec in specs.iter().filter(|s| s.selects(&g, &v, &kind)) {
            let spec = FieldSpec {
                create: false,
                ..spec.clone()
            };
            fieldspec::apply(&mut r.obj, &spec, None, &mut |node| {
                substitute(node, &values);
                Ok(())
            })?;
        }
    }
    Ok(())
}
