//! The console's diff pane view-model: per object a glyph and +/- counts, and the unified diff
//! of the (masked) live YAML against the merged YAML in hunks with word-level inline changes.

use similar::{ChangeTag, TextDiff};

use super::{Class, ObjectDiff, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineTag {
    Context,
    Added,
    Removed,
}

/// One diff line: segments of (emphasised, text), emphasised = the words that changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub tag: LineTag,
    pub old_no: Option<usize>,
    pub new_no: Option<usize>,
    pub segments: Vec<(bool, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hunk {
    /// `@@ -a,b +c,d @@`
    pub header: String,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectView {
    pub subject: String,
    pub class: Class,
    pub glyph: &'static str,
    pub added: usize,
    pub removed: usize,
    pub hunks: Vec<Hunk>,
}

pub fn glyph(class: Class, ascii: bool) -> &'static str {
    match (class, ascii) {
        (Class::Created, false) => "✚",
        (Class::Drifted, false) => "±",
        (Class::Deleted, false) => "✖",
        (Class::Unchanged, false) => "=",
        (Class::Skipped, false) => "⊘",
        (Class::Created, true) => "+",
        (Class::Drifted, true) => "~",
        (Class::Deleted, true) => "-",
        (Class::Unchanged, true) => "=",
        (Class::Skipped, true) => "s",
    }
}

fn yaml(v: Option<&serde_json::Value>) -> String {
    v.and_then(|v| crate::engine::yaml::to_string(v).ok())
        .unwrap_or_default()
}

/// Hunks of live → merged for one object, `context` lines around each change.
pub fn object_view(o: &ObjectDiff, context: usize, ascii: bool) -> ObjectView {
    let old = yaml(o.live.as_ref());
    let new = yaml(o.merged.as_ref());
    let diff = TextDiff::from_lines(old.as_str(), new.as_str());
    let (mut added, mut removed) = (0, 0);
    let mut hunks = Vec::new();
    for group in diff.grouped_ops(context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o0, o1) = (first.old_range().start, last.old_range().end);
        let (n0, n1) = (first.new_range().start, last.new_range().end);
        // Unified-diff convention: an empty side starts at line 0.
        let start = |a: usize, b: usize| if b == a { a } else { a + 1 };
        let header = format!(
            "@@ -{},{} +{},{} @@",
            start(o0, o1),
            o1 - o0,
            start(n0, n1),
            n1 - n0
        );
        let mut lines = Vec::new();
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let tag = match change.tag() {
                    ChangeTag::Equal => LineTag::Context,
                    ChangeTag::Insert => {
                        added += 1;
                        LineTag::Added
                    }
                    ChangeTag::Delete => {
                        removed += 1;
                        LineTag::Removed
                    }
                };
                let segments = change
                    .iter_strings_lossy()
                    .map(|(emph, s)| (emph, s.trim_end_matches('\n').to_string()))
                    .filter(|(_, s)| !s.is_empty())
                    .collect();
                lines.push(Line {
                    tag,
                    old_no: change.old_index().map(|i| i + 1),
                    new_no: change.new_index().map(|i| i + 1),
                    segments,
                });
            }
        }
        hunks.push(Hunk { header, lines });
    }
    ObjectView {
        subject: o.subject.clone(),
        class: o.class,
        glyph: glyph(o.class, ascii),
        added,
        removed,
        hunks,
    }
}

/// The pane's object list: every object that is not unchanged.
pub fn view(report: &Report, context: usize, ascii: bool) -> Vec<ObjectView> {
    report
        .objects
        .iter()
        .filter(|o| o.class != Class::Unchanged)
        .map(|o| object_view(o, context, ascii))
        .collect()
}

/// Plain unified-diff text of one object view (`--- live` / `+++ merged`).
pub fn unified_text(v: &ObjectView) -> String {
    let mut out = format!("--- live/{}\n+++ merged/{}\n", v.subject, v.subject);
    for h in &v.hunks {
        out.push_str(&h.header);
        out.push('\n');
        for l in &h.lines {
            let sign = match l.tag {
                LineTag::Context => ' ',
                LineTag::Added => '+',
                LineTag::Removed => '-',
            };
            out.push(sign);
            for (_, s) in &l.segments {
                out.push_str(s);
            }
            out.push('\n');
        }
    }
    out
}
