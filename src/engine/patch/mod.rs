//! Pure, I/O-free patch algorithms shared by the embedded API store and the kustomize engine:
//! RFC 7386 JSON merge patch, RFC 6902 JSON patch, Kubernetes strategic merge patch (with the
//! built-in kinds' patchStrategy/patchMergeKey table and CRD-schema list types), and server-side
//! apply field management (fieldsV1 sets, managedFields, conflicts).
//!
//! Every function takes and returns `serde_json::Value`; key order is preserved (existing keys
//! keep their place, new keys are appended in patch order), which keeps diffs small.
//!
//! Which schema to pass:
//! - built-in kinds: [`BuiltinSchema::for_kind`]`(api_version, kind)`;
//! - custom resources: [`CrdSchema::from_crd`] / [`CrdSchema::new`] (list types from the CRD);
//! - nothing known: [`AtomicSchema`] (lists replaced), or [`KyamlFallback`] around any schema
//!   for kustomize's associative-key guess.
//!
//! Notes for callers: kube-apiserver refuses strategic merge patches for custom resources
//! (415); a top-level `$patch: delete` (kustomize: delete the resource) yields `{}` here, so
//! check it before calling; nulls inside new values are dropped, as the API server's decoding
//! drops them.

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
