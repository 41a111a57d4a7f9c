//! The diff pane's state and keys: which Kustomization, which object, compact or full,
//! where the body is scrolled; opening the pane asks the backend for a fresh drift report
//! (`Command::Drift`, computed off the UI thread; progress in the status line).

use super::state::{App, DetailTab, Effect, View};
use crate::config::Action;
use crate::engine::diff::unified;
use crate::tui::backend::{Command, DriftStatus, ObjectRef};
use crate::tui::model::diff::{self, PaneModel};
use std::sync::Arc;

/// (Kustomization, report identity, full view, ASCII) — what the cached model was built from.
type ModelKey = (ObjectRef, usize, bool, bool);

#[derive(Debug, Default)]
pub struct DiffState {
    /// The Kustomization whose drift is shown.
    pub target: Option<ObjectRef>,
    /// Selected object in the pane's list.
    pub cursor: usize,
    pub offset: usize,
    /// First visible row of the selected object's diff body.
    pub scroll: usize,
    /// Whole objects instead of hunks with 3 lines of context.
    pub full: bool,
    /// The drift command in flight for `target`.
    pub pending: Option<u64>,
    /// Object to select once the report arrives (`D` pressed on an inventory object).
    pub want: Option<String>,
    model: Option<(ModelKey, Arc<PaneModel>)>,
    /// Styled body rows of the selected object: (hash of what they were built from, rows).
    pub styled: Option<(u64, Vec<ratatui::text::Line<'static>>)>,
}

impl App {
    /// The drift status of the pane's Kustomization, if the backend has one.
    pub fn diff_status(&self) -> Option<&DriftStatus> {
        self.diff
            .target
            .as_ref()
            .and_then(|t| self.snapshot.drift.get(t))
    }

    /// The pane's object list for the current report (cached per report and view).
    pub fn diff_model(&mut self) -> Option<Arc<PaneModel>> {
        let target = self.diff.target.clone()?;
        let Some(DriftStatus::Ready { report, .. }) = self.snapshot.drift.get(&target) else {
            return None;
        };
        let key = (
            target,
            Arc::as_ptr(report) as usize,
            self.diff.full,
            self.glyphs.ascii,
        );
        if let Some((k, m)) = &self.diff.model
            && *k == key
        {
            return Some(m.clone());
        }
        let model = Arc::new(diff::build(report, self.diff.full, self.glyphs.ascii));
        if let Some(want) = self.diff.want.take() {
            match model.objects.iter().position(|o| o.subject == want) {
                Some(i) => self.diff.cursor = i,
                None => self.diff.want = Some(want),
            }
        }
        self.diff.cursor = self.diff.cursor.min(model.objects.len().saturating_sub(1));
        self.diff.model = Some((key, model.clone()));
        Some(model)
    }

    /// `D`: open the pane on the current Kustomization (or the one applying the current
    /// object) and ask for a fresh report; in the pane, recompute.
    pub fn open_diff(&mut self) {
        if self.view == View::Diff {
            if let Some(t) = self.diff.target.clone() {
                self.request_drift(t);
            }
            return;
        }
        let current = self.current_target();
        let target = self.show_diff_of(current);
        self.goto(View::Diff);
        if let Some(t) = target {
            self.request_drift(t);
        }
    }

    /// Point the pane at the Kustomization of `r` (itself, or the one applying it, whose
    /// entry is then preselected); returns that Kustomization.
    pub fn show_diff_of(&mut self, r: Option<ObjectRef>) -> Option<ObjectRef> {
        let (target, want) = match r {
            Some(r) if r.kind == "Kustomization" => (Some(r), None),
            Some(r) => {
                let owner = self.object(&r).and_then(|o| diff::owner_kustomization(&o));
                (owner, Some(r.to_string()))
            }
            None => (None, None),
        };
        if target != self.diff.target {
            self.diff.cursor = 0;
            self.diff.offset = 0;
            self.diff.scroll = 0;
        }
        self.diff.target = target.clone();
        self.diff.want = want;
        target
    }

    fn request_drift(&mut self, target: ObjectRef) {
        let running = self
            .diff
            .pending
            .is_some_and(|id| self.running().any(|a| a.id == id));
        if !running {
            self.diff.pending = Some(self.submit(Command::Drift { target }));
        }
    }

    /// True while the pane's drift command runs.
    pub fn diff_computing(&self) -> bool {
        self.diff
            .pending
            .is_some_and(|id| self.running().any(|a| a.id == id))
    }

    /// Keys of the diff layer and the movement keys while the pane has focus.
    pub fn diff_key(&mut self, action: Action) {
        let Some(model) = self.diff_model() else {
            return;
        };
        let page = self.page.max(1);
        let n = model.objects.len();
        let body = model.objects.get(self.diff.cursor).map(diff::body);
        let starts = body.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
        let rows = body.as_ref().map_or(0, |(r, _)| r.len());
        let d = &mut self.diff;
        match action {
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                let before = d.cursor;
                d.cursor = match action {
                    Action::Up => d.cursor.saturating_sub(1),
                    Action::Down => (d.cursor + 1).min(n.saturating_sub(1)),
                    Action::Top => 0,
                    _ => n.saturating_sub(1),
                };
                if d.cursor != before {
                    d.scroll = 0;
                }
            }
            Action::PageDown => d.scroll = (d.scroll + page).min(rows.saturating_sub(1)),
            Action::PageUp => d.scroll = d.scroll.saturating_sub(page),
            Action::NextHunk => d.scroll = diff::next_hunk(&starts, d.scroll),
            Action::PrevHunk => d.scroll = diff::prev_hunk(&starts, d.scroll),
            Action::ToggleFullDiff => {
                d.full = !d.full;
                d.scroll = 0;
            }
            Action::CopyDiff => {
                if let Some(v) = model.objects.get(d.cursor) {
                    self.effects.push(Effect::Copy(unified::unified_text(v)));
                    let msg = format!("copied the diff of {} (Secret values masked)", v.subject);
                    self.set_message(msg, false);
                }
            }
            Action::Open => {
                let r = model
                    .objects
                    .get(d.cursor)
                    .and_then(|v| ObjectRef::parse(&v.subject));
                if let Some(r) = r.filter(|r| self.has_object(r)) {
                    self.focus = Some(r);
                    self.detail_tab = DetailTab::Overview;
                    self.detail_scroll = 0;
                    self.goto(View::Detail);
                }
            }
            _ => {}
        }
    }
}
