//! SOPS decryption for age recipients (SPEC §6.5): a document with a top-level `sops` map is
//! decrypted value by value (AES-256-GCM, AAD = the key path) after unwrapping the data key
//! with an age identity, and the MAC over all values is verified. Plus masking helpers so a
//! console never shows Secret data.

mod crypto;
mod formats;
mod mask;
mod tree;

pub use formats::{SopsFormat, decrypt_file, decrypt_secret_values};
pub use mask::{MASK, mask_encrypted_values, mask_secret_data};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SopsError {
    #[error("not a SOPS document: no top-level 'sops' map with a 'mac'")]
    NotEncrypted,
    #[error("invalid age identity on line {line}: expected AGE-SECRET-KEY-1…")]
    BadIdentity { line: usize },
    #[error(
        "the document has no age recipients (it is encrypted for {0}); only age keys are supported"
    )]
    NoAgeRecipients(String),
    #[error("none of the provided age identities can decrypt the data key (recipients: {})", recipients.join(", "))]
    NoMatchingKey { recipients: Vec<String> },
    #[error("cannot decrypt value at '{path}': wrong data key or the value/path was tampered with")]
    DecryptFailed { path: String },
    #[error("malformed SOPS document: {0}")]
    Malformed(String),
    #[error(
        "MAC mismatch: the file was modified after encryption (computed {computed}, stored {stored})"
    )]
    MacMismatch { computed: String, stored: String },
    #[error("invalid YAML at line {line}, column {column}: {message}")]
    Yaml {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unsupported SOPS file: {0}")]
    Unsupported(String),
}

/// A set of age X25519 identities, e.g. from a Flux decryption Secret's `*.agekey` entries.
#[derive(Clone, Default)]
pub struct AgeKeys {
    identities: Vec<age::x25519::Identity>,
}

impl std::fmt::Debug for AgeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AgeKeys({} identities)", self.identities.len())
    }
}

impl AgeKeys {
    /// Parse an age key file: one `AGE-SECRET-KEY-1…` per line; `#` comments and blanks ignored.
    pub fn parse(text: &str) -> Result<AgeKeys, SopsError> {
        let mut keys = AgeKeys::default();
        keys.add(text)?;
        Ok(keys)
    }

    pub fn add(&mut self, text: &str) -> Result<(), SopsError> {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let identity = line
                .parse()
                .map_err(|_| SopsError::BadIdentity { line: i + 1 })?;
            self.identities.push(identity);
        }
        Ok(())
    }

    /// Collect the identities of a Flux decryption Secret: every `data` entry whose key ends in
    /// `.agekey` (other key types such as `.asc` are not supported and are skipped).
    pub fn from_secret(secret: &Value) -> Result<AgeKeys, SopsError> {
        let mut keys = AgeKeys::default();
        for (name, value) in secret
            .get("data")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !name.ends_with(".agekey") {
                continue;
            }
            let bytes = base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                value.as_str().unwrap_or_default(),
            )
            .map_err(|e| {
                SopsError::Malformed(format!("decryption Secret key '{name}' is not base64: {e}"))
            })?;
            keys.add(&String::from_utf8_lossy(&bytes))?;
        }
        Ok(keys)
    }

    pub fn len(&self) -> usize {
        self.identities.len()
    }
    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }
}

/// Whether the object carries SOPS metadata with a MAC (Flux decrypts only those).
pub fn is_sops_document(obj: &Value) -> bool {
    obj.get("sops")
        .and_then(|s| s.get("mac"))
        .and_then(Value::as_str)
        .is_some_and(|m| !m.is_empty())
}

/// Annotation that opts a resource out of post-build decryption.
pub const DECRYPT_KEY: &str = "kustomize.toolkit.fluxcd.io/decrypt";

/// Whether the resource is annotated `kustomize.toolkit.fluxcd.io/decrypt: disabled`.
pub fn decryption_disabled(obj: &Value) -> bool {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(DECRYPT_KEY))
        .and_then(Value::as_str)
        == Some("disabled")
}

/// The apply-time guard: a v1 Secret that still carries SOPS metadata (no decryption
/// configured, decryption not disabled) must not reach the cluster.
pub fn check_not_encrypted_secret(obj: &Value) -> Result<(), String> {
    let text = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or_default();
    if text("/apiVersion") == "v1"
        && text("/kind") == "Secret"
        && is_sops_document(obj)
        && !decryption_disabled(obj)
    {
        return Err(format!(
            "Secret/{}/{} is SOPS encrypted, configuring decryption is required for this secret to be reconciled",
            text("/metadata/namespace"),
            text("/metadata/name")
        ));
    }
    Ok(())
}

/// Decrypt a SOPS-encrypted YAML file (YAML 1.2 typing, as sops writes it).
pub fn decrypt_yaml(text: &str, keys: &AgeKeys) -> Result<Value, SopsError> {
    decrypt_document(&tree::parse_yaml(text)?, keys)
}

/// Decrypt a SOPS document already read as a value; returns it without the `sops` key.
pub fn decrypt_document(doc: &Value, keys: &AgeKeys) -> Result<Value, SopsError> {
    decrypt_raw(doc, keys).map(|(value, _)| value)
}

/// `decrypt_document`, also returning the raw plaintext of a top-level `data` value (binary
/// SOPS files keep arbitrary bytes there, which need not be UTF-8).
pub(crate) fn decrypt_raw(
    doc: &Value,
    keys: &AgeKeys,
) -> Result<(Value, Option<Vec<u8>>), SopsError> {
    if !is_sops_document(doc) {
        return Err(SopsError::NotEncrypted);
    }
    let meta = &doc["sops"];
    let entries: Vec<(String, String)> = meta
        .get("age")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e.get("recipient")?.as_str()?.to_string(),
                e.get("enc")?.as_str()?.to_string(),
            ))
        })
        .collect();
    if entries.is_empty() {
        let others: Vec<&str> = ["kms", "gcp_kms", "azure_kv", "hc_vault", "pgp"]
            .into_iter()
            .filter(|k| {
                meta.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
            })
            .collect();
        return Err(SopsError::NoAgeRecipients(if others.is_empty() {
            "no known key type".into()
        } else {
            others.join(", ")
        }));
    }
    let data_key = crypto::data_key_from_age(&entries, &keys.identities)?;
    let mac_only_encrypted = meta.get("mac_only_encrypted").is_some_and(go_parse_bool);
    let mut hasher = Sha512::new();
    if mac_only_encrypted {
        // sops seeds this MAC with sha256("sops") so it never equals the full-document MAC.
        hasher.update(Sha256::digest(b"sops"));
    }
    let mut walk = Walk {
        key: &data_key,
        hasher,
        mac_only_encrypted,
        raw_data: None,
    };
    let mut out = Map::new();
    for (k, v) in doc.as_object().into_iter().flatten() {
        if k == "sops" {
            continue;
        }
        out.insert(k.clone(), walk.value(v, &mut vec![k.clone()])?);
    }
    let computed: String = walk
        .hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    verify_mac(meta, &data_key, &computed)?;
    Ok((Value::Object(out), walk.raw_data))
}

fn verify_mac(meta: &Value, data_key: &[u8; 32], computed: &str) -> Result<(), SopsError> {
    let stored_enc = meta["mac"].as_str().unwrap_or_default();
    let last_modified = meta
        .get("lastmodified")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let parsed = crypto::parse_encrypted(stored_enc)
        .map_err(|e| SopsError::Malformed(format!("sops.mac: {e}")))?;
    let stored = crypto::decrypt(&parsed, data_key, last_modified).map_err(|_| {
        SopsError::DecryptFailed {
            path: "sops.mac".to_string(),
        }
    })?;
    let stored = String::from_utf8_lossy(&stored).to_string();
    if !stored.eq_ignore_ascii_case(computed) {
        return Err(SopsError::MacMismatch {
            computed: computed.to_string(),
            stored,
        });
    }
    Ok(())
}

struct Walk<'a> {
    key: &'a [u8; 32],
    hasher: Sha512,
    mac_only_encrypted: bool,
    raw_data: Option<Vec<u8>>,
}

impl Walk<'_> {
    /// `path` holds the mapping keys leading here (sequence indices are not part of the AAD).
    fn value(&mut self, v: &Value, path: &mut Vec<String>) -> Result<Value, SopsError> {
        match v {
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, child) in map {
                    path.push(k.clone());
                    let decrypted = self.value(child, path);
                    path.pop();
                    out.insert(k.clone(), decrypted?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .map(|item| self.value(item, path))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Value::String(s) if crypto::is_encrypted_text(s) => self.decrypt_leaf(s, path),
            leaf => {
                if !self.mac_only_encrypted {
                    self.hasher.update(plain_bytes(leaf));
                }
                Ok(leaf.clone())
            }
        }
    }

    fn decrypt_leaf(&mut self, text: &str, path: &[String]) -> Result<Value, SopsError> {
        let shown = path.join(".");
        let enc = crypto::parse_encrypted(text)
            .map_err(|e| SopsError::Malformed(format!("{shown}: {e}")))?;
        let aad = format!("{}:", path.join(":"));
        let plain =
            crypto::decrypt(&enc, self.key, &aad).map_err(|_| SopsError::DecryptFailed {
                path: shown.clone(),
            })?;
        self.hasher.update(&plain);
        if path == ["data"] {
            self.raw_data = Some(plain.clone());
        }
        let text = match String::from_utf8(plain) {
            Ok(text) => text,
            // Binary payloads: the raw bytes are kept in `raw_data`; show them lossily.
            Err(e) if path == ["data"] => String::from_utf8_lossy(e.as_bytes()).to_string(),
            Err(_) => return Err(SopsError::Malformed(format!("{shown}: value is not UTF-8"))),
        };
        let bad = |what: &str| SopsError::Malformed(format!("{shown}: decrypted value {what}"));
        Ok(match enc.kind.as_str() {
            "int" => Value::Number(
                text.parse::<i64>()
                    .map_err(|_| bad("is not an int"))?
                    .into(),
            ),
            // JSON numbers are float64 in sops; integral ones print without a fraction.
            "float" => match text.parse::<i64>() {
                Ok(i) => Value::Number(i.into()),
                Err(_) => text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| bad("is not a float"))?,
            },
            "bool" => Value::Bool(text.eq_ignore_ascii_case("true")),
            _ => Value::String(text),
        })
    }
}

/// sops reads `mac_only_encrypted` with Go's `strconv.ParseBool`, so `"true"` counts too.
fn go_parse_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True"),
        _ => false,
    }
}

/// How sops feeds an unencrypted value into the MAC.
fn plain_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Bool(true) => b"True".to_vec(),
        Value::Bool(false) => b"False".to_vec(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string().into_bytes(),
            None => n
                .as_f64()
                .map(|f| f.to_string())
                .unwrap_or_default()
                .into_bytes(),
        },
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
