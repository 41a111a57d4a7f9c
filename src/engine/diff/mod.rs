//! Drift between what Git says and what runs (issue 5, SPEC §4.5): pure comparison of a desired
//! object's server-side dry-run result with the live object, after removing server-set noise and
//! masking Secret values. The I/O (build, dry-run, live reads) lives in `commands::diff`.

pub mod fields;
pub mod mask;
pub mod normalise;
pub mod render;
pub mod unified;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use fields::{FieldChange, FieldChangeKind};

/// What applying the desired state would do to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Created,
    Drifted,
    Unchanged,
    /// In the inventory, no longer built: pruned by the next reconciliation (`deleted` in flux diff).
    Deleted,
    /// `kustomize.toolkit.fluxcd.io/ssa: Ignore` or `reconcile: disabled`.
    Skipped,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Created => "created",
            Class::Drifted => "drifted",
            Class::Unchanged => "unchanged",
            Class::Deleted => "deleted",
            Class::Skipped => "skipped",
        }
    }

    /// Whether this class counts as a difference (exit code 1).
    pub fn is_change(self) -> bool {
        matches!(self, Class::Created | Class::Drifted | Class::Deleted)
    }
}

/// One object's verdict, with masked, normalised copies of both sides for the diff pane.
#[derive(Debug, Clone)]
pub struct ObjectDiff {
    /// `Kind/ns/name` (or `Kind/name` for cluster-scoped objects).
    pub subject: String,
    pub class: Class,
    pub changes: Vec<FieldChange>,
    pub live: Option<Value>,
    pub merged: Option<Value>,
}

/// All objects of one comparison, in build order then pruned ones.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub objects: Vec<ObjectDiff>,
}

/// Counts per class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub created: usize,
    pub drifted: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub skipped: usize,
}

impl Report {
    pub fn has_changes(&self) -> bool {
        self.objects.iter().any(|o| o.class.is_change())
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for o in &self.objects {
            match o.class {
                Class::Created => c.created += 1,
                Class::Drifted => c.drifted += 1,
                Class::Unchanged => c.unchanged += 1,
                Class::Deleted => c.deleted += 1,
                Class::Skipped => c.skipped += 1,
            }
        }
        c
    }
}

fn text<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// `Kind/ns/name`, or `Kind/name` without a namespace.
pub fn subject_of(obj: &Value) -> String {
    let (kind, ns, name) = (
        text(obj, "/kind"),
        text(obj, "/metadata/namespace"),
        text(obj, "/metadata/name"),
    );
    if ns.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{ns}/{name}")
    }
}

fn flagged(obj: &Value, key: &str, value: &str) -> bool {
    let full = format!("kustomize.toolkit.fluxcd.io/{key}");
    ["labels", "annotations"].iter().any(|f| {
        obj.pointer(&format!("/metadata/{f}"))
            .and_then(|m| m.get(&full))
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    })
}

/// Objects Flux leaves alone: `ssa: Ignore` / `reconcile: disabled` on either side, and
/// `ssa: IfNotPresent` once the object exists.
pub fn skipped(desired: &Value, live: Option<&Value>) -> bool {
    let off = |o: &Value| flagged(o, "reconcile", "disabled") || flagged(o, "ssa", "ignore");
    off(desired)
        || live.is_some_and(off)
        || (live.is_some() && flagged(desired, "ssa", "ifnotpresent"))
}

/// Compare one desired object: `dry_run` is the server-side dry-run apply result (None when the
/// dry-run was not possible, e.g. its namespace is created by the same set), `live` the object
/// in the cluster. Defaulted fields come from the dry-run, so they never show as drift.
pub fn compare(desired: &Value, dry_run: Option<&Value>, live: Option<&Value>) -> ObjectDiff {
    let subject = subject_of(desired);
    if skipped(desired, live) {
        return ObjectDiff {
            subject,
            class: Class::Skipped,
            changes: Vec::new(),
            live: None,
            merged: None,
        };
    }
    let merged_raw = dry_run.unwrap_or(desired);
    let exists =
        live.is_some() && dry_run.is_none_or(|d| !text(d, "/metadata/resourceVersion").is_empty());
    let mut merged = normalise::normalise(merged_raw);
    let Some(live) = live.filter(|_| exists) else {
        mask::mask_pair(None, Some(&mut merged));
        return ObjectDiff {
            subject,
            class: Class::Created,
            changes: Vec::new(),
            live: None,
            merged: Some(merged),
        };
    };
    let mut live = normalise::normalise(live);
    mask::mask_pair(Some(&mut live), Some(&mut merged));
    let changes = fields::diff(&live, &merged);
    let class = if changes.is_empty() {
        Class::Unchanged
    } else {
        Class::Drifted
    };
    ObjectDiff {
        subject,
        class,
        changes,
        live: Some(live),
        merged: Some(merged),
    }
}

/// An inventory entry no longer built, with its live object (if still there).
pub fn pruned(subject: String, live: Option<&Value>) -> ObjectDiff {
    let live = live.map(|l| {
        let mut l = normalise::normalise(l);
        mask::mask_pair(Some(&mut l), None);
        l
    });
    ObjectDiff {
        subject,
        class: Class::Deleted,
        changes: Vec::new(),
        live,
        merged: None,
    }
}
