//! The Approvals pane's state changes: the selected row, `a`/`x` behind a confirmation, and
//! the commands they become (the backend runs the same intent as `fluxdeck approve|reject`).

use super::input::Input;
use super::state::App;
use crate::tui::backend::{Command, ObjectRef};
use crate::tui::model::approvals::{self, Approval, ApprovalSource};

/// Cursor and scroll of the Approvals pane (the diff scrolls with `detail_scroll`).
#[derive(Debug, Default)]
pub struct ApprovalsState {
    pub cursor: usize,
    pub offset: usize,
    /// The row under the cursor, so it stays selected when rows come and go.
    pub selected: Option<(ObjectRef, String)>,
}

impl App {
    /// Rows in display order.
    pub fn approval_rows(&self) -> Vec<&Approval> {
        approvals::sorted(&self.snapshot.approvals)
    }

    pub fn selected_approval(&self) -> Option<&Approval> {
        let rows = self.approval_rows();
        rows.get(self.approvals.cursor.min(rows.len().saturating_sub(1)))
            .copied()
    }

    /// Keep the same row selected after a snapshot (it may have moved or gone).
    pub fn reselect_approval(&mut self) {
        let rows = self.approval_rows();
        let pos = self.approvals.selected.as_ref().and_then(|(r, id)| {
            rows.iter()
                .position(|a| &a.automation == r && &a.id == id)
                .or_else(|| rows.iter().position(|a| &a.automation == r))
        });
        let len = rows.len();
        if let Some(p) = pos {
            self.approvals.cursor = p;
        }
        self.approvals.cursor = self.approvals.cursor.min(len.saturating_sub(1));
        self.remember_approval();
    }

    fn remember_approval(&mut self) {
        self.approvals.selected = self
            .selected_approval()
            .map(|a| (a.automation.clone(), a.id.clone()));
    }

    /// Move the selection by `delta` rows (clamped); a new row starts its diff at the top.
    pub fn move_approval(&mut self, to: usize) {
        let len = self.approval_rows().len();
        let to = to.min(len.saturating_sub(1));
        if to != self.approvals.cursor {
            self.detail_scroll = 0;
        }
        self.approvals.cursor = to;
        self.remember_approval();
    }

    /// `a` (approve) or `x` (reject): ask for confirmation of exactly what will happen.
    pub fn ask_decision(&mut self, approve: bool) {
        let Some(item) = self.selected_approval().cloned() else {
            return self.set_message("nothing to decide: no pending approvals", true);
        };
        if !approve && matches!(item.source, ApprovalSource::PushBranch { .. }) {
            let branch = match &item.source {
                ApprovalSource::PushBranch { branch, .. } => branch.clone(),
                ApprovalSource::Proposal => String::new(),
            };
            return self.set_message(
                format!(
                    "reject: commits already pushed to '{branch}' are dropped in Git (delete or reset the branch); fluxdeck never rewrites branches"
                ),
                true,
            );
        }
        let (what, command) = if approve {
            (
                item.approve_text(),
                Command::Approve {
                    target: item.automation.clone(),
                    id: item.id.clone(),
                },
            )
        } else {
            (
                item.reject_text(),
                Command::Reject {
                    target: item.automation.clone(),
                    id: item.id.clone(),
                },
            )
        };
        self.input = Some(Input::ConfirmDecision { what, command });
    }
}
