//! An in-memory `Backend`: a snapshot you replace by hand and a log of submitted commands.
//! Used by tests and by headless rendering; the real cluster layer lives in cluster/.

use super::backend::{Backend, Command, Progress, Snapshot};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

/// How submitted commands are answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Send these progress messages immediately.
    Script(Vec<Progress>),
    /// Keep the sender open (the command "runs" until cancelled or `finish` is called).
    Hold,
}

pub struct MemoryBackend {
    snapshot: Mutex<Arc<Snapshot>>,
    tx: watch::Sender<u64>,
    reply: Mutex<Reply>,
    submitted: Mutex<Vec<Command>>,
    held: Mutex<Vec<mpsc::UnboundedSender<Progress>>>,
}

impl MemoryBackend {
    pub fn new(snapshot: Snapshot) -> Self {
        let (tx, _) = watch::channel(0);
        Self {
            snapshot: Mutex::new(Arc::new(snapshot)),
            tx,
            reply: Mutex::new(Reply::Script(vec![Progress::Done("done".into())])),
            submitted: Mutex::new(Vec::new()),
            held: Mutex::new(Vec::new()),
        }
    }

    /// Replace the state and signal a change.
    pub fn set(&self, snapshot: Snapshot) {
        if let Ok(mut s) = self.snapshot.lock() {
            *s = Arc::new(snapshot);
        }
        self.tx.send_modify(|v| *v += 1);
    }

    pub fn set_reply(&self, reply: Reply) {
        if let Ok(mut r) = self.reply.lock() {
            *r = reply;
        }
    }

    /// Commands submitted so far, in order.
    pub fn submitted(&self) -> Vec<Command> {
        self.submitted.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Whether every held command's receiver has been dropped (i.e. cancelled).
    pub fn held_all_closed(&self) -> bool {
        self.held
            .lock()
            .map(|h| h.iter().all(|s| s.is_closed()))
            .unwrap_or(false)
    }
}

impl Backend for MemoryBackend {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.lock().map(|s| s.clone()).unwrap_or_default()
    }
    fn changes(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }
    fn submit(&self, cmd: Command) -> mpsc::UnboundedReceiver<Progress> {
        if let Ok(mut s) = self.submitted.lock() {
            s.push(cmd);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        match self.reply.lock().map(|r| r.clone()) {
            Ok(Reply::Script(msgs)) => msgs.into_iter().for_each(|m| {
                let _ = tx.send(m);
            }),
            _ => {
                if let Ok(mut h) = self.held.lock() {
                    h.push(tx);
                }
            }
        }
        rx
    }
}
