//! Progress of an intent, as the flux CLI prints it (► ◎ ✔ ⚠️ ✗) and as the TUI's status line
//! and action log show it. Intents report through a `Reporter`, so one implementation of each
//! operation serves both the CLI (lines on stderr) and the console (a channel).

use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    Action,
    Generate,
    Waiting,
    Success,
    Warning,
    Failure,
}

impl Glyph {
    pub fn symbol(&self, ascii: bool) -> &'static str {
        match (self, ascii) {
            (Glyph::Action, false) => "►",
            (Glyph::Generate, false) => "✚",
            (Glyph::Waiting, false) => "◎",
            (Glyph::Success, false) => "✔",
            (Glyph::Warning, false) => "⚠️",
            (Glyph::Failure, false) => "✗",
            (Glyph::Action, true) => ">",
            (Glyph::Generate, true) => "+",
            (Glyph::Waiting, true) => "*",
            (Glyph::Success, true) => "ok",
            (Glyph::Warning, true) => "!",
            (Glyph::Failure, true) => "x",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub glyph: Glyph,
    pub message: String,
}

impl Progress {
    pub fn line(&self, ascii: bool) -> String {
        format!("{} {}", self.glyph.symbol(ascii), self.message)
    }
}

/// Receives progress lines from an intent.
pub trait Reporter: Send + Sync {
    fn report(&self, progress: Progress);

    fn action(&self, msg: String) {
        self.report(Progress {
            glyph: Glyph::Action,
            message: msg,
        });
    }
    fn waiting(&self, msg: String) {
        self.report(Progress {
            glyph: Glyph::Waiting,
            message: msg,
        });
    }
    fn success(&self, msg: String) {
        self.report(Progress {
            glyph: Glyph::Success,
            message: msg,
        });
    }
    fn warning(&self, msg: String) {
        self.report(Progress {
            glyph: Glyph::Warning,
            message: msg,
        });
    }
    fn failure(&self, msg: String) {
        self.report(Progress {
            glyph: Glyph::Failure,
            message: msg,
        });
    }
}

/// Prints each line to stderr, as the flux CLI does.
pub struct StderrReporter {
    pub ascii: bool,
}

impl Reporter for StderrReporter {
    fn report(&self, progress: Progress) {
        eprintln!("{}", progress.line(self.ascii));
    }
}

/// Sends each line into a channel (the TUI's action progress).
pub struct ChannelReporter(pub tokio::sync::mpsc::UnboundedSender<Progress>);

impl Reporter for ChannelReporter {
    fn report(&self, progress: Progress) {
        // A closed receiver means the view went away; the intent itself still completes.
        let _ = self.0.send(progress);
    }
}

/// Keeps every line (tests, and the action log).
#[derive(Default)]
pub struct CollectingReporter(pub Mutex<Vec<Progress>>);

impl Reporter for CollectingReporter {
    fn report(&self, progress: Progress) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(progress);
        }
    }
}
