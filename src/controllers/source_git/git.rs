//! Git I/O through git2 (blocking; callers use `spawn_blocking`): fetch the refs a
//! GitRepository needs into a per-object bare mirror in the data directory, resolve the
//! commit, and pack the commit's tree into the artifact tarball without a checkout.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::Instant;

use git2::{CertificateCheckStatus, Cred, CredentialType, FetchOptions, RemoteCallbacks};

use super::auth::{self, GitAuth, Transport};
use super::ignore::Matcher;
use super::refs::{self, GitRef, RefError};
use crate::controllers::runtime::FluxReason;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error(
        "unsupported URL {0:?}: expected http(s)://, ssh://, git://, file:// or an absolute path"
    )]
    UrlInvalid(String),
    #[error("failed to checkout and determine revision: unable to clone '{url}': {message}")]
    Fetch { url: String, message: String },
    #[error("failed to authenticate to '{url}': {message}")]
    Auth { url: String, message: String },
    #[error("{0}")]
    Ref(#[from] RefError),
    #[error("unable to resolve {what} in '{url}': {message}")]
    Resolve {
        url: String,
        what: String,
        message: String,
    },
    #[error("cannot prepare the local Git mirror {path}: {message}")]
    Mirror { path: String, message: String },
    #[error("cannot build the artifact archive: {0}")]
    Archive(String),
}

impl FluxReason for GitError {
    fn reason(&self) -> &'static str {
        match self {
            GitError::UrlInvalid(_) => "URLInvalid",
            GitError::Auth { .. } => "AuthenticationFailed",
            GitError::Archive(_) | GitError::Mirror { .. } => "StorageOperationFailed",
            GitError::Fetch { .. } | GitError::Ref(_) | GitError::Resolve { .. } => {
                "GitOperationFailed"
            }
        }
    }
}

/// What to fetch.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    pub url: String,
    pub git_ref: GitRef,
    pub auth: GitAuth,
    pub mirror_dir: PathBuf,
    pub deadline: Instant,
}

/// The resolved commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub commit: String,
    pub revision: String,
    pub subject: String,
}

fn open_mirror(dir: &Path) -> Result<git2::Repository, GitError> {
    let err = |e: &dyn std::fmt::Display| GitError::Mirror {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    if dir.join("HEAD").exists() {
        return git2::Repository::open_bare(dir).map_err(|e| err(&e));
    }
    std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    git2::Repository::init_bare(dir).map_err(|e| err(&e))
}

/// `hostkey_problem` receives why the SSH host key was refused: libgit2 replaces a
/// callback's error text with a generic "invalid or unknown remote ssh hostkey".
fn callbacks<'a>(
    req: &'a FetchRequest,
    tried: &'a Cell<u32>,
    hostkey_problem: &'a RefCell<Option<String>>,
) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, user_from_url, allowed| {
        tried.set(tried.get() + 1);
        if tried.get() > 2 {
            return Err(git2::Error::from_str("credentials rejected"));
        }
        if allowed.contains(CredentialType::SSH_KEY)
            && let Some(identity) = &req.auth.identity
        {
            let user = user_from_url
                .map(str::to_string)
                .unwrap_or_else(|| auth::ssh_user(&req.url));
            return Cred::ssh_key_from_memory(&user, None, identity, req.auth.password.as_deref());
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let (Some(u), Some(p)) = (&req.auth.username, &req.auth.password)
        {
            return Cred::userpass_plaintext(u, p);
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user_from_url.unwrap_or("git"));
        }
        Err(git2::Error::from_str(
            "the server asked for credentials and spec.secretRef provides none that fit",
        ))
    });
    cb.certificate_check(move |cert, host| {
        let Some(hostkey) = cert.as_hostkey() else {
            // TLS: libgit2 has verified the chain against the system roots.
            return Ok(CertificateCheckStatus::CertificatePassthrough);
        };
        let refuse = |problem: String| {
            let e = git2::Error::from_str(&problem);
            *hostkey_problem.borrow_mut() = Some(problem);
            Err(e)
        };
        let Some(known) = &req.auth.known_hosts else {
            return refuse(
                "spec.secretRef must provide 'known_hosts' for SSH: the host key cannot be verified"
                    .to_string(),
            );
        };
        let port = auth::ssh_host_port(&req.url).map(|(_, p)| p).unwrap_or(22);
        match hostkey.hostkey() {
            Some(key) if auth::known_host_matches(known, host, port, key) => {
                Ok(CertificateCheckStatus::CertificateOk)
            }
            key => refuse(format!(
                "host key for {} ({}) does not match any entry in known_hosts of spec.secretRef: \
                 add the server's key (ssh-keyscan) to known_hosts",
                auth::known_hosts_name(host, port),
                key.map(auth::fingerprint)
                    .unwrap_or_else(|| "no raw key offered".to_string()),
            )),
        }
    });
    let deadline = req.deadline;
    cb.transfer_progress(move |_| Instant::now() < deadline);
    cb
}

fn local_url(url: &str) -> String {
    url.strip_prefix("file://").unwrap_or(url).to_string()
}

/// Fetch and resolve; returns the mirror (for archiving) and the commit.
pub fn fetch(req: &FetchRequest) -> Result<(git2::Repository, Fetched), GitError> {
    let transport =
        auth::transport(&req.url).ok_or_else(|| GitError::UrlInvalid(req.url.clone()))?;
    let repo = open_mirror(&req.mirror_dir)?;
    let url = match transport {
        Transport::File => local_url(&req.url),
        _ => req.url.clone(),
    };
    {
        let tried = Cell::new(0);
        let hostkey_problem = RefCell::new(None);
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(callbacks(req, &tried, &hostkey_problem));
        let header;
        if let Some(token) = &req.auth.bearer_token {
            header = format!("Authorization: Bearer {token}");
            fo.custom_headers(&[header.as_str()]);
        }
        fo.download_tags(git2::AutotagOption::None);
        let mut remote = repo.remote_anonymous(&url).map_err(|e| GitError::Fetch {
            url: req.url.clone(),
            message: e.message().to_string(),
        })?;
        let specs = req.git_ref.refspecs();
        let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
        if let Err(e) = remote.fetch(&specs, Some(&mut fo), None) {
            drop(fo);
            if let Some(message) = hostkey_problem.take() {
                return Err(GitError::Auth {
                    url: req.url.clone(),
                    message,
                });
            }
            let message = e.message().to_string();
            let auth_failed = e.class() == git2::ErrorClass::Http
                && e.code() == git2::ErrorCode::Auth
                || e.code() == git2::ErrorCode::Auth
                || message.contains("authentication")
                || message.contains("credentials")
                || message.contains("known_hosts")
                || message.contains("host key");
            return Err(if auth_failed {
                GitError::Auth {
                    url: req.url.clone(),
                    message,
                }
            } else {
                GitError::Fetch {
                    url: req.url.clone(),
                    message,
                }
            });
        }
    }
    let fetched = resolve(&repo, req)?;
    Ok((repo, fetched))
}

fn resolve(repo: &git2::Repository, req: &FetchRequest) -> Result<Fetched, GitError> {
    let rerr = |what: &str, e: &dyn std::fmt::Display| GitError::Resolve {
        url: req.url.clone(),
        what: what.to_string(),
        message: e.to_string(),
    };
    let (commit, tag) = match &req.git_ref {
        GitRef::Semver(range) => {
            let names = repo.tag_names(None).map_err(|e| rerr("tags", &e))?;
            let tags: Vec<String> = names
                .iter()
                .flatten()
                .flatten()
                .map(str::to_string)
                .collect();
            let tag = refs::pick_semver_tag(range, &tags)?.to_string();
            let c = repo
                .revparse_single(&format!("refs/tags/{tag}"))
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| rerr(&format!("tag '{tag}'"), &e))?;
            (c, Some(tag))
        }
        GitRef::Commit { sha, branch } => {
            let c = repo
                .revparse_single(sha)
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| rerr(&format!("commit '{sha}'"), &e))?;
            if let Some(b) = branch {
                let tip = repo
                    .revparse_single(&format!("refs/remotes/origin/{b}"))
                    .and_then(|o| o.peel_to_commit())
                    .map_err(|e| rerr(&format!("branch '{b}'"), &e))?;
                let reachable = tip.id() == c.id()
                    || repo.graph_descendant_of(tip.id(), c.id()).unwrap_or(false);
                if !reachable {
                    return Err(rerr(
                        &format!("commit '{sha}'"),
                        &format!("not found in branch '{b}'"),
                    ));
                }
            }
            (c, None)
        }
        other => {
            let local = other.local_ref().unwrap_or_default();
            let c = repo
                .revparse_single(&local)
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| rerr(&format!("reference '{local}'"), &e))?;
            (c, None)
        }
    };
    let hex = commit.id().to_string();
    Ok(Fetched {
        revision: req.git_ref.revision(tag.as_deref(), &hex),
        subject: commit.summary().ok().flatten().unwrap_or("").to_string(),
        commit: hex,
    })
}

/// Pack the commit's tree as a tar.gz, honouring the default excludes, every `.sourceignore`
/// in the tree and `spec.ignore`. Symlinks and submodules are left out, as Flux does.
pub fn archive(
    repo: &git2::Repository,
    commit: &str,
    spec_ignore: Option<&str>,
) -> Result<Vec<u8>, GitError> {
    let aerr = |e: &dyn std::fmt::Display| GitError::Archive(e.to_string());
    let oid = git2::Oid::from_str(commit).map_err(|e| aerr(&e))?;
    let tree = repo
        .find_commit(oid)
        .and_then(|c| c.tree())
        .map_err(|e| aerr(&e))?;
    let mut files: Vec<(String, git2::Oid, i32)> = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob)
            && let Ok(name) = entry.name()
        {
            files.push((format!("{dir}{name}"), entry.id(), entry.filemode()));
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| aerr(&e))?;
    let mut matcher = Matcher::with_defaults();
    for (path, id, _) in files
        .iter()
        .filter(|(p, _, _)| p == ".sourceignore" || p.ends_with("/.sourceignore"))
    {
        let blob = repo.find_blob(*id).map_err(|e| aerr(&e))?;
        let domain: Vec<String> = path
            .split('/')
            .rev()
            .skip(1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .map(str::to_string)
            .collect();
        matcher.add_lines(&String::from_utf8_lossy(blob.content()), &domain);
    }
    if let Some(extra) = spec_ignore {
        matcher.add_lines(extra, &[]);
    }
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, id, mode) in &files {
        // 0o120000 = symlink, 0o160000 = submodule: not regular files.
        if *mode != 0o100644 && *mode != 0o100755 {
            continue;
        }
        if matcher.is_ignored(path, false) {
            continue;
        }
        let blob = repo.find_blob(*id).map_err(|e| aerr(&e))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(blob.content().len() as u64);
        header.set_mode(if *mode == 0o100755 { 0o755 } else { 0o644 });
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, path, blob.content())
            .map_err(|e| aerr(&e))?;
    }
    let gz = tar.into_inner().map_err(|e| aerr(&e))?;
    gz.finish().map_err(|e| aerr(&e))
}
