//! Pure, I/O-free building blocks shared by controllers, the CLI and the TUI.
pub mod duration;
pub mod kustomize;
pub mod patch;
pub mod yaml;
