//! One Setters pass over a fresh checkout (`compute`) and the commit + push that reapplies
//! the update on the new head when the remote moved (`commit_and_push`). Blocking (git2).

use std::collections::BTreeMap;

use super::gitwork::{self, Author, GitTarget, GitWorkError, PushError};
use super::proposal::{self, ProposedChange};
use crate::controllers::runtime::Failure;
use crate::engine::setters::{self, ImageRef, TreeResult};

/// Pushes retried after the remote moved.
const PUSH_ATTEMPTS: usize = 3;

/// The result of applying the policies to one checkout.
pub struct Computed {
    pub work: gitwork::WorkTree,
    pub result: TreeResult,
    /// Old text of each changed file, keyed like `result.changed` (relative to update.path).
    pub old: BTreeMap<String, String>,
    /// update.path relative to the repository root ("" for the root).
    pub prefix: String,
}

impl Computed {
    pub fn root_relative(&self, files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(p, t)| {
                (
                    if self.prefix.is_empty() {
                        p.clone()
                    } else {
                        format!("{}/{p}", self.prefix)
                    },
                    t.clone(),
                )
            })
            .collect()
    }

    /// The changes with repository-root-relative file paths (as in the diff and in Git).
    pub fn proposed(&self) -> Vec<ProposedChange> {
        self.result
            .changes
            .iter()
            .map(|c| {
                let mut p = ProposedChange::from(c);
                if !self.prefix.is_empty() {
                    p.file = format!("{}/{}", self.prefix, p.file);
                }
                p
            })
            .collect()
    }
}

pub fn compute(
    target: &GitTarget,
    dir: &std::path::Path,
    update_path: &str,
    images: &BTreeMap<String, ImageRef>,
) -> Result<Computed, GitWorkError> {
    let work = gitwork::prepare(target, dir)?;
    let root = gitwork::update_root(&work.dir, update_path)?;
    let files = gitwork::read_files(&root);
    let lookup = |ns: &str, name: &str| images.get(&format!("{ns}/{name}")).cloned();
    let result = setters::apply_setters_to_files(&files, &lookup);
    let old = result
        .changed
        .keys()
        .filter_map(|k| files.get(k).map(|t| (k.clone(), t.clone())))
        .collect();
    let prefix = root
        .strip_prefix(&work.dir)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    Ok(Computed {
        work,
        result,
        old,
        prefix,
    })
}

/// Commit and push, reapplying on the new head when the remote moved. `expect` (an approved
/// proposal's id) must still match the recomputed change set.
pub fn commit_and_push(
    mut computed: Computed,
    target: &GitTarget,
    update_path: &str,
    images: &BTreeMap<String, ImageRef>,
    author: &Author,
    message: &str,
    expect: Option<&str>,
) -> Result<(Computed, git2::Oid), Failure> {
    for attempt in 1..=PUSH_ATTEMPTS {
        if let Some(id) = expect {
            let now = proposal::proposal_id(&computed.proposed());
            if computed.result.changes.is_empty() || now != id {
                return Err(Failure::new(
                    "ApprovalConflict",
                    format!(
                        "proposal {id} no longer applies to the head of '{}' (recomputed: {}): the files changed upstream; it stays pending",
                        target.push_branch,
                        if computed.result.changes.is_empty() {
                            "no change".to_string()
                        } else {
                            format!("change set {now}")
                        }
                    ),
                ));
            }
        }
        let changed = computed.root_relative(&computed.result.changed);
        let oid = gitwork::commit(&computed.work, &changed, author, message)?;
        match gitwork::push(&computed.work, target, oid) {
            Ok(()) => return Ok((computed, oid)),
            Err(PushError::Failed(e)) => return Err(e.into()),
            Err(PushError::Rejected(why)) if attempt == PUSH_ATTEMPTS => {
                return Err(Failure::new(
                    "GitOperationFailed",
                    format!(
                        "push to '{}' rejected {PUSH_ATTEMPTS} times (the remote keeps moving): {why}",
                        target.push_branch
                    ),
                ));
            }
            Err(PushError::Rejected(_)) => {
                let dir = computed.work.dir.clone();
                computed = compute(target, &dir, update_path, images)?;
            }
        }
    }
    Err(Failure::new("GitOperationFailed", "push not attempted"))
}
