//! The one global, ordered event log every watcher reads from.
//!
//! Writers append under the store's state lock, so the log order is the resourceVersion order.
//! Watchers do not get events pushed into per-watcher queues (which would force a choice between
//! unbounded memory and dropped events); each keeps a cursor into the shared log and pulls.
//! The log keeps a bounded window: a watcher whose cursor falls out of it is ended with
//! `Gone`, never silently skipped ahead. An append wakes only the watchers of the resources it
//! touched (one head per group-resource): with a watcher per controller and kind, a global
//! wake-up made every write cost every watcher a pass over the log.

use std::collections::{HashMap, VecDeque};
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
    /// Per group-resource, the rv of its newest dropped entry: a watcher that is woken only
    /// by its own resource may lag far behind the log and still have missed nothing.
    dropped: HashMap<GroupResource, u64>,
}

pub struct EventLog {
    inner: Mutex<LogInner>,
    /// The rv of the last entry per group-resource, for the watchers of that resource.
    heads: Mutex<HashMap<GroupResource, watch::Sender<u64>>>,
    capacity: usize,
}

/// A watcher asked for events older than the retained window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    pub oldest: u64,
}

impl EventLog {
    pub fn new(start_rv: u64, capacity: usize) -> EventLog {
        EventLog {
            inner: Mutex::new(LogInner {
                entries: VecDeque::new(),
                compacted: start_rv,
                dropped: HashMap::new(),
            }),
            heads: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, LogInner> {
        // a panic while holding the lock cannot leave the deque half-written, so keep going
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends entries (already in RV order) and wakes the watchers.
    pub fn append(&self, entries: Vec<LogEntry>) {
        // entries are in rv order, so the last one per resource is its head
        let mut touched: Vec<(GroupResource, u64)> = Vec::new();
        for e in &entries {
            match touched.iter_mut().find(|(gr, _)| *gr == e.gr) {
                Some(t) => t.1 = e.rv,
                None => touched.push((e.gr.clone(), e.rv)),
            }
        }
        if touched.is_empty() {
            return;
        }
        {
            let mut inner = self.lock();
            for e in entries {
                inner.entries.push_back(Arc::new(e));
            }
            while inner.entries.len() > self.capacity {
                if let Some(old) = inner.entries.pop_front() {
                    inner.compacted = old.rv;
                    match inner.dropped.get_mut(&old.gr) {
                        Some(rv) => *rv = old.rv,
                        None => {
                            inner.dropped.insert(old.gr.clone(), old.rv);
                        }
                    }
                }
            }
        }
        let heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        for (gr, rv) in touched {
            if let Some(head) = heads.get(&gr) {
                head.send_replace(rv);
            }
        }
    }

    /// Up to `max` entries with rv > `after`, or Expired if an entry of `gr` after `after`
    /// was dropped (entries of other resources may have gone: the reader skips them anyway).
    pub fn read_after(
        &self,
        after: u64,
        max: usize,
        gr: &GroupResource,
    ) -> Result<Vec<Arc<LogEntry>>, Expired> {
        let inner = self.lock();
        if inner.dropped.get(gr).is_some_and(|&rv| after < rv) {
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

    /// Changes whenever entries of `gr` are appended (errors once the log is dropped).
    pub fn subscribe(&self, gr: &GroupResource) -> watch::Receiver<u64> {
        let mut heads = self.heads.lock().unwrap_or_else(|p| p.into_inner());
        heads
            .entry(gr.clone())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cm() -> GroupResource {
        GroupResource {
            group: String::new(),
            resource: "configmaps".into(),
        }
    }

    fn entry(rv: u64) -> LogEntry {
        LogEntry {
            rv,
            gr: cm(),
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
            log.read_after(11, 10, &cm())
                .unwrap()
                .iter()
                .map(|e| e.rv)
                .collect::<Vec<_>>(),
            [12, 13, 14]
        );
        assert_eq!(log.read_after(14, 10, &cm()).unwrap().len(), 0);
        assert_eq!(log.read_after(12, 1, &cm()).unwrap()[0].rv, 13);
        // 11 was dropped: a cursor at 10 would miss it
        assert_eq!(
            log.read_after(10, 10, &cm()).unwrap_err(),
            Expired { oldest: 12 }
        );
        // ... but a watcher of another resource, woken only by its own, has missed nothing
        let secrets = GroupResource {
            group: String::new(),
            resource: "secrets".into(),
        };
        assert_eq!(log.read_after(10, 10, &secrets).unwrap().len(), 3);
        assert!(log.check_start(11).is_ok());
        assert!(log.check_start(5).is_err());
    }

    #[test]
    fn appends_wake_only_the_watchers_of_their_resource() {
        let log = EventLog::new(10, 100);
        let configmaps = entry(11).gr;
        let secrets = GroupResource {
            group: String::new(),
            resource: "secrets".into(),
        };
        let mut cm_head = log.subscribe(&configmaps);
        let mut secret_head = log.subscribe(&secrets);
        log.append((11..=12).map(entry).collect());
        assert!(cm_head.has_changed().unwrap());
        assert_eq!(*cm_head.borrow_and_update(), 12);
        assert!(!secret_head.has_changed().unwrap());
        assert_eq!(*secret_head.borrow_and_update(), 0);
    }
}
