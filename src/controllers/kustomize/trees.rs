//! Unpacked source artifacts shared by every Kustomization that builds from them. A source
//! with a thousand Kustomizations used to be downloaded, digest-checked and unpacked a
//! thousand times per revision (each unpack creating every file of the repository); now the
//! first reconcile of a digest unpacks it once and the others wait for that one. The tree is
//! kept in memory when it can be (see `memtree`), on disk otherwise. Builds only read the tree
//! (see `overlay`), so sharing is safe.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::memtree::{MEMORY_LIMIT, MemTree};
use crate::controllers::artifact::{self, Storage};
use crate::controllers::runtime::Failure;
use crate::engine::kustomize::{KustFs, RealFs};

/// Digests kept unpacked at once (the oldest is dropped first; a tree still in use lives on
/// until its last build ends).
const KEEP: usize = 16;

/// One unpacked artifact: in memory, or in a directory removed when the last user drops it.
pub enum Tree {
    Memory(MemTree),
    Disk(PathBuf),
}

impl Tree {
    /// The root the build sees (for an in-memory tree a path that does not exist on disk).
    pub fn path(&self) -> &Path {
        match self {
            Tree::Memory(m) => m.root(),
            Tree::Disk(p) => p,
        }
    }

    fn fs(&self) -> &dyn KustFs {
        match self {
            Tree::Memory(m) => m,
            Tree::Disk(_) => &RealFs,
        }
    }
}

impl KustFs for Tree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.fs().read(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.fs().is_dir(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.fs().is_file(path)
    }
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        self.fs().list_dir(path)
    }
    fn real_path(&self, path: &Path) -> PathBuf {
        self.fs().real_path(path)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        if let Tree::Disk(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

type Slot = Arc<OnceCell<Arc<Tree>>>;

#[derive(Default)]
pub struct Trees {
    slots: Mutex<(HashMap<String, Slot>, VecDeque<String>)>,
}

fn unpack(bytes: &[u8], url: &str) -> Result<Tree, Failure> {
    // The same kind of name either way: error messages name it until made source-relative.
    let dir = std::env::temp_dir().join(format!("fluxdeck-build-{}", uuid::Uuid::new_v4()));
    if let Some(m) = MemTree::read(bytes, dir.clone(), MEMORY_LIMIT) {
        return Ok(Tree::Memory(m));
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        Failure::new(
            "ArtifactFailed",
            format!("cannot create a build directory: {e}"),
        )
    })?;
    let tree = Tree::Disk(dir);
    artifact::extract(bytes, tree.path(), url)?;
    Ok(tree)
}

impl Trees {
    fn slot(&self, digest: &str) -> Slot {
        let Ok(mut guard) = self.slots.lock() else {
            return Slot::default();
        };
        let (map, order) = &mut *guard;
        if let Some(s) = map.get(digest) {
            return s.clone();
        }
        let s = Slot::default();
        map.insert(digest.to_string(), s.clone());
        order.push_back(digest.to_string());
        while order.len() > KEEP {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
        s
    }

    fn forget(&self, digest: &str) {
        if let Ok(mut guard) = self.slots.lock() {
            guard.0.remove(digest);
            guard.1.retain(|d| d != digest);
        }
    }

    /// The artifact at `url` unpacked (downloaded and digest-checked once per digest; an
    /// artifact without a digest is never shared).
    pub async fn get(
        &self,
        storage: Option<&Storage>,
        http: &reqwest::Client,
        url: &str,
        digest: &str,
    ) -> Result<Arc<Tree>, Failure> {
        let load = || async {
            let bytes = artifact::fetch(storage, http, url, digest).await?;
            let url = url.to_string();
            tokio::task::spawn_blocking(move || unpack(&bytes, &url))
                .await
                .map_err(|e| Failure::new("ArtifactFailed", format!("unpack worker failed: {e}")))?
                .map(Arc::new)
        };
        if digest.is_empty() {
            return load().await;
        }
        let slot = self.slot(digest);
        match slot.get_or_try_init(load).await {
            Ok(t) => Ok(t.clone()),
            Err(e) => {
                // A failed download is retried by the next reconcile, not remembered.
                self.forget(digest);
                Err(e)
            }
        }
    }
}
