//! Read a SOPS YAML file into a JSON value with YAML 1.2 core-schema typing (what sops's
//! go-yaml v3 does), so `yes` stays a string and the MAC over unencrypted values matches.
//! Comments are dropped: sops encrypts them but never hashes them into the MAC.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use super::SopsError;

enum Frame {
    Mapping {
        map: Map<String, Value>,
        key: Option<String>,
        anchor: usize,
    },
    Sequence {
        items: Vec<Value>,
        anchor: usize,
    },
}

/// Parse a single-document YAML file.
pub(crate) fn parse_yaml(text: &str) -> Result<Value, SopsError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut documents: Vec<Value> = Vec::new();
    for item in Parser::new_from_str(text) {
        let (event, _span) = item.map_err(|e| SopsError::Yaml {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info(),
        })?;
        let finished = match event {
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Mapping {
                    map: Map::new(),
                    key: None,
                    anchor,
                });
                None
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Sequence {
                    items: Vec::new(),
                    anchor,
                });
                None
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Frame::Mapping { map, anchor, .. }) => Some((Value::Object(map), anchor)),
                Some(Frame::Sequence { items, anchor }) => Some((Value::Array(items), anchor)),
                None => None,
            },
            Event::Scalar(text, style, anchor, _) => Some((scalar(&text, style), anchor)),
            Event::Alias(id) => Some((anchors.get(&id).cloned().unwrap_or(Value::Null), 0)),
            _ => None,
        };
        let Some((value, anchor)) = finished else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            None => documents.push(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { map, key, .. }) => match key.take() {
                None => *key = Some(key_text(&value)),
                Some(k) => {
                    map.insert(k, value);
                }
            },
        }
    }
    match documents.len() {
        1 => Ok(documents.remove(0)),
        0 => Err(SopsError::NotEncrypted),
        n => Err(SopsError::Unsupported(format!(
            "{n} YAML documents in one file; sops files hold one"
        ))),
    }
}

fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// YAML 1.2 core schema for plain scalars; everything quoted or block is a string.
fn scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = integer(text) {
        return Value::Number(n.into());
    }
    if let Some(f) = float(text).and_then(Number::from_f64) {
        return Value::Number(f);
    }
    Value::String(text.to_string())
}

fn integer(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(sign * value)
}

fn float(text: &str) -> Option<f64> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let valid = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().any(|b| b.is_ascii_digit());
    if valid { text.parse().ok() } else { None }
}
