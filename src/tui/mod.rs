//! tui layer (see ARCHITECTURE.md): backend seam, pure view-models, pure renderers, app state
//! and update, the event loop and the terminal guard.
//!
//! Layering (data flows one way):
//! - `backend`: the seam to the cluster layer (`Snapshot`, `Backend`, `Command`, `Progress`);
//!   `memory` is an in-memory implementation for tests and headless use.
//! - `model`: pure view-models (Flux objects in, rows/trees/lines out).
//! - `app`: state + update (keys → actions → state and `Effect`s; no I/O).
//! - `render`: pure renderers of the app state into a ratatui frame.
//! - `run` + `terminal`: the event loop and the terminal guard (the only I/O).
//! - `headless`: one frame without a terminal (`fluxdeck snapshot`, snapshot tests).
//!
//! Wiring from the composition root:
//! ```ignore
//! let opts = fluxdeck::tui::TuiOptions::load(&context_name, args.ascii, args.read_only)?;
//! fluxdeck::tui::run(backend /* Arc<dyn Backend> */, opts).await?;
//! let text = fluxdeck::tui::render_frame(&backend.snapshot(), view, cols, rows, select, ansi);
//! ```

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
