//! `flux trace`: object → the Flux object that reconciles it → its source → revision, in
//! the fixed templates of SPEC.md §4.7 (values at column 18 for Kustomization chains, 17 for
//! HelmRelease chains; times as Go's `time.Time.String()`).

use super::detail::{DLine, Tone, line};
use super::index::FleetIndex;
use super::object::{self, condition, str_at};
use super::time;
use crate::tui::backend::{ObjectRef, Snapshot};
use serde_json::Value;

fn find(snapshot: &Snapshot, index: &FleetIndex, r: &ObjectRef) -> Option<Value> {
    index.object(snapshot, r)
}

/// The Kustomization or HelmRelease owning `obj` by its ownership labels.
pub fn owner(obj: &Value) -> Option<ObjectRef> {
    let labels = obj.pointer("/metadata/labels")?;
    for (group, kind) in [
        ("kustomize.toolkit.fluxcd.io", "Kustomization"),
        ("helm.toolkit.fluxcd.io", "HelmRelease"),
    ] {
        let name = labels.get(format!("{group}/name")).and_then(Value::as_str);
        let ns = labels
            .get(format!("{group}/namespace"))
            .and_then(Value::as_str);
        if let (Some(n), Some(ns)) = (name, ns) {
            return Some(ObjectRef::new(kind, ns, n));
        }
    }
    None
}

struct Block {
    pad: usize,
    lines: Vec<DLine>,
}

impl Block {
    fn kv(&mut self, k: &str, v: impl AsRef<str>) {
        let key = format!("{k}:");
        self.lines.push(line(
            format!("{key:<w$}{}", v.as_ref(), w = self.pad),
            Tone::Normal,
        ));
    }
    fn status(&mut self, obj: &Value) {
        match condition(obj, "Ready") {
            None => self.kv("Status", "Unknown"),
            Some(c) => {
                let at = c.last_transition.map(time::go_string).unwrap_or_default();
                let tone = if c.status == "True" {
                    Tone::Good
                } else {
                    Tone::Bad
                };
                let text = if c.status == "False" {
                    format!("Last reconciliation failed at {at}")
                } else {
                    format!("Last reconciled at {at}")
                };
                let key = "Status:";
                self.lines
                    .push(line(format!("{key:<w$}{text}", w = self.pad), tone));
                self.kv("Message", &c.message);
            }
        }
    }
}

fn source_block(b: &mut Block, src: &Value) {
    let r = ObjectRef::of(src);
    b.kv(&r.kind, &r.name);
    b.kv("Namespace", &r.namespace);
    match r.kind.as_str() {
        "HelmChart" => {
            b.kv("Chart", str_at(src, "/spec/chart").unwrap_or_default());
            b.kv("Version", str_at(src, "/spec/version").unwrap_or("*"));
        }
        "ExternalArtifact" => {}
        _ => {
            if let Some(url) = str_at(src, "/spec/url") {
                b.kv("URL", url);
            }
        }
    }
    if r.kind == "GitRepository" {
        if let Some(t) = str_at(src, "/spec/ref/tag").or(str_at(src, "/spec/ref/semver")) {
            b.kv("Tag", t);
        } else if let Some(br) = str_at(src, "/spec/ref/branch") {
            b.kv("Branch", br);
        }
    }
    if r.kind == "OCIRepository" {
        if let Some(t) = str_at(src, "/spec/ref/tag") {
            b.kv("Tag", t);
        }
        if let Some(d) = str_at(src, "/spec/ref/digest") {
            b.kv("Digest", d);
        }
        if let Some(o) = str_at(
            src,
            "/status/artifact/metadata/org.opencontainers.image.source",
        ) {
            b.kv("Origin Source", o);
        }
        if let Some(o) = str_at(
            src,
            "/status/artifact/metadata/org.opencontainers.image.revision",
        ) {
            b.kv("Origin Revision", o);
        }
    }
    b.kv(
        "Revision",
        str_at(src, "/status/artifact/revision").unwrap_or_default(),
    );
    b.status(src);
}

pub fn trace(snapshot: &Snapshot, index: &FleetIndex, obj: &Value) -> Vec<DLine> {
    let me = ObjectRef::of(obj);
    let is_applier = matches!(me.kind.as_str(), "Kustomization" | "HelmRelease");
    let reconciler_ref = owner(obj).or_else(|| is_applier.then(|| me.clone()));
    let Some(rr) = reconciler_ref else {
        return vec![line(format!("{me}: object not managed by Flux"), Tone::Bad)];
    };
    let helm = rr.kind == "HelmRelease";
    let mut b = Block {
        pad: if helm { 16 } else { 17 },
        lines: vec![line("", Tone::Normal)],
    };
    b.kv("Object", format!("{}/{}", me.kind, me.name));
    if !me.namespace.is_empty() {
        b.kv("Namespace", &me.namespace);
    }
    b.kv(
        "Status",
        if owner(obj).is_some() {
            "Managed by Flux"
        } else {
            "Flux reconciler (not managed by another Flux object)"
        },
    );
    let Some(rec) = find(snapshot, index, &rr) else {
        b.lines.push(line("---", Tone::Muted));
        b.lines.push(line(format!("{rr}: not found"), Tone::Bad));
        return b.lines;
    };
    b.lines.push(line("---", Tone::Muted));
    b.kv(&rr.kind, &rr.name);
    b.kv("Namespace", &rr.namespace);
    let rec = &rec;
    if let Some(t) = str_at(rec, "/spec/targetNamespace") {
        b.kv("Target", t);
    }
    if helm {
        b.kv(
            "Revision",
            str_at(rec, "/status/lastAttemptedRevision").unwrap_or_default(),
        );
    } else {
        b.kv("Path", str_at(rec, "/spec/path").unwrap_or_default());
        b.kv(
            "Revision",
            str_at(rec, "/status/lastAppliedRevision").unwrap_or_default(),
        );
    }
    b.status(rec);
    let mut next = object::source_ref(rec);
    let mut hops = 0;
    while let Some(src_ref) = next.take() {
        hops += 1;
        b.lines.push(line("---", Tone::Muted));
        match find(snapshot, index, &src_ref) {
            Some(src) => {
                source_block(&mut b, &src);
                if src_ref.kind == "HelmChart" && hops < 3 {
                    next = object::source_ref(&src);
                }
            }
            None => b
                .lines
                .push(line(format!("{src_ref}: not found"), Tone::Bad)),
        }
    }
    b.lines
}
