//! tui layer (see ARCHITECTURE.md): backend seam, pure view-models, pure renderers, app state
//! and update, the event loop and the terminal guard.

pub mod app;
pub mod backend;
pub mod glyphs;
pub mod headless;
pub mod memory;
pub mod model;
pub mod render;
pub mod run;
pub mod terminal;

pub use app::View;
pub use backend::{
    Backend, Command, ContextInfo, Mode, ObjectRef, Permissions, Progress, Snapshot,
};
pub use headless::render_frame;
pub use run::{TuiError, TuiOptions, run};
