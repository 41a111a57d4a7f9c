//! The one global, ordered event log every watcher reads from.
//!
//! Writers append under the store's state lock, so the log order is the resourceVersion order.
//! Watchers do not get events pushed into per-watcher queues (which would force a choice between
//! unbounded memory and dropped events); each keeps a cursor into the shared log and pulls.
//! The log keeps a bounded window: a watcher whose cursor falls out of it is ended with
//! `Gone`, never silently skipped ahead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch;

use super::types::{GroupResource, WatchEventType};

#[derive(Debug)]
pub struct LogEntry {
    pub rv: u64,
    pub gr: GroupResource,
    /// "" for cluster-scoped objects.
    pub namespace: String,
    pub type_: WatchEventType,
    /// The object after the change (for DELETED, its last state with the deletion's RV).
    pub object: Arc<Value>,
    /// The object before the change, so selector watches can turn edits into ADDED/DELETED.
    pub prev: Option<Arc<Value>>,
}

struct LogInner {
    entries: VecDeque<Arc<LogEntry>>,
    /// Every event with rv <= compacted is no longer retained (or predates this process).
    compacted: u64,
}

pub struct EventLog {
    inner: Mutex<LogInner>,
    head: watch::Sender<u64>,
    capacity: usize,
}

/// A watcher asked for events older than the retained window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    pub oldest: u64,
}

impl EventLog {
    pub fn new(start_rv: u64, capacity: usize) -> EventLog {
        let (head, _) = watch::channel(start_rv);
        EventLog {
            inner: Mutex::new(LogInner {
                entries: VecDeque::new(),
                compacted: start_rv,
            }),
            head,
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LogInner> {
        // a panic while holding the lock cannot leave the deque half-written, so keep going
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends entries (already in RV order) and wakes the watchers.
    pub fn append(&self, entries: Vec<LogEntry>) {
        let Some(last) = entries.last().map(|e| e.rv) else {
            return;
        };
        {
            let mut inner = self.lock();
            for e in entries {
                inner.entries.push_back(Arc::new(e));
            }
            while inner.entries.len() > self.capacity {
                if let Some(old) = inner.entries.pop_front() {
                    inner.compacted = old.rv;
                }
            }
        }
        self.head.send_replace(last);
    }

    /// Up to `max` entries with rv > `after`, or Expired if some of them were dropped.
    pub fn read_after(&self, after: u64, max: usize) -> Result<Vec<Arc<LogEntry>>, Expired> {
        let inner = self.lock();
        if after < inner.compacted {
            return Err(Expired {
                oldest: inner.compacted + 1,
            });
        }
        let start = inner.entries.partition_point(|e| e.rv <= after);
        Ok(inner
            .entries
            .iter()
            .skip(start)
            .take(max)
            .cloned()
            .collect())
    }

    /// Whether a watch may start at `rv` (every later event is still retained).
    pub fn check_start(&self, rv: u64) -> Result<(), Expired> {
        let inner = self.lock();
        if rv < inner.compacted {
            Err(Expired {
                oldest: inner.compacted + 1,
            })
        } else {
            Ok(())
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(rv: u64) -> LogEntry {
        LogEntry {
            rv,
            gr: GroupResource {
                group: String::new(),
                resource: "configmaps".into(),
            },
            namespace: "default".into(),
            type_: WatchEventType::Added,
            object: Arc::new(json!({"metadata": {"resourceVersion": rv.to_string()}})),
            prev: None,
        }
    }

    #[test]
    fn reads_after_a_cursor_and_expires_old_ones() {
        let log = EventLog::new(10, 3);
        log.append((11..=14).map(entry).collect());
        assert_eq!(
            log.read_after(11, 10)
                .unwrap()
                .iter()
                .map(|e| e.rv)
                .collect::<Vec<_>>(),
            [12, 13, 14]
        );
        assert_eq!(log.read_after(14, 10).unwrap().len(), 0);
        assert_eq!(log.read_after(12, 1).unwrap()[0].rv, 13);
        // 11 was dropped: a cursor at 10 would miss it
        assert_eq!(log.read_after(10, 10).unwrap_err(), Expired { oldest: 12 });
        assert!(log.check_start(11).is_ok());
        assert!(log.check_start(5).is_err());
        assert_eq!(*log.subscribe().borrow(), 14);
    }
}
