//! The one YAML module: every manifest read or written by fluxdeck goes through here, so the
//! scalar rules stay those of kubectl everywhere (`0644` is 420, `yes` is true, empty and
//! comment-only documents are skipped, streams of any size are accepted).
//!
//! Reading uses serde-saphyr (what kube uses) with `legacy_octal_numbers`; the value model is
//! `serde_json::Value` with insertion order preserved. Writing uses yaml_serde (the maintained
//! serde_yaml), which keeps key order and quotes ambiguous scalars.

#[path = "yaml_fold.rs"]
mod fold;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A YAML document that could not be read, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    #[error("invalid YAML{}: {message}", origin.as_deref().map(|o| format!(" in {o}")).unwrap_or_default())]
    Parse {
        origin: Option<String>,
        message: String,
    },
    #[error("cannot write YAML: {0}")]
    Emit(String),
}

impl YamlError {
    /// Attach the file (or other origin) the text came from, so the message says where.
    pub fn in_origin(self, origin: impl Into<String>) -> Self {
        match self {
            YamlError::Parse { message, .. } => YamlError::Parse {
                origin: Some(origin.into()),
                message,
            },
            other => other,
        }
    }
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        legacy_octal_numbers: true,
        budget: None,
    }
}

/// Parse a multi-document YAML stream into JSON values, skipping empty and null documents.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    let docs: Vec<Value> =
        serde_saphyr::from_multiple_with_options(&fold::go_yaml_folding(text), options()).map_err(
            |e| YamlError::Parse {
                origin: None,
                message: e.to_string(),
            },
        )?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// Like [`parse_documents`], but a key repeated in one mapping keeps its last value instead of
/// failing: how go-yaml (and so kustomize) reads kustomization files.
pub fn parse_documents_last_key_wins(text: &str) -> Result<Vec<Value>, YamlError> {
    let options = serde_saphyr::options! {
        legacy_octal_numbers: true,
        budget: None,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
    };
    let docs: Vec<Value> =
        serde_saphyr::from_multiple_with_options(&fold::go_yaml_folding(text), options).map_err(
            |e| YamlError::Parse {
                origin: None,
                message: e.to_string(),
            },
        )?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// Parse exactly one YAML document into any deserialisable type.
pub fn parse_one<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options(&fold::go_yaml_folding(text), options()).map_err(|e| {
        YamlError::Parse {
            origin: None,
            message: e.to_string(),
        }
    })
}

/// Serialise one value as a YAML document (no leading `---`).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, YamlError> {
    serde_yaml::to_string(value).map_err(|e| YamlError::Emit(e.to_string()))
}

/// Serialise several documents as one stream separated by `---` lines, as kubectl prints them.
pub fn to_stream<'a, I>(docs: I) -> Result<String, YamlError>
where
    I: IntoIterator<Item = &'a Value>,
{
    let mut out = String::new();
    for (i, doc) in docs.into_iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&to_string(doc)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn octal_and_bool_follow_kubectl() {
        let docs = parse_documents("mode: 0644\nflag: yes\n").unwrap();
        assert_eq!(docs[0], json!({"mode": 420, "flag": true}));
    }

    #[test]
    fn repeated_keys_keep_the_last_value_when_asked() {
        let docs = parse_documents_last_key_wins("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(docs[0], json!({"a": 3, "b": 2}));
        assert!(parse_documents("a: 1\na: 3\n").is_err());
    }

    #[test]
    fn empty_and_comment_documents_are_skipped() {
        let docs = parse_documents("---\n# only a comment\n---\na: 1\n---\n").unwrap();
        assert_eq!(docs, vec![json!({"a": 1})]);
    }

    #[test]
    fn key_order_survives_a_round_trip() {
        let docs = parse_documents("zeta: 1\nalpha: 2\n").unwrap();
        assert_eq!(to_string(&docs[0]).unwrap(), "zeta: 1\nalpha: 2\n");
    }

    #[test]
    fn errors_name_their_origin() {
        let err = parse_documents("a: [1\n")
            .unwrap_err()
            .in_origin("apps/deploy.yaml");
        assert!(err.to_string().contains("apps/deploy.yaml"), "{err}");
    }

    #[test]
    fn streams_are_joined_with_separators() {
        let a = json!({"a": 1});
        let b = json!({"b": 2});
        assert_eq!(to_stream([&a, &b]).unwrap(), "a: 1\n---\nb: 2\n");
    }
}
