//! The `{"$imagepolicy": "<ns>:<policy>[:tag|:name|:digest]"}` comment marker, and writing a
//! new scalar value in the style the old one used.

use granit_parser::ScalarStyle;
use serde_json::Value;

use super::ImageRef;

/// Which part of the policy's latest image a marker asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetterField {
    /// `name:tag` or `name:tag@digest`
    Image,
    Tag,
    Name,
    Digest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The marker value verbatim, e.g. `flux-system:podinfo:tag`.
    pub setter: String,
    pub namespace: String,
    pub policy: String,
    pub field: SetterField,
}

/// Read a comment body (the text after `#`). Leading `#`s and spaces are ignored; the rest must
/// be a JSON object whose `$imagepolicy` entry is a string. `None` if this is no setter marker.
pub fn parse_marker(comment: &str) -> Option<Result<Marker, String>> {
    let body = comment.trim_start_matches(['#', ' ', '\t']).trim();
    let json: Value = serde_json::from_str(body).ok()?;
    let setter = json.as_object()?.get("$imagepolicy")?.as_str()?.to_string();
    let parts: Vec<&str> = setter.split(':').collect();
    let field = match parts.as_slice() {
        [_, _] => SetterField::Image,
        [_, _, "tag"] => SetterField::Tag,
        [_, _, "name"] => SetterField::Name,
        [_, _, "digest"] => SetterField::Digest,
        _ => {
            return Some(Err(format!(
                "marker value {setter:?} is not '<namespace>:<policy>' optionally followed by ':tag', ':name' or ':digest'"
            )));
        }
    };
    Some(Ok(Marker {
        namespace: parts[0].to_string(),
        policy: parts[1].to_string(),
        field,
        setter,
    }))
}

impl Marker {
    pub fn value_for(&self, image: &ImageRef) -> String {
        match self.field {
            SetterField::Image => image.to_string(),
            SetterField::Tag => image.tag.clone(),
            SetterField::Name => image.name.clone(),
            SetterField::Digest => image.digest.clone().unwrap_or_default(),
        }
    }
}

/// Render `value` for a scalar that was written in `style`. Quoted styles stay quoted; a plain
/// scalar stays plain unless the new text would read back as something other than the same
/// string (then it is double-quoted, as a YAML encoder would do).
pub(crate) fn render(value: &str, style: ScalarStyle) -> String {
    match style {
        ScalarStyle::SingleQuoted if !value.contains(['\n', '\r']) => {
            format!("'{}'", value.replace('\'', "''"))
        }
        ScalarStyle::Plain if plain_safe(value) => value.to_string(),
        _ => double_quoted(value),
    }
}

fn double_quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `value` can be written as a plain scalar and read back as the same string in both
/// YAML 1.1 and 1.2 (no null/bool/number look-alikes, no indicators, no `: ` or ` #`).
fn plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if value != value.trim() || value.contains(['\n', '\r', '\t']) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !(matches!(first, '-' | '?' | ':') && value.len() > 1 && !value[1..].starts_with(' '))
    {
        return false;
    }
    if value.contains(": ") || value.contains(" #") || value.ends_with(':') {
        return false;
    }
    // In a flow context these would end the scalar; be conservative everywhere.
    if value.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    !looks_like_non_string(value)
}

fn looks_like_non_string(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
    ) {
        return true;
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let numeric_chars = digits.chars().all(|c| {
        c.is_ascii_hexdigit() || matches!(c, '.' | '_' | 'x' | 'o' | 'e' | 'E' | '-' | '+')
    });
    (numeric_chars
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && v.parse::<f64>().is_ok())
        || (numeric_chars
            && digits.starts_with(|c: char| c.is_ascii_digit())
            && integer_like(digits))
}

/// Integers in any base YAML 1.1 or 1.2 reads (`0x1f`, `0o17`, `017`, `1_000`).
fn integer_like(d: &str) -> bool {
    let d = d.replace('_', "");
    if let Some(hex) = d.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = d.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| c.is_digit(8));
    }
    !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_parse_with_suffixes_and_noise() {
        let m = parse_marker(" {\"$imagepolicy\": \"flux-system:app:tag\"}")
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.namespace.as_str(), m.policy.as_str(), m.field),
            ("flux-system", "app", SetterField::Tag)
        );
        assert!(
            parse_marker("## {\"$imagepolicy\":\"a:b\"}")
                .unwrap()
                .is_ok()
        );
        assert!(parse_marker(" just a comment").is_none());
        assert!(
            parse_marker(" {\"$imagepolicy\": \"a:b:c:d\"}")
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn rendering_keeps_style_and_quotes_when_needed() {
        assert_eq!(
            render("ghcr.io/app:1.0.1", ScalarStyle::Plain),
            "ghcr.io/app:1.0.1"
        );
        assert_eq!(render("1.0.1", ScalarStyle::Plain), "1.0.1");
        assert_eq!(render("2", ScalarStyle::Plain), "\"2\"");
        assert_eq!(render("1.10", ScalarStyle::Plain), "\"1.10\"");
        assert_eq!(render("", ScalarStyle::Plain), "\"\"");
        assert_eq!(render("true", ScalarStyle::Plain), "\"true\"");
        assert_eq!(render("it's", ScalarStyle::SingleQuoted), "'it''s'");
        assert_eq!(render("a\"b", ScalarStyle::DoubleQuoted), "\"a\\\"b\"");
    }
}
