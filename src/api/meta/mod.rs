//! Types and helpers shared by every Flux API group (`fluxcd/pkg/apis/meta` and friends):
//! conditions, object references, artifacts, inventories, annotations and the summary
//! readiness used by the TUI and the CLI.

pub mod annotations;
pub mod artifact;
pub mod common;
pub mod conditions;
pub mod inventory;
pub mod ready;
pub mod refs;

pub use artifact::Artifact;
pub use common::*;
pub use conditions::{Condition, ConditionStatus};
pub use inventory::{Inventory, InventoryEntry, ObjMetadata};
pub use ready::{ReadyState, ReadySummary};
pub use refs::*;

/// Fields a newer Flux may add at any object level: kept verbatim so that a
/// read-modify-write through the typed structs never drops them.
pub type Extra = serde_json::Map<String, serde_json::Value>;
