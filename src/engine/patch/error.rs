//! Errors of the patch algorithms. Each names where in the document the problem is (a
//! dotted field path or a JSON pointer) and, where possible, how to fix the patch.

/// A patch that cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// The patch document itself has the wrong shape (e.g. a merge patch that is not an object).
    #[error("invalid patch: {0}")]
    Invalid(String),

    /// One operation of an RFC 6902 JSON patch failed.
    #[error("json patch operation {index} ({op} {path}) failed: {reason}")]
    JsonPatchOp {
        index: usize,
        op: String,
        path: String,
        reason: String,
    },

    /// A `$patch` directive with a value other than replace/delete/merge, or one used where it
    /// is not allowed.
    #[error("invalid $patch directive {directive:?} at {path}: {reason}")]
    BadDirective {
        path: String,
        directive: String,
        reason: String,
    },

    /// A list merged by key contains a patch element without the key.
    #[error(
        "list {path} is merged by key {key}, but patch element {element} has no {key}: add the key or replace the whole list"
    )]
    MissingMergeKey {
        path: String,
        key: String,
        element: String,
    },

    /// `$retainKeys` does not list a key the same patch sets.
    #[error(
        "$retainKeys at {path} does not list {key}, which the patch sets: add it to $retainKeys"
    )]
    RetainKeys { path: String, key: String },

    /// A list mixes elements of different kinds (maps and scalars, or nested lists).
    #[error("list {path} cannot be merged: {reason}")]
    UnmergeableList { path: String, reason: String },
}

/// Dotted form of a schema path for messages: `.spec.template.spec.containers`.
pub(crate) fn dotted(path: &[&str]) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    path.iter().map(|p| format!(".{p}")).collect()
}
