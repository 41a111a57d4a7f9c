//! Persistence in redb with group commit.
//!
//! Writers hand their changes to one committer thread (in RV order, under the state lock) and
//! wait on a ticket. The thread takes everything queued, writes it in one transaction, commits
//! with fsync (redb's `Durability::Immediate`) and only then answers the tickets, so a write is
//! acknowledged only once it is on disk, and concurrent writers share one fsync.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde_json::Value;
use tokio::sync::oneshot;

use super::state::{Change, ObjKey};
use super::types::{GroupResource, StoreError, WatchEventType};

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const RV_KEY: &str = "resourceVersion";
/// Most records one transaction takes, so a burst cannot build one huge commit.
const MAX_BATCH: usize = 8192;

fn storage_err(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{what}: {e}"))
}

/// "group/resource/namespace/name" (names never contain '/').
pub fn record_key(gr: &GroupResource, key: &ObjKey) -> String {
    format!("{}/{}/{}/{}", gr.group, gr.resource, key.0, key.1)
}

fn parse_key(k: &str) -> Option<(GroupResource, ObjKey)> {
    let mut parts = k.splitn(4, '/');
    let group = parts.next()?.to_string();
    let resource = parts.next()?.to_string();
    let ns = parts.next()?.to_string();
    let name = parts.next()?.to_string();
    Some((GroupResource { group, resource }, (ns, name)))
}

struct Job {
    rv: u64,
    records: Vec<(String, Option<Arc<Value>>)>,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// Resolves when the write it belongs to is durable.
pub struct Ticket(oneshot::Receiver<Result<(), StoreError>>);

impl Ticket {
    pub async fn wait(self) -> Result<(), StoreError> {
        match self.0.await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Internal(
                "the storage committer stopped before the write was durable".into(),
            )),
        }
    }
}

pub struct Persister {
    tx: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Persister {
    /// Closing the queue ends the committer after it has written everything queued; joining
    /// it releases the database file, so the same directory can be reopened at once.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type Loaded = (Persister, u64, Vec<(GroupResource, ObjKey, Value)>);

impl Persister {
    /// Opens (or creates) `data_dir/store.redb`, loads every object and starts the committer.
    pub fn open(data_dir: &Path) -> Result<Loaded, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            storage_err(
                &format!("cannot create data directory {}", data_dir.display()),
                e,
            )
        })?;
        let path = data_dir.join("store.redb");
        let db = Database::create(&path)
            .map_err(|e| storage_err(&format!("cannot open {}", path.display()), e))?;
        let (rv, objects) = load(&db)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("store-committer".into())
            .spawn(move || committer(db, rx))
            .map_err(|e| storage_err("cannot start the storage committer thread", e))?;
        Ok((
            Persister {
                tx: Some(tx),
                thread: Some(thread),
            },
            rv,
            objects,
        ))
    }

    /// Queues changes (call under the state lock so queue order is RV order).
    pub fn submit(&self, changes: &[Change]) -> Ticket {
        let (done, rx) = oneshot::channel();
        let rv = changes.last().map(|c| c.rv).unwrap_or(0);
        let records = changes
            .iter()
            .map(|c| {
                let value = if c.type_ == WatchEventType::Deleted {
                    None
                } else {
                    Some(c.object.clone())
                };
                (record_key(&c.gr, &c.key), value)
            })
            .collect();
        let job = Job { rv, records, done };
        let refused = match &self.tx {
            Some(tx) => tx.send(job).err().map(|mpsc::SendError(job)| job),
            None => Some(job),
        };
        if let Some(job) = refused {
            let _ = job.done.send(Err(StoreError::Internal(
                "the storage committer is not running".into(),
            )));
        }
        Ticket(rx)
    }
}

fn load(db: &Database) -> Result<(u64, Vec<(GroupResource, ObjKey, Value)>), StoreError> {
    // make sure both tables exist, so a fresh database reads as empty
    let w = db
        .begin_write()
        .map_err(|e| storage_err("begin write", e))?;
    w.open_table(OBJECTS)
        .map_err(|e| storage_err("open objects table", e))?;
    w.open_table(META)
        .map_err(|e| storage_err("open meta table", e))?;
    w.commit().map_err(|e| storage_err("commit", e))?;
    let r = db.begin_read().map_err(|e| storage_err("begin read", e))?;
    let meta = r
        .open_table(META)
        .map_err(|e| storage_err("open meta table", e))?;
    let rv = meta
        .get(RV_KEY)
        .map_err(|e| storage_err("read resourceVersion", e))?
        .map(|g| g.value())
        .unwrap_or(0);
    let table = r
        .open_table(OBJECTS)
        .map_err(|e| storage_err("open objects table", e))?;
    let mut out = Vec::new();
    for row in table.iter().map_err(|e| storage_err("scan objects", e))? {
        let (k, v) = row.map_err(|e| storage_err("read object", e))?;
        let Some((gr, key)) = parse_key(k.value()) else {
            return Err(StoreError::Internal(format!(
                "unreadable object key {:?} in the store database",
                k.value()
            )));
        };
        let obj: Value = serde_json::from_slice(v.value()).map_err(|e| {
            StoreError::Internal(format!(
                "object {} in the store database is not valid JSON: {e}",
                k.value()
            ))
        })?;
        out.push((gr, key, obj));
    }
    Ok((rv, out))
}

fn commit_batch(db: &Database, jobs: &[Job]) -> Result<(), StoreError> {
    let txn = db
        .begin_write()
        .map_err(|e| storage_err("begin write", e))?;
    {
        let mut table = txn
            .open_table(OBJECTS)
            .map_err(|e| storage_err("open objects table", e))?;
        for job in jobs {
            for (key, value) in &job.records {
                match value {
                    Some(obj) => {
                        let bytes = serde_json::to_vec(obj.as_ref())
                            .map_err(|e| storage_err("encode object", e))?;
                        table
                            .insert(key.as_str(), bytes.as_slice())
                            .map_err(|e| storage_err("write object", e))?;
                    }
                    None => {
                        table
                            .remove(key.as_str())
                            .map_err(|e| storage_err("delete object", e))?;
                    }
                }
            }
        }
        let rv = jobs.iter().map(|j| j.rv).max().unwrap_or(0);
        let mut meta = txn
            .open_table(META)
            .map_err(|e| storage_err("open meta table", e))?;
        meta.insert(RV_KEY, rv)
            .map_err(|e| storage_err("write resourceVersion", e))?;
    }
    txn.commit().map_err(|e| storage_err("commit (fsync)", e))
}

/// After the first queued write, wait this long for another before committing ...
const GATHER_IDLE: Duration = Duration::from_micros(200);
/// ... but never gather for longer than this.
const GATHER_MAX: Duration = Duration::from_millis(2);

/// Takes the next batch: blocks for the first job, then gathers while writers keep arriving.
/// Writers acknowledged by the previous commit need a moment to queue their next write; without
/// this short wait they would split into two groups each waiting for every other fsync.
fn next_batch(rx: &mpsc::Receiver<Job>) -> Option<Vec<Job>> {
    let first = rx.recv().ok()?;
    let started = Instant::now();
    let mut records = first.records.len();
    let mut jobs = vec![first];
    while records < MAX_BATCH {
        let job = match rx.try_recv() {
            Ok(job) => job,
            Err(mpsc::TryRecvError::Disconnected) => break,
            Err(mpsc::TryRecvError::Empty) => {
                let left = GATHER_MAX.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match rx.recv_timeout(GATHER_IDLE.min(left)) {
                    Ok(job) => job,
                    Err(_) => break,
                }
            }
        };
        records += job.records.len();
        jobs.push(job);
    }
    Some(jobs)
}

fn committer(db: Database, rx: mpsc::Receiver<Job>) {
    while let Some(jobs) = next_batch(&rx) {
        let result = commit_batch(&db, &jobs);
        if let Err(e) = &result {
            tracing::error!(error = %e, "store commit failed");
        }
        for job in jobs {
            let _ = job.done.send(result.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let gr = GroupResource {
            group: String::new(),
            resource: "configmaps".into(),
        };
        let key = ("default".to_string(), "a:b".to_string());
        let k = record_key(&gr, &key);
        assert_eq!(k, "/configmaps/default/a:b");
        assert_eq!(parse_key(&k), Some((gr, key)));
    }
}
