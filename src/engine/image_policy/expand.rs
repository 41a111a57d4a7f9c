//! Go `regexp.Regexp.ExpandString` semantics for ImagePolicy `filterTags.extract`:
//! `$1`, `${1}`, `$name`, `${name}`, and `$$` for a literal dollar.
//!
//! A name is the longest run of letters, digits and underscores (`$1x` means the group named
//! `1x`, not group 1 followed by `x`). Unknown names, out-of-range numbers and groups that did
//! not participate expand to nothing. A `$` not followed by a valid reference is kept as text.

use regex::{Captures, Regex};

pub(crate) fn expand(template: &str, re: &Regex, caps: &Captures<'_>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        match reference(after) {
            Some((name, tail)) => {
                out.push_str(group_text(name, re, caps));
                rest = tail;
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parse the reference after a `$`: returns the name and the remaining template.
fn reference(s: &str) -> Option<(&str, &str)> {
    if let Some(braced) = s.strip_prefix('{') {
        let close = braced.find('}')?;
        let name = &braced[..close];
        if name.is_empty() || !name.chars().all(is_name_char) {
            return None;
        }
        return Some((name, &braced[close + 1..]));
    }
    let len = s.find(|c: char| !is_name_char(c)).unwrap_or(s.len());
    (len > 0).then(|| (&s[..len], &s[len..]))
}

fn group_text<'t>(name: &str, re: &Regex, caps: &Captures<'t>) -> &'t str {
    let index = if name.bytes().all(|b| b.is_ascii_digit()) {
        name.parse::<usize>().ok()
    } else {
        // Go takes the first group with that name.
        re.capture_names().position(|n| n == Some(name))
    };
    index
        .and_then(|i| caps.get(i))
        .map(|m| m.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pattern: &str, template: &str, input: &str) -> String {
        let re = Regex::new(pattern).unwrap();
        let caps = re.captures(input).unwrap();
        expand(template, &re, &caps)
    }

    #[test]
    fn numbered_named_and_braced_references() {
        assert_eq!(run(r"ver(\d+)", "$1", "ver12"), "12");
        assert_eq!(
            run(r"(?P<num>\d+)-(?P<sha>[a-f]+)", "${num}.$sha", "42-abc"),
            "42.abc"
        );
        assert_eq!(run(r"(\d+)", "${1}x", "7"), "7x");
        assert_eq!(run(r"(\d+)", "$1x", "7"), "", "$1x names the group '1x'");
        assert_eq!(run(r"(\d+)", "$$1 $9 ${", "7"), "$1  ${");
        assert_eq!(run(r"(a)|(b)", "[$2]", "a"), "[]");
    }
}
