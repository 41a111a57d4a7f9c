//! The one shape every controller has (ARCHITECTURE.md "Controllers: one shape"):
//! `reconcile(attempt) -> Outcome`, typed errors carrying Flux reasons, status summarised and
//! patched once at a single exit, Events with Flux's reasons, interval ± 5% jitter,
//! retry policies, suspend, `requestedAt` and watch-driven triggers, and a telemetry bus.
//!
//! Decisions are pure (`conditions`, `summarize`, `schedule`); `driver` does the I/O, always
//! through `kube::Client`, so controllers run the same on the embedded store and a cluster.

mod attempt;
pub mod conditions;
mod driver;
pub mod events;
mod outcome;
mod progress;
pub mod schedule;
pub mod summarize;
pub mod telemetry;

pub use attempt::Attempt;
pub use conditions::CondStatus;
pub use driver::{DriverError, FINALIZER, KindInfo, Reconciler, Running, Trigger, spawn};
pub use events::{EventType, Recorder};
pub use outcome::{Failure, FluxReason, Outcome, RetryPolicy};
pub use progress::{PROGRESSING, Progressing};
pub use telemetry::{Bus, ObjectKey, Telemetry};
