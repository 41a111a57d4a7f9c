//! Where a build may read. Two different rules, from the two tools this engine stands in for:
//!
//! - `kubectl kustomize` (and the kustomize CLI) default to the root-only load restrictor:
//!   a *file* a kustomization loads (resource, patch, generator source, configuration, …)
//!   must lie in or below that kustomization's own directory. Bases and components are
//!   directories with their own kustomization and may be anywhere.
//! - kustomize-controller builds with no load restrictor but on a filesystem that never
//!   leaves the source artifact: any file inside the artifact, nothing outside it (a
//!   `../../etc/passwd` in a repository must not read the controller's host).

use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::fs::KustFs;

/// kustomize's `--load-restrictor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictor {
    /// Files must be in or below the kustomization that loads them (kubectl's default).
    #[default]
    RootOnly,
    /// Files may be anywhere the filesystem lets the build read.
    None,
}

impl FromStr for LoadRestrictor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "LoadRestrictionsRootOnly" | "rootOnly" | "RootOnly" => Ok(LoadRestrictor::RootOnly),
            "LoadRestrictionsNone" | "none" | "None" => Ok(LoadRestrictor::None),
            other => Err(format!(
                "unknown load restrictor '{other}': use LoadRestrictionsRootOnly or LoadRestrictionsNone"
            )),
        }
    }
}

/// `path` is `root` or inside it, compared on the paths the filesystem resolves them to
/// (symlinks followed where the filesystem has them).
pub fn in_or_below(fs: &dyn KustFs, path: &Path, root: &Path) -> bool {
    fs.real_path(path).starts_with(fs.real_path(root))
}

/// The root-only rule for one file load: `Ok` or kustomize's own message.
pub fn check_root_only(fs: &dyn KustFs, file: &Path, root: &Path) -> io::Result<()> {
    if in_or_below(fs, file, root) {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "security; file '{}' is not in or below '{}'",
            file.display(),
            root.display()
        ),
    ))
}

/// Reads of one kustomization under the root-only rule (what its generators see).
pub struct RootOnlyFs<'a> {
    pub inner: &'a dyn KustFs,
    pub root: &'a Path,
}

impl KustFs for RootOnlyFs<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        check_root_only(self.inner, path, self.root)?;
        self.inner.read(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.inner.is_dir(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.inner.is_file(path)
    }
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        self.inner.list_dir(path)
    }
    fn real_path(&self, path: &Path) -> PathBuf {
        self.inner.real_path(path)
    }
    fn refusal(&self, path: &Path) -> Option<String> {
        self.inner.refusal(path)
    }
}

/// A filesystem that never leaves `root` (kustomize-controller's secure filesystem): paths
/// outside it, lexically or through a symlink, do not exist for the build and say why.
pub struct ConfinedFs<'a> {
    inner: &'a dyn KustFs,
    /// The root as the filesystem resolves it, once.
    real_root: PathBuf,
}

impl<'a> ConfinedFs<'a> {
    pub fn new(inner: &'a dyn KustFs, root: &Path) -> ConfinedFs<'a> {
        ConfinedFs {
            inner,
            real_root: inner.real_path(root),
        }
    }

    /// Both paths resolved (`..` folded, symlinks followed where there are any).
    fn inside(&self, path: &Path) -> bool {
        self.inner.real_path(path).starts_with(&self.real_root)
    }

    fn refused(&self, path: &Path) -> io::Error {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            self.refusal(path).unwrap_or_default(),
        )
    }
}

impl KustFs for ConfinedFs<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if !self.inside(path) {
            return Err(self.refused(path));
        }
        self.inner.read(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.inside(path) && self.inner.is_dir(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.inside(path) && self.inner.is_file(path)
    }
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        if !self.inside(path) {
            return Err(self.refused(path));
        }
        self.inner.list_dir(path)
    }
    fn real_path(&self, path: &Path) -> PathBuf {
        self.inner.real_path(path)
    }
    fn refusal(&self, path: &Path) -> Option<String> {
        if self.inside(path) {
            return self.inner.refusal(path);
        }
        Some(format!(
            "path '{}' is outside the source artifact: a build reads only files of its source",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kustomize::RealFs;

    #[test]
    fn restrictor_names_are_kubectls() {
        assert_eq!(
            "LoadRestrictionsNone".parse::<LoadRestrictor>(),
            Ok(LoadRestrictor::None)
        );
        assert_eq!(
            "LoadRestrictionsRootOnly".parse::<LoadRestrictor>(),
            Ok(LoadRestrictor::RootOnly)
        );
        let e = "open".parse::<LoadRestrictor>().unwrap_err();
        assert!(e.contains("LoadRestrictionsNone"), "{e}");
    }

    #[test]
    fn confined_refuses_parent_paths_and_symlinks_out() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "s").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("ok.yaml"), "a: 1").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            root.path().join("link.yaml"),
        )
        .unwrap();
        let fs = ConfinedFs::new(&RealFs, root.path());
        assert!(fs.is_file(&root.path().join("ok.yaml")));
        assert_eq!(fs.read(&root.path().join("ok.yaml")).unwrap(), b"a: 1");
        let up = root.path().join("..").join(
            outside
                .path()
                .strip_prefix(root.path().parent().unwrap())
                .unwrap()
                .join("secret.txt"),
        );
        assert!(!fs.is_file(&up));
        let e = fs.read(&up).unwrap_err();
        assert!(e.to_string().contains("outside the source artifact"), "{e}");
        assert!(!fs.is_file(&root.path().join("link.yaml")));
        assert!(fs.read(&root.path().join("link.yaml")).is_err());
    }

    #[test]
    fn root_only_allows_below_and_names_both_paths_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app");
        std::fs::create_dir_all(app.join("sub")).unwrap();
        std::fs::write(app.join("sub/a.yaml"), "").unwrap();
        std::fs::write(dir.path().join("b.yaml"), "").unwrap();
        assert!(check_root_only(&RealFs, &app.join("sub/a.yaml"), &app).is_ok());
        let e = check_root_only(&RealFs, &dir.path().join("b.yaml"), &app).unwrap_err();
        assert!(e.to_string().starts_with("security; file '"), "{e}");
        assert!(e.to_string().contains("is not in or below"), "{e}");
    }
}
