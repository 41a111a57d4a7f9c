//! `spec.ref` of a GitRepository as a decision (pure): which refs to fetch, how to pick the
//! commit, and how the artifact revision is spelled (SPEC §5). Later fields win:
//! branch < tag < semver < name < commit.

use serde_json::Value;

use crate::engine::semver_range::Constraints;
use crate::engine::semver_range::Version;

/// What to check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRef {
    Branch(String),
    Tag(String),
    Semver(String),
    /// A full reference name such as `refs/heads/main` or `refs/pull/1/head`.
    Name(String),
    /// A commit SHA, optionally within a branch.
    Commit {
        sha: String,
        branch: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    #[error("invalid spec.ref.semver {range:?}: {message}")]
    BadRange { range: String, message: String },
    #[error("no tag found matching spec.ref.semver {0:?}")]
    NoMatchingTag(String),
    #[error("invalid spec.ref.commit {0:?}: expected a hexadecimal SHA-1")]
    BadCommit(String),
}

fn field<'a>(r: &'a Value, key: &str) -> Option<&'a str> {
    r.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Read `spec.ref`; absent → branch `master` (the Flux default).
pub fn parse(spec: &Value) -> Result<GitRef, RefError> {
    let r = spec.get("ref").cloned().unwrap_or(Value::Null);
    if let Some(sha) = field(&r, "commit") {
        if sha.len() < 4 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(RefError::BadCommit(sha.to_string()));
        }
        return Ok(GitRef::Commit {
            sha: sha.to_lowercase(),
            branch: field(&r, "branch").map(str::to_string),
        });
    }
    if let Some(name) = field(&r, "name") {
        return Ok(GitRef::Name(name.to_string()));
    }
    if let Some(range) = field(&r, "semver") {
        Constraints::parse(range).map_err(|e| RefError::BadRange {
            range: range.to_string(),
            message: e.to_string(),
        })?;
        return Ok(GitRef::Semver(range.to_string()));
    }
    if let Some(tag) = field(&r, "tag") {
        return Ok(GitRef::Tag(tag.to_string()));
    }
    Ok(GitRef::Branch(
        field(&r, "branch").unwrap_or("master").to_string(),
    ))
}

impl GitRef {
    /// Refspecs to fetch into the local mirror.
    pub fn refspecs(&self) -> Vec<String> {
        match self {
            GitRef::Branch(b) => vec![format!("+refs/heads/{b}:refs/remotes/origin/{b}")],
            GitRef::Tag(t) => vec![format!("+refs/tags/{t}:refs/tags/{t}")],
            GitRef::Semver(_) => vec!["+refs/tags/*:refs/tags/*".into()],
            GitRef::Name(n) => vec![format!("+{n}:{n}")],
            GitRef::Commit {
                branch: Some(b), ..
            } => vec![format!("+refs/heads/{b}:refs/remotes/origin/{b}")],
            GitRef::Commit { branch: None, .. } => vec![
                "+refs/heads/*:refs/remotes/origin/*".into(),
                "+refs/tags/*:refs/tags/*".into(),
            ],
        }
    }

    /// The local reference the fetched commit is found under (not for semver/commit).
    pub fn local_ref(&self) -> Option<String> {
        match self {
            GitRef::Branch(b) => Some(format!("refs/remotes/origin/{b}")),
            GitRef::Tag(t) => Some(format!("refs/tags/{t}")),
            GitRef::Name(n) => Some(n.clone()),
            GitRef::Semver(_) | GitRef::Commit { .. } => None,
        }
    }

    /// Artifact revision: `<branch|tag|name>@sha1:<hex>`, or `sha1:<hex>` for a bare commit.
    pub fn revision(&self, chosen_tag: Option<&str>, commit_hex: &str) -> String {
        let prefix = match self {
            GitRef::Branch(b) => Some(b.as_str()),
            GitRef::Tag(t) => Some(t.as_str()),
            GitRef::Semver(_) => chosen_tag,
            GitRef::Name(n) => Some(n.as_str()),
            GitRef::Commit { branch, .. } => branch.as_deref(),
        };
        match prefix {
            Some(p) => format!("{p}@sha1:{commit_hex}"),
            None => format!("sha1:{commit_hex}"),
        }
    }
}

/// The highest tag satisfying the range (tags that are not versions are skipped).
pub fn pick_semver_tag<'a>(range: &str, tags: &'a [String]) -> Result<&'a str, RefError> {
    let constraints = Constraints::parse(range).map_err(|e| RefError::BadRange {
        range: range.to_string(),
        message: e.to_string(),
    })?;
    let mut best: Option<(Version, &str)> = None;
    for tag in tags {
        let Ok(v) = Version::parse(tag) else {
            continue;
        };
        if !constraints.check(&v) {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| v > *b) {
            best = Some((v, tag.as_str()));
        }
    }
    best.map(|(_, t)| t)
        .ok_or_else(|| RefError::NoMatchingTag(range.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_fields_win_and_master_is_the_default() {
        assert_eq!(parse(&json!({})).unwrap(), GitRef::Branch("master".into()));
        let all = json!({"ref": {"branch": "main", "tag": "v1", "semver": ">=1", "name": "refs/heads/x"}});
        assert_eq!(parse(&all).unwrap(), GitRef::Name("refs/heads/x".into()));
        let tag = json!({"ref": {"branch": "main", "tag": "v1"}});
        assert_eq!(parse(&tag).unwrap(), GitRef::Tag("v1".into()));
        let commit = json!({"ref": {"branch": "main", "commit": "ABCDEF12"}});
        assert_eq!(
            parse(&commit).unwrap(),
            GitRef::Commit {
                sha: "abcdef12".into(),
                branch: Some("main".into())
            }
        );
        assert!(parse(&json!({"ref": {"commit": "zz"}})).is_err());
        assert!(parse(&json!({"ref": {"semver": "not a range ~~"}})).is_err());
    }

    #[test]
    fn revisions_follow_flux_spelling() {
        let hex = "67e2c98a60dc92283531412a9e604dd4bae005a9";
        assert_eq!(
            GitRef::Branch("main".into()).revision(None, hex),
            format!("main@sha1:{hex}")
        );
        assert_eq!(
            GitRef::Semver("6.x".into()).revision(Some("6.3.5"), hex),
            format!("6.3.5@sha1:{hex}")
        );
        assert_eq!(
            GitRef::Name("refs/heads/main".into()).revision(None, hex),
            format!("refs/heads/main@sha1:{hex}")
        );
        let bare = GitRef::Commit {
            sha: hex.into(),
            branch: None,
        };
        assert_eq!(bare.revision(None, hex), format!("sha1:{hex}"));
    }

    #[test]
    fn semver_picks_the_highest_matching_tag() {
        let tags: Vec<String> = [
            "v1.0.0",
            "v1.2.0",
            "v2.0.0",
            "latest",
            "v1.10.1",
            "1.3.0-rc.1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(pick_semver_tag("1.x", &tags).unwrap(), "v1.10.1");
        assert_eq!(pick_semver_tag(">=2.0.0", &tags).unwrap(), "v2.0.0");
        assert!(matches!(
            pick_semver_tag(">=3.0.0", &tags),
            Err(RefError::NoMatchingTag(_))
        ));
    }
}
