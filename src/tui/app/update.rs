//! Keys → actions → state changes and effects.

use super::avail::Availability;
use super::input::{self, Editor, Input};
use super::state::{App, DetailTab, Effect, Overlay, View};
use crate::config::key::KeyCode;
use crate::config::keymap::Resolution;
use crate::config::{Action, Key};
use crate::tui::model::filter::Filter;
use crate::tui::model::kinds::KindScope;
use crate::tui::model::{events, yaml};

impl App {
    /// One key press from the terminal.
    pub fn on_key(&mut self, key: Key) {
        self.dirty = true;
        if key.ctrl && key.code == KeyCode::Char('z') {
            self.effects.push(Effect::SuspendProcess);
            return;
        }
        if self.overlay.is_some() && self.input.is_none() {
            // Any key closes an overlay; the help key toggles it.
            let layers = self.active_layers();
            let res = self.keymap.resolve(&layers, &[key]);
            if res == Resolution::Exact(Action::Quit) && self.overlay == Some(Overlay::Help) {
                self.overlay = None;
                return;
            }
            self.overlay = None;
            if matches!(
                res,
                Resolution::Exact(Action::Help | Action::Back | Action::ActionLog)
            ) {
                return;
            }
        }
        let layers = self.active_layers();
        self.pending_keys.push(key);
        let pressed = self.pending_keys.clone();
        match self.keymap.resolve(&layers, &pressed) {
            Resolution::Prefix => return,
            Resolution::Exact(action) => {
                self.pending_keys.clear();
                self.run(action);
            }
            Resolution::None => {
                self.pending_keys.clear();
                if pressed.len() > 1 {
                    // A broken chord: retry the last key on its own.
                    return self.on_key(key);
                }
                self.type_into_input(key);
            }
        }
    }

    fn type_into_input(&mut self, key: Key) {
        let changed_filter = match &mut self.input {
            Some(Input::Filter(area)) => input::type_key(area, key, true),
            Some(Input::Command(area)) => {
                input::type_key(area, key, true);
                false
            }
            Some(Input::SuspendReason { area, .. }) => {
                input::type_key(area, key, true);
                false
            }
            Some(Input::Editor(ed)) => {
                input::type_key(&mut ed.area, key, false);
                false
            }
            _ => false,
        };
        if changed_filter {
            self.apply_filter_text();
        }
    }

    fn apply_filter_text(&mut self) {
        if let Some(Input::Filter(area)) = &self.input {
            let text = input::text_of(area);
            match Filter::parse(&text) {
                Ok(f) => {
                    self.list.query.filter = f;
                    self.message = None;
                }
                Err(e) => self.message = Some((e.to_string(), true)),
            }
            self.invalidate_list();
            self.list.cursor = 0;
            if self.view == View::Tree {
                let lower = text.to_lowercase();
                if let Some(i) = self
                    .tree_lines()
                    .iter()
                    .position(|l| !lower.is_empty() && l.label.to_lowercase().contains(&lower))
                {
                    self.tree.cursor = i;
                }
            }
        }
    }

    /// Run one action (from a key, or from tests).
    pub fn run(&mut self, action: Action) {
        use Action::*;
        if self.input.is_some() {
            return self.run_in_input(action);
        }
        match self.availability(action) {
            Availability::Yes => {}
            Availability::ReadOnly => {
                return self.set_message(format!("{}: read-only mode", action.name()), true);
            }
            Availability::NotPermitted => {
                return self.set_message(format!("{}: not permitted (RBAC)", action.name()), true);
            }
            Availability::No => return,
        }
        match action {
            Quit => self.quit = true,
            Back => self.back(),
            Help => self.overlay = Some(Overlay::Help),
            ActionLog => self.overlay = Some(Overlay::ActionLog),
            Command => self.input = Some(Input::Command(input::single_line(""))),
            Filter => {
                let text = self.list.query.filter.text.clone();
                self.input = Some(Input::Filter(input::single_line(&text)));
            }
            ViewList => self.goto(View::List),
            Tree => {
                let t = self.current_target();
                self.goto(View::Tree);
                if let Some(t) = t {
                    self.tree_jump(&t);
                }
            }
            Events => {
                self.focus = self.current_target();
                self.events.global = self.focus.is_none();
                self.goto(View::Events);
            }
            Diff => self.open_diff(),
            NextHunk | PrevHunk | ToggleFullDiff | CopyDiff => self.diff_key(action),
            Open if self.view == View::Diff => self.diff_key(action),
            Approvals => self.goto(View::Approvals),
            Up | Down | PageUp | PageDown | Top | Bottom => self.move_cursor(action),
            Open | Jump | Conditions => self.open(action),
            Yaml => self.open_tab(DetailTab::Yaml),
            Describe => self.open_tab(DetailTab::Describe),
            Trace => self.open_tab(DetailTab::Trace),
            History => self.open_tab(DetailTab::History),
            NextTab | PrevTab => {
                let i = DetailTab::ALL
                    .iter()
                    .position(|t| *t == self.detail_tab)
                    .unwrap_or(0);
                let n = DetailTab::ALL.len();
                self.detail_tab = DetailTab::ALL[if action == NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                self.detail_scroll = 0;
            }
            Select => {
                if let Some(r) = self.selected_row() {
                    if !self.list.marked.remove(&r) {
                        self.list.marked.insert(r);
                    }
                    self.move_cursor(Down);
                }
            }
            SelectAll => {
                let rows: Vec<_> = self
                    .list_model()
                    .rows
                    .iter()
                    .map(|r| r.r().clone())
                    .collect();
                self.list.marked.extend(rows);
            }
            ClearSelection => self.list.marked.clear(),
            SortNext => {
                self.list.query.sort = self.list.query.sort.next();
                self.invalidate_list();
            }
            SortReverse => {
                self.list.query.reverse = !self.list.query.reverse;
                self.invalidate_list();
            }
            HealthFilter => {
                self.list.query.health = self.list.query.health.next();
                self.invalidate_list();
            }
            Expand | Collapse | ToggleExpand | ExpandAll | CollapseAll => self.tree_fold(action),
            Follow => self.events.follow = !self.events.follow,
            TypeFilter => self.events.types = self.events.types.next(),
            GlobalEvents => self.events.global = !self.events.global,
            CopyName => {
                if let Some(t) = self.current_target() {
                    self.effects.push(Effect::Copy(t.to_string()));
                    self.set_message(format!("copied {t}"), false);
                }
            }
            CopyYaml => {
                if let Some(obj) = self.current_target().and_then(|t| self.object(&t)) {
                    self.effects.push(Effect::Copy(yaml::to_yaml(&obj)));
                    self.set_message("copied YAML (Secret values masked)", false);
                }
            }
            CancelAction => self.cancel_latest(),
            Suspend => {
                let targets = self.targets();
                self.input = Some(Input::SuspendReason {
                    targets,
                    area: input::single_line(""),
                });
            }
            Resume | Reconcile | ReconcileWithSource | HelmForce | HelmReset => {
                self.submit_for(action)
            }
            Approve => self.ask_decision(true),
            Reject => self.ask_decision(false),
            Delete => {
                let targets = self.targets();
                self.input = Some(Input::ConfirmDelete { targets });
            }
            Edit => self.start_edit(),
            EditExternal => {
                if let Some(t) = self.current_target() {
                    if let Some(obj) = self.object(&t) {
                        let text = yaml::editable_yaml(&obj);
                        self.effects.push(Effect::ExternalEdit { target: t, text });
                    }
                }
            }
            Noop | Save | Cancel | Submit => {}
        }
    }

    fn back(&mut self) {
        if self.list.query.drift_only && self.view == View::List {
            self.list.query.drift_only = false;
            self.invalidate_list();
            return;
        }
        if !self.list.query.filter.is_empty() && self.view == View::List {
            self.list.query.filter = Filter::default();
            self.invalidate_list();
            return;
        }
        if !self.list.marked.is_empty() && self.view == View::List {
            self.list.marked.clear();
            return;
        }
        if let Some(v) = self.back_stack.pop() {
            self.view = v;
        } else if self.view != View::List {
            self.view = View::List;
        }
    }

    pub fn goto(&mut self, view: View) {
        if self.view != view {
            self.back_stack.push(self.view);
            if self.back_stack.len() > 20 {
                self.back_stack.remove(0);
            }
            self.view = view;
        }
    }

    fn open(&mut self, action: Action) {
        match self.view {
            View::Tree if action == Action::Jump => {
                let Some(line) = self.tree_line() else { return };
                let Some(t) = line.target else { return };
                // Jump to where that object is defined in the tree; open it if already there.
                let here = self.tree.cursor;
                if self.tree_jump(&t) && self.tree.cursor != here {
                    return;
                }
                if self.has_object(&t) {
                    self.focus = Some(t);
                    self.detail_tab = DetailTab::Overview;
                    self.goto(View::Detail);
                }
            }
            View::Events => {
                let rows = self.event_rows();
                if let Some(row) = rows.get(self.events.cursor) {
                    if self.index.get(&row.object).is_some() {
                        self.focus = Some(row.object.clone());
                        self.goto(View::Detail);
                    }
                }
            }
            View::Detail => self.detail_tab = DetailTab::Overview,
            _ => self.open_tab(DetailTab::Overview),
        }
    }

    fn open_tab(&mut self, tab: DetailTab) {
        if let Some(t) = self.current_target() {
            self.focus = Some(t);
            self.detail_tab = tab;
            self.detail_scroll = 0;
            self.goto(View::Detail);
        }
    }

    pub fn event_rows(&self) -> Vec<events::EventRow> {
        let target = if self.events.global {
            None
        } else {
            self.focus.as_ref()
        };
        events::build(&self.snapshot, &self.index, target, self.events.types)
    }

    fn move_cursor(&mut self, action: Action) {
        let page = self.page.max(1);
        let (cursor, len) = match self.view {
            View::Diff => return self.diff_key(action),
            View::List => {
                let len = self.list_model().rows.len();
                (&mut self.list.cursor, len)
            }
            View::Tree => {
                let len = self.tree_lines().len();
                (&mut self.tree.cursor, len)
            }
            View::Events => {
                let len = self.event_rows().len();
                if matches!(action, Action::Up | Action::PageUp | Action::Top) {
                    self.events.follow = false;
                }
                (&mut self.events.cursor, len)
            }
            View::Approvals if !matches!(action, Action::PageUp | Action::PageDown) => {
                let c = self.approvals.cursor;
                let to = match action {
                    Action::Up => c.saturating_sub(1),
                    Action::Down => c + 1,
                    Action::Top => 0,
                    _ => usize::MAX,
                };
                return self.move_approval(to);
            }
            _ => {
                let s = &mut self.detail_scroll;
                *s = match action {
                    Action::Up => s.saturating_sub(1),
                    Action::Down => *s + 1,
                    Action::PageUp => s.saturating_sub(page),
                    Action::PageDown => *s + page,
                    Action::Top => 0,
                    _ => usize::MAX / 2,
                };
                return;
            }
        };
        let max = len.saturating_sub(1);
        *cursor = match action {
            Action::Up => cursor.saturating_sub(1),
            Action::Down => (*cursor + 1).min(max),
            Action::PageUp => cursor.saturating_sub(page),
            Action::PageDown => (*cursor + page).min(max),
            Action::Top => 0,
            _ => max,
        };
    }

    fn tree_fold(&mut self, action: Action) {
        let Some(line) = self.tree_line() else { return };
        match action {
            Action::Expand => {
                self.tree.collapsed.remove(&line.key);
            }
            Action::Collapse => {
                if line.has_children && line.expanded {
                    self.tree.collapsed.insert(line.key);
                } else if let Some(parent) = line.key.rsplit_once('>').map(|(p, _)| p.to_string()) {
                    // Collapse the parent and move onto it.
                    if let Some(i) = self.tree_lines().iter().position(|l| l.key == parent) {
                        self.tree.cursor = i;
                    }
                }
            }
            Action::ToggleExpand => {
                if !self.tree.collapsed.remove(&line.key) && line.has_children {
                    self.tree.collapsed.insert(line.key);
                }
            }
            Action::ExpandAll => self.tree.collapsed.clear(),
            _ => {
                let keys = crate::tui::model::tree::all_parent_keys(self.forest());
                self.tree.collapsed = keys;
                self.tree.cursor = 0;
            }
        }
        self.invalidate_lines();
    }

    /// Marked rows (bulk) for suspend/resume/reconcile in the list, else the current object.
    pub fn targets(&mut self) -> Vec<crate::tui::backend::ObjectRef> {
        if self.view == View::List && !self.list.marked.is_empty() {
            return self.list.marked.iter().cloned().collect();
        }
        self.current_target().into_iter().collect()
    }

    fn start_edit(&mut self) {
        let Some(t) = self.current_target() else {
            return;
        };
        let Some(obj) = self.object(&t) else { return };
        let text = yaml::editable_yaml(&obj);
        self.input = Some(Input::Editor(Editor {
            target: t,
            area: input::editor_area(&text),
            error: None,
            pending: None,
            original: text,
        }));
    }

    /// Text back from $EDITOR: unchanged → nothing; invalid → the in-TUI editor with the
    /// error in place; valid → applied.
    pub fn on_external_edit(
        &mut self,
        target: crate::tui::backend::ObjectRef,
        original: &str,
        edited: Result<String, String>,
    ) {
        self.dirty = true;
        let text = match edited {
            Ok(t) => t,
            Err(e) => return self.set_message(format!("$EDITOR failed: {e}"), true),
        };
        if text.trim() == original.trim() {
            return self.set_message("edit cancelled: no changes", false);
        }
        let mut ed = Editor {
            target,
            area: input::editor_area(&text),
            error: None,
            pending: None,
            original: original.to_string(),
        };
        match yaml::validate_edit(&text) {
            Err(err) => {
                ed.set_error(err);
                self.input = Some(Input::Editor(ed));
            }
            Ok(_) => {
                let id = self.submit(crate::tui::backend::Command::Apply { yaml: text });
                ed.pending = Some(id);
                self.input = Some(Input::Editor(ed));
            }
        }
    }

    fn run_in_input(&mut self, action: Action) {
        let Some(inp) = self.input.take() else { return };
        match (action, inp) {
            (Action::Cancel, Input::Filter(_)) => {
                self.list.query.filter = Filter::default();
                self.invalidate_list();
            }
            (Action::Cancel, Input::Editor(ed)) if ed.pending.is_some() => {
                if let Some(id) = ed.pending {
                    self.cancel(id);
                }
            }
            (Action::Cancel, _) => {}
            (Action::Submit, Input::Filter(_)) => {}
            (Action::Submit, Input::Command(area)) => self.run_command(&input::text_of(&area)),
            (Action::Submit, Input::SuspendReason { targets, area }) => {
                let reason = input::text_of(&area).trim().to_string();
                let reason = (!reason.is_empty()).then_some(reason);
                for target in targets {
                    self.submit(crate::tui::backend::Command::Suspend {
                        target,
                        reason: reason.clone(),
                    });
                }
            }
            (Action::Submit, Input::ConfirmDecision { command, .. }) => {
                self.submit(command);
            }
            (Action::Submit, Input::ConfirmDelete { targets }) => {
                for target in targets {
                    self.submit(crate::tui::backend::Command::Delete { target });
                }
            }
            (Action::Save, Input::Editor(mut ed)) => {
                let text = input::text_of(&ed.area);
                match yaml::validate_edit(&text) {
                    Err(err) => ed.set_error(err),
                    Ok(_) => {
                        ed.error = None;
                        ed.pending =
                            Some(self.submit(crate::tui::backend::Command::Apply { yaml: text }));
                    }
                }
                self.input = Some(Input::Editor(ed));
            }
            (Action::EditExternal, Input::Editor(ed)) => {
                let text = input::text_of(&ed.area);
                self.effects.push(Effect::ExternalEdit {
                    target: ed.target,
                    text,
                });
            }
            (_, other) => {
                // Not an input action (e.g. a prompt-layer key bound to something else).
                self.input = Some(other);
            }
        }
    }

    /// `:` commands: a kind (`ks`, `hr`, `gitrepo`, `all`, …), a view, `q`, `help`, `log`.
    pub fn run_command(&mut self, text: &str) {
        let word = text.trim().trim_start_matches(':');
        if word.is_empty() {
            return;
        }
        if let Some(scope) = KindScope::from_command(word) {
            self.list.query.scope = Some(scope);
            self.list.cursor = 0;
            self.invalidate_list();
            self.goto(View::List);
            return;
        }
        match word {
            "drift" => {
                self.list.query.drift_only = !self.list.query.drift_only;
                self.list.cursor = 0;
                self.invalidate_list();
                self.goto(View::List);
            }
            "q" | "quit" | "q!" => self.quit = true,
            "help" | "h" => self.overlay = Some(Overlay::Help),
            "log" => self.overlay = Some(Overlay::ActionLog),
            other => match View::parse(other) {
                Some(v) => self.goto(v),
                None => self.set_message(format!("unknown command :{other} (kinds: ks, hr, gitrepo, oci, helmrepo, hc, bucket, imgrepo, imgpol, iua, alert, provider, receiver, all; views: list, tree, events, detail, diff, approvals; drift; q, help, log)"), true),
            },
        }
    }
}
