//! Field paths as structured-merge-diff names them: `f:<field>`, `k:{"key":value}` for an
//! item of a keyed list, `v:<value>` for an item of a set, `i:<n>` for a positional item.
//! Two spellings exist: the fieldsV1 key (`k:{"name":"nginx"}`) and the human one used in
//! conflict messages (`.spec.containers[name="nginx"].image`).

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// A JSON value with a total order (numbers numerically, then by spelling), so path
/// elements can live in ordered sets the way structured-merge-diff sorts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdValue(pub Value);

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            let (fx, fy) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            fx.total_cmp(&fy)
                .then_with(|| x.to_string().cmp(&y.to_string()))
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (l, r) in x.iter().zip(y) {
                let c = compare_values(l, r);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(_), Value::Object(_)) => canonical(a).cmp(&canonical(b)),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Ord for OrdValue {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_values(&self.0, &other.0)
    }
}

impl PartialOrd for OrdValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compact JSON with object keys sorted, as Go's encoder writes map keys.
pub fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// One step of a field path. The variant order is structured-merge-diff's sort order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathElement {
    /// A field of an object (struct field or map key).
    Field(String),
    /// An item of a keyed list, by its key fields (sorted by name).
    Key(Vec<(String, OrdValue)>),
    /// An item of a set, by value.
    Value(OrdValue),
    /// An item of a list by position (only for reading entries kube wrote).
    Index(usize),
}

pub type Path = Vec<PathElement>;

impl PathElement {
    /// The fieldsV1 key: `f:name`, `k:{"name":"nginx"}`, `v:"a"`, `i:0`.
    pub fn to_fields_v1_key(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(fields) => {
                let obj: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.0.clone()))
                    .collect();
                format!("k:{}", canonical(&Value::Object(obj)))
            }
            PathElement::Value(v) => format!("v:{}", canonical(&v.0)),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Parse a fieldsV1 key; None for anything else (including the `.` self marker).
    pub fn from_fields_v1_key(key: &str) -> Option<Self> {
        let (prefix, rest) = key.split_once(':')?;
        match prefix {
            "f" => Some(PathElement::Field(rest.to_string())),
            "k" => match serde_json::from_str::<Value>(rest).ok()? {
                Value::Object(map) => {
                    let mut fields: Vec<(String, OrdValue)> =
                        map.into_iter().map(|(k, v)| (k, OrdValue(v))).collect();
                    fields.sort_by(|a, b| a.0.cmp(&b.0));
                    Some(PathElement::Key(fields))
                }
                _ => None,
            },
            "v" => serde_json::from_str::<Value>(rest)
                .ok()
                .map(|v| PathElement::Value(OrdValue(v))),
            "i" => rest.parse().ok().map(PathElement::Index),
            _ => None,
        }
    }
}

impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", canonical(&v.0)))
                    .collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(v) => write!(f, "[={}]", canonical(&v.0)),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Human form of a path, as in kube-apiserver's conflict messages.
pub fn display_path(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// The field names of a path, which is what a [`crate::engine::patch::MergeSchema`] is asked
/// about (list items add no segment).
pub fn schema_path(path: &[PathElement]) -> Vec<&str> {
    path.iter()
        .filter_map(|e| match e {
            PathElement::Field(name) => Some(name.as_str()),
            _ => None,
        })
        .collect()
}
