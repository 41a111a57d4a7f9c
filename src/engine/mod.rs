//! Pure, I/O-free building blocks shared by controllers, the CLI and the TUI.
pub mod duration;
pub mod patch;
pub mod schema;
pub mod yaml;
