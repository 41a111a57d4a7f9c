//! Apply errors, worded as kube-apiserver words them so clients and users see the familiar
//! `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1:
//! .spec.replicas`.

use std::fmt;

/// One field another manager owns with a different value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The owner as kube prints it: `"name"`, with ` using <apiVersion>` for Update owners.
    pub manager: String,
    /// The field, e.g. `.spec.template.spec.containers[name="nginx"].image`.
    pub path: String,
}

/// All conflicts of one apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyConflicts {
    pub conflicts: Vec<Conflict>,
}

impl ApplyConflicts {
    pub fn new(conflicts: Vec<Conflict>) -> Self {
        ApplyConflicts { conflicts }
    }

    /// The Status `details.causes` kube returns: (message, field) with reason
    /// FieldManagerConflict.
    pub fn causes(&self) -> Vec<(String, String)> {
        self.conflicts
            .iter()
            .map(|c| (format!("conflict with {}", c.manager), c.path.clone()))
            .collect()
    }
}

impl fmt::Display for ApplyConflicts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.conflicts.as_slice() {
            return write!(
                f,
                "Apply failed with 1 conflict: conflict with {}: {}",
                only.manager, only.path
            );
        }
        let mut managers: Vec<&str> = self.conflicts.iter().map(|c| c.manager.as_str()).collect();
        managers.sort();
        managers.dedup();
        let mut lines = Vec::new();
        for manager in managers {
            lines.push(format!("conflicts with {manager}:"));
            for c in self.conflicts.iter().filter(|c| c.manager == manager) {
                lines.push(format!("- {}", c.path));
            }
        }
        write!(
            f,
            "Apply failed with {} conflicts: {}",
            self.conflicts.len(),
            lines.join("\n")
        )
    }
}

impl std::error::Error for ApplyConflicts {}

/// Why an apply was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// Fields owned by other managers would change (HTTP 409, reason Conflict).
    #[error("{0}")]
    Conflicts(ApplyConflicts),
    /// The configuration cannot be applied (HTTP 422/400).
    #[error("invalid apply configuration: {0}")]
    Invalid(String),
}
