//! The events pane: core/v1 Events for an object and its source chain (like
//! `flux events --for Kind/name`), or the global stream; oldest first so follow mode sticks
//! to the bottom.

use super::index::{FleetIndex, event_time, involved};
use crate::tui::backend::{ObjectRef, Snapshot};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TypeFilter {
    #[default]
    All,
    Warning,
    Normal,
}

impl TypeFilter {
    pub fn next(self) -> Self {
        match self {
            TypeFilter::All => TypeFilter::Warning,
            TypeFilter::Warning => TypeFilter::Normal,
            TypeFilter::Normal => TypeFilter::All,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TypeFilter::All => "all types",
            TypeFilter::Warning => "Warning only",
            TypeFilter::Normal => "Normal only",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub at: Option<jiff::Timestamp>,
    pub warning: bool,
    pub type_: String,
    pub reason: String,
    pub object: ObjectRef,
    pub message: String,
    pub count: i64,
}

/// The object plus its source chain (HelmRelease → HelmChart → HelmRepository).
pub fn related(index: &FleetIndex, r: &ObjectRef) -> Vec<ObjectRef> {
    let mut out = vec![r.clone()];
    let mut cur = index.get(r).and_then(|s| s.source.clone());
    while let Some(src) = cur {
        if out.contains(&src) || out.len() > 4 {
            break;
        }
        cur = index.get(&src).and_then(|s| s.source.clone());
        out.push(src);
    }
    out
}

pub fn build(
    snapshot: &Snapshot,
    index: &FleetIndex,
    target: Option<&ObjectRef>,
    types: TypeFilter,
) -> Vec<EventRow> {
    let wanted = target.map(|t| related(index, t));
    let mut rows: Vec<EventRow> = snapshot
        .events
        .iter()
        .filter_map(|ev| {
            let object = involved(ev);
            if wanted.as_ref().is_some_and(|w| !w.contains(&object)) {
                return None;
            }
            let type_ = ev
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("Normal")
                .to_string();
            let warning = type_ == "Warning";
            match types {
                TypeFilter::Warning if !warning => return None,
                TypeFilter::Normal if warning => return None,
                _ => {}
            }
            Some(EventRow {
                at: event_time(ev),
                warning,
                type_,
                reason: ev
                    .get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                message: super::object::shorten_hashes(
                    ev.get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .trim(),
                ),
                count: ev.get("count").and_then(Value::as_i64).unwrap_or(1),
                object,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.object.cmp(&b.object)));
    rows
}
