//! flux-CLI-shaped tables: columns per kind as `flux get` prints them (SPEC §4.4), built by pure
//! functions from dynamic objects so the CLI, benchmarks and tests share one renderer.

use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

use crate::cluster::readiness::condition;

/// Shorten every 40–128 char hex run to 8 chars, as flux does in REVISION and MESSAGE.
pub fn shorten_hashes(s: &str) -> String {
    static HEX: OnceLock<Option<Regex>> = OnceLock::new();
    match HEX.get_or_init(|| Regex::new(r"\b[a-f0-9]{40,128}\b").ok()) {
        Some(re) => re
            .replace_all(s, |c: &regex::Captures| c[0][..8].to_string())
            .into_owned(),
        None => s.to_string(),
    }
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// (READY, MESSAGE) from the Ready condition; absent → False / waiting to be reconciled.
pub fn ready_and_message(obj: &Value) -> (String, String) {
    match condition(obj, "Ready") {
        Some(c) => (
            c.get("status")
                .and_then(Value::as_str)
                .unwrap_or("Unknown")
                .to_string(),
            shorten_hashes(c.get("message").and_then(Value::as_str).unwrap_or("")),
        ),
        None => ("False".into(), "waiting to be reconciled".into()),
    }
}

fn suspended(obj: &Value) -> String {
    if obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        "True".into()
    } else {
        "False".into()
    }
}

/// Column headers for a kind (without NAMESPACE, which -A adds).
pub fn headers(kind: &str) -> Vec<&'static str> {
    match kind {
        "ImageRepository" => vec!["NAME", "LAST SCAN", "SUSPENDED", "READY", "MESSAGE"],
        "ImagePolicy" => vec!["NAME", "LATEST IMAGE", "READY", "MESSAGE"],
        "ImageUpdateAutomation" => vec!["NAME", "LAST RUN", "SUSPENDED", "READY", "MESSAGE"],
        "Alert" | "Receiver" => vec!["NAME", "SUSPENDED", "READY", "MESSAGE"],
        "Provider" => vec!["NAME", "READY", "MESSAGE"],
        _ => vec!["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"],
    }
}

/// The cells of one object's row, matching `headers(kind)`.
pub fn row(obj: &Value, name: &str) -> Vec<String> {
    let kind = text(obj, "/kind");
    let (ready, message) = ready_and_message(obj);
    match kind {
        "ImageRepository" => {
            vec![
                name.into(),
                text(obj, "/status/lastScanResult/scanTime").into(),
                suspended(obj),
                ready,
                message,
            ]
        }
        "ImagePolicy" => {
            let latest = match obj.pointer("/status/latestRef") {
                Some(r) => format!("{}:{}", text(r, "/name"), text(r, "/tag")),
                None => text(obj, "/status/latestImage").to_string(),
            };
            vec![name.into(), latest, ready, message]
        }
        "ImageUpdateAutomation" => {
            vec![
                name.into(),
                text(obj, "/status/lastAutomationRunTime").into(),
                suspended(obj),
                ready,
                message,
            ]
        }
        "Alert" | "Receiver" => vec![name.into(), suspended(obj), ready, message],
        "Provider" => vec![name.into(), ready, message],
        _ => vec![
            name.into(),
            shorten_hashes(&revision(obj)),
            suspended(obj),
            ready,
            message,
        ],
    }
}

/// The REVISION column: what was applied (Kustomization, HelmRelease) or fetched (sources).
pub fn revision(obj: &Value) -> String {
    match text(obj, "/kind") {
        "Kustomization" => text(obj, "/status/lastAppliedRevision").into(),
        "HelmRelease" => obj
            .pointer("/status/history/0/chartVersion")
            .and_then(Value::as_str)
            .unwrap_or_else(|| text(obj, "/status/lastAttemptedRevision"))
            .into(),
        _ => text(obj, "/status/artifact/revision").into(),
    }
}

/// Render rows like flux's table printer: cells padded to the column width, tab separated.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let cols = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut parts = Vec::with_capacity(cols);
        for (i, c) in cells.enumerate() {
            if i + 1 == cols {
                parts.push(c.to_string());
            } else {
                parts.push(format!("{c:<w$}", w = widths[i]));
            }
        }
        out.push_str(parts.join("\t").trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for r in rows {
        line(&mut r.iter().map(String::as_str));
    }
    out
}

/// Does the object match `--status-selector type=status` (case-insensitive, like flux)?
pub fn matches_status_selector(obj: &Value, selector: &str) -> bool {
    let Some((t, s)) = selector.split_once('=') else {
        return true;
    };
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.eq_ignore_ascii_case(t))
                    && c.get("status")
                        .and_then(Value::as_str)
                        .is_some_and(|x| x.eq_ignore_ascii_case(s))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kustomization_row_follows_flux_get() {
        let ks = json!({"kind":"Kustomization","spec":{"suspend":true},"status":{
            "lastAppliedRevision":"main@sha1:0123456789abcdef0123456789abcdef01234567",
            "conditions":[{"type":"Ready","status":"True","message":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567"}]}});
        assert_eq!(
            row(&ks, "apps"),
            vec![
                "apps",
                "main@sha1:01234567",
                "True",
                "True",
                "Applied revision: main@sha1:01234567"
            ]
        );
    }

    #[test]
    fn missing_ready_means_waiting() {
        let obj = json!({"kind":"GitRepository"});
        assert_eq!(
            ready_and_message(&obj),
            ("False".to_string(), "waiting to be reconciled".to_string())
        );
    }

    #[test]
    fn table_pads_columns_with_tabs() {
        let out = render(
            &["NAME", "READY"],
            &[
                vec!["a".into(), "True".into()],
                vec!["long-name".into(), "False".into()],
            ],
        );
        assert_eq!(out, "NAME     \tREADY\na        \tTrue\nlong-name\tFalse\n");
    }

    #[test]
    fn status_selector_is_case_insensitive() {
        let obj = json!({"status":{"conditions":[{"type":"Ready","status":"False"}]}});
        assert!(matches_status_selector(&obj, "ready=false"));
        assert!(!matches_status_selector(&obj, "ready=true"));
    }
}
