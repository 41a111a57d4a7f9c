//! Application state. Everything the renderers read lives here; the event loop only feeds
//! it (keys, snapshots, progress, timers) and carries out the `Effect`s it asks for.

use super::super::backend::{Command, ObjectRef, Snapshot, StoredObject};
use super::super::glyphs::Glyphs;
use super::super::model::events::TypeFilter;
use super::super::model::index::FleetIndex;
use super::super::model::list::{self, ListModel, ListQuery};
use super::super::model::tree::{self, Line, Node};
use super::input::Input;
use crate::config::{Key, Keymap, Theme};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a row whose Ready status just changed stays highlighted.
pub const FLASH: Duration = Duration::from_secs(3);
/// How many finished actions the log keeps.
pub const LOG_LEN: usize = 50;

/// The main views (what `fluxdeck snapshot --view` selects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    List,
    Tree,
    Events,
    Detail,
    Diff,
    Approvals,
}

impl View {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "list" => View::List,
            "tree" => View::Tree,
            "events" => View::Events,
            "detail" => View::Detail,
            "diff" => View::Diff,
            "approvals" => View::Approvals,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            View::List => "list",
            View::Tree => "tree",
            View::Events => "events",
            View::Detail => "detail",
            View::Diff => "diff",
            View::Approvals => "approvals",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetailTab {
    #[default]
    Overview,
    Yaml,
    Describe,
    Trace,
    History,
}

impl DetailTab {
    pub const ALL: [DetailTab; 5] = [
        DetailTab::Overview,
        DetailTab::Yaml,
        DetailTab::Describe,
        DetailTab::Trace,
        DetailTab::History,
    ];
    pub fn title(self) -> &'static str {
        match self {
            DetailTab::Overview => "Conditions",
            DetailTab::Yaml => "YAML",
            DetailTab::Describe => "Describe",
            DetailTab::Trace => "Trace",
            DetailTab::History => "History",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ActionLog,
}

/// What the app asks the event loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Submit {
        id: u64,
        command: Command,
    },
    Cancel {
        id: u64,
    },
    /// OSC52 copy to the terminal's clipboard.
    Copy(String),
    /// Suspend the terminal and run $EDITOR on this text.
    ExternalEdit {
        target: ObjectRef,
        text: String,
    },
    /// ctrl-z: restore the terminal, stop, resume.
    SuspendProcess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Running,
    Done,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionEntry {
    pub id: u64,
    pub what: String,
    pub started: Instant,
    pub finished: Option<Instant>,
    pub outcome: Outcome,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct ListState {
    pub query: ListQuery,
    pub cursor: usize,
    pub offset: usize,
    pub marked: BTreeSet<ObjectRef>,
}

#[derive(Debug, Default)]
pub struct TreeState {
    pub cursor: usize,
    pub offset: usize,
    pub collapsed: HashSet<String>,
}

#[derive(Debug)]
pub struct EventsState {
    pub types: TypeFilter,
    pub follow: bool,
    pub global: bool,
    pub cursor: usize,
    pub offset: usize,
}

pub struct App {
    pub snapshot: Arc<Snapshot>,
    pub index: FleetIndex,
    /// Managed (non-Flux) objects by reference, for detail/trace of inventory entries.
    pub managed: HashMap<ObjectRef, usize>,
    /// Highlighted YAML of the last detail frame: (hash of the text, lines).
    pub yaml_cache: Option<(u64, Vec<ratatui::text::Line<'static>>)>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub glyphs: Glyphs,
    /// Wall clock for ages; tests pin it.
    pub now: jiff::Timestamp,
    /// Monotonic clock for highlights and elapsed times; tests pin it.
    pub instant: Instant,
    pub view: View,
    pub back_stack: Vec<View>,
    pub detail_tab: DetailTab,
    pub detail_scroll: usize,
    pub overlay: Option<Overlay>,
    pub input: Option<Input>,
    pub list: ListState,
    pub tree: TreeState,
    pub events: EventsState,
    pub approvals: super::approvals::ApprovalsState,
    pub diff: super::diff::DiffState,
    /// The object the detail and events views are about.
    pub focus: Option<ObjectRef>,
    pub actions: VecDeque<ActionEntry>,
    pub next_action_id: u64,
    pub pending_keys: Vec<Key>,
    pub flash: HashMap<ObjectRef, Instant>,
    pub message: Option<(String, bool)>,
    pub read_only: bool,
    pub quit: bool,
    pub dirty: bool,
    pub effects: Vec<Effect>,
    /// Body height from the last draw (for page up/down).
    pub page: usize,
    list_cache: Option<ListModel>,
    forest_cache: Option<Vec<Node>>,
    lines_cache: Option<Vec<Line>>,
    /// The last Flux object parsed for a view: the detail view asks for it on every frame.
    opened: Mutex<Option<(Arc<StoredObject>, Arc<serde_json::Value>)>>,
}

impl App {
    pub fn new(snapshot: Arc<Snapshot>, keymap: Keymap, theme: Theme, glyphs: Glyphs) -> Self {
        let read_only = snapshot.context.read_only;
        let mut app = App {
            index: FleetIndex::default(),
            managed: HashMap::new(),
            yaml_cache: None,
            snapshot: Arc::new(Snapshot::default()),
            keymap,
            theme,
            glyphs,
            now: jiff::Timestamp::now(),
            instant: Instant::now(),
            view: View::List,
            back_stack: Vec::new(),
            detail_tab: DetailTab::Overview,
            detail_scroll: 0,
            overlay: None,
            opened: Mutex::new(None),
            input: None,
            list: ListState::default(),
            tree: TreeState::default(),
            events: EventsState {
                types: TypeFilter::All,
                follow: true,
                global: false,
                cursor: 0,
                offset: 0,
            },
            approvals: Default::default(),
            diff: Default::default(),
            focus: None,
            actions: VecDeque::new(),
            next_action_id: 1,
            pending_keys: Vec::new(),
            flash: HashMap::new(),
            message: None,
            read_only,
            quit: false,
            dirty: true,
            effects: Vec::new(),
            page: 20,
            list_cache: None,
            forest_cache: None,
            lines_cache: None,
        };
        app.set_snapshot(snapshot);
        app
    }

    /// Take in a new snapshot; rows whose Ready status changed start flashing.
    pub fn set_snapshot(&mut self, snapshot: Arc<Snapshot>) {
        let selected = self.selected_row();
        // Only the tree view pays for building the tree.
        let tree_target = if self.view == View::Tree {
            self.tree_line().and_then(|l| l.target.clone())
        } else {
            None
        };
        // The list rows share the index's summaries: drop them first, so the rebuild updates
        // unshared summaries in place instead of copying them.
        self.invalidate();
        self.index = FleetIndex::rebuild(&snapshot, std::mem::take(&mut self.index));
        self.managed = snapshot
            .managed
            .iter()
            .enumerate()
            .map(|(i, m)| (ObjectRef::of(m), i))
            .collect();
        self.list.query.all_namespaces = snapshot.context.namespace.is_none();
        self.read_only = self.read_only || snapshot.context.read_only;
        for r in &self.index.ready_changed {
            self.flash.insert(r.clone(), self.instant + FLASH);
        }
        self.snapshot = snapshot;
        self.invalidate();
        if let Some(r) = selected {
            self.select_ref(&r);
        }
        if let Some(t) = tree_target {
            self.tree_jump(&t);
        }
        self.reselect_approval();
        self.dirty = true;
    }

    pub fn invalidate(&mut self) {
        self.list_cache = None;
        self.forest_cache = None;
        self.lines_cache = None;
    }

    pub fn invalidate_list(&mut self) {
        self.list_cache = None;
    }

    pub fn invalidate_lines(&mut self) {
        self.lines_cache = None;
    }

    pub fn list_model(&mut self) -> &ListModel {
        if self.list_cache.is_none() {
            let m = list::build(&self.index, &self.snapshot.permissions, &self.list.query);
            let mut m = m;
            let drift = &self.snapshot.drift;
            if self.list.query.drift_only {
                m.rows
                    .retain(|r| drift.get(r.r()).is_some_and(|d| d.has_changes()));
            }
            // The drift badge rides on the name, so rows without drift keep their layout.
            let mut badged = false;
            for row in &mut m.rows {
                if drift.get(row.r()).is_some_and(|d| d.has_changes()) {
                    row.badge = self.glyphs.drift;
                    badged = true;
                }
            }
            if badged || self.list.query.drift_only {
                m.widths = list::measure(&m.columns, &m.rows);
            }
            self.list.cursor = self.list.cursor.min(m.rows.len().saturating_sub(1));
            self.list_cache = Some(m);
        }
        self.list_cache.get_or_insert_with(|| ListModel {
            columns: vec![],
            rows: vec![],
            restricted: vec![],
            total_in_scope: 0,
            widths: vec![],
        })
    }

    /// The list model if already built (call `list_model` first).
    pub fn cached_list(&self) -> Option<&ListModel> {
        self.list_cache.as_ref()
    }

    pub fn forest(&mut self) -> &[Node] {
        if self.forest_cache.is_none() {
            self.forest_cache = Some(tree::build(&self.snapshot, &self.index));
        }
        self.forest_cache.as_deref().unwrap_or_default()
    }

    pub fn tree_lines(&mut self) -> &[Line] {
        if self.lines_cache.is_none() {
            self.forest();
            let forest = self.forest_cache.as_deref().unwrap_or_default();
            let lines = tree::flatten(forest, &self.tree.collapsed);
            self.tree.cursor = self.tree.cursor.min(lines.len().saturating_sub(1));
            self.lines_cache = Some(lines);
        }
        self.lines_cache.as_deref().unwrap_or_default()
    }

    pub fn tree_line(&mut self) -> Option<Line> {
        let c = self.tree.cursor;
        self.tree_lines().get(c).cloned()
    }

    pub fn selected_row(&mut self) -> Option<ObjectRef> {
        let c = self.list.cursor;
        self.list_model().rows.get(c).map(|r| r.r().clone())
    }

    /// Move the list cursor to an object (if it is in the list).
    pub fn select_ref(&mut self, r: &ObjectRef) -> bool {
        match self.list_model().rows.iter().position(|row| row.r() == r) {
            Some(i) => {
                self.list.cursor = i;
                true
            }
            None => false,
        }
    }

    /// Move the tree cursor to the first line about this object.
    pub fn tree_jump(&mut self, r: &ObjectRef) -> bool {
        let pos = self
            .tree_lines()
            .iter()
            .position(|l| l.target.as_ref() == Some(r) && l.role == tree::Role::Applier);
        let pos = pos.or_else(|| {
            self.tree_lines()
                .iter()
                .position(|l| l.target.as_ref() == Some(r))
        });
        match pos {
            Some(i) => {
                self.tree.cursor = i;
                true
            }
            None => false,
        }
    }

    /// The object the current view is about (list row, tree node, or the focus).
    pub fn current_target(&mut self) -> Option<ObjectRef> {
        match self.view {
            View::List => self.selected_row(),
            View::Tree => self
                .tree_line()
                .and_then(|l| l.target)
                .filter(|t| self.has_object(t)),
            View::Approvals => self.selected_approval().map(|a| a.automation.clone()),
            View::Diff => self.diff.target.clone(),
            _ => self.focus.clone().or_else(|| self.selected_row()),
        }
    }

    /// A Flux object (parsed from the snapshot's text; the last one is kept), or a managed
    /// object from the inventory cache.
    pub fn object(&self, r: &ObjectRef) -> Option<Arc<serde_json::Value>> {
        let Some(s) = self.index.get(r) else {
            return self
                .managed
                .get(r)
                .map(|i| self.snapshot.managed[*i].clone());
        };
        let stored = self.snapshot.objects.get(s.index)?;
        let mut opened = self.opened.lock().ok()?;
        if let Some((key, value)) = opened.as_ref() {
            if Arc::ptr_eq(key, stored) {
                return Some(value.clone());
            }
        }
        let value = Arc::new(stored.value());
        *opened = Some((stored.clone(), value.clone()));
        Some(value)
    }

    /// `object(r).is_some()` without parsing anything.
    pub fn has_object(&self, r: &ObjectRef) -> bool {
        self.index.get(r).is_some() || self.managed.contains_key(r)
    }

    /// Earliest time something must be redrawn without any input (flash expiry, or the
    /// next second of a running action's elapsed time). None = sleep until input.
    pub fn next_deadline(&self) -> Option<Instant> {
        let flash = self.flash.values().min().copied();
        let running = self
            .actions
            .iter()
            .filter(|a| a.outcome == Outcome::Running)
            .map(|a| {
                let elapsed = self.instant.saturating_duration_since(a.started);
                a.started + Duration::from_secs(elapsed.as_secs() + 1)
            })
            .min();
        [flash, running].into_iter().flatten().min()
    }

    /// Called when the deadline passes: drop expired highlights, refresh elapsed times.
    pub fn tick(&mut self, now: Instant) {
        self.instant = now;
        let before = self.flash.len();
        self.flash.retain(|_, until| *until > now);
        if before != self.flash.len() || self.actions.iter().any(|a| a.outcome == Outcome::Running)
        {
            self.dirty = true;
        }
    }

    pub fn set_message(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some((text.into(), error));
        self.dirty = true;
    }

    pub fn running(&self) -> impl Iterator<Item = &ActionEntry> {
        self.actions
            .iter()
            .filter(|a| a.outcome == Outcome::Running)
    }
}
