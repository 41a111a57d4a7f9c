//! Which actions exist in the focused view, and whether the user may run them. The help
//! overlay and the hint bar are generated from this, so they never offer a dead key.

use super::input::Input;
use super::state::{App, View};
use crate::config::{Action, Layer};
use crate::tui::backend::Verb;
use crate::tui::model::kinds;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Yes,
    /// A write in read-only mode.
    ReadOnly,
    /// SelfSubjectAccessReview said no.
    NotPermitted,
    /// Does not apply here (wrong kind, nothing selected, …).
    No,
}

impl App {
    /// Layers consulted for keys, in priority order.
    pub fn active_layers(&self) -> Vec<Layer> {
        match &self.input {
            Some(Input::Editor(_)) => return vec![Layer::Editor],
            Some(_) => return vec![Layer::Prompt],
            None => {}
        }
        let view_layer = match self.view {
            View::List => Layer::List,
            View::Tree => Layer::Tree,
            View::Events => Layer::Events,
            View::Detail => Layer::Detail,
            View::Diff => Layer::Diff,
            View::Approvals => Layer::Approvals,
        };
        vec![view_layer, Layer::Global]
    }

    pub fn availability(&mut self, action: Action) -> Availability {
        use Action::*;
        if self.input.is_some() {
            return Availability::Yes;
        }
        let needs_target = matches!(
            action,
            Suspend
                | Resume
                | Reconcile
                | ReconcileWithSource
                | HelmForce
                | HelmReset
                | Delete
                | Edit
                | EditExternal
                | Yaml
                | Describe
                | Trace
                | History
                | Conditions
                | CopyName
                | CopyYaml
                | Select
                | Open
                | Jump
        );
        let target = self.current_target();
        if needs_target && target.is_none() && !(action == Open && self.view == View::Events) {
            return Availability::No;
        }
        let kind = target.as_ref().map(|t| t.kind.clone()).unwrap_or_default();
        let applies = match action {
            ReconcileWithSource => {
                matches!(kind.as_str(), "Kustomization" | "HelmRelease" | "HelmChart")
            }
            HelmForce | HelmReset => kind == "HelmRelease",
            Reconcile => kinds::info(&kind).is_some_and(|k| !k.static_object()),
            Suspend | Resume => kinds::info(&kind).is_some_and(|k| k.suspendable()),
            Select | SelectAll | ClearSelection | SortNext | SortReverse | HealthFilter => {
                self.view == View::List
            }
            CancelAction => self.running().next().is_some(),
            Approve | Reject => self.view == View::Approvals && self.selected_approval().is_some(),
            NextHunk | PrevHunk | ToggleFullDiff | CopyDiff => self.view == View::Diff,
            _ => true,
        };
        if !applies {
            return Availability::No;
        }
        if action.is_write() {
            if self.read_only {
                return Availability::ReadOnly;
            }
            let verb = if action == Delete {
                Verb::Delete
            } else {
                Verb::Patch
            };
            if let Some(t) = &target {
                if !self
                    .snapshot
                    .permissions
                    .allows(verb, &t.kind, &t.namespace)
                {
                    return Availability::NotPermitted;
                }
            }
        }
        Availability::Yes
    }
}
