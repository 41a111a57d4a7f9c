//! An unpacked source artifact held in memory: the regular files and directories of the
//! tarball, read through [`KustFs`] under a root path that never exists on disk. A thousand
//! Kustomizations of one source used to wait for the shared tree to be written to disk (every
//! file an inode); reading the tarball into memory takes a fraction of that.
//!
//! Only archives the disk unpack would turn into plain files and directories are taken:
//! anything else (symlinks, hard links, devices, a file where a directory is wanted, a
//! malformed archive) or more than [`MEMORY_LIMIT`] bytes of content gives `None`, and the
//! caller unpacks to disk exactly as before, so every edge case and error keeps the disk
//! behaviour. Paths outside the root are read from the real filesystem, as they would be from
//! an unpacked directory; builds reach the tree through `ConfinedFs`, which refuses them.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::engine::kustomize::{KustFs, RealFs};

/// Content bytes an artifact may have to be kept in memory; larger ones go to disk.
pub const MEMORY_LIMIT: u64 = 64 << 20;

/// The errno values the disk would give, so messages read the same ("No such file or
/// directory (os error 2)").
const ENOENT: i32 = 2;
const ENOTDIR: i32 = 20;
const EISDIR: i32 = 21;

pub struct MemTree {
    root: PathBuf,
    /// Keyed by the path relative to the root.
    files: HashMap<PathBuf, Arc<[u8]>>,
    /// Every directory (the root is the empty path) with the names directly inside it.
    dirs: HashMap<PathBuf, BTreeSet<OsString>>,
}

/// Where a looked-up path lies.
enum Place<'a> {
    Inside(PathBuf),
    Outside(&'a Path),
}

impl MemTree {
    /// Read a tar.gz into memory under `root` (which must not exist on disk), or `None` when
    /// the archive has to be unpacked to disk (see the module comment).
    pub fn read(bytes: &[u8], root: PathBuf, limit: u64) -> Option<MemTree> {
        let mut tree = MemTree {
            root,
            files: HashMap::new(),
            dirs: HashMap::from([(PathBuf::new(), BTreeSet::new())]),
        };
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let mut total: u64 = 0;
        for entry in archive.entries().ok()? {
            let mut entry = entry.ok()?;
            let kind = entry.header().entry_type();
            if kind == tar::EntryType::XGlobalHeader {
                continue;
            }
            let raw = entry.path().ok()?.into_owned();
            // As the disk unpack: leading '/' and '.' are dropped, an entry with '..' skipped.
            let Some(rel) = relative(&raw) else { continue };
            if rel.as_os_str().is_empty() {
                continue;
            }
            match kind {
                tar::EntryType::Directory => tree.add_dir(&rel)?,
                tar::EntryType::Regular if !entry.path_bytes().ends_with(b"/") => {
                    total = total.saturating_add(entry.size());
                    if total > limit {
                        return None;
                    }
                    let mut data = Vec::with_capacity(usize::try_from(entry.size()).ok()?);
                    entry.read_to_end(&mut data).ok()?;
                    tree.add_file(rel, data)?;
                }
                _ => return None,
            }
        }
        Some(tree)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn add_dir(&mut self, rel: &Path) -> Option<()> {
        if self.files.contains_key(rel) {
            return None;
        }
        if self.dirs.contains_key(rel) {
            return Some(());
        }
        self.dirs.insert(rel.to_path_buf(), BTreeSet::new());
        let parent = rel.parent().unwrap_or(Path::new(""));
        self.add_dir(parent)?;
        let name = rel.file_name()?.to_os_string();
        self.dirs.get_mut(parent)?.insert(name);
        Some(())
    }

    /// A later entry for the same file replaces the earlier one, as on disk.
    fn add_file(&mut self, rel: PathBuf, data: Vec<u8>) -> Option<()> {
        if self.dirs.contains_key(&rel) {
            return None;
        }
        let parent = rel.parent().unwrap_or(Path::new(""));
        self.add_dir(parent)?;
        let name = rel.file_name()?.to_os_string();
        self.dirs.get_mut(parent)?.insert(name);
        self.files.insert(rel, data.into());
        Some(())
    }

    fn place<'a>(&self, path: &'a Path) -> Place<'a> {
        match super::overlay::normal(path).strip_prefix(&self.root) {
            Ok(rel) => Place::Inside(rel.to_path_buf()),
            Err(_) => Place::Outside(path),
        }
    }

    /// The error the disk gives for a path that is not there: ENOTDIR when a file stands
    /// where a directory on the way should be.
    fn missing(&self, rel: &Path) -> io::Error {
        let through_file = rel.ancestors().skip(1).any(|a| self.files.contains_key(a));
        io::Error::from_raw_os_error(if through_file { ENOTDIR } else { ENOENT })
    }
}

/// The archive path as the disk unpack places it, or `None` for an entry it skips.
fn relative(raw: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in raw.components() {
        match c {
            Component::Prefix(_) | Component::RootDir | Component::CurDir => {}
            Component::ParentDir => return None,
            Component::Normal(p) => out.push(p),
        }
    }
    Some(out)
}

impl KustFs for MemTree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let rel = match self.place(path) {
            Place::Outside(p) => return RealFs.read(p),
            Place::Inside(rel) => rel,
        };
        if let Some(data) = self.files.get(&rel) {
            return Ok(data.to_vec());
        }
        if self.dirs.contains_key(&rel) {
            return Err(io::Error::from_raw_os_error(EISDIR));
        }
        Err(self.missing(&rel))
    }

    fn is_dir(&self, path: &Path) -> bool {
        match self.place(path) {
            Place::Outside(p) => RealFs.is_dir(p),
            Place::Inside(rel) => self.dirs.contains_key(&rel),
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        match self.place(path) {
            Place::Outside(p) => RealFs.is_file(p),
            Place::Inside(rel) => self.files.contains_key(&rel),
        }
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let rel = match self.place(path) {
            Place::Outside(p) => return RealFs.list_dir(p),
            Place::Inside(rel) => rel,
        };
        match self.dirs.get(&rel) {
            // Entries are named by joining onto the path as given, as `read_dir` does.
            Some(names) => Ok(names.iter().map(|n| path.join(n)).collect()),
            None if self.files.contains_key(&rel) => Err(io::Error::from_raw_os_error(ENOTDIR)),
            None => Err(self.missing(&rel)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tarball(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            // Names written raw: the builder refuses '..', which real archives may carry.
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            let d = data.unwrap_or_default();
            h.set_entry_type(match data {
                Some(_) => tar::EntryType::Regular,
                None => tar::EntryType::Directory,
            });
            h.set_size(d.len() as u64);
            h.set_mode(0o755);
            h.set_cksum();
            tar.append(&h, d).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap()
    }

    fn names(list: Vec<PathBuf>) -> Vec<String> {
        list.iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn reads_like_the_unpacked_directory() {
        let bytes = tarball(&[
            ("apps/b.yaml", Some(b"b")),
            ("apps/a.yaml", Some(b"a")),
            ("./top.yaml", Some(b"t")),
            ("empty/", None),
            ("../escape.yaml", Some(b"x")),
            ("apps/a.yaml", Some(b"a2")),
        ]);
        let disk = tempfile::tempdir().unwrap();
        crate::controllers::artifact::extract(&bytes, disk.path(), "u").unwrap();
        let root = std::env::temp_dir().join(format!("memtree-test-{}", uuid::Uuid::new_v4()));
        let mem = MemTree::read(&bytes, root.clone(), MEMORY_LIMIT).unwrap();
        for rel in [
            "",
            "apps",
            "apps/a.yaml",
            "top.yaml",
            "empty",
            "escape.yaml",
            "nope",
        ] {
            let (d, m) = (disk.path().join(rel), root.join(rel));
            assert_eq!(RealFs.is_dir(&d), mem.is_dir(&m), "{rel}");
            assert_eq!(RealFs.is_file(&d), mem.is_file(&m), "{rel}");
            let (rd, rm) = (RealFs.read(&d), mem.read(&m));
            assert_eq!(rd.as_ref().ok(), rm.as_ref().ok(), "{rel}");
            assert_eq!(
                rd.err().map(|e| e.to_string()),
                rm.err().map(|e| e.to_string()),
                "{rel}"
            );
            let (ld, lm) = (RealFs.list_dir(&d), mem.list_dir(&m));
            assert_eq!(
                ld.as_ref().ok().map(|l| names(l.clone())),
                lm.as_ref().ok().map(|l| names(l.clone())),
                "{rel}"
            );
            assert_eq!(
                ld.err().map(|e| e.to_string()),
                lm.err().map(|e| e.to_string()),
                "{rel}"
            );
        }
        let through = mem.read(&root.join("top.yaml/x")).unwrap_err();
        assert_eq!(
            through.to_string(),
            RealFs
                .read(&disk.path().join("top.yaml/x"))
                .unwrap_err()
                .to_string()
        );
        assert_eq!(mem.read(&root.join("apps/../top.yaml")).unwrap(), b"t");
        assert!(!root.exists(), "nothing is written");
    }

    #[test]
    fn links_conflicts_and_large_archives_go_to_disk() {
        let root = PathBuf::from("/nonexistent-memtree-root");
        let big = tarball(&[("a", Some(&[0u8; 100][..])), ("b", Some(&[0u8; 100][..]))]);
        assert!(MemTree::read(&big, root.clone(), 150).is_none());
        assert!(MemTree::read(&big, root.clone(), 200).is_some());
        let conflict = tarball(&[("a", Some(b"x")), ("a/b", Some(b"y"))]);
        assert!(MemTree::read(&conflict, root.clone(), MEMORY_LIMIT).is_none());
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        tar.append_link(&mut h, "link.yaml", "a.yaml").unwrap();
        let linked = tar.into_inner().unwrap().finish().unwrap();
        assert!(MemTree::read(&linked, root.clone(), MEMORY_LIMIT).is_none());
        assert!(MemTree::read(b"not a tarball", root, MEMORY_LIMIT).is_none());
    }
}
