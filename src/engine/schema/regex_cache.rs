//! Compiled schema patterns, shared process-wide (CRD patterns are few and reused constantly).

use regex::Regex;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Cache = Mutex<HashMap<String, Result<Arc<Regex>, String>>>;

/// Compile (once) a schema `pattern`. Patterns are Go RE2 syntax, which the regex crate
/// accepts for everything Kubernetes schemas use; like Go's `MatchString` they are unanchored.
pub(crate) fn compiled(pattern: &str) -> Result<Arc<Regex>, String> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = match cache.lock() {
        Ok(map) => map,
        Err(poisoned) => poisoned.into_inner(),
    };
    map.entry(pattern.to_string())
        .or_insert_with(|| Regex::new(pattern).map(Arc::new).map_err(|e| e.to_string()))
        .clone()
}
