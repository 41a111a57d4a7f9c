//! The redb checkpoint: every acknowledged batch is applied to redb in the background
//! (non-durable commits, no fsync), and about once a second a durable commit makes all of
//! it safe, after which the log segments it covers are deleted. On open, the log is
//! replayed on top of the last durable checkpoint; `meta.resourceVersion` says which
//! batches redb already has, so replay is idempotent.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use redb::{Database, Durability, ReadableDatabase, TableDefinition};

use super::wal::{self, Record};
use super::{StoreError, storage_err};

pub const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const RV_KEY: &str = "resourceVersion";

/// How often the background applier makes its commits durable and trims the log.
const DURABLE_EVERY: Duration = Duration::from_secs(1);

/// A batch that is durable in the log, for the checkpoint to apply.
pub struct Applied {
    pub segment: u64,
    pub rv: u64,
    pub records: Vec<Record>,
}

/// Applies batches (in order) in one redb transaction.
pub fn apply(db: &Database, batches: &[Applied], durable: bool) -> Result<(), StoreError> {
    let mut txn = db
        .begin_write()
        .map_err(|e| storage_err("begin write", e))?;
    if !durable {
        txn.set_durability(Durability::None)
            .map_err(|e| storage_err("set durability", e))?;
    }
    {
        let mut table = txn
            .open_table(OBJECTS)
            .map_err(|e| storage_err("open objects table", e))?;
        for (key, value) in batches.iter().flat_map(|b| &b.records) {
            match value {
                Some(bytes) => table
                    .insert(key.as_str(), bytes.as_slice())
                    .map(drop)
                    .map_err(|e| storage_err("write object", e))?,
                None => table
                    .remove(key.as_str())
                    .map(drop)
                    .map_err(|e| storage_err("delete object", e))?,
            }
        }
        let mut meta = txn
            .open_table(META)
            .map_err(|e| storage_err("open meta table", e))?;
        if let Some(rv) = batches.iter().map(|b| b.rv).max() {
            meta.insert(RV_KEY, rv)
                .map_err(|e| storage_err("write resourceVersion", e))?;
        }
    }
    txn.commit().map_err(|e| storage_err("commit", e))
}

/// Creates the tables if missing and returns the resourceVersion redb holds.
pub fn checkpoint_rv(db: &Database) -> Result<u64, StoreError> {
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
    Ok(meta
        .get(RV_KEY)
        .map_err(|e| storage_err("read resourceVersion", e))?
        .map(|g| g.value())
        .unwrap_or(0))
}

/// Replays the log into redb (durably) and removes its segments. Returns the next segment
/// number to write.
pub fn recover(db: &Database, wal_dir: &Path) -> Result<u64, StoreError> {
    let have = checkpoint_rv(db)?;
    let seqs = wal::segments(wal_dir).map_err(|e| storage_err("recovery", e))?;
    let mut replay = Vec::new();
    for &seq in &seqs {
        let (batches, clean) = wal::read_segment(&wal::segment_path(wal_dir, seq))
            .map_err(|e| storage_err("recovery", e))?;
        replay.extend(
            batches
                .into_iter()
                .filter(|(rv, _)| *rv > have)
                .map(|(rv, records)| Applied {
                    segment: seq,
                    rv,
                    records,
                }),
        );
        if !clean {
            // a torn frame can only be the unacknowledged tail of the last write
            break;
        }
    }
    if !replay.is_empty() {
        apply(db, &replay, true)?;
    }
    for &seq in &seqs {
        let path = wal::segment_path(wal_dir, seq);
        std::fs::remove_file(&path)
            .map_err(|e| storage_err(&format!("remove {}", path.display()), e))?;
    }
    if !seqs.is_empty() {
        wal::sync_dir(wal_dir).map_err(|e| storage_err("recovery", e))?;
    }
    Ok(seqs.last().map(|s| s + 1).unwrap_or(1))
}

/// The background applier: drains batches, applies them, and every `DURABLE_EVERY` commits
/// durably and deletes the segments older than the newest one applied. When the committer
/// closes the channel, a last durable commit covers everything and every segment goes.
pub fn run(db: Database, wal_dir: PathBuf, rx: mpsc::Receiver<Applied>) {
    let mut last_durable = Instant::now();
    let mut pending_durable = false;
    let mut newest_segment = None;
    loop {
        let first = match rx.recv_timeout(DURABLE_EVERY) {
            Ok(b) => Some(b),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut batches: Vec<Applied> = first.into_iter().collect();
        batches.extend(rx.try_iter());
        if let Some(b) = batches.last() {
            newest_segment = Some(b.segment);
        }
        let durable = last_durable.elapsed() >= DURABLE_EVERY;
        if batches.is_empty() && !(durable && pending_durable) {
            continue;
        }
        match apply(&db, &batches, durable) {
            Ok(()) if durable => {
                last_durable = Instant::now();
                pending_durable = false;
                if let Some(newest) = newest_segment {
                    trim(&wal_dir, |seq| seq < newest);
                }
            }
            Ok(()) => pending_durable = true,
            // the log still holds these batches; recovery will apply them
            Err(e) => tracing::error!(error = %e, "store checkpoint failed"),
        }
    }
    match apply(&db, &[], true) {
        Ok(()) => trim(&wal_dir, |_| true),
        Err(e) => tracing::error!(error = %e, "final store checkpoint failed"),
    }
}

fn trim(wal_dir: &Path, covered: impl Fn(u64) -> bool) {
    let Ok(seqs) = wal::segments(wal_dir) else {
        return;
    };
    let mut removed = false;
    for seq in seqs.into_iter().filter(|s| covered(*s)) {
        removed |= std::fs::remove_file(wal::segment_path(wal_dir, seq)).is_ok();
    }
    if removed {
        let _ = wal::sync_dir(wal_dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::ReadableTable;

    fn objects(db: &Database) -> Vec<(String, Vec<u8>)> {
        let r = db.begin_read().unwrap();
        let t = r.open_table(OBJECTS).unwrap();
        t.iter()
            .unwrap()
            .map(|row| {
                let (k, v) = row.unwrap();
                (k.value().to_string(), v.value().to_vec())
            })
            .collect()
    }

    #[test]
    fn recovery_replays_what_the_checkpoint_lacks_and_empties_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let wal_dir = dir.path().join("wal");
        std::fs::create_dir_all(&wal_dir).unwrap();
        let db = Database::create(dir.path().join("store.redb")).unwrap();
        // the checkpoint already has rv 2
        let old = Applied {
            segment: 1,
            rv: 2,
            records: vec![("/configmaps/a/old".into(), Some(b"{\"v\":1}".to_vec()))],
        };
        apply(&db, &[old], true).unwrap();
        // the log holds rv 2 again (already applied: must not resurrect anything) and 3, 4
        let mut frames = Vec::new();
        wal::encode(
            2,
            &[("/configmaps/a/gone".into(), Some(b"{}".to_vec()))],
            &mut frames,
        );
        wal::encode(
            3,
            &[("/configmaps/a/new".into(), Some(b"{\"v\":3}".to_vec()))],
            &mut frames,
        );
        wal::encode(4, &[("/configmaps/a/old".into(), None)], &mut frames);
        let mut w = wal::Writer::create(&wal_dir, 5).unwrap();
        w.append_durable(&frames).unwrap();
        // a torn tail after them is ignored
        wal::Writer::create(&wal_dir, 6)
            .unwrap()
            .append_durable(&[9, 0, 0, 0, 1])
            .unwrap();

        let next = recover(&db, &wal_dir).unwrap();
        assert_eq!(next, 7);
        assert_eq!(checkpoint_rv(&db).unwrap(), 4);
        assert_eq!(
            objects(&db),
            vec![("/configmaps/a/new".to_string(), b"{\"v\":3}".to_vec())]
        );
        assert!(wal::segments(&wal_dir).unwrap().is_empty());
    }

    #[test]
    fn the_applier_checkpoints_everything_and_trims_the_log_when_closed() {
        let dir = tempfile::tempdir().unwrap();
        let wal_dir = dir.path().join("wal");
        std::fs::create_dir_all(&wal_dir).unwrap();
        let path = dir.path().join("store.redb");
        let db = Database::create(&path).unwrap();
        checkpoint_rv(&db).unwrap();
        wal::Writer::create(&wal_dir, 1).unwrap();
        let (tx, rx) = mpsc::channel();
        let t = std::thread::spawn({
            let wal_dir = wal_dir.clone();
            move || run(db, wal_dir, rx)
        });
        for rv in 1..=50u64 {
            tx.send(Applied {
                segment: 1,
                rv,
                records: vec![(format!("/configmaps/a/c{rv}"), Some(b"{}".to_vec()))],
            })
            .unwrap();
        }
        drop(tx);
        t.join().unwrap();
        let db = Database::create(&path).unwrap();
        assert_eq!(checkpoint_rv(&db).unwrap(), 50);
        assert_eq!(objects(&db).len(), 50);
        assert!(wal::segments(&wal_dir).unwrap().is_empty());
    }
}
