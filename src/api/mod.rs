//! api layer: the Flux kinds as typed structs (one module per API group), the kinds table,
//! the embedded CRDs, and the meta helpers (conditions, references, inventory, annotations).
//! Older served versions read into the same types; unknown fields survive round trips.

pub mod crds;
pub mod helm;
pub mod image;
pub mod kinds;
pub mod kustomize;
pub mod meta;
pub mod notification;
mod resource;
pub mod source;

pub use kinds::{FluxKind, KindInfo};
