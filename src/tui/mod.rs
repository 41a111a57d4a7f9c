//! tui layer (see ARCHITECTURE.md): backend seam, pure view-models, pure renderers, app state
//! and update, the event loop and the terminal guard.

pub mod app;
pub mod backend;
pub mod glyphs;
pub mod memory;
pub mod model;
pub mod render;
