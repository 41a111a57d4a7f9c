//! Pure, I/O-free patch algorithms shared by the embedded API store and the kustomize engine:
//! RFC 7386 JSON merge patch, RFC 6902 JSON patch, Kubernetes strategic merge patch (with the
//! built-in kinds' patchStrategy/patchMergeKey table and CRD-schema list types), and server-side
//! apply field management (fieldsV1 sets, managedFields, conflicts).
//!
//! Every function takes and returns `serde_json::Value`; key order is preserved (existing keys
//! keep their place, new keys are appended in patch order), which keeps diffs small.

mod builtin_schema;
mod crd_schema;
mod error;
mod json_patch;
mod merge_patch;
mod schema;
pub mod ssa;
mod strategic;

pub use builtin_schema::BuiltinSchema;
pub use crd_schema::CrdSchema;
pub use error::PatchError;
pub use json_patch::json_patch;
pub use merge_patch::{merge_patch, merge_patch_diff};
pub use schema::{AtomicSchema, KYAML_ASSOCIATIVE_KEYS, KyamlFallback, ListStrategy, MergeSchema};
pub use strategic::strategic_merge;
