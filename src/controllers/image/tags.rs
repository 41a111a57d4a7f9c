//! The tag database: the scanned tags of each ImageRepository, one JSON file per repository
//! under `<data_dir>/images/<namespace>/<name>.json`, read by the ImagePolicy controller.
//! A file (not the status) because a repository can hold thousands of tags and status only
//! carries the newest ten, as in Flux.

use std::path::{Path, PathBuf};

use regex::Regex;
use sha2::{Digest, Sha256};

/// Flux's default exclusion list (cosign signature tags).
pub const DEFAULT_EXCLUSION: &str = "^.*\\.sig$";
/// How many tags `lastScanResult.latestTags` carries.
pub const LATEST_TAGS: usize = 10;

#[derive(Debug, Clone)]
pub struct TagDb {
    root: PathBuf,
}

impl TagDb {
    pub fn new(root: PathBuf) -> TagDb {
        TagDb { root }
    }

    fn path(&self, namespace: &str, name: &str) -> PathBuf {
        self.root.join(namespace).join(format!("{name}.json"))
    }

    /// The stored tags (empty when never scanned or unreadable).
    pub fn get(&self, namespace: &str, name: &str) -> Vec<String> {
        std::fs::read(self.path(namespace, name))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Replace the stored tags atomically (write + rename).
    pub fn set(&self, namespace: &str, name: &str, tags: &[String]) -> std::io::Result<()> {
        let path = self.path(namespace, name);
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{name}.json.tmp"));
        std::fs::write(&tmp, serde_json::to_vec(tags).unwrap_or_default())?;
        std::fs::rename(tmp, path)
    }

    pub fn remove(&self, namespace: &str, name: &str) {
        let _ = std::fs::remove_file(self.path(namespace, name));
    }
}

/// The exclusion list in force: the spec's, or Flux's default when empty or unset.
pub fn exclusion_list(spec: &serde_json::Value) -> Vec<String> {
    let list: Vec<String> = spec
        .get("exclusionList")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if list.is_empty() {
        vec![DEFAULT_EXCLUSION.to_string()]
    } else {
        list
    }
}

/// Compile the exclusion regexes, naming the bad one.
pub fn compile_exclusions(list: &[String]) -> Result<Vec<Regex>, String> {
    list.iter()
        .map(|p| {
            Regex::new(p)
                .map_err(|e| format!("invalid regular expression '{p}' in spec.exclusionList: {e}"))
        })
        .collect()
}

/// Drop every tag matching any exclusion (unanchored, as Go's `MatchString`).
pub fn filter_tags(tags: Vec<String>, exclusions: &[Regex]) -> Vec<String> {
    tags.into_iter()
        .filter(|t| !exclusions.iter().any(|r| r.is_match(t)))
        .collect()
}

/// `latestTags`: descending byte-wise order (not semver), the first ten.
pub fn latest_tags(tags: &[String]) -> Vec<String> {
    let mut sorted = tags.to_vec();
    sorted.sort_by(|a, b| b.as_bytes().cmp(a.as_bytes()));
    sorted.truncate(LATEST_TAGS);
    sorted
}

/// Checksum of the tag set (`lastScanResult.revision`), independent of the registry's order.
pub fn revision(tags: &[String]) -> String {
    let mut sorted = tags.to_vec();
    sorted.sort();
    let mut h = Sha256::new();
    for t in &sorted {
        h.update(t.as_bytes());
        h.update(b"\n");
    }
    format!("sha256:{:x}", h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn signature_tags_are_excluded_by_default_and_latest_tags_sort_bytewise() {
        let ex = compile_exclusions(&exclusion_list(&serde_json::json!({}))).unwrap();
        let kept = filter_tags(s(&["1.0.0", "sha256-abc.sig", "1.10.0", "1.9.0"]), &ex);
        assert_eq!(kept, s(&["1.0.0", "1.10.0", "1.9.0"]));
        assert_eq!(latest_tags(&kept), s(&["1.9.0", "1.10.0", "1.0.0"]));
        let many: Vec<String> = (0..30).map(|i| format!("t{i:02}")).collect();
        assert_eq!(latest_tags(&many).len(), LATEST_TAGS);
        assert_eq!(revision(&s(&["a", "b"])), revision(&s(&["b", "a"])));
        assert!(
            compile_exclusions(&s(&["("]))
                .unwrap_err()
                .contains("spec.exclusionList")
        );
    }

    #[test]
    fn the_database_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let db = TagDb::new(dir.path().to_path_buf());
        assert!(db.get("ns", "r").is_empty());
        db.set("ns", "r", &s(&["1", "2"])).unwrap();
        assert_eq!(db.get("ns", "r"), s(&["1", "2"]));
        db.remove("ns", "r");
        assert!(db.get("ns", "r").is_empty());
    }
}
