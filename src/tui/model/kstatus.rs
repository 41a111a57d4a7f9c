//! Health of managed (non-Flux) objects shown in the tree's inventory: the crate's kstatus
//! engine with Flux's rules (a Job is Current only when complete), mapped to console health.

use super::object::Health;
use crate::engine::kstatus::{self, Rules, Status};
use serde_json::Value;

/// Console health for one kstatus status.
pub fn health_of(status: Status) -> Health {
    match status {
        Status::Current => Health::Ready,
        Status::Failed => Health::Failing,
        Status::InProgress | Status::Terminating => Health::InProgress,
        Status::NotFound | Status::Unknown => Health::Unknown,
    }
}

/// (health, short message) of a managed object. An object kstatus cannot read (a malformed
/// field its rules depend on) is Unknown, with the reason as its message.
pub fn managed_health(obj: &Value) -> (Health, String) {
    match kstatus::compute_with(obj, Rules::Flux) {
        Ok(r) => (health_of(r.status), r.message),
        Err(e) => (Health::Unknown, e.to_string()),
    }
}
