//! Errors of a kustomize build. Each names the file (and field or object) it is about.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum KustomizeError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error(
        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{0}'"
    )]
    MissingKustomization(PathBuf),
    #[error("found multiple kustomization files in directory '{0}': keep only one of them")]
    MultipleKustomizations(PathBuf),
    #[error("invalid kustomization {file}: {message}")]
    InvalidKustomization { file: PathBuf, message: String },
    #[error(
        "{file}: remote base '{target}' in field '{field}' is not supported: fluxdeck builds only from local files; vendor the base into the repository or reference it through a Flux source"
    )]
    RemoteNotSupported {
        file: PathBuf,
        field: String,
        target: String,
    },
    #[error("{file}: field '{field}': {message}")]
    Field {
        file: PathBuf,
        field: String,
        message: String,
    },
    #[error("invalid YAML in {file}: {message}")]
    Yaml { file: PathBuf, message: String },
    #[error("{0}")]
    Build(String),
}

impl KustomizeError {
    pub(crate) fn field(file: &std::path::Path, field: &str, message: impl Into<String>) -> Self {
        KustomizeError::Field {
            file: file.to_path_buf(),
            field: field.to_string(),
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, KustomizeError>;
