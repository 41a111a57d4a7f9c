//! Commands in flight: submit, progress (◎ → ✔/✗), cancel, and the action log.

use super::input::Input;
use super::state::{ActionEntry, App, Effect, LOG_LEN, Outcome};
use crate::config::Action;
use crate::tui::backend::{Command, Progress};

impl App {
    /// Queue a command for the event loop; returns its id.
    pub fn submit(&mut self, command: Command) -> u64 {
        let id = self.next_action_id;
        self.next_action_id += 1;
        self.actions.push_front(ActionEntry {
            id,
            what: command.describe(),
            started: self.instant,
            finished: None,
            outcome: Outcome::Running,
            message: String::new(),
        });
        self.actions.truncate(LOG_LEN);
        self.effects.push(Effect::Submit { id, command });
        self.dirty = true;
        id
    }

    /// Resume/reconcile/… for the target(s) of the current view.
    pub fn submit_for(&mut self, action: Action) {
        let bulk = matches!(action, Action::Resume | Action::Reconcile);
        let targets = if bulk {
            self.targets()
        } else {
            self.current_target().into_iter().collect()
        };
        for target in targets {
            let cmd = match action {
                Action::Resume => Command::Resume { target },
                Action::Reconcile => Command::Reconcile { target },
                Action::ReconcileWithSource => Command::ReconcileWithSource { target },
                Action::HelmForce => Command::HelmForce { target },
                Action::HelmReset => Command::HelmReset { target },
                _ => return,
            };
            self.submit(cmd);
        }
    }

    pub fn on_progress(&mut self, id: u64, progress: Progress) {
        self.dirty = true;
        let now = self.instant;
        let Some(entry) = self.actions.iter_mut().find(|a| a.id == id) else {
            return;
        };
        if entry.outcome != Outcome::Running {
            return;
        }
        let (outcome, msg) = match progress {
            Progress::Step(m) => (Outcome::Running, m),
            Progress::Done(m) => (Outcome::Done, m),
            Progress::Failed(m) => (Outcome::Failed, m),
        };
        entry.message = msg.clone();
        entry.outcome = outcome;
        if outcome != Outcome::Running {
            entry.finished = Some(now);
        }
        // An apply from the editor: close on success, show the error in place on failure.
        if let Some(Input::Editor(ed)) = &mut self.input {
            if ed.pending == Some(id) {
                match outcome {
                    Outcome::Done => self.input = None,
                    Outcome::Failed => {
                        ed.pending = None;
                        let line = regex::Regex::new(r"line (\d+)").ok().and_then(|re| {
                            re.captures(&msg).and_then(|c| c[1].parse::<usize>().ok())
                        });
                        ed.set_error((line, msg));
                    }
                    _ => {}
                }
            }
        }
    }

    /// The backend's progress channel closed without a final message.
    pub fn on_progress_closed(&mut self, id: u64) {
        if let Some(e) = self
            .actions
            .iter_mut()
            .find(|a| a.id == id && a.outcome == Outcome::Running)
        {
            e.outcome = Outcome::Failed;
            e.message = "backend ended the command without a result".into();
            e.finished = Some(self.instant);
            self.dirty = true;
        }
    }

    pub fn cancel(&mut self, id: u64) {
        if let Some(e) = self
            .actions
            .iter_mut()
            .find(|a| a.id == id && a.outcome == Outcome::Running)
        {
            e.outcome = Outcome::Cancelled;
            e.message = "cancelled".into();
            e.finished = Some(self.instant);
            self.effects.push(Effect::Cancel { id });
            self.dirty = true;
        }
    }

    /// Cancel the most recently started command that is still running.
    pub fn cancel_latest(&mut self) {
        let id = self.running().next().map(|a| a.id);
        if let Some(id) = id {
            self.cancel(id);
        }
    }
}
