//! Detail tabs as styled text lines: overview (conditions and status fields), describe (with
//! events) and reconciliation history. Trace is in trace.rs, YAML in yaml.rs.

use super::events::{self, TypeFilter};
use super::index::FleetIndex;
use super::object::{self, conditions};
use super::time;
use crate::tui::backend::{ObjectRef, Snapshot};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Normal,
    Heading,
    Good,
    Bad,
    Warn,
    Muted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DLine {
    pub text: String,
    pub tone: Tone,
}

pub fn line(text: impl Into<String>, tone: Tone) -> DLine {
    DLine {
        text: text.into(),
        tone,
    }
}

fn status_tone(status: &str, type_: &str) -> Tone {
    let abnormal = matches!(
        type_,
        "Stalled"
            | "Reconciling"
            | "ArtifactOutdated"
            | "FetchFailed"
            | "BuildFailed"
            | "Drifted"
            | "StorageOperationFailed"
            | "IncludeUnavailable"
    );
    match (status, abnormal) {
        ("True", false) | ("False", true) => Tone::Good,
        ("Unknown", _) => Tone::Muted,
        _ => Tone::Bad,
    }
}

fn ts(v: Option<jiff::Timestamp>, now: jiff::Timestamp) -> String {
    v.map(|t| format!("{} ago", time::age(t, now)))
        .unwrap_or_else(|| "-".into())
}

/// Scalar status fields other than conditions, as `path: value` (nested maps flattened).
fn status_fields(obj: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>, depth: u8) {
        match v {
            Value::Object(m) if depth < 3 => {
                for (k, child) in m {
                    if prefix.is_empty()
                        && (k == "conditions" || k == "inventory" || k == "history")
                    {
                        continue;
                    }
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, child, out, depth + 1);
                }
            }
            Value::Array(a) => out.push((prefix.to_string(), format!("[{} items]", a.len()))),
            Value::String(s) => out.push((prefix.to_string(), object::shorten_hashes(s))),
            Value::Null => {}
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    if let Some(st) = obj.get("status") {
        walk("", st, &mut out, 0);
    }
    out
}

pub fn overview(obj: &Value, now: jiff::Timestamp) -> Vec<DLine> {
    let r = ObjectRef::of(obj);
    let mut out = vec![line(r.to_string(), Tone::Heading)];
    if object::is_suspended(obj) {
        let reason = object::suspend_reason(obj)
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        out.push(line(format!("Suspended{reason}"), Tone::Warn));
    }
    if let Some(src) = object::source_ref(obj) {
        out.push(line(format!("Source:    {src}"), Tone::Normal));
    }
    let rev = object::revision(obj);
    if !rev.is_empty() {
        out.push(line(format!("Revision:  {rev}"), Tone::Normal));
    }
    out.push(line("", Tone::Normal));
    out.push(line("Conditions", Tone::Heading));
    let conds = conditions(obj);
    if conds.is_empty() {
        out.push(line("  (none)", Tone::Muted));
    }
    for c in conds {
        out.push(line(
            format!(
                "  {:<18} {:<8} {:<26} {}",
                c.type_,
                c.status,
                c.reason,
                ts(c.last_transition, now)
            ),
            status_tone(&c.status, &c.type_),
        ));
        if !c.message.is_empty() {
            out.push(line(
                format!("    {}", object::shorten_hashes(&c.message)),
                Tone::Muted,
            ));
        }
    }
    let fields = status_fields(obj);
    if !fields.is_empty() {
        out.push(line("", Tone::Normal));
        out.push(line("Status", Tone::Heading));
        for (k, v) in fields {
            out.push(line(format!("  {k}: {v}"), Tone::Normal));
        }
    }
    out
}

fn kv_block(title: &str, map: Option<&Value>) -> Vec<DLine> {
    let entries: Vec<String> = map
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    match entries.split_first() {
        None => vec![line(format!("{title:<13}<none>"), Tone::Normal)],
        Some((first, rest)) => {
            let mut v = vec![line(format!("{title:<13}{first}"), Tone::Normal)];
            v.extend(
                rest.iter()
                    .map(|e| line(format!("{:<13}{e}", ""), Tone::Normal)),
            );
            v
        }
    }
}

/// `kubectl describe`-like text: metadata, spec summary, conditions, then events.
pub fn describe(
    snapshot: &Snapshot,
    index: &FleetIndex,
    obj: &Value,
    now: jiff::Timestamp,
) -> Vec<DLine> {
    let r = ObjectRef::of(obj);
    let s = |p: &str| object::str_at(obj, p).unwrap_or_default().to_string();
    let mut out = vec![
        line(format!("{:<13}{}", "Name:", r.name), Tone::Normal),
        line(format!("{:<13}{}", "Namespace:", r.namespace), Tone::Normal),
    ];
    out.extend(kv_block("Labels:", obj.pointer("/metadata/labels")));
    out.extend(kv_block(
        "Annotations:",
        obj.pointer("/metadata/annotations"),
    ));
    out.push(line(
        format!("{:<13}{}", "API Version:", s("/apiVersion")),
        Tone::Normal,
    ));
    out.push(line(format!("{:<13}{}", "Kind:", r.kind), Tone::Normal));
    if let Some(spec) = obj.get("spec").and_then(Value::as_object) {
        out.push(line("Spec:", Tone::Heading));
        for (k, v) in spec {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Object(_) | Value::Array(_) => serde_json::to_string(v).unwrap_or_default(),
                other => other.to_string(),
            };
            out.push(line(format!("  {k}: {text}"), Tone::Normal));
        }
    }
    out.push(line("Status:", Tone::Heading));
    out.extend(
        overview(obj, now)
            .into_iter()
            .skip_while(|l| l.text != "Conditions")
            .skip(1)
            .map(|mut l| {
                l.text = format!("  {}", l.text.trim_start_matches("  "));
                l
            }),
    );
    out.push(line("Events:", Tone::Heading));
    let evs = events::build(snapshot, index, Some(&r), TypeFilter::All);
    if evs.is_empty() {
        out.push(line("  <none>", Tone::Muted));
    } else {
        out.push(line(
            format!(
                "  {:<8} {:<26} {:<6} {}",
                "Type", "Reason", "Age", "Message"
            ),
            Tone::Muted,
        ));
    }
    for e in evs {
        out.push(line(
            format!(
                "  {:<8} {:<26} {:<6} {}",
                e.type_,
                e.reason,
                e.at.map(|t| time::age(t, now)).unwrap_or_default(),
                e.message
            ),
            if e.warning { Tone::Warn } else { Tone::Normal },
        ));
    }
    out
}

/// Reconciliation history: status.history (Kustomization and HelmRelease shapes), then
/// condition transitions and reconcile events, newest first.
pub fn history(
    snapshot: &Snapshot,
    index: &FleetIndex,
    obj: &Value,
    now: jiff::Timestamp,
) -> Vec<DLine> {
    let r = ObjectRef::of(obj);
    let mut out = vec![line("History", Tone::Heading)];
    let hist = obj
        .pointer("/status/history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if hist.is_empty() {
        out.push(line("  (no status.history)", Tone::Muted));
    }
    for h in &hist {
        let g = |k: &str| {
            h.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        if r.kind == "HelmRelease" {
            let version = h.get("version").and_then(Value::as_i64).unwrap_or_default();
            let status = g("status");
            let tone = if status == "failed" {
                Tone::Bad
            } else if status == "deployed" {
                Tone::Good
            } else {
                Tone::Normal
            };
            out.push(line(
                format!(
                    "  v{version:<4} {:<12} {:<10} {}@{}  {}",
                    status,
                    g("action"),
                    g("chartName"),
                    g("chartVersion"),
                    ts(time::parse(h.get("lastDeployed")), now)
                ),
                tone,
            ));
        } else {
            let status = g("lastReconciledStatus");
            let tone = if status.contains("Failed") {
                Tone::Bad
            } else {
                Tone::Good
            };
            let total = h
                .get("totalReconciliations")
                .and_then(Value::as_i64)
                .unwrap_or_default();
            let rev = object::shorten_hashes(
                h.pointer("/metadata/revision")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            );
            out.push(line(
                format!(
                    "  {:<24} x{total:<4} {:<8} {}  {}",
                    status,
                    g("lastReconciledDuration"),
                    rev,
                    ts(time::parse(h.get("lastReconciled")), now)
                ),
                tone,
            ));
        }
    }
    out.push(line("", Tone::Normal));
    out.push(line("Reconciliations (events)", Tone::Heading));
    let evs = events::build(snapshot, index, Some(&r), TypeFilter::All);
    let own: Vec<_> = evs.iter().rev().filter(|e| e.object == r).collect();
    if own.is_empty() {
        out.push(line("  (no events)", Tone::Muted));
    }
    for e in own {
        out.push(line(
            format!(
                "  {:<6} {:<26} {}",
                e.at.map(|t| time::age(t, now)).unwrap_or_default(),
                e.reason,
                e.message
            ),
            if e.warning { Tone::Warn } else { Tone::Normal },
        ));
    }
    out
}
