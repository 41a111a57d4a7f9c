//! Terminal guard: raw mode + alternate screen on enter, restored on drop, on panic (hook)
//! and around ctrl-z / $EDITOR. Signals (SIGTERM/SIGHUP) end the event loop, which drops the
//! guard, so every exit path restores the terminal.

use ratatui::crossterm::{cursor, execute, terminal};
use std::io::{self, Write};
use std::sync::Once;

pub struct TerminalGuard {
    active: bool,
}

/// Put the terminal back: leave raw mode and the alternate screen, show the cursor.
/// Safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(out, terminal::LeaveAlternateScreen, cursor::Show);
    let _ = out.flush();
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

impl TerminalGuard {
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        let mut g = TerminalGuard { active: false };
        g.resume()?;
        Ok(g)
    }

    /// Give the terminal back (before $EDITOR or ctrl-z).
    pub fn suspend(&mut self) {
        if self.active {
            restore();
            self.active = false;
        }
    }

    /// Take the terminal again.
    pub fn resume(&mut self) -> io::Result<()> {
        if !self.active {
            terminal::enable_raw_mode()?;
            execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
            self.active = true;
        }
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        self.suspend();
    }
}

/// ctrl-z: stop this process like a shell job would (SIGTSTP with its default action).
/// Returns once the shell continues us (SIGCONT).
pub fn stop_self() -> io::Result<()> {
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)
}

/// Copy text to the terminal's clipboard with OSC 52 (works over SSH; tmux needs
/// `set -g set-clipboard on`).
pub fn osc52_copy(text: &str) -> io::Result<()> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}

/// Run $VISUAL / $EDITOR (else vi) on `text` in a private temp file; returns the edited text.
pub async fn external_edit(text: &str) -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let path = std::env::temp_dir().join(format!("fluxdeck-edit-{}.yaml", uuid::Uuid::new_v4()));
    write_private(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // Through sh so that EDITOR may carry arguments ("code -w").
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("fluxdeck")
        .arg(&path)
        .status()
        .await;
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(|e| e.to_string()),
        Ok(s) => Err(format!("{editor} exited with {s}")),
        Err(e) => Err(format!("cannot run {editor}: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    result
}

fn write_private(path: &std::path::Path, text: &str) -> io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}
