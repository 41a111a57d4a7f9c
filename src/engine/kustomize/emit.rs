//! The YAML emitter for `kustomize build` output. kubectl kustomize turns each resource into
//! JSON and prints it through go-yaml v2, so the output has sorted keys (go-yaml's "natural"
//! key order), indentless sequences under mapping keys, go-yaml v2 scalar quoting and folding of
//! long scalars at column 80. This module reproduces that byte for byte.

use super::emit_scalar::{Writer, analyze};
use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// Render documents as kubectl kustomize prints them: each document, separated by `---`.
pub fn render_documents(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&render_document(doc));
    }
    out
}

/// Render a single value as one go-yaml v2 document.
pub fn render_document(doc: &Value) -> String {
    let mut e = Emitter {
        w: Writer::new(),
        indent: -1,
        open_ended: false,
    };
    e.node(doc, Context::Root);
    if e.w.column > 0 {
        e.w.put_break();
    }
    if e.open_ended {
        e.w.out.push_str("...\n");
    }
    e.w.out
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    Root,
    MappingValue,
    SequenceItem,
    SimpleKey,
}

struct Emitter {
    w: Writer,
    indent: i64,
    open_ended: bool,
}

/// go-yaml v2's map key order: letters compare by code point and after non-letters, digit runs
/// compare numerically.
pub fn go_yaml_key_cmp(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

impl Emitter {
    fn increase_indent(&mut self, indentless: bool) -> i64 {
        let saved = self.indent;
        if self.indent < 0 {
            self.indent = 0;
        } else if !indentless {
            self.indent += 2;
        }
        self.w.indent = self.indent.max(0) as usize;
        saved
    }

    fn restore_indent(&mut self, saved: i64) {
        self.indent = saved;
        self.w.indent = saved.max(0) as usize;
    }

    fn node(&mut self, value: &Value, ctx: Context) {
        match value {
            Value::Object(map) if !map.is_empty() => self.mapping(map, ctx),
            Value::Array(items) if !items.is_empty() => self.sequence(items, ctx),
            Value::Object(_) => self.flow_empty("{", "}"),
            Value::Array(_) => self.flow_empty("[", "]"),
            Value::Null => self.scalar_plain("null", ctx),
            Value::Bool(b) => self.scalar_plain(if *b { "true" } else { "false" }, ctx),
            Value::Number(n) => self.scalar_plain(&go_number(n), ctx),
            Value::String(s) => self.string(s, ctx),
        }
    }

    fn flow_empty(&mut self, open: &str, close: &str) {
        let saved = self.increase_indent(false);
        self.w.write_indicator(open, true, true, false);
        self.w.write_indicator(close, false, false, false);
        self.open_ended = false;
        self.restore_indent(saved);
    }

    fn mapping(&mut self, map: &Map<String, Value>, _ctx: Context) {
        let saved = self.increase_indent(false);
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by(|a, b| go_yaml_key_cmp(a, b));
        for key in keys {
            self.w.write_indent();
            let simple = key.len() <= 128 && !analyze(key).multiline;
            if simple {
                self.string(key, Context::SimpleKey);
                self.w.write_indicator(":", false, false, false);
            } else {
                self.w.write_indicator("?", true, false, true);
                self.string(key, Context::MappingValue);
                self.w.write_indent();
                self.w.write_indicator(":", true, false, true);
            }
            self.open_ended = false;
            self.node(&map[key.as_str()], Context::MappingValue);
        }
        self.restore_indent(saved);
    }

    fn sequence(&mut self, items: &[Value], ctx: Context) {
        let indentless = ctx == Context::MappingValue && !self.w.indention;
        let saved = self.increase_indent(indentless);
        for item in items {
            self.w.write_indent();
            self.w.write_indicator("-", true, false, true);
            self.open_ended = false;
            self.node(item, Context::SequenceItem);
        }
        self.restore_indent(saved);
    }

    fn scalar_plain(&mut self, text: &str, ctx: Context) {
        let saved = self.increase_indent(false);
        self.w.write_plain(text, ctx != Context::SimpleKey);
        self.open_ended = false;
        self.restore_indent(saved);
    }

    fn string(&mut self, s: &str, ctx: Context) {
        let simple_key = ctx == Context::SimpleKey;
        let a = analyze(s);
        // go-yaml v2 asks for a literal block for multi-line text, double quotes for text that
        // would read back as another type, and plain style otherwise; the emitter then falls
        // back to quoting when the characters do not allow the requested style.
        let requested = if s.contains('\n') {
            Style::Literal
        } else if resolves_to_non_string(s) {
            Style::Double
        } else {
            Style::Plain
        };
        let mut style = requested;
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (s.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }
        let saved = self.increase_indent(false);
        let allow_breaks = !simple_key;
        self.open_ended = false;
        match style {
            Style::Plain => self.w.write_plain(s, allow_breaks),
            Style::Single => self.w.write_single_quoted(s, allow_breaks),
            Style::Double => self.w.write_double_quoted(s, allow_breaks),
            Style::Literal => {
                self.w.write_literal(s);
                self.open_ended =
                    s.ends_with('\n') && (s.len() == 1 || s[..s.len() - 1].ends_with('\n'));
            }
        }
        self.restore_indent(saved);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// Whether go-yaml v2 would read this plain text as something other than a string (a bool in
/// YAML 1.1 spelling, null, a number, a timestamp or a base-60 float), so it must be quoted.
pub fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "", "~", "null", "Null", "NULL",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = match s.chars().next() {
        Some(c) => c,
        None => return true,
    };
    if !(first.is_ascii_digit() || first == '+' || first == '-' || first == '.') {
        return false;
    }
    if first != '.' && super::emit_number::looks_like_timestamp(s) {
        return true;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    super::emit_number::parses_as_go_int(&plain)
        || super::emit_number::parses_as_yaml_float(&plain)
        || super::emit_number::is_base60_float(s)
}

fn go_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    super::emit_number::go_float_through_json(n.as_f64().unwrap_or(0.0))
}
