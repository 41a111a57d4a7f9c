//! The only I/O of a build: reading files below the build directory. A controller can build
//! from an unpacked artifact and tests from real directories through the same trait.

use std::io;
use std::path::{Component, Path, PathBuf};

pub trait KustFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    fn is_dir(&self, path: &Path) -> bool;
    fn is_file(&self, path: &Path) -> bool;
    /// The files and directories directly inside `path`, sorted by name.
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// The path with `.`/`..` folded and, where the filesystem has them, symlinks resolved:
    /// what load restrictions compare.
    fn real_path(&self, path: &Path) -> PathBuf {
        clean(path)
    }
    /// Why this filesystem refuses `path`, when it does (see `restrict::ConfinedFs`).
    fn refusal(&self, _path: &Path) -> Option<String> {
        None
    }
}

/// The real filesystem.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl KustFs for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()?;
        out.sort();
        Ok(out)
    }
    /// Symlinks resolved as far as the path exists; the missing rest appended as written.
    fn real_path(&self, path: &Path) -> PathBuf {
        let path = clean(path);
        let mut missing = Vec::new();
        let mut existing = path.as_path();
        loop {
            if let Ok(real) = std::fs::canonicalize(existing) {
                return missing.iter().rev().fold(real, |p, c| p.join(c));
            }
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    missing.push(name.to_os_string());
                    existing = parent;
                }
                _ => return path,
            }
        }
    }
}

/// Join and normalise lexically (`a/b/../c` is `a/c`), as kustomize does with relative paths.
pub fn join_clean(base: &Path, rel: &str) -> PathBuf {
    let joined = if Path::new(rel).is_absolute() {
        PathBuf::from(rel)
    } else {
        base.join(rel)
    };
    clean(&joined)
}

pub fn clean(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// A borrowed filesystem is one too (so wrappers can hold either).
impl<T: KustFs + ?Sized> KustFs for &T {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        (**self).read(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        (**self).is_dir(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        (**self).is_file(path)
    }
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        (**self).list_dir(path)
    }
    fn real_path(&self, path: &Path) -> PathBuf {
        (**self).real_path(path)
    }
    fn refusal(&self, path: &Path) -> Option<String> {
        (**self).refusal(path)
    }
}
