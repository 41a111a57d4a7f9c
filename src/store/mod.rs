//! store layer (see ARCHITECTURE.md).
pub mod types;
pub mod http;
