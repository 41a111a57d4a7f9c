//! Renderers of a drift report: flux diff's text shape, JSON, and Markdown for PR comments.
//! Every renderer reads the masked copies only, so no Secret value can reach the output.

use serde_json::{Value, json};

use super::{Class, FieldChange, FieldChangeKind, Report};

fn yaml_block(v: &Value, indent: &str) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        other => crate::engine::yaml::to_string(other).unwrap_or_else(|_| other.to_string()),
    };
    s.trim_end()
        .lines()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn count_word(n: usize, what: &str) -> String {
    let num = match n {
        1 => "one".to_string(),
        2 => "two".to_string(),
        3 => "three".to_string(),
        n => n.to_string(),
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{num} {what}{plural}")
}

fn entries_len(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 1,
    }
}

fn entry_word(v: &Value) -> &'static str {
    if v.is_array() {
        "list entry"
    } else {
        "map entry"
    }
}

/// One change in dyff's "human" shape.
pub fn change_text(c: &FieldChange) -> String {
    match &c.kind {
        FieldChangeKind::Value { before, after } => format!(
            "{}\n± value change\n{}\n{}\n",
            c.path,
            yaml_block(before, "- "),
            yaml_block(after, "+ ")
        ),
        FieldChangeKind::Added { entries } => format!(
            "{}\n+ {} added:\n{}\n",
            c.path,
            count_word(entries_len(entries), entry_word(entries)),
            yaml_block(entries, "  ")
        ),
        FieldChangeKind::Removed { entries } => format!(
            "{}\n- {} removed:\n{}\n",
            c.path,
            count_word(entries_len(entries), entry_word(entries)),
            yaml_block(entries, "  ")
        ),
    }
}

/// flux diff's output: `► Kind/ns/name created|drifted|deleted|skipped`, then the changes of
/// drifted objects. Unchanged objects are not listed (as flux diff).
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for o in &report.objects {
        if o.class == Class::Unchanged {
            continue;
        }
        out.push_str(&format!("► {} {}\n", o.subject, o.class.as_str()));
        if o.class == Class::Drifted {
            for c in &o.changes {
                out.push('\n');
                out.push_str(&change_text(c));
            }
            out.push('\n');
        }
    }
    out
}

/// `-o json`: every object with its class and changes, plus the counts.
pub fn json(report: &Report) -> Value {
    let objects: Vec<Value> = report
        .objects
        .iter()
        .map(|o| {
            json!({
                "subject": o.subject,
                "action": o.class.as_str(),
                "changes": o.changes,
            })
        })
        .collect();
    json!({"objects": objects, "summary": report.counts(), "changed": report.has_changes()})
}

/// A Markdown section for a PR comment: a summary line, a table of changed objects and the
/// field changes of drifted ones in collapsible blocks.
pub fn markdown(title: &str, report: &Report) -> String {
    let c = report.counts();
    let mut out = format!(
        "### {title}\n\n{} created, {} changed, {} deleted, {} unchanged\n\n",
        c.created, c.drifted, c.deleted, c.unchanged
    );
    let changed: Vec<_> = report
        .objects
        .iter()
        .filter(|o| o.class.is_change())
        .collect();
    if changed.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    out.push_str("| Object | Change |\n|---|---|\n");
    for o in &changed {
        out.push_str(&format!("| `{}` | {} |\n", o.subject, o.class.as_str()));
    }
    for o in changed.iter().filter(|o| o.class == Class::Drifted) {
        out.push_str(&format!(
            "\n<details><summary><code>{}</code></summary>\n\n```diff\n",
            o.subject
        ));
        for ch in &o.changes {
            out.push_str(&change_text(ch));
            out.push('\n');
        }
        out.push_str("```\n\n</details>\n");
    }
    out
}
