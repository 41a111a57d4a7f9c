//! The write-ahead log: numbered segment files of framed batches. A batch is acknowledged
//! once its frame is written and `fdatasync`ed — one write and one sync per group commit —
//! while the redb checkpoint catches up in the background (see `checkpoint`).
//!
//! Frame: `u32 payload length | u32 crc32(payload) | payload`, little endian. Payload:
//! `u64 rv | u32 record count | records`, a record `u32 key length | key | u8 present |
//! u32 value length | value JSON` (value absent for deletions). A frame whose length or
//! checksum does not match is a torn tail from a crash: replay stops there (its batch was
//! never acknowledged, since the sync had not returned).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One record: the storage key and the object JSON (None = deleted).
pub type Record = (String, Option<Vec<u8>>);

/// A segment is closed and a new one started past this size.
const SEGMENT_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WalError {
    #[error("write-ahead log {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WalError + '_ {
    move |source| WalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub fn segment_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("{seq:020}.log"))
}

/// Segment numbers present in `dir`, ascending.
pub fn segments(dir: &Path) -> Result<Vec<u64>, WalError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some(seq) = name.strip_suffix(".log").and_then(|s| s.parse().ok()) {
            out.push(seq);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Makes file creations and removals in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), WalError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

pub fn encode(rv: u64, records: &[Record], out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0u8; 8]);
    out.extend_from_slice(&rv.to_le_bytes());
    out.extend_from_slice(&(records.len() as u32).to_le_bytes());
    for (key, value) in records {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key.as_bytes());
        match value {
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                out.extend_from_slice(v);
            }
            None => out.push(0),
        }
    }
    let payload = &out[start + 8..];
    let len = (payload.len() as u32).to_le_bytes();
    let crc = crc32fast::hash(payload).to_le_bytes();
    out[start..start + 4].copy_from_slice(&len);
    out[start + 4..start + 8].copy_from_slice(&crc);
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.bytes.len())?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_le_bytes)
    }
}

fn decode_payload(payload: &[u8]) -> Option<(u64, Vec<Record>)> {
    let mut c = Cursor {
        bytes: payload,
        pos: 0,
    };
    let rv = c.u64()?;
    let count = c.u32()? as usize;
    let mut records = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        let klen = c.u32()? as usize;
        let key = String::from_utf8(c.take(klen)?.to_vec()).ok()?;
        let value = match c.take(1)?[0] {
            1 => {
                let vlen = c.u32()? as usize;
                Some(c.take(vlen)?.to_vec())
            }
            0 => None,
            _ => return None,
        };
        records.push((key, value));
    }
    (c.pos == payload.len()).then_some((rv, records))
}

/// The intact batches of one segment, in order; the bool says whether the segment ended
/// cleanly (false: a torn or corrupt frame stopped the read).
pub fn read_segment(path: &Path) -> Result<(Vec<(u64, Vec<Record>)>, bool), WalError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    let mut c = Cursor {
        bytes: &bytes,
        pos: 0,
    };
    let mut batches = Vec::new();
    while c.pos < bytes.len() {
        let frame = (|| {
            let len = c.u32()? as usize;
            let crc = c.u32()?;
            let payload = c.take(len)?;
            (crc32fast::hash(payload) == crc).then_some(())?;
            decode_payload(payload)
        })();
        match frame {
            Some(batch) => batches.push(batch),
            None => return Ok((batches, false)),
        }
    }
    Ok((batches, true))
}

/// The segment being appended to.
pub struct Writer {
    dir: PathBuf,
    seq: u64,
    file: File,
    size: u64,
}

impl Writer {
    /// Starts segment `seq` (a new, empty file).
    pub fn create(dir: &Path, seq: u64) -> Result<Writer, WalError> {
        let path = segment_path(dir, seq);
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        sync_dir(dir)?;
        Ok(Writer {
            dir: dir.to_path_buf(),
            seq,
            file,
            size: 0,
        })
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Starts the next segment once this one is full (call before encoding a batch, so the
    /// batch knows which segment it lands in).
    pub fn rotate_if_full(&mut self) -> Result<(), WalError> {
        if self.size > SEGMENT_BYTES {
            *self = Writer::create(&self.dir, self.seq + 1)?;
        }
        Ok(())
    }

    /// Appends encoded frames and waits until they are on disk.
    pub fn append_durable(&mut self, frames: &[u8]) -> Result<(), WalError> {
        let path = segment_path(&self.dir, self.seq);
        self.file.write_all(frames).map_err(io(&path))?;
        self.file.sync_data().map_err(io(&path))?;
        self.size += frames.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_a_torn_tail_stops_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::create(dir.path(), 7).unwrap();
        let mut buf = Vec::new();
        encode(5, &[("a/b/c/d".into(), Some(b"{}".to_vec()))], &mut buf);
        encode(6, &[("a/b/c/e".into(), None)], &mut buf);
        w.append_durable(&buf).unwrap();
        let path = segment_path(dir.path(), 7);
        let (batches, clean) = read_segment(&path).unwrap();
        assert!(clean);
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[1], (6, vec![("a/b/c/e".to_string(), None)]));
        // a crash mid-write leaves a partial frame: the intact prefix still reads
        let mut torn = buf.clone();
        encode(7, &[("x".into(), Some(b"[1,2,3]".to_vec()))], &mut torn);
        torn.truncate(torn.len() - 3);
        std::fs::write(&path, &torn).unwrap();
        let (batches, clean) = read_segment(&path).unwrap();
        assert!(!clean);
        assert_eq!(batches.len(), 2);
        // a flipped byte fails the checksum
        let mut bad = buf.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        std::fs::write(&path, &bad).unwrap();
        let (batches, clean) = read_segment(&path).unwrap();
        assert!(!clean);
        assert_eq!(batches.len(), 1);
        assert_eq!(segments(dir.path()).unwrap(), vec![7]);
    }
}
