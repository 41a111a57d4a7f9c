//! Pure, I/O-free building blocks shared by controllers, the CLI and the TUI.
pub mod diff;
pub mod duration;
pub mod image_policy;
pub mod kstatus;
pub mod kustomize;
pub mod patch;
pub mod schema;
pub mod semver_range;
pub mod setters;
pub mod sops;
pub mod sprig;
pub mod stored;
pub mod substitute;
pub mod yaml;
