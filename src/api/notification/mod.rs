//! `notification.toolkit.fluxcd.io`: Provider and Alert (v1beta3, no status), Receiver (v1).
//! v1beta2 Alerts/Providers carried a status (Ready condition); the same types read it.

pub mod alert;
pub mod receiver;

pub use alert::*;
pub use receiver::*;

pub const GROUP: &str = "notification.toolkit.fluxcd.io";
