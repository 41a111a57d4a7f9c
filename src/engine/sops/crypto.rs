//! The cryptography of a SOPS file: the age-wrapped data key, `ENC[AES256_GCM,…]` values
//! (AES-256-GCM with a 32-byte nonce, AAD = the key path), and the SHA-512 MAC.

use aes_gcm::aead::consts::U32;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes256;
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;

use super::SopsError;

type SopsCipher = AesGcm<Aes256, U32>;

/// The decoded parts of an `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` string.
pub(crate) struct EncryptedValue {
    data: Vec<u8>,
    iv: Vec<u8>,
    tag: Vec<u8>,
    pub kind: String,
}

pub(crate) fn is_encrypted_text(s: &str) -> bool {
    s.starts_with("ENC[") && s.ends_with(']')
}

pub(crate) fn parse_encrypted(s: &str) -> Result<EncryptedValue, String> {
    let inner = s
        .strip_prefix("ENC[")
        .and_then(|r| r.strip_suffix(']'))
        .ok_or("not an ENC[...] value")?;
    let mut parts = inner.split(',');
    match parts.next() {
        Some("AES256_GCM") => {}
        other => return Err(format!("unsupported cipher {other:?} (only AES256_GCM)")),
    }
    let (mut data, mut iv, mut tag, mut kind) = (None, None, None, None);
    for part in parts {
        let (name, value) = part
            .split_once(':')
            .ok_or_else(|| format!("malformed field {part:?}"))?;
        let decode = |v: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(v)
                .map_err(|e| format!("field {name}: {e}"))
        };
        match name {
            "data" => data = Some(decode(value)?),
            "iv" => iv = Some(decode(value)?),
            "tag" => tag = Some(decode(value)?),
            "type" => kind = Some(value.to_string()),
            other => return Err(format!("unknown field {other:?}")),
        }
    }
    let missing = |f: &str| format!("missing {f}");
    let iv = iv.ok_or_else(|| missing("iv"))?;
    if iv.len() != 32 {
        return Err(format!("iv is {} bytes, expected 32", iv.len()));
    }
    Ok(EncryptedValue {
        data: data.ok_or_else(|| missing("data"))?,
        iv,
        tag: tag.ok_or_else(|| missing("tag"))?,
        kind: kind.unwrap_or_else(|| "str".to_string()),
    })
}

/// Decrypt one value. `aad` is the key path (`stringData:password:`) or, for the MAC, the
/// `lastmodified` text.
pub(crate) fn decrypt(
    value: &EncryptedValue,
    data_key: &[u8; 32],
    aad: &str,
) -> Result<Vec<u8>, ()> {
    let cipher = SopsCipher::new(data_key.into());
    let mut message = value.data.clone();
    message.extend_from_slice(&value.tag);
    cipher
        .decrypt(
            Nonce::<U32>::from_slice(&value.iv),
            Payload {
                msg: &message,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| ())
}

/// Unwrap the data key from the `sops.age[]` entries with any of the identities.
pub(crate) fn data_key_from_age(
    entries: &[(String, String)],
    identities: &[age::x25519::Identity],
) -> Result<[u8; 32], SopsError> {
    for (_recipient, armored) in entries {
        for identity in identities {
            if let Ok(key) = age::decrypt(identity, armored.as_bytes()) {
                return key.try_into().map_err(|k: Vec<u8>| {
                    SopsError::Malformed(format!("data key is {} bytes, expected 32", k.len()))
                });
            }
        }
    }
    Err(SopsError::NoMatchingKey {
        recipients: entries.iter().map(|(r, _)| r.clone()).collect(),
    })
}
