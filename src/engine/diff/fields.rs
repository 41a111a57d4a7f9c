//! Field-level changes between two normalised objects, as dyff reports them: a dotted path
//! (`spec.ports.http.port`), list items keyed by their `name` when every item has a unique one,
//! map entries added/removed reported at the parent.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum FieldChangeKind {
    /// A value (scalar or differently shaped) changed.
    Value { before: Value, after: Value },
    /// Map entries or list items that only the desired state has.
    Added { entries: Value },
    /// Map entries or list items that only the live object has.
    Removed { entries: Value },
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldChange {
    pub path: String,
    #[serde(flatten)]
    pub kind: FieldChangeKind,
}

/// Changes from `live` to `merged`, in document order.
pub fn diff(live: &Value, merged: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", live, merged, &mut out);
    out
}

fn join(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_string()
    } else {
        format!("{path}.{seg}")
    }
}

fn shown(path: &str) -> String {
    if path.is_empty() {
        "(root level)".into()
    } else {
        path.to_string()
    }
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => maps(path, x, y, out),
        (Value::Array(x), Value::Array(y)) => lists(path, x, y, out),
        _ => out.push(FieldChange {
            path: shown(path),
            kind: FieldChangeKind::Value {
                before: a.clone(),
                after: b.clone(),
            },
        }),
    }
}

fn maps(path: &str, x: &Map<String, Value>, y: &Map<String, Value>, out: &mut Vec<FieldChange>) {
    let removed: Map<String, Value> = x
        .iter()
        .filter(|(k, _)| !y.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let added: Map<String, Value> = y
        .iter()
        .filter(|(k, _)| !x.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !removed.is_empty() {
        out.push(FieldChange {
            path: shown(path),
            kind: FieldChangeKind::Removed {
                entries: Value::Object(removed),
            },
        });
    }
    if !added.is_empty() {
        out.push(FieldChange {
            path: shown(path),
            kind: FieldChangeKind::Added {
                entries: Value::Object(added),
            },
        });
    }
    for (k, va) in x {
        if let Some(vb) = y.get(k) {
            walk(&join(path, k), va, vb, out);
        }
    }
}

/// The `name` of every item, when all items are maps with unique names.
fn names(items: &[Value]) -> Option<Vec<&str>> {
    let names: Option<Vec<&str>> = items
        .iter()
        .map(|i| i.get("name").and_then(Value::as_str))
        .collect();
    let names = names?;
    let unique: std::collections::HashSet<&&str> = names.iter().collect();
    (unique.len() == names.len()).then_some(names)
}

fn lists(path: &str, x: &[Value], y: &[Value], out: &mut Vec<FieldChange>) {
    if let (Some(nx), Some(ny)) = (names(x), names(y)) {
        let removed: Vec<Value> = x
            .iter()
            .zip(&nx)
            .filter(|(_, n)| !ny.contains(n))
            .map(|(v, _)| v.clone())
            .collect();
        let added: Vec<Value> = y
            .iter()
            .zip(&ny)
            .filter(|(_, n)| !nx.contains(n))
            .map(|(v, _)| v.clone())
            .collect();
        if !removed.is_empty() {
            out.push(FieldChange {
                path: shown(path),
                kind: FieldChangeKind::Removed {
                    entries: Value::Array(removed),
                },
            });
        }
        if !added.is_empty() {
            out.push(FieldChange {
                path: shown(path),
                kind: FieldChangeKind::Added {
                    entries: Value::Array(added),
                },
            });
        }
        for (va, n) in x.iter().zip(&nx) {
            if let Some(i) = ny.iter().position(|m| m == n) {
                walk(&join(path, n), va, &y[i], out);
            }
        }
        return;
    }
    if x.len() != y.len() {
        out.push(FieldChange {
            path: shown(path),
            kind: FieldChangeKind::Value {
                before: Value::Array(x.to_vec()),
                after: Value::Array(y.to_vec()),
            },
        });
        return;
    }
    for (i, (va, vb)) in x.iter().zip(y).enumerate() {
        walk(&join(path, &i.to_string()), va, vb, out);
    }
}
