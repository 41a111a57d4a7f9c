//! Building the variable map from `postBuild.substituteFrom` objects and `postBuild.substitute`.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::Value;

use super::SubstError;

/// Flux requires `^[_[:alpha:]][_[:alpha:][:digit:]]*$`.
pub fn validate_var_name(name: &str) -> Result<(), SubstError> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(SubstError::InvalidVarName(name.to_string()))
    }
}

/// Merge variables in Flux order: each ConfigMap/Secret of `substituteFrom` in list order
/// (later ones override), then the inline `substitute` map. ConfigMaps contribute `data` only;
/// Secrets contribute decoded `data` (and `stringData` for objects not yet normalised by an
/// API server). Newlines are removed from every value, and every name is validated.
pub fn collect_vars(
    sources: &[&Value],
    inline: Option<&Value>,
) -> Result<BTreeMap<String, String>, SubstError> {
    let mut vars = BTreeMap::new();
    for source in sources {
        let kind = source
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = source
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let err = |reason: String| SubstError::Source {
            kind: kind.to_string(),
            name: name.to_string(),
            reason,
        };
        let strings = |field: &str| {
            source
                .get(field)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
        };
        match kind {
            "ConfigMap" => {
                for (k, v) in strings("data") {
                    vars.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                }
            }
            "Secret" => {
                for (k, v) in strings("data") {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(v.as_str().unwrap_or_default())
                        .map_err(|e| err(format!("data key '{k}' is not valid base64: {e}")))?;
                    let text = String::from_utf8(bytes)
                        .map_err(|_| err(format!("data key '{k}' is not UTF-8")))?;
                    vars.insert(k.clone(), text);
                }
                for (k, v) in strings("stringData") {
                    vars.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                }
            }
            other => {
                return Err(err(format!(
                    "unsupported kind {other:?}: expected ConfigMap or Secret"
                )));
            }
        }
    }
    if let Some(map) = inline.and_then(Value::as_object) {
        for (k, v) in map {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            vars.insert(k.clone(), text);
        }
    }
    for value in vars.values_mut() {
        value.retain(|c| c != '\n');
    }
    for name in vars.keys() {
        validate_var_name(name)?;
    }
    Ok(vars)
}
