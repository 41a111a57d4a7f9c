//! The source tree as the kustomize engine sees it during one build: the unpacked artifact
//! (shared between Kustomizations and never written) with the generated kustomization file
//! laid over it in memory.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::engine::kustomize::KustFs;

/// Lexical normal form (`.` dropped, `..` folded) so lookups match however the path was built.
pub(super) fn normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// One file replaced (or added) over the tree in `base`.
pub struct Overlay<'a> {
    base: &'a dyn KustFs,
    file: PathBuf,
    text: Vec<u8>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a dyn KustFs, file: &Path, text: String) -> Overlay<'a> {
        Overlay {
            base,
            file: normal(file),
            text: text.into_bytes(),
        }
    }

    fn is_overlaid(&self, path: &Path) -> bool {
        normal(path) == self.file
    }
}

impl KustFs for Overlay<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if self.is_overlaid(path) {
            return Ok(self.text.clone());
        }
        self.base.read(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        !self.is_overlaid(path) && self.base.is_dir(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.is_overlaid(path) || self.base.is_file(path)
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut entries = self.base.list_dir(path)?;
        if self.file.parent() == Some(normal(path).as_path())
            && !entries.iter().any(|e| self.is_overlaid(e))
        {
            entries.push(path.join(self.file.file_name().unwrap_or_default()));
            entries.sort();
        }
        Ok(entries)
    }

    fn real_path(&self, path: &Path) -> PathBuf {
        self.base.real_path(path)
    }

    fn refusal(&self, path: &Path) -> Option<String> {
        self.base.refusal(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlaid_file_is_seen_and_the_disk_is_untouched() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.yaml"), "a").unwrap();
        let fs = Overlay::new(
            &crate::engine::kustomize::RealFs,
            &d.path().join("./kustomization.yaml"),
            "resources: []\n".into(),
        );
        let k = d.path().join("kustomization.yaml");
        assert!(fs.is_file(&k) && !fs.is_dir(&k));
        assert_eq!(fs.read(&k).unwrap(), b"resources: []\n");
        assert_eq!(fs.read(&d.path().join("a.yaml")).unwrap(), b"a");
        let names: Vec<String> = fs
            .list_dir(d.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.yaml", "kustomization.yaml"]);
        assert!(!k.exists());
    }
}
