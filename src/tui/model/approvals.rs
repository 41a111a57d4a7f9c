//! The Approvals pane's data: one `Approval` per decision waiting in the cluster — a
//! fluxdeck proposal (the approval gate's ConfigMap) or the commits an automation pushed to a
//! separate push branch that are not yet on its checkout branch (real Flux's PR-style flow).
//! The backend fills `Snapshot::approvals`; the pane only reads it.

use super::super::backend::ObjectRef;
use jiff::Timestamp;

/// Where a decision comes from, and what approving it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalSource {
    /// A proposal of the approval gate: approving commits and pushes it.
    Proposal,
    /// Commits on `branch` ahead of `into`: approving merges them (fast-forward when possible).
    PushBranch { branch: String, into: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The ImageUpdateAutomation.
    pub automation: ObjectRef,
    /// Proposal id, or the push branch's head commit: what the user saw is what gets decided.
    pub id: String,
    pub source: ApprovalSource,
    /// ImagePolicies whose selection the change applies (`namespace:name`).
    pub policies: Vec<String>,
    /// Changed files, relative to the repository root.
    pub files: Vec<String>,
    /// (old, new) image references or values, de-duplicated.
    pub images: Vec<(String, String)>,
    /// When the proposal was made (or the newest push-branch commit), RFC 3339.
    pub created: Option<String>,
    /// The commit message that will be (or was) written.
    pub message: String,
    /// Unified diff of the whole change.
    pub diff: String,
    /// Why an approval could not be carried out (the item stays pending).
    pub blocked: Option<String>,
    /// Push-branch rows: `short-sha subject` of each commit ahead, newest first.
    pub commits: Vec<String>,
}

impl Approval {
    /// Age at `now` as kubectl prints it, or "-".
    pub fn age(&self, now: Timestamp) -> String {
        self.created
            .as_deref()
            .and_then(|t| t.parse::<Timestamp>().ok())
            .map(|t| super::time::age(t, now))
            .unwrap_or_else(|| "-".into())
    }

    /// `old → new` of every image, joined.
    pub fn images_text(&self, arrow: &str) -> String {
        let mut parts: Vec<String> = self
            .images
            .iter()
            .map(|(o, n)| format!("{o}{arrow}{n}"))
            .collect();
        parts.dedup();
        parts.join(", ")
    }

    /// What `a` does to this item, for the confirmation prompt.
    pub fn approve_text(&self) -> String {
        match &self.source {
            ApprovalSource::Proposal => format!(
                "approve proposal {} of {}/{}: commit and push",
                self.id, self.automation.namespace, self.automation.name
            ),
            ApprovalSource::PushBranch { branch, into } => format!(
                "merge {branch} into {into} ({} commit(s)) and push",
                self.commits.len().max(1)
            ),
        }
    }

    pub fn reject_text(&self) -> String {
        format!(
            "reject proposal {} of {}/{} (not proposed again until a policy selects another image)",
            self.id, self.automation.namespace, self.automation.name
        )
    }

    /// `proposal` or `branch` for the list (the branch names are in the detail).
    pub fn source_text(&self) -> String {
        match &self.source {
            ApprovalSource::Proposal => "proposal".into(),
            ApprovalSource::PushBranch { .. } => "branch".into(),
        }
    }
}

/// Rows in display order: namespace, automation, proposals before push branches.
pub fn sorted(items: &[Approval]) -> Vec<&Approval> {
    let mut v: Vec<&Approval> = items.iter().collect();
    v.sort_by(|a, b| {
        (
            &a.automation.namespace,
            &a.automation.name,
            matches!(a.source, ApprovalSource::PushBranch { .. }),
        )
            .cmp(&(
                &b.automation.namespace,
                &b.automation.name,
                matches!(b.source, ApprovalSource::PushBranch { .. }),
            ))
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, source: ApprovalSource) -> Approval {
        Approval {
            automation: ObjectRef::new("ImageUpdateAutomation", "flux-system", name),
            id: "abc".into(),
            source,
            policies: vec![],
            files: vec![],
            images: vec![("a:1".into(), "a:2".into()), ("a:1".into(), "a:2".into())],
            created: Some("2026-01-01T11:55:00Z".into()),
            message: String::new(),
            diff: String::new(),
            blocked: None,
            commits: vec![],
        }
    }

    #[test]
    fn rows_sort_by_automation_with_proposals_first() {
        let branch = ApprovalSource::PushBranch {
            branch: "flux/updates".into(),
            into: "main".into(),
        };
        let items = vec![
            item("b", ApprovalSource::Proposal),
            item("a", branch.clone()),
            item("a", ApprovalSource::Proposal),
        ];
        let s = sorted(&items);
        assert_eq!(s[0].automation.name, "a");
        assert_eq!(s[0].source, ApprovalSource::Proposal);
        assert_eq!(s[1].source, branch);
        assert_eq!(s[2].automation.name, "b");
    }

    #[test]
    fn ages_and_images() {
        let i = item("a", ApprovalSource::Proposal);
        let now: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        assert_eq!(i.age(now), "5m");
        assert_eq!(i.images_text(" → "), "a:1 → a:2");
    }
}
