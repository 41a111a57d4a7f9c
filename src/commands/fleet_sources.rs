//! Offline source resolution for `fluxdeck diff fleet`: which directory a Kustomization's
//! `sourceRef` stands for when all we have is one Git repository at one revision. The
//! repository itself (its bootstrap GitRepository, or any GitRepository with its URL),
//! and ExternalArtifacts composed by a source-watcher `ArtifactGenerator` (copy rules
//! `@alias/glob` → `@artifact/dir/`). Anything else (another repository, an OCI artifact,
//! a bucket) cannot be resolved offline and is reported, not guessed.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn text<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// What the fleet knows while resolving: the checked-out repository, its URL as given on the
/// command line, and every object rendered so far.
pub struct Resolver<'a> {
    pub repo_tree: &'a Path,
    pub repo_url: &'a str,
    pub objects: &'a [Value],
    /// Where composed ExternalArtifacts are written.
    pub scratch: &'a Path,
}

/// A source that cannot be rendered offline, and why (shown as a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved(pub String);

impl Resolver<'_> {
    fn find(&self, kind: &str, ns: &str, name: &str) -> Option<&Value> {
        self.objects.iter().find(|o| {
            text(o, "/kind") == kind
                && text(o, "/metadata/namespace") == ns
                && text(o, "/metadata/name") == name
        })
    }

    /// The directory of `kind/ns/name`; Err(None) when it is not known *yet* (defined by a
    /// Kustomization not rendered so far), Err(Some) when it can never be resolved offline.
    pub fn source_dir(
        &self,
        kind: &str,
        ns: &str,
        name: &str,
    ) -> Result<PathBuf, Option<Unresolved>> {
        match kind {
            "GitRepository" => match self.find(kind, ns, name) {
                // The bootstrap repository is usually not in Git itself (gotk-sync.yaml is
                // written by `flux bootstrap`): the repository under review stands for it.
                None => Ok(self.repo_tree.to_path_buf()),
                Some(g)
                    if same_repo(text(g, "/spec/url"), self.repo_url)
                        || (name == "flux-system" && ns == "flux-system") =>
                {
                    Ok(self.repo_tree.to_path_buf())
                }
                Some(g) => Err(Some(Unresolved(format!(
                    "GitRepository/{ns}/{name} ({}) is another repository: not rendered offline",
                    text(g, "/spec/url")
                )))),
            },
            "ExternalArtifact" => self.external_artifact(ns, name),
            other => Err(Some(Unresolved(format!(
                "{other}/{ns}/{name}: a {other} cannot be fetched offline: not rendered"
            )))),
        }
    }

    fn external_artifact(&self, ns: &str, name: &str) -> Result<PathBuf, Option<Unresolved>> {
        let generator = self.objects.iter().find(|o| {
            text(o, "/kind") == "ArtifactGenerator"
                && text(o, "/metadata/namespace") == ns
                && o.pointer("/spec/artifacts")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().any(|x| text(x, "/name") == name))
        });
        let Some(generator) = generator else {
            return Err(None);
        };
        let artifact = generator
            .pointer("/spec/artifacts")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|x| text(x, "/name") == name))
            .cloned()
            .unwrap_or(Value::Null);
        let dest = self.scratch.join(format!("ea-{ns}-{name}"));
        let _ = std::fs::remove_dir_all(&dest);
        std::fs::create_dir_all(&dest).map_err(|e| Some(Unresolved(e.to_string())))?;
        for rule in artifact
            .get("copy")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (from, to) = (text(rule, "/from"), text(rule, "/to"));
            let (alias, pattern) = split_alias(from).ok_or_else(|| {
                Some(Unresolved(format!(
                    "ArtifactGenerator/{ns}: copy from {from:?} has no @alias"
                )))
            })?;
            let src = generator
                .pointer("/spec/sources")
                .and_then(Value::as_array)
                .and_then(|s| s.iter().find(|x| text(x, "/alias") == alias))
                .ok_or_else(|| {
                    Some(Unresolved(format!(
                        "ArtifactGenerator/{ns}: unknown source alias @{alias}"
                    )))
                })?;
            let src_ns = Some(text(src, "/namespace"))
                .filter(|n| !n.is_empty())
                .unwrap_or(ns);
            let root = self.source_dir(text(src, "/kind"), src_ns, text(src, "/name"))?;
            let to_rel = split_alias(to).map(|(_, p)| p).unwrap_or(to);
            let excludes: Vec<String> = rule
                .get("exclude")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            copy_matching(&root, pattern, &excludes, &dest, to_rel)
                .map_err(|e| Some(Unresolved(format!("ArtifactGenerator/{ns}: {e}"))))?;
        }
        Ok(dest)
    }
}

fn same_repo(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim_end_matches('/')
            .trim_end_matches(".git")
            .trim_start_matches("file://")
            .to_string()
    };
    !a.is_empty() && norm(a) == norm(b)
}

/// `@alias/some/path/**` → (`alias`, `some/path/**`).
pub(crate) fn split_alias(s: &str) -> Option<(&str, &str)> {
    let rest = s.strip_prefix('@')?;
    Some(rest.split_once('/').unwrap_or((rest, "")))
}

/// A glob (`**` any path, `*` within a name, `?` one character) as an anchored regex.
pub fn glob_regex(glob: &str) -> Result<regex::Regex, regex::Error> {
    let mut re = String::from("^");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re)
}

/// The fixed directory before the first glob character (`apps/base/**` → `apps/base`;
/// a plain file path gives its directory).
fn glob_base(pattern: &str) -> &str {
    let cut = pattern.find(['*', '?', '[']).unwrap_or(pattern.len());
    match pattern[..cut].rfind('/') {
        Some(i) => &pattern[..i],
        None if cut == pattern.len() => pattern,
        None => "",
    }
}

/// Copy the files of `root` matching `pattern` into `dest/to`, keeping their paths relative
/// to the pattern's fixed base (a plain file path copies that one file).
pub(crate) fn copy_matching(
    root: &Path,
    pattern: &str,
    excludes: &[String],
    dest: &Path,
    to: &str,
) -> Result<(), String> {
    let re = glob_regex(pattern).map_err(|e| format!("bad pattern {pattern:?}: {e}"))?;
    let ex: Vec<regex::Regex> = excludes
        .iter()
        .filter_map(|e| glob_regex(e.trim_start_matches("**/")).ok())
        .collect();
    let is_glob = pattern.contains(['*', '?']);
    let base = glob_base(pattern);
    let target = dest.join(to.trim_start_matches('/'));
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.map_err(|e| e.to_string())?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.starts_with(".git/") || !re.is_match(&rel) {
            continue;
        }
        let file_name = rel.rsplit('/').next().unwrap_or(&rel);
        if ex.iter().any(|e| e.is_match(&rel) || e.is_match(file_name)) {
            continue;
        }
        let out = if is_glob {
            let sub = rel
                .strip_prefix(base)
                .unwrap_or(&rel)
                .trim_start_matches('/');
            target.join(sub)
        } else if to.ends_with('/') || to.is_empty() {
            target.join(file_name)
        } else {
            target.clone()
        };
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::copy(entry.path(), &out).map_err(|e| format!("copy {rel}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let re = glob_regex("apps/base/**").unwrap();
        assert!(re.is_match("apps/base/podinfo/release.yaml"));
        assert!(!re.is_match("apps/staging/x.yaml"));
        let re = glob_regex("**/*.yaml").unwrap();
        assert!(re.is_match("a.yaml") && re.is_match("x/y/a.yaml") && !re.is_match("a.yml"));
        assert_eq!(glob_base("apps/base/**"), "apps/base");
        assert_eq!(glob_base("infrastructure/**"), "infrastructure");
        assert_eq!(glob_base("a/b.yaml"), "a");
    }

    #[test]
    fn artifact_generator_copies_keep_paths_below_the_glob_base() {
        let repo = tempfile::tempdir().unwrap();
        let scratch = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(repo.path().join("apps/base/podinfo")).unwrap();
        std::fs::create_dir_all(repo.path().join("apps/staging")).unwrap();
        std::fs::write(repo.path().join("apps/base/podinfo/r.yaml"), "a: 1\n").unwrap();
        std::fs::write(repo.path().join("apps/staging/k.yaml"), "b: 1\n").unwrap();
        let gen_obj = serde_json::json!({
            "kind": "ArtifactGenerator", "metadata": {"name": "g", "namespace": "flux-system"},
            "spec": {"sources": [{"alias": "mono", "kind": "GitRepository", "name": "flux-system"}],
                     "artifacts": [{"name": "apps", "copy": [
                        {"from": "@mono/apps/base/**", "to": "@artifact/base/"},
                        {"from": "@mono/apps/staging/**", "to": "@artifact/staging/"}]}]}
        });
        let objects = [gen_obj];
        let r = Resolver {
            repo_tree: repo.path(),
            repo_url: "/x",
            objects: &objects,
            scratch: scratch.path(),
        };
        let dir = r
            .source_dir("ExternalArtifact", "flux-system", "apps")
            .unwrap();
        assert!(dir.join("base/podinfo/r.yaml").is_file());
        assert!(dir.join("staging/k.yaml").is_file());
        assert_eq!(
            r.source_dir("ExternalArtifact", "flux-system", "other"),
            Err(None)
        );
        assert!(matches!(
            r.source_dir("OCIRepository", "flux-system", "x"),
            Err(Some(_))
        ));
    }
}
