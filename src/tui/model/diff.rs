//! The diff pane's view-model: the object list (glyph, subject, +/- counts) from a drift
//! report, and for one object the body rows (hunk headers and diff lines) with the row index
//! of every hunk, for next/previous-hunk navigation. Built on `engine::diff::unified`.

use crate::engine::diff::unified::{self, Line, LineTag, ObjectView};
use crate::engine::diff::{Class, Counts, Report};
use crate::tui::backend::{DriftMap, DriftStatus, ObjectRef};
use std::collections::HashSet;

/// Context lines around each change in the compact view.
pub const COMPACT_CONTEXT: usize = 3;
/// "Everything is context": the full view shows whole objects (one hunk each).
pub const FULL_CONTEXT: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct PaneModel {
    /// Objects that would change (or are skipped), in report order.
    pub objects: Vec<ObjectView>,
    pub counts: Counts,
}

pub fn build(report: &Report, full: bool, ascii: bool) -> PaneModel {
    let context = if full { FULL_CONTEXT } else { COMPACT_CONTEXT };
    PaneModel {
        objects: unified::view(report, context, ascii),
        counts: report.counts(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyRow {
    Hunk(String),
    Line(Line),
    Note(String),
}

/// Rows of one object's diff and the index of each hunk header among them.
pub fn body(view: &ObjectView) -> (Vec<BodyRow>, Vec<usize>) {
    let mut rows = Vec::new();
    let mut starts = Vec::new();
    match view.class {
        Class::Skipped => rows.push(BodyRow::Note(
            "skipped: Flux leaves this object alone (kustomize.toolkit.fluxcd.io/ssa: Ignore or reconcile: disabled)".into(),
        )),
        Class::Created => rows.push(BodyRow::Note(
            "created: not in the cluster yet; applying the source creates it".into(),
        )),
        Class::Deleted => rows.push(BodyRow::Note(
            "to prune: in the inventory, no longer built; the next reconciliation deletes it"
                .into(),
        )),
        Class::Drifted | Class::Unchanged => {}
    }
    for h in &view.hunks {
        starts.push(rows.len());
        rows.push(BodyRow::Hunk(h.header.clone()));
        rows.extend(h.lines.iter().cloned().map(BodyRow::Line));
    }
    (rows, starts)
}

/// The first hunk starting below the top row `scroll` (stays put after the last one).
pub fn next_hunk(starts: &[usize], scroll: usize) -> usize {
    starts
        .iter()
        .copied()
        .find(|s| *s > scroll)
        .unwrap_or(scroll)
}

/// The last hunk starting above the top row `scroll` (the top when there is none).
pub fn prev_hunk(starts: &[usize], scroll: usize) -> usize {
    starts
        .iter()
        .rev()
        .copied()
        .find(|s| *s < scroll)
        .unwrap_or(0)
}

/// The diff text of a line as the terminal shows it (sign, then the YAML line).
pub fn line_text(l: &Line) -> String {
    l.segments.iter().map(|(_, s)| s.as_str()).collect()
}

pub fn sign(tag: LineTag) -> char {
    match tag {
        LineTag::Context => ' ',
        LineTag::Added => '+',
        LineTag::Removed => '-',
    }
}

/// Subjects (`Kind/ns/name`) that some drift report says would change, plus the
/// Kustomizations with changes: what the list and tree mark with the drift badge.
pub fn drifted_subjects(drift: &DriftMap) -> HashSet<String> {
    let mut out = HashSet::new();
    for (ks, status) in drift.iter() {
        if let DriftStatus::Ready { report, .. } = status {
            if report.has_changes() {
                out.insert(ks.to_string());
            }
            out.extend(
                report
                    .objects
                    .iter()
                    .filter(|o| o.class.is_change())
                    .map(|o| o.subject.clone()),
            );
        }
    }
    out
}

/// The Kustomization that applies `obj` (its ownership labels), if any.
pub fn owner_kustomization(obj: &serde_json::Value) -> Option<ObjectRef> {
    let labels = obj.pointer("/metadata/labels")?;
    let name = labels.get("kustomize.toolkit.fluxcd.io/name")?.as_str()?;
    let ns = labels
        .get("kustomize.toolkit.fluxcd.io/namespace")?
        .as_str()?;
    Some(ObjectRef::new("Kustomization", ns, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diff;
    use serde_json::json;

    fn cm(v: &str) -> serde_json::Value {
        let mut data = serde_json::Map::new();
        for i in 0..20 {
            data.insert(format!("k{i:02}"), json!(format!("v{i}")));
        }
        data.insert("k10".into(), json!(v));
        data.insert("k19".into(), json!(v));
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "c", "namespace": "n"}, "data": data})
    }

    fn report() -> Report {
        let live = cm("old");
        let desired = cm("new");
        // The dry-run of an existing object carries its resourceVersion.
        let mut dry = desired.clone();
        dry["metadata"]["resourceVersion"] = json!("3");
        Report {
            objects: vec![diff::compare(&desired, Some(&dry), Some(&live))],
        }
    }

    #[test]
    fn compact_view_has_separate_hunks_and_full_view_one() {
        let compact = build(&report(), false, false);
        assert_eq!(compact.objects.len(), 1);
        assert_eq!(compact.counts.drifted, 1);
        let (rows, starts) = body(&compact.objects[0]);
        assert_eq!(starts.len(), 2, "two separated changes: {rows:?}");
        let full = build(&report(), true, false);
        let (_, starts) = body(&full.objects[0]);
        assert_eq!(starts.len(), 1);
        assert_eq!(
            (full.objects[0].added, full.objects[0].removed),
            (2, 2),
            "one line each side per changed key"
        );
    }

    #[test]
    fn hunk_navigation_moves_between_headers() {
        let starts = [0, 9, 20];
        assert_eq!(next_hunk(&starts, 0), 9);
        assert_eq!(next_hunk(&starts, 9), 20);
        assert_eq!(next_hunk(&starts, 20), 20);
        assert_eq!(prev_hunk(&starts, 20), 9);
        assert_eq!(prev_hunk(&starts, 5), 0);
        assert_eq!(prev_hunk(&starts, 0), 0);
    }

    #[test]
    fn drifted_subjects_include_objects_and_their_kustomization() {
        let ks = ObjectRef::new("Kustomization", "flux-system", "apps");
        let map: DriftMap = std::sync::Arc::new(
            [(
                ks.clone(),
                DriftStatus::Ready {
                    report: std::sync::Arc::new(report()),
                    at: jiff::Timestamp::UNIX_EPOCH,
                },
            )]
            .into_iter()
            .collect(),
        );
        let s = drifted_subjects(&map);
        assert!(s.contains("Kustomization/flux-system/apps"));
        assert!(s.contains("ConfigMap/n/c"));
    }
}
