//! The other SOPS file formats Flux decrypts: JSON, binary (a JSON wrapper around one `data`
//! value) and dotenv (metadata flattened into `sops_…` keys), plus the per-value decryption of
//! Secret `data` entries whose content is a SOPS file.

use base64::Engine;
use serde_json::{Map, Value};

use super::{AgeKeys, SopsError, decrypt_document, decrypt_raw, tree};

/// The format of an encrypted file, chosen by extension as Flux does (`.json`, `.yaml`/`.yml`,
/// `.env`, `.ini`; anything else is binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SopsFormat {
    Yaml,
    Json,
    Dotenv,
    Ini,
    Binary,
}

impl SopsFormat {
    pub fn from_file_name(name: &str) -> SopsFormat {
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
        match ext {
            "yaml" | "yml" => SopsFormat::Yaml,
            "json" => SopsFormat::Json,
            "env" => SopsFormat::Dotenv,
            "ini" => SopsFormat::Ini,
            _ => SopsFormat::Binary,
        }
    }

    /// Whether `content` carries the SOPS metadata of this format.
    pub fn looks_encrypted(self, content: &[u8]) -> bool {
        let text = String::from_utf8_lossy(content);
        match self {
            SopsFormat::Yaml => text.contains("sops:") && text.contains("mac:"),
            SopsFormat::Json | SopsFormat::Binary => {
                text.contains("\"sops\"") && text.contains("\"mac\"")
            }
            SopsFormat::Dotenv | SopsFormat::Ini => text.contains("sops_mac"),
        }
    }
}

/// Decrypt a file of the given format into its plaintext file content.
pub fn decrypt_file(
    content: &[u8],
    format: SopsFormat,
    keys: &AgeKeys,
) -> Result<Vec<u8>, SopsError> {
    let text = std::str::from_utf8(content)
        .map_err(|_| SopsError::Malformed("encrypted file is not UTF-8".into()))?;
    match format {
        SopsFormat::Yaml => {
            let doc = decrypt_document(&tree::parse_yaml(text)?, keys)?;
            crate::engine::yaml::to_string(&doc)
                .map(String::into_bytes)
                .map_err(|e| SopsError::Malformed(e.to_string()))
        }
        SopsFormat::Json => {
            let doc = decrypt_document(&parse_json(text)?, keys)?;
            serde_json::to_vec_pretty(&doc).map_err(|e| SopsError::Malformed(e.to_string()))
        }
        SopsFormat::Binary => {
            let (_, raw) = decrypt_raw(&parse_json(text)?, keys)?;
            raw.ok_or_else(|| {
                SopsError::Malformed("binary SOPS file has no encrypted 'data' value".into())
            })
        }
        SopsFormat::Dotenv => {
            let doc = decrypt_document(&parse_dotenv(text)?, keys)?;
            let mut out = String::new();
            for (k, v) in doc.as_object().into_iter().flatten() {
                let value = match v {
                    Value::String(s) => s.replace('\n', "\\n"),
                    other => other.to_string(),
                };
                out.push_str(&format!("{k}={value}\n"));
            }
            Ok(out.into_bytes())
        }
        SopsFormat::Ini => Err(SopsError::Unsupported("INI files".into())),
    }
}

/// Decrypt, in a Secret, every `data` value that is itself a SOPS-encrypted file (the format
/// follows the key's extension). Other values and kinds are returned unchanged.
pub fn decrypt_secret_values(secret: &Value, keys: &AgeKeys) -> Result<Value, SopsError> {
    let mut out = secret.clone();
    if secret.get("kind").and_then(Value::as_str) != Some("Secret") {
        return Ok(out);
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(data) = out.get_mut("data").and_then(Value::as_object_mut) {
        for (key, value) in data.iter_mut() {
            let Some(bytes) = value.as_str().and_then(|s| b64.decode(s).ok()) else {
                continue;
            };
            let format = SopsFormat::from_file_name(key);
            if !format.looks_encrypted(&bytes) {
                continue;
            }
            let plain = decrypt_file(&bytes, format, keys)
                .map_err(|e| SopsError::Malformed(format!("Secret data key '{key}': {e}")))?;
            *value = Value::String(b64.encode(plain));
        }
    }
    Ok(out)
}

fn parse_json(text: &str) -> Result<Value, SopsError> {
    serde_json::from_str(text).map_err(|e| SopsError::Malformed(format!("invalid JSON: {e}")))
}

/// `KEY=VALUE` lines (`\n` escapes newlines); `#` lines are comments; `sops_a__list_0__map_b`
/// keys rebuild the nested `sops` metadata.
fn parse_dotenv(text: &str) -> Result<Value, SopsError> {
    let mut doc = Map::new();
    let mut meta = Value::Object(Map::new());
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| SopsError::Malformed(format!("dotenv line {} has no '='", i + 1)))?;
        let value = Value::String(value.replace("\\n", "\n"));
        match key.strip_prefix("sops_") {
            Some(path) => insert_flat(&mut meta, path, value)?,
            None => {
                doc.insert(key.to_string(), value);
            }
        }
    }
    doc.insert("sops".to_string(), meta);
    Ok(Value::Object(doc))
}

fn insert_flat(target: &mut Value, path: &str, value: Value) -> Result<(), SopsError> {
    let bad = || SopsError::Malformed(format!("bad flattened sops key 'sops_{path}'"));
    let (head, rest) = match path.split_once("__") {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let slot: &mut Value = if let Some(index) = head.strip_prefix("list_") {
        let index: usize = index.parse().map_err(|_| bad())?;
        if !target.is_array() {
            *target = Value::Array(Vec::new());
        }
        let list = target.as_array_mut().ok_or_else(bad)?;
        while list.len() <= index {
            list.push(Value::Null);
        }
        &mut list[index]
    } else {
        let name = head.strip_prefix("map_").unwrap_or(head);
        if !target.is_object() {
            *target = Value::Object(Map::new());
        }
        target
            .as_object_mut()
            .ok_or_else(bad)?
            .entry(name.to_string())
            .or_insert(Value::Null)
    };
    match rest {
        Some(rest) => insert_flat(slot, rest, value),
        None => {
            *slot = value;
            Ok(())
        }
    }
}
