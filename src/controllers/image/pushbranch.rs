//! Real Flux's review flow: an ImageUpdateAutomation whose spec.git.push.branch differs from
//! its checkout branch pushes updates to that branch, and a human merges them. `inspect` lists
//! the commits on the push branch that the checkout branch lacks (with their combined diff);
//! `merge` brings them into the checkout branch — a fast-forward when possible, else a merge
//! commit — and pushes without force (a moved remote is fetched and merged again). Blocking
//! (git2); the caller runs it on a blocking thread.

use std::cell::Cell;
use std::path::Path;

use git2::{FetchOptions, Oid, Repository};

use super::gitwork::{self, GitTarget, PushError, WorkTree};

/// Merges retried after the checkout branch moved under us.
const MERGE_ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum BranchError {
    #[error("cannot read {url}: {message}")]
    Fetch { url: String, message: String },
    #[error("branch '{branch}' does not exist in {url}")]
    NoBranch { url: String, branch: String },
    #[error(
        "branch '{branch}' moved to {now} since it was shown ({seen}); look at the new commits before approving"
    )]
    Moved {
        branch: String,
        seen: String,
        now: String,
    },
    #[error(
        "merging '{from}' into '{into}' conflicts in {files}: resolve it in Git (fluxdeck never force-pushes)"
    )]
    Conflict {
        from: String,
        into: String,
        files: String,
    },
    #[error("{0}")]
    Git(String),
}

fn git(e: git2::Error) -> BranchError {
    BranchError::Git(e.message().to_string())
}

/// The commits on the push branch ahead of the checkout branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ahead {
    pub head: String,
    /// `short-sha subject`, newest first.
    pub commits: Vec<String>,
    /// Full message of the newest commit.
    pub message: String,
    /// Commit time of the newest commit (RFC 3339).
    pub time: Option<String>,
    pub files: Vec<String>,
    /// Unified diff from the merge base to the push branch head.
    pub diff: String,
}

/// What `merge` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub commit: String,
    pub fast_forward: bool,
    pub commits: usize,
}

/// Open (or create) the cache repository in `dir` and fetch both branches.
fn fetch(target: &GitTarget, dir: &Path) -> Result<Repository, BranchError> {
    let repo = match Repository::open_bare(dir) {
        Ok(r) => r,
        Err(_) => {
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir).map_err(|e| BranchError::Git(e.to_string()))?;
            Repository::init_bare(dir).map_err(git)?
        }
    };
    {
        let mut remote = repo
            .remote_anonymous(&gitwork::remote_url(&target.url))
            .map_err(git)?;
        for branch in [&target.checkout_branch, &target.push_branch] {
            let spec = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
            let tried = Cell::new(0);
            let mut opts = FetchOptions::new();
            opts.remote_callbacks(gitwork::callbacks(target, &tried));
            if let Err(e) = remote.fetch(&[spec.as_str()], Some(&mut opts), None) {
                if branch == &target.checkout_branch {
                    return Err(BranchError::Fetch {
                        url: target.url.clone(),
                        message: format!("fetching '{branch}': {}", e.message()),
                    });
                }
                // The checkout branch fetched with the same credentials, so this is a push
                // branch that does not exist (yet): nothing is ahead.
                let _ = repo
                    .find_reference(&format!("refs/remotes/origin/{branch}"))
                    .and_then(|mut r| r.delete());
            }
        }
    }
    Ok(repo)
}

fn branch_oid(repo: &Repository, branch: &str) -> Option<Oid> {
    repo.refname_to_id(&format!("refs/remotes/origin/{branch}"))
        .ok()
}

fn short(oid: Oid) -> String {
    oid.to_string()[..7].to_string()
}

/// The push branch's commits ahead of the checkout branch; None when there are none (or the
/// push branch does not exist). `dir` is a cache repository reused between calls.
pub fn inspect(target: &GitTarget, dir: &Path) -> Result<Option<Ahead>, BranchError> {
    let repo = fetch(target, dir)?;
    let checkout =
        branch_oid(&repo, &target.checkout_branch).ok_or_else(|| BranchError::NoBranch {
            url: target.url.clone(),
            branch: target.checkout_branch.clone(),
        })?;
    let Some(push) = branch_oid(&repo, &target.push_branch) else {
        return Ok(None);
    };
    let mut walk = repo.revwalk().map_err(git)?;
    walk.push(push).map_err(git)?;
    walk.hide(checkout).map_err(git)?;
    let mut commits = Vec::new();
    for oid in walk {
        let oid = oid.map_err(git)?;
        let c = repo.find_commit(oid).map_err(git)?;
        commits.push(format!(
            "{} {}",
            short(oid),
            c.summary().ok().flatten().unwrap_or("")
        ));
    }
    if commits.is_empty() {
        return Ok(None);
    }
    let head = repo.find_commit(push).map_err(git)?;
    let base = repo.merge_base(checkout, push).map_err(git)?;
    let base_tree = repo.find_commit(base).and_then(|c| c.tree()).map_err(git)?;
    let head_tree = head.tree().map_err(git)?;
    let diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), None)
        .map_err(git)?;
    let mut files = Vec::new();
    for d in diff.deltas() {
        if let Some(p) = d.new_file().path().or(d.old_file().path()) {
            files.push(p.to_string_lossy().replace('\\', "/"));
        }
    }
    let mut text = String::new();
    diff.print(git2::DiffFormat::Patch, |_, _, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            text.push(line.origin());
        }
        text.push_str(&String::from_utf8_lossy(line.content()));
        true
    })
    .map_err(git)?;
    let time = jiff::Timestamp::from_second(head.time().seconds())
        .ok()
        .map(|t| t.to_string());
    Ok(Some(Ahead {
        head: push.to_string(),
        commits,
        message: head.message().unwrap_or("").trim_end().to_string(),
        time,
        files,
        diff: text,
    }))
}

/// Merge the push branch into the checkout branch and push it (never forced). `expect` is
/// the push-branch head the user approved; a moved branch is refused.
pub fn merge(
    target: &GitTarget,
    dir: &Path,
    expect: Option<&str>,
    committer: &git2::Signature<'_>,
    approved_by: &str,
) -> Result<Merged, BranchError> {
    for attempt in 1..=MERGE_ATTEMPTS {
        let repo = fetch(target, dir)?;
        let checkout =
            branch_oid(&repo, &target.checkout_branch).ok_or_else(|| BranchError::NoBranch {
                url: target.url.clone(),
                branch: target.checkout_branch.clone(),
            })?;
        let push = branch_oid(&repo, &target.push_branch).ok_or_else(|| BranchError::NoBranch {
            url: target.url.clone(),
            branch: target.push_branch.clone(),
        })?;
        if let Some(seen) = expect
            && seen != push.to_string()
        {
            return Err(BranchError::Moved {
                branch: target.push_branch.clone(),
                seen: seen.chars().take(7).collect(),
                now: short(push),
            });
        }
        let base = repo.merge_base(checkout, push).map_err(git)?;
        let ahead = {
            let mut walk = repo.revwalk().map_err(git)?;
            walk.push(push).map_err(git)?;
            walk.hide(checkout).map_err(git)?;
            walk.count()
        };
        let (commit, fast_forward) = if base == checkout {
            (push, true)
        } else {
            (
                merge_commit(&repo, target, checkout, push, committer, approved_by)?,
                false,
            )
        };
        let work = WorkTree {
            repo,
            dir: dir.to_path_buf(),
            base: checkout,
        };
        let into = GitTarget {
            push_branch: target.checkout_branch.clone(),
            ..target.clone()
        };
        match gitwork::push(&work, &into, commit) {
            Ok(()) => {
                return Ok(Merged {
                    commit: commit.to_string(),
                    fast_forward,
                    commits: ahead,
                });
            }
            Err(PushError::Rejected(why)) if attempt == MERGE_ATTEMPTS => {
                return Err(BranchError::Git(format!(
                    "push to '{}' rejected {MERGE_ATTEMPTS} times (the branch keeps moving): {why}",
                    target.checkout_branch
                )));
            }
            Err(PushError::Rejected(_)) => continue,
            Err(PushError::Failed(e)) => return Err(BranchError::Git(e.to_string())),
        }
    }
    Err(BranchError::Git("merge not attempted".into()))
}

fn merge_commit(
    repo: &Repository,
    target: &GitTarget,
    checkout: Oid,
    push: Oid,
    committer: &git2::Signature<'_>,
    approved_by: &str,
) -> Result<Oid, BranchError> {
    let ours = repo.find_commit(checkout).map_err(git)?;
    let theirs = repo.find_commit(push).map_err(git)?;
    let mut index = repo.merge_commits(&ours, &theirs, None).map_err(git)?;
    if index.has_conflicts() {
        let mut files: Vec<String> = index
            .conflicts()
            .map_err(git)?
            .flatten()
            .filter_map(|c| c.our.or(c.their))
            .map(|e| String::from_utf8_lossy(&e.path).to_string())
            .collect();
        files.dedup();
        return Err(BranchError::Conflict {
            from: target.push_branch.clone(),
            into: target.checkout_branch.clone(),
            files: files.join(", "),
        });
    }
    let tree_id = index.write_tree_to(repo).map_err(git)?;
    let tree = repo.find_tree(tree_id).map_err(git)?;
    let message = format!(
        "Merge branch '{}' into {}\n\nApproved by {approved_by} in fluxdeck.\n",
        target.push_branch, target.checkout_branch
    );
    repo.commit(
        None,
        committer,
        committer,
        &message,
        &tree,
        &[&ours, &theirs],
    )
    .map_err(git)
}
