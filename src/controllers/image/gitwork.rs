//! The Git side of image automation (blocking, git2): fetch the checkout and push branches into
//! a fresh work tree, read the files under `update.path`, commit the rewritten files and push
//! without force. A rejected push (the remote moved) is reported as `PushError::Rejected` so
//! the caller can reapply the update on the new head.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use git2::{
    CertificateCheckStatus, Cred, CredentialType, FetchOptions, PushOptions, RemoteCallbacks,
};

use crate::controllers::source_git::auth::{self, GitAuth};

#[derive(Debug, thiserror::Error)]
pub enum GitWorkError {
    #[error("failed to checkout source: {0}")]
    Checkout(String),
    #[error("branch '{branch}' does not exist in {url}")]
    NoBranch { url: String, branch: String },
    #[error("spec.update.path '{0}' escapes the repository root")]
    BadPath(String),
    #[error("failed to update source: {0}")]
    Commit(String),
    #[error("failed to push to branch '{branch}': {message}")]
    Push { branch: String, message: String },
}

impl GitWorkError {
    pub fn reason(&self) -> &'static str {
        match self {
            GitWorkError::BadPath(_) => "InvalidSourceConfiguration",
            _ => "GitOperationFailed",
        }
    }
}

/// What the remote said to a push.
#[derive(Debug)]
pub enum PushError {
    /// Not a fast-forward: somebody pushed in between.
    Rejected(String),
    Failed(GitWorkError),
}

/// Where to fetch from and push to.
#[derive(Debug, Clone)]
pub struct GitTarget {
    pub url: String,
    pub auth: GitAuth,
    pub checkout_branch: String,
    pub push_branch: String,
}

/// A checked-out work tree at the commit updates apply to.
pub struct WorkTree {
    pub repo: git2::Repository,
    pub dir: PathBuf,
    pub base: git2::Oid,
}

pub(crate) fn callbacks<'a>(target: &'a GitTarget, tried: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, user_from_url, allowed| {
        tried.set(tried.get() + 1);
        if tried.get() > 2 {
            return Err(git2::Error::from_str("credentials rejected"));
        }
        if allowed.contains(CredentialType::SSH_KEY)
            && let Some(identity) = &target.auth.identity
        {
            let user = user_from_url.map(str::to_string).unwrap_or_else(|| auth::ssh_user(&target.url));
            return Cred::ssh_key_from_memory(&user, None, identity, target.auth.password.as_deref());
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let (Some(u), Some(p)) = (&target.auth.username, &target.auth.password)
        {
            return Cred::userpass_plaintext(u, p);
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user_from_url.unwrap_or("git"));
        }
        Err(git2::Error::from_str("the server asked for credentials and the GitRepository's secretRef provides none that fit"))
    });
    cb.certificate_check(move |cert, host| {
        let Some(hostkey) = cert.as_hostkey() else {
            return Ok(CertificateCheckStatus::CertificatePassthrough);
        };
        let Some(known) = &target.auth.known_hosts else {
            return Err(git2::Error::from_str(
                "the GitRepository's secretRef must provide 'known_hosts' for SSH",
            ));
        };
        let port = auth::ssh_host_port(&target.url)
            .map(|(_, p)| p)
            .unwrap_or(22);
        match hostkey.hostkey() {
            Some(key) if auth::known_host_matches(known, host, port, key) => {
                Ok(CertificateCheckStatus::CertificateOk)
            }
            _ => Err(git2::Error::from_str(&format!(
                "host key of {host} does not match known_hosts"
            ))),
        }
    });
    cb
}

pub(crate) fn remote_url(url: &str) -> String {
    url.strip_prefix("file://").unwrap_or(url).to_string()
}

/// Fetch both branches into `dir` (recreated) and check out the base: the remote push branch
/// when it exists and differs from the checkout branch, else the checkout branch.
pub fn prepare(target: &GitTarget, dir: &Path) -> Result<WorkTree, GitWorkError> {
    let err = |e: &dyn std::fmt::Display| GitWorkError::Checkout(e.to_string());
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    let repo = git2::Repository::init(dir).map_err(|e| err(&e))?;
    fetch(&repo, target)?;
    let branch_oid = |b: &str| repo.refname_to_id(&format!("refs/remotes/origin/{b}")).ok();
    let checkout = branch_oid(&target.checkout_branch).ok_or_else(|| GitWorkError::NoBranch {
        url: target.url.clone(),
        branch: target.checkout_branch.clone(),
    })?;
    let base = if target.push_branch != target.checkout_branch {
        branch_oid(&target.push_branch).unwrap_or(checkout)
    } else {
        checkout
    };
    reset_to(&repo, base)?;
    Ok(WorkTree {
        dir: dir.to_path_buf(),
        repo,
        base,
    })
}

fn fetch(repo: &git2::Repository, target: &GitTarget) -> Result<(), GitWorkError> {
    let mut remote = repo
        .remote_anonymous(&remote_url(&target.url))
        .map_err(|e| GitWorkError::Checkout(e.to_string()))?;
    let mut specs = vec![format!(
        "+refs/heads/{0}:refs/remotes/origin/{0}",
        target.checkout_branch
    )];
    if target.push_branch != target.checkout_branch {
        specs.push(format!(
            "+refs/heads/{0}:refs/remotes/origin/{0}",
            target.push_branch
        ));
    }
    for (i, spec) in specs.iter().enumerate() {
        let tried = Cell::new(0);
        let mut opts = FetchOptions::new();
        opts.remote_callbacks(callbacks(target, &tried));
        let result = remote.fetch(&[spec.as_str()], Some(&mut opts), None);
        // A push branch that does not exist yet is created from the checkout branch.
        if let Err(e) = result
            && i == 0
        {
            return Err(GitWorkError::Checkout(format!(
                "fetching {} from {}: {}",
                target.checkout_branch,
                target.url,
                e.message()
            )));
        }
    }
    Ok(())
}

fn reset_to(repo: &git2::Repository, oid: git2::Oid) -> Result<(), GitWorkError> {
    let obj = repo
        .find_object(oid, None)
        .map_err(|e| GitWorkError::Checkout(e.to_string()))?;
    repo.reset(&obj, git2::ResetType::Hard, None)
        .map_err(|e| GitWorkError::Checkout(e.to_string()))
}

/// Fetch again and move the work tree to the new base (after a rejected push).
pub fn refresh(work: &mut WorkTree, target: &GitTarget) -> Result<(), GitWorkError> {
    let fresh = prepare(target, &work.dir)?;
    *work = fresh;
    Ok(())
}

/// `spec.update.path` joined safely to the root (no `..` escapes).
pub fn update_root(root: &Path, path: &str) -> Result<PathBuf, GitWorkError> {
    let mut out = root.to_path_buf();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir | Component::RootDir => {}
            _ => return Err(GitWorkError::BadPath(path.to_string())),
        }
    }
    Ok(out)
}

/// Every UTF-8 file under `dir` (paths relative to `dir`, `.git` skipped).
pub fn read_files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_name() == ".git" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p)
                && let Ok(rel) = p.strip_prefix(dir)
            {
                out.insert(rel.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    out
}

/// The author of the commit, and the key that signs it (spec.git.commit.signingKey).
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
    pub signing: Option<super::signing::SigningKey>,
}

/// Write `changed` (paths relative to the work tree root) and commit them on top of the base.
pub fn commit(
    work: &WorkTree,
    changed: &BTreeMap<String, String>,
    author: &Author,
    message: &str,
) -> Result<git2::Oid, GitWorkError> {
    let err = |e: &dyn std::fmt::Display| GitWorkError::Commit(e.to_string());
    let mut index = work.repo.index().map_err(|e| err(&e))?;
    for (path, text) in changed {
        std::fs::write(work.dir.join(path), text).map_err(|e| err(&e))?;
        index.add_path(Path::new(path)).map_err(|e| err(&e))?;
    }
    index.write().map_err(|e| err(&e))?;
    let tree_id = index.write_tree().map_err(|e| err(&e))?;
    let tree = work.repo.find_tree(tree_id).map_err(|e| err(&e))?;
    let parent = work.repo.find_commit(work.base).map_err(|e| err(&e))?;
    let sig = git2::Signature::now(&author.name, &author.email).map_err(|e| err(&e))?;
    let Some(key) = &author.signing else {
        return work
            .repo
            .commit(None, &sig, &sig, message, &tree, &[&parent])
            .map_err(|e| err(&e));
    };
    let buffer = work
        .repo
        .commit_create_buffer(&sig, &sig, message, &tree, &[&parent])
        .map_err(|e| err(&e))?;
    let content = buffer
        .as_str()
        .map_err(|_| GitWorkError::Commit("the commit is not valid UTF-8".into()))?;
    let signature = super::signing::sign(key, content.as_bytes()).map_err(|e| err(&e))?;
    work.repo
        .commit_signed(content, &signature, Some("gpgsig"))
        .map_err(|e| err(&e))
}

/// Push `commit` to `refs/heads/<branch>` (never forced).
pub fn push(work: &WorkTree, target: &GitTarget, commit: git2::Oid) -> Result<(), PushError> {
    let failed = |m: String| {
        PushError::Failed(GitWorkError::Push {
            branch: target.push_branch.clone(),
            message: m,
        })
    };
    let local = format!("refs/fluxdeck/push/{}", target.push_branch);
    work.repo
        .reference(&local, commit, true, "image automation")
        .map_err(|e| failed(e.to_string()))?;
    let mut remote = work
        .repo
        .remote_anonymous(&remote_url(&target.url))
        .map_err(|e| failed(e.to_string()))?;
    let tried = Cell::new(0);
    let rejected: RefCell<Option<String>> = RefCell::new(None);
    let mut cb = callbacks(target, &tried);
    cb.push_update_reference(|_refname, status| {
        if let Some(s) = status {
            *rejected.borrow_mut() = Some(s.to_string());
        }
        Ok(())
    });
    let mut opts = PushOptions::new();
    opts.remote_callbacks(cb);
    let spec = format!("{local}:refs/heads/{}", target.push_branch);
    let result = remote.push(&[spec.as_str()], Some(&mut opts));
    drop(opts);
    if let Some(status) = rejected.into_inner() {
        return Err(PushError::Rejected(status));
    }
    match result {
        Ok(()) => Ok(()),
        Err(e)
            if e.code() == git2::ErrorCode::NotFastForward
                || e.message().contains("fast-forward")
                || e.message().contains("fetch first") =>
        {
            Err(PushError::Rejected(e.message().to_string()))
        }
        Err(e) => Err(failed(e.message().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_path_cannot_escape_the_root() {
        let root = Path::new("/r");
        assert_eq!(
            update_root(root, "./apps/x").unwrap(),
            PathBuf::from("/r/apps/x")
        );
        assert_eq!(update_root(root, "/abs").unwrap(), PathBuf::from("/r/abs"));
        assert!(update_root(root, "../etc").is_err());
    }
}
