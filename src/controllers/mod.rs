//! controllers layer (see ARCHITECTURE.md): in-process Flux-compatible controllers, one
//! module each, all in the shape of `runtime`.
pub mod artifact;
pub mod bench;
pub mod generator;
pub mod image;
pub mod kustomize;
pub mod rollout;
mod run;
pub mod runtime;
pub mod source_git;

pub use run::{ControllerOptions, ControllersHandle, StartError, run_all};
