//! Everything that talks to "a cluster" through kube::Client (never to store/ directly):
//! client construction, kind resolution, intents and their progress, readiness rules.
pub mod approvals;
pub mod cache;
pub mod connect;
pub mod intents;
pub mod kinds;
pub mod progress;
pub mod push_branch;
pub mod readiness;
