//! App state and its update functions (pure: no terminal, no backend calls; side effects are
//! returned as `Effect`s for the event loop).

pub mod actions;
pub mod approvals;
pub mod avail;
pub mod diff;
pub mod input;
pub mod state;
pub mod update;

pub use avail::Availability;
pub use state::{App, DetailTab, Effect, Outcome, Overlay, View};
