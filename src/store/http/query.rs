//! Query-string options of the Kubernetes REST API. kube-rs sends strings starting with `?&`,
//! so empty pairs are skipped; values are form-decoded (`+` is a space, `%XX` escapes).

use crate::store::types::{DeleteOptions, ListOptions, Propagation, WatchOptions, WriteOptions};

use super::status::ApiError;

#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Query {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(p), String::new()),
            })
            .collect();
        Query { pairs }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn non_empty(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// Booleans as Go's strconv.ParseBool reads them ("1", "t", "true", ...).
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key) {
            None | Some("") => Ok(false),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
            Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
            Some(other) => Err(ApiError::bad_request(format!(
                "invalid boolean value {other:?} for query parameter {key:?}"
            ))),
        }
    }

    pub fn number<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, ApiError> {
        match self.non_empty(key) {
            None => Ok(None),
            Some(v) => v.parse::<T>().map(Some).map_err(|_| {
                ApiError::bad_request(format!(
                    "invalid value {v:?} for query parameter {key:?}: expected a number"
                ))
            }),
        }
    }

    pub fn dry_run(&self) -> Result<bool, ApiError> {
        let values: Vec<&str> = self
            .pairs
            .iter()
            .filter(|(k, _)| k == "dryRun")
            .map(|(_, v)| v.as_str())
            .collect();
        for v in &values {
            if *v != "All" && !v.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "unsupported dryRun value {v:?}: the only supported value is \"All\""
                )));
            }
        }
        Ok(values.contains(&"All"))
    }

    pub fn list_options(&self) -> Result<ListOptions, ApiError> {
        Ok(ListOptions {
            label_selector: self.non_empty("labelSelector"),
            field_selector: self.non_empty("fieldSelector"),
            limit: self.number::<usize>("limit")?.filter(|l| *l > 0),
            continue_token: self.non_empty("continue"),
            resource_version: self.non_empty("resourceVersion"),
        })
    }

    pub fn watch_options(&self) -> Result<WatchOptions, ApiError> {
        Ok(WatchOptions {
            resource_version: self.non_empty("resourceVersion"),
            label_selector: self.non_empty("labelSelector"),
            field_selector: self.non_empty("fieldSelector"),
            allow_bookmarks: self.flag("allowWatchBookmarks")?,
            send_initial_events: self.flag("sendInitialEvents")?,
        })
    }

    pub fn write_options(&self) -> Result<WriteOptions, ApiError> {
        let field_validation = self.non_empty("fieldValidation");
        if let Some(v) = &field_validation
            && !matches!(v.as_str(), "Strict" | "Warn" | "Ignore")
        {
            return Err(ApiError::bad_request(format!(
                "invalid fieldValidation {v:?}: must be one of Strict, Warn or Ignore"
            )));
        }
        Ok(WriteOptions {
            dry_run: self.dry_run()?,
            field_manager: self.non_empty("fieldManager"),
            field_validation,
        })
    }

    /// Delete options from the query, overridden by a `DeleteOptions` body when present.
    pub fn delete_options(&self, body: &[u8]) -> Result<DeleteOptions, ApiError> {
        let mut options = DeleteOptions {
            propagation: self
                .non_empty("propagationPolicy")
                .map(|p| propagation(&p))
                .transpose()?,
            precondition_uid: None,
            precondition_resource_version: None,
            dry_run: self.dry_run()?,
            grace_period_seconds: self.number::<i64>("gracePeriodSeconds")?,
        };
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(options);
        }
        let parsed: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the DeleteOptions body is not valid JSON: {e}"))
        })?;
        if let Some(p) = parsed.get("propagationPolicy").and_then(|v| v.as_str()) {
            options.propagation = Some(propagation(p)?);
        } else if let Some(orphan) = parsed.get("orphanDependents").and_then(|v| v.as_bool()) {
            options.propagation = Some(if orphan {
                Propagation::Orphan
            } else {
                Propagation::Background
            });
        }
        if let Some(g) = parsed.get("gracePeriodSeconds").and_then(|v| v.as_i64()) {
            options.grace_period_seconds = Some(g);
        }
        if let Some(pre) = parsed.get("preconditions") {
            options.precondition_uid = pre.get("uid").and_then(|v| v.as_str()).map(str::to_string);
            options.precondition_resource_version = pre
                .get("resourceVersion")
                .and_then(|v| v.as_str())
                .map(str::to_string);
        }
        if let Some(dry) = parsed.get("dryRun").and_then(|v| v.as_array()) {
            options.dry_run |= dry.iter().any(|d| d == "All");
        }
        Ok(options)
    }
}

fn propagation(value: &str) -> Result<Propagation, ApiError> {
    match value {
        "Orphan" => Ok(Propagation::Orphan),
        "Background" => Ok(Propagation::Background),
        "Foreground" => Ok(Propagation::Foreground),
        other => Err(ApiError::bad_request(format!(
            "invalid propagationPolicy {other:?}: must be Orphan, Background or Foreground"
        ))),
    }
}

/// `application/x-www-form-urlencoded` decoding; invalid escapes are kept literally.
fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_rs_leading_ampersand_is_accepted() {
        let q = Query::parse(Some(
            "&watch=true&timeoutSeconds=290&allowWatchBookmarks=true&resourceVersion=10",
        ));
        assert!(q.flag("watch").unwrap());
        assert_eq!(q.number::<u64>("timeoutSeconds").unwrap(), Some(290));
        let w = q.watch_options().unwrap();
        assert!(w.allow_bookmarks);
        assert_eq!(w.resource_version.as_deref(), Some("10"));
    }

    #[test]
    fn selectors_are_decoded() {
        let q = Query::parse(Some(
            "labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=500",
        ));
        let l = q.list_options().unwrap();
        assert_eq!(l.label_selector.as_deref(), Some("app=web,tier in (a,b)"));
        assert_eq!(l.limit, Some(500));
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%4"), "%4");
    }

    #[test]
    fn write_and_delete_options() {
        let q = Query::parse(Some(
            "dryRun=All&fieldManager=kubectl&fieldValidation=Strict&propagationPolicy=Foreground",
        ));
        let w = q.write_options().unwrap();
        assert!(w.dry_run);
        assert_eq!(w.field_manager.as_deref(), Some("kubectl"));
        let d = q
            .delete_options(br#"{"propagationPolicy":"Orphan","preconditions":{"uid":"u1"}}"#)
            .unwrap();
        assert_eq!(d.propagation, Some(Propagation::Orphan));
        assert_eq!(d.precondition_uid.as_deref(), Some("u1"));
        assert!(Query::parse(Some("dryRun=Some")).dry_run().is_err());
        assert!(
            Query::parse(Some("fieldValidation=Loud"))
                .write_options()
                .is_err()
        );
        assert!(Query::parse(Some("watch=maybe")).flag("watch").is_err());
    }
}
