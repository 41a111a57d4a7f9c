//! Pure view-models: Flux objects in, plain data out. No terminal, no I/O.

pub mod approvals;
pub mod detail;
pub mod diff;
pub mod events;
pub mod filter;
pub mod index;
pub mod kinds;
pub mod kstatus;
pub mod list;
pub mod object;
pub mod time;
pub mod trace;
pub mod tree;
pub mod yaml;
