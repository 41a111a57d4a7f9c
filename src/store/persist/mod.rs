//! Persistence: a write-ahead log with group commit, checkpointed into redb.
//!
//! Writers hand their changes to one committer thread (in RV order, under the state lock) and
//! wait on a ticket. The thread takes everything queued, appends it to the log as one write,
//! `fdatasync`s, and only then answers the tickets: a write is acknowledged only once it is on
//! disk, and concurrent writers share one sync. The batches then go to a background applier
//! that keeps redb (the checkpoint the store loads from) up to date — see `checkpoint` and
//! `wal` for the recovery rules.

mod checkpoint;
mod wal;

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use redb::{Database, ReadableDatabase, ReadableTable};
use serde_json::Value;
use tokio::sync::oneshot;

use super::state::{Change, ObjKey};
use super::types::{GroupResource, StoreError, WatchEventType};
use checkpoint::{Applied, OBJECTS};

/// Most records one group commit takes, so a burst cannot build one huge write.
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
    committer: Option<std::thread::JoinHandle<()>>,
    applier: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Persister {
    /// Closing the queue ends the committer after it has logged everything queued; it then
    /// closes the applier's queue, whose last durable checkpoint empties the log. Joining both
    /// releases the database file, so the same directory can be reopened at once.
    fn drop(&mut self) {
        self.tx.take();
        for t in [self.committer.take(), self.applier.take()]
            .into_iter()
            .flatten()
        {
            let _ = t.join();
        }
    }
}

type Loaded = (Persister, u64, Vec<(GroupResource, ObjKey, Value)>);

impl Persister {
    /// Opens (or creates) `data_dir/store.redb` and its log `data_dir/wal/`, replays the log,
    /// loads every object and starts the committer and the checkpoint applier.
    pub fn open(data_dir: &Path) -> Result<Loaded, StoreError> {
        let wal_dir = data_dir.join("wal");
        std::fs::create_dir_all(&wal_dir).map_err(|e| {
            storage_err(
                &format!("cannot create data directory {}", wal_dir.display()),
                e,
            )
        })?;
        let path = data_dir.join("store.redb");
        let db = Database::create(&path)
            .map_err(|e| storage_err(&format!("cannot open {}", path.display()), e))?;
        let next_segment = checkpoint::recover(&db, &wal_dir)?;
        let (rv, objects) = load(&db)?;
        let writer = wal::Writer::create(&wal_dir, next_segment)
            .map_err(|e| storage_err("cannot start the write-ahead log", e))?;
        let (applied_tx, applied_rx) = mpsc::channel::<Applied>();
        let applier = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || checkpoint::run(db, wal_dir, applied_rx))
            .map_err(|e| storage_err("cannot start the storage checkpoint thread", e))?;
        let (tx, rx) = mpsc::channel::<Job>();
        let committer = std::thread::Builder::new()
            .name("store-committer".into())
            .spawn(move || committer(writer, rx, applied_tx))
            .map_err(|e| storage_err("cannot start the storage committer thread", e))?;
        Ok((
            Persister {
                tx: Some(tx),
                committer: Some(committer),
                applier: Some(applier),
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
    let rv = checkpoint::checkpoint_rv(db)?;
    let r = db.begin_read().map_err(|e| storage_err("begin read", e))?;
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

/// Encodes a batch of jobs: the log frames (one per job, so each keeps its RV) and the
/// records for the checkpoint, serialised once for both.
fn encode_batch(jobs: &[Job], segment: u64) -> Result<(Vec<u8>, Vec<Applied>), StoreError> {
    let mut frames = Vec::new();
    let mut applied = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut records = Vec::with_capacity(job.records.len());
        for (key, value) in &job.records {
            let bytes = match value {
                Some(obj) => Some(
                    serde_json::to_vec(obj.as_ref())
                        .map_err(|e| storage_err("encode object", e))?,
                ),
                None => None,
            };
            records.push((key.clone(), bytes));
        }
        wal::encode(job.rv, &records, &mut frames);
        applied.push(Applied {
            segment,
            rv: job.rv,
            records,
        });
    }
    Ok((frames, applied))
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

fn committer(mut log: wal::Writer, rx: mpsc::Receiver<Job>, applier: mpsc::Sender<Applied>) {
    while let Some(jobs) = next_batch(&rx) {
        let result = log
            .rotate_if_full()
            .map_err(|e| storage_err("write-ahead log", e))
            .and_then(|()| encode_batch(&jobs, log.seq()))
            .and_then(|(frames, applied)| {
                log.append_durable(&frames)
                    .map_err(|e| storage_err("commit (fsync)", e))?;
                Ok(applied)
            });
        let outcome = result.as_ref().map(drop).map_err(Clone::clone);
        if let Err(e) = &outcome {
            tracing::error!(error = %e, "store commit failed");
        }
        for job in jobs {
            let _ = job.done.send(outcome.clone());
        }
        for batch in result.into_iter().flatten() {
            let _ = applier.send(batch);
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
