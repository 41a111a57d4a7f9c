//! controllers layer (see ARCHITECTURE.md): in-process Flux-compatible controllers, one
//! module each, all in the shape of `runtime`.
pub mod artifact;
pub mod runtime;
pub mod source_git;
