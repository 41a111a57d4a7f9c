//! Watch streams: replay from a resourceVersion (or synthetic ADDED events for the current
//! state), then live events from the global log, with bookmarks.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use serde_json::{Value, json};

use super::convert;
use super::log::{EventLog, LogEntry};
use super::selector::Selectors;
use super::types::{GroupResource, ResourceType, StoreError, WatchEvent, WatchEventType};

/// Which events one watcher wants, and in which version.
#[derive(Debug, Clone)]
pub struct WatchFilter {
    pub rt: ResourceType,
    pub gr: GroupResource,
    pub namespace: Option<String>,
    pub selectors: Selectors,
}

impl WatchFilter {
    fn scoped(&self, e: &LogEntry) -> bool {
        e.gr == self.gr && self.namespace.as_ref().is_none_or(|ns| *ns == e.namespace)
    }

    /// The event this watcher sees for a log entry, if any. A change that moves an object into
    /// or out of the selection is ADDED or DELETED, as in kube's watch cache.
    pub fn apply(&self, e: &LogEntry) -> Option<WatchEvent> {
        if !self.scoped(e) {
            return None;
        }
        let now = self.selectors.matches(&e.object);
        let type_ = match e.type_ {
            WatchEventType::Modified if !self.selectors.is_empty() => {
                let before = e.prev.as_ref().is_some_and(|p| self.selectors.matches(p));
                match (before, now) {
                    (true, true) => WatchEventType::Modified,
                    (false, true) => WatchEventType::Added,
                    (true, false) => WatchEventType::Deleted,
                    (false, false) => return None,
                }
            }
            t if now => t,
            _ => return None,
        };
        Some(WatchEvent {
            type_,
            object: convert::present(&self.rt, &e.object),
        })
    }
}

pub fn bookmark(rt: &ResourceType, rv: u64, initial_end: bool) -> WatchEvent {
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    WatchEvent {
        type_: WatchEventType::Bookmark,
        object: json!({"kind": rt.kind, "apiVersion": rt.api_version(), "metadata": metadata}),
    }
}

type Item = Result<WatchEvent, StoreError>;

/// A stream of watch events. It ends with an `Err(Gone)` item when the watcher fell behind the
/// retained window, and ends plainly when the store is dropped.
pub struct WatchStream {
    inner: Pin<Box<dyn Stream<Item = Item> + Send>>,
}

impl Stream for WatchStream {
    type Item = Item;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl std::fmt::Debug for WatchStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WatchStream")
    }
}

struct Cursor {
    log: Arc<EventLog>,
    head: tokio::sync::watch::Receiver<u64>,
    after: u64,
    filter: WatchFilter,
    pending: VecDeque<Item>,
    bookmark_every: Option<Duration>,
    done: bool,
}

const BATCH: usize = 512;

impl Cursor {
    /// Moves the cursor over newly logged entries. Returns false when nothing was new.
    fn pull(&mut self) -> bool {
        match self.log.read_after(self.after, BATCH, &self.filter.gr) {
            Err(expired) => {
                self.pending.push_back(Err(StoreError::Gone {
                    requested: self.after.to_string(),
                    oldest: expired.oldest.to_string(),
                }));
                self.done = true;
                true
            }
            Ok(entries) if entries.is_empty() => false,
            Ok(entries) => {
                for e in entries {
                    self.after = e.rv;
                    if let Some(ev) = self.filter.apply(&e) {
                        self.pending.push_back(Ok(ev));
                    }
                }
                true
            }
        }
    }

    async fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            // mark the head as seen before reading, so an append after the read wakes us
            self.head.borrow_and_update();
            if self.pull() {
                continue;
            }
            let tick = async {
                match self.bookmark_every {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                changed = self.head.changed() => {
                    if changed.is_err() {
                        // the store is gone: drain what is left, then end
                        self.pull();
                        self.done = true;
                    }
                }
                _ = tick => {
                    self.pending.push_back(Ok(bookmark(&self.filter.rt, self.after, false)));
                }
            }
        }
    }
}

/// Starts a stream that first yields `initial` and then every matching event after `after`.
pub fn stream(
    log: Arc<EventLog>,
    filter: WatchFilter,
    after: u64,
    initial: Vec<Item>,
    bookmark_every: Option<Duration>,
) -> WatchStream {
    let head = log.subscribe(&filter.gr);
    let cursor = Cursor {
        log,
        head,
        after,
        filter,
        pending: initial.into(),
        bookmark_every,
        done: false,
    };
    let s = futures::stream::unfold(cursor, |mut c| async move {
        c.next().await.map(|item| (item, c))
    });
    WatchStream { inner: Box::pin(s) }
}

/// Turns present-state objects into synthetic ADDED events.
pub fn initial_events(rt: &ResourceType, objects: &[Arc<Value>]) -> Vec<Item> {
    objects
        .iter()
        .map(|o| {
            Ok(WatchEvent {
                type_: WatchEventType::Added,
                object: convert::present(rt, o),
            })
        })
        .collect()
}
