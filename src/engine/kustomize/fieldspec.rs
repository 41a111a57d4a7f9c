//! Field specs: "this path, in resources of this group/version/kind", the way kustomize's
//! transformers find the fields they change. Paths are `/`-separated (`\/` escapes a slash);
//! sequences met on the way are walked element by element; `create` makes missing fields.

use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct FieldSpec {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub create: bool,
}

impl FieldSpec {
    pub fn new(path: &str, create: bool) -> Self {
        FieldSpec {
            path: path.to_string(),
            create,
            ..Default::default()
        }
    }

    /// Whether this spec applies to a resource of this group, version and kind.
    pub fn selects(&self, group: &str, version: &str, kind: &str) -> bool {
        (self.group.is_empty() || self.group == group)
            && (self.version.is_empty() || self.version == version)
            && (self.kind.is_empty() || self.kind == kind)
    }

    fn same_target(&self, other: &FieldSpec) -> bool {
        self.group == other.group
            && self.version == other.version
            && self.kind == other.kind
            && self.path == other.path
    }
}

/// Append specs that are not already present (same gvk and path), as kustomize merges configs.
pub fn merge_specs(into: &mut Vec<FieldSpec>, more: &[FieldSpec]) {
    for spec in more {
        if !into.iter().any(|s| s.same_target(spec)) {
            into.push(spec.clone());
        }
    }
}

/// What a missing leaf is created as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    Map,
    Scalar,
}

#[derive(Debug, Clone)]
struct PathElem {
    name: String,
    sequence: bool,
}

fn parse_path(path: &str) -> Vec<PathElem> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'/') {
            cur.push('/');
            chars.next();
        } else if c == '/' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_suffix("[]") {
            Some(name) => PathElem {
                name: name.to_string(),
                sequence: true,
            },
            None => PathElem {
                name: s,
                sequence: false,
            },
        })
        .collect()
}

/// Call `set` on every field `spec` reaches in `obj` (creating missing fields when the spec says
/// so and `create` is given). The caller checks `spec.selects` first.
pub fn apply(
    obj: &mut Value,
    spec: &FieldSpec,
    create: Option<Create>,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let path = parse_path(&spec.path);
    let create = if spec.create { create } else { None };
    walk(obj, &path, create, set).map_err(|e| format!("path '{}': {e}", spec.path))
}

fn walk(
    node: &mut Value,
    path: &[PathElem],
    create: Option<Create>,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let Some(first) = path.first() else {
        return set(node);
    };
    match node {
        Value::Array(items) => {
            for item in items {
                walk(item, path, create, set)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            let last = path.len() == 1;
            let make: Option<Value> = match create {
                Some(_) if first.sequence => None,
                Some(Create::Map) => Some(Value::Object(Map::new())),
                Some(Create::Scalar) if last => Some(Value::Null),
                Some(Create::Scalar) => Some(Value::Object(Map::new())),
                None => None,
            };
            if !map.contains_key(&first.name) {
                match make {
                    Some(v) => {
                        map.insert(first.name.clone(), v);
                    }
                    None => return Ok(()),
                }
            }
            let Some(child) = map.get_mut(&first.name) else {
                return Ok(());
            };
            if child.is_null() {
                if first.sequence {
                    *child = Value::Array(Vec::new());
                } else if !last || create == Some(Create::Map) {
                    if create.is_none() && !last {
                        return Ok(());
                    }
                    *child = Value::Object(Map::new());
                }
            }
            walk(child, &path[1..], create, set)
        }
        Value::Null => Ok(()),
        _ => Err(format!(
            "expected a sequence or mapping at '{}'",
            first.name
        )),
    }
}

/// Parse a list of specs from YAML config values.
pub fn specs_from_value(v: &Value) -> Result<Vec<FieldSpec>, String> {
    serde_json::from_value(v.clone()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_sequences_and_creates_maps() {
        let mut obj = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let spec = FieldSpec::new("spec/containers[]/labels", true);
        apply(&mut obj, &spec, Some(Create::Map), &mut |v| {
            v.as_object_mut().map(|m| m.insert("x".into(), json!("1")));
            Ok(())
        })
        .unwrap();
        assert_eq!(obj["spec"]["containers"][1]["labels"]["x"], "1");
    }

    #[test]
    fn escaped_slash_is_one_field() {
        let p = parse_path(r"metadata/annotations/a.b\/c");
        assert_eq!(p.len(), 3);
        assert_eq!(p[2].name, "a.b/c");
    }
}
