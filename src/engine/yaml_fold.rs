//! go-yaml compatibility for folded block scalars (`>`, `>-`, `>+`). go-yaml (what kubectl,
//! kustomize and Flux read YAML with) keeps one extra line break where a normal line is
//! followed by a more-indented one: `>-\n  a(\n    b\n  )` reads as "a(\n\n  b\n)" there,
//! "a(\n  b\n)" by the YAML spec (and serde-saphyr). Inserting an empty line at each such
//! transition before parsing makes the spec reading equal go-yaml's.

/// Whether `line` ends with a folded block scalar header (`key: >-`, `- >`, `>2`), ignoring
/// a trailing comment.
fn opens_folded(line: &str) -> bool {
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    let code = code.trim_end();
    let Some(pos) = code.rfind('>') else {
        return false;
    };
    let indicators = &code[pos + 1..];
    if !indicators.chars().all(|c| c == '-' || c == '+') || indicators.len() > 1 {
        return false;
    }
    let before = &code[..pos];
    before.trim().is_empty() || before.ends_with(": ") || before.ends_with("- ")
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The text with go-yaml's extra breaks made explicit; borrowed unchanged when there is
/// nothing to do.
pub fn go_yaml_folding(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('>') || !text.lines().any(opens_folded) {
        return std::borrow::Cow::Borrowed(text);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + 64);
    let mut i = 0;
    while i < lines.len() {
        out.push_str(lines[i]);
        let header_indent = indent_of(lines[i]);
        if !opens_folded(lines[i].trim_end_matches(['\n', '\r'])) {
            i += 1;
            continue;
        }
        i += 1;
        // Content indentation: that of the first non-empty line, which must be deeper.
        let mut content: Option<usize> = None;
        let mut previous_normal = false;
        while i < lines.len() {
            let line = lines[i].trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                out.push_str(lines[i]);
                i += 1;
                continue;
            }
            let indent = indent_of(line);
            let n = *content.get_or_insert(indent);
            if indent < n || indent <= header_indent && n <= header_indent {
                break;
            }
            let more_indented = indent > n || line[n..].starts_with('\t');
            if more_indented && previous_normal {
                out.push('\n');
            }
            previous_normal = !more_indented;
            out.push_str(lines[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_indented_lines_after_normal_ones_get_go_yamls_extra_break() {
        let text = "a: >-\n  x(\n    y\n  )\nb: 1\n";
        assert_eq!(go_yaml_folding(text), "a: >-\n  x(\n\n    y\n  )\nb: 1\n");
    }

    #[test]
    fn literal_and_plain_text_is_untouched() {
        let text = "a: |\n  x\n    y\nb: c > d\n";
        assert!(matches!(
            go_yaml_folding(text),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
