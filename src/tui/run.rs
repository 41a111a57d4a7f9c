//! The event loop: terminal input, backend changes, action progress and at most one timer
//! in one `select!`; after each wake-up everything already pending is drained, then the
//! frame is drawn once, and only if something changed. Nothing is written while idle.

use super::app::{App, Effect, View};
use super::backend::{Backend, Progress};
use super::glyphs::Glyphs;
use super::render;
use super::terminal::{self, TerminalGuard};
use crate::config::{ColorMode, ConfigPaths, Key, Keymap, SettingsError, Theme, settings};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("terminal error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Config(#[from] SettingsError),
}

/// How the console starts.
#[derive(Debug, Clone)]
pub struct TuiOptions {
    pub keymap: Keymap,
    pub theme: Theme,
    /// No box drawing, no glyphs (`--ascii`).
    pub ascii: bool,
    /// `--read-only` (per-context read-only comes from settings, see `load`).
    pub read_only: bool,
    pub view: View,
    /// `KIND/NS/NAME` to select at start.
    pub select: Option<String>,
}

impl TuiOptions {
    /// Defaults with the user's config directory applied: keymap, theme, ascii, and
    /// read-only for this kubeconfig context. Colour mode from NO_COLOR / COLORTERM.
    pub fn load(context: &str, ascii: bool, read_only: bool) -> Result<Self, TuiError> {
        let paths = ConfigPaths::discover();
        let s = match &paths {
            Some(p) => settings::Settings::load(p)?,
            None => settings::Settings::default(),
        };
        let keymap = settings::load_keymap(paths.as_ref())?;
        let theme = settings::load_theme(&s, paths.as_ref())?.with_mode(ColorMode::from_env());
        Ok(TuiOptions {
            keymap,
            theme,
            ascii: ascii || s.ascii,
            read_only: read_only || s.read_only_for(context),
            view: View::List,
            select: None,
        })
    }
}

type ProgressMsg = (u64, Option<Progress>);

struct Runner {
    backend: Arc<dyn Backend>,
    progress_tx: mpsc::UnboundedSender<ProgressMsg>,
    tasks: HashMap<u64, JoinHandle<()>>,
}

impl Runner {
    fn submit(&mut self, id: u64, command: super::backend::Command) {
        let mut rx = self.backend.submit(command);
        let tx = self.progress_tx.clone();
        let handle = tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let last = !matches!(p, Progress::Step(_));
                if tx.send((id, Some(p))).is_err() || last {
                    return;
                }
            }
            let _ = tx.send((id, None));
        });
        self.tasks.insert(id, handle);
    }

    /// Dropping the receiver (by aborting its task) is the cancellation signal.
    fn cancel(&mut self, id: u64) {
        if let Some(h) = self.tasks.remove(&id) {
            h.abort();
        }
    }
}

/// Clear the screen and forget the last frame, so the next draw paints every cell.
/// Not `Terminal::clear`: that first asks the terminal for the cursor position, and after
/// ctrl-z/fg or $EDITOR a reader thread of the previous event stream can still hold stdin, so
/// the answer times out (2 s) and the console ended with "cursor position could not be read".
fn clear_all<B: ratatui::backend::Backend>(term: &mut Terminal<B>) -> Result<(), B::Error> {
    let size = term.size()?;
    term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

fn to_key(ev: &Event) -> Option<Key> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Key::from_event(k),
        _ => None,
    }
}

/// Apply one terminal event; false when the input stream ended.
fn on_event(app: &mut App, ev: Option<std::io::Result<Event>>) -> Result<bool, TuiError> {
    match ev {
        None => Ok(false),
        Some(Err(e)) => Err(e.into()),
        Some(Ok(Event::Resize(..))) => {
            app.dirty = true;
            Ok(true)
        }
        Some(Ok(ev)) => {
            if let Some(key) = to_key(&ev) {
                app.instant = Instant::now();
                app.on_key(key);
            }
            Ok(true)
        }
    }
}

pub async fn run(backend: Arc<dyn Backend>, opts: TuiOptions) -> Result<(), TuiError> {
    let mut guard = TerminalGuard::enter()?;
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    clear_all(&mut term)?;
    let mut app = App::new(
        backend.snapshot(),
        opts.keymap,
        opts.theme,
        Glyphs::for_mode(opts.ascii),
    );
    app.read_only |= opts.read_only;
    app.view = opts.view;
    if let Some(r) = opts
        .select
        .as_deref()
        .and_then(super::backend::ObjectRef::parse)
    {
        app.select_ref(&r);
        app.focus = Some(r);
    }
    let (progress_tx, mut progress_rx) = mpsc::unbounded_channel::<ProgressMsg>();
    let mut runner = Runner {
        backend: backend.clone(),
        progress_tx,
        tasks: HashMap::new(),
    };
    let mut changes = backend.changes();
    let mut backend_open = true;
    let mut events = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;

    loop {
        if app.dirty {
            app.now = jiff::Timestamp::now();
            app.instant = Instant::now();
            term.draw(|f| render::draw(f, &mut app))?;
            app.dirty = false;
        }
        if app.quit {
            break;
        }
        let deadline = app.next_deadline();
        let timer = async move {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => futures::future::pending::<()>().await,
            }
        };
        tokio::select! {
            ev = events.next() => {
                if !on_event(&mut app, ev)? { break; }
            }
            changed = changes.changed(), if backend_open => match changed {
                Ok(()) => {
                    app.instant = Instant::now();
                    app.set_snapshot(backend.snapshot());
                }
                Err(_) => backend_open = false,
            },
            Some((id, p)) = progress_rx.recv() => on_progress(&mut app, &mut runner, id, p),
            _ = timer => app.tick(Instant::now()),
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
        }
        // Drain whatever is already waiting so a burst becomes one frame. This must poll with
        // the task's own waker (poll_immediate), never a noop one (now_or_never): crossterm's
        // EventStream hands the waker of a Pending poll to its reader thread only once, so a
        // noop waker there loses the wake-up and keys sit unread until something else wakes
        // the loop (the "input freezes after the prompt opens" bug).
        while let Some(ev) = futures::future::poll_immediate(events.next()).await {
            if !on_event(&mut app, ev)? {
                app.quit = true;
                break;
            }
        }
        while let Ok((id, p)) = progress_rx.try_recv() {
            on_progress(&mut app, &mut runner, id, p);
        }
        if backend_open && changes.has_changed().unwrap_or(false) {
            changes.borrow_and_update();
            app.instant = Instant::now();
            app.set_snapshot(backend.snapshot());
        }
        for effect in std::mem::take(&mut app.effects) {
            match effect {
                Effect::Submit { id, command } => runner.submit(id, command),
                Effect::Cancel { id } => runner.cancel(id),
                Effect::Copy(text) => terminal::osc52_copy(&text)?,
                Effect::SuspendProcess => {
                    guard.suspend();
                    drop(events);
                    terminal::stop_self()?;
                    guard.resume()?;
                    events = EventStream::new();
                    clear_all(&mut term)?;
                    app.dirty = true;
                }
                Effect::ExternalEdit { target, text } => {
                    guard.suspend();
                    drop(events);
                    let edited = terminal::external_edit(&text).await;
                    guard.resume()?;
                    events = EventStream::new();
                    clear_all(&mut term)?;
                    app.instant = Instant::now();
                    app.on_external_edit(target, &text, edited);
                }
            }
        }
    }
    for (_, h) in runner.tasks.drain() {
        h.abort();
    }
    drop(guard);
    Ok(())
}

fn on_progress(app: &mut App, runner: &mut Runner, id: u64, p: Option<Progress>) {
    app.instant = Instant::now();
    match p {
        Some(p) => {
            if !matches!(p, Progress::Step(_)) {
                runner.tasks.remove(&id);
            }
            app.on_progress(id, p);
        }
        None => {
            runner.tasks.remove(&id);
            app.on_progress_closed(id);
        }
    }
}
