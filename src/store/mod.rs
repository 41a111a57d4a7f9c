//! store layer (see ARCHITECTURE.md): the embedded Kubernetes-API-compatible server core.
//! `Store` is the entry point; `types` is the contract shared with the HTTP transport.
pub mod types;

pub mod bench;
pub mod builtin;
pub mod catalog;
pub mod columns;
pub mod convert;
pub mod crd;
mod delete;
mod gc;
pub mod http;
pub mod jsonpath;
mod list;
pub mod log;
pub mod meta;
mod patching;
mod persist;
pub mod schema_hook;
pub mod selector;
mod state;
#[allow(clippy::module_inception)]
mod store;
pub mod watch;
mod write;
mod write_checks;

pub use store::{Store, StoreConfig};
pub use watch::WatchStream;
