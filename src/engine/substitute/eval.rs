//! Evaluation of parsed envsubst nodes, including the bash-like string operators and the glob
//! patterns used by `#`, `##`, `%` and `%%`.

use super::SubstError;
use super::parse::{Node, Op};

/// Variable lookup: `None` means "not set", which only strict mode distinguishes from "".
pub(crate) trait Lookup {
    fn get(&self, name: &str) -> Option<&str>;
}

pub(crate) fn eval(nodes: &[Node], vars: &dyn Lookup, strict: bool) -> Result<String, SubstError> {
    let mut out = String::new();
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Subst { name, op, args } => {
                out.push_str(&substitute(name, *op, args, vars, strict)?)
            }
        }
    }
    Ok(out)
}

fn substitute(
    name: &str,
    op: Op,
    args: &[Vec<Node>],
    vars: &dyn Lookup,
    strict: bool,
) -> Result<String, SubstError> {
    let arg = |i: usize| {
        args.get(i)
            .map(|a| eval(a, vars, strict))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let value = match vars.get(name) {
        Some(v) => v.to_string(),
        None if op == Op::Default => return arg(0),
        None if strict => return Err(SubstError::VarNotSet(name.to_string())),
        None => String::new(),
    };
    Ok(match op {
        Op::Plain => value,
        Op::Length => value.chars().count().to_string(),
        Op::UpperFirst => map_first(&value, |c| c.to_uppercase().collect()),
        Op::UpperAll => value.to_uppercase(),
        Op::LowerFirst => map_first(&value, |c| c.to_lowercase().collect()),
        Op::LowerAll => value.to_lowercase(),
        Op::Substring => substring(
            &value,
            &arg(0)?,
            args.get(1).map(|a| eval(a, vars, strict)).transpose()?,
        ),
        Op::Default if value.is_empty() => arg(0)?,
        Op::Default => value,
        Op::TrimPrefix { longest } => trim_prefix(&value, &arg(0)?, longest),
        Op::TrimSuffix { longest } => trim_suffix(&value, &arg(0)?, longest),
        // An empty pattern replaces nothing (bash), rather than inserting at every position.
        Op::ReplaceFirst | Op::ReplaceAll if arg(0)?.is_empty() => value,
        Op::ReplaceFirst => value.replacen(&arg(0)?, &arg(1)?, 1),
        Op::ReplaceAll => value.replace(&arg(0)?, &arg(1)?),
        Op::ReplacePrefix => match value.strip_prefix(arg(0)?.as_str()) {
            Some(rest) => format!("{}{rest}", arg(1)?),
            None => value,
        },
        Op::ReplaceSuffix => match value.strip_suffix(arg(0)?.as_str()) {
            Some(rest) => format!("{rest}{}", arg(1)?),
            None => value,
        },
    })
}

fn map_first(s: &str, f: impl Fn(char) -> String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => f(first) + chars.as_str(),
        None => String::new(),
    }
}

/// `${v:offset[:length]}` in characters; a negative offset counts from the end and a negative
/// length stops that many characters before the end, as in bash. Non-numbers count as 0.
fn substring(value: &str, offset: &str, length: Option<String>) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len() as i64;
    let offset: i64 = offset.trim().parse().unwrap_or(0);
    let start = if offset < 0 {
        (n + offset).max(0)
    } else {
        offset.min(n)
    };
    let end = match length.map(|l| l.trim().parse::<i64>().unwrap_or(0)) {
        None => n,
        Some(len) if len < 0 => (n + len).max(start),
        Some(len) => (start + len).min(n),
    };
    chars[start as usize..end as usize].iter().collect()
}

fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

fn trim_prefix(value: &str, pattern: &str, longest: bool) -> String {
    let mut cuts = boundaries(value);
    if longest {
        cuts.reverse();
    }
    cuts.into_iter()
        .find(|&i| glob_match(pattern, &value[..i]))
        .map(|i| value[i..].to_string())
        .unwrap_or_else(|| value.to_string())
}

fn trim_suffix(value: &str, pattern: &str, longest: bool) -> String {
    let mut cuts = boundaries(value);
    if !longest {
        cuts.reverse();
    }
    cuts.into_iter()
        .find(|&i| glob_match(pattern, &value[i..]))
        .map(|i| value[..i].to_string())
        .unwrap_or_else(|| value.to_string())
}

/// Shell glob: `*` any run (including `/`), `?` one character, `[abc]`/`[a-z]`/`[!x]`/`[^x]`
/// classes, `\` escapes.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_at(&p, &t)
}

fn glob_at(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => (0..=t.len()).any(|skip| glob_at(&p[1..], &t[skip..])),
        Some('?') => !t.is_empty() && glob_at(&p[1..], &t[1..]),
        Some('[') => match (class_match(&p[1..], t.first().copied()), t.is_empty()) {
            (Some((true, used)), false) => glob_at(&p[1 + used..], &t[1..]),
            (Some(_), _) => false,
            // An unterminated `[` is an ordinary character.
            (None, _) => t.first() == Some(&'[') && glob_at(&p[1..], &t[1..]),
        },
        Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && glob_at(&p[2..], &t[1..]),
        Some(c) => t.first() == Some(c) && glob_at(&p[1..], &t[1..]),
    }
}

/// Match a bracket class (after `[`): `Some((matched, chars consumed incl. ']'))`, or `None`
/// when the class is not terminated.
fn class_match(p: &[char], c: Option<char>) -> Option<(bool, usize)> {
    let negated = matches!(p.first(), Some('!' | '^'));
    let mut i = usize::from(negated);
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negated && c.is_some(), i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            matched |= c.is_some_and(|c| p[i] <= c && c <= p[i + 2]);
            i += 3;
        } else {
            matched |= c == Some(p[i]);
            i += 1;
        }
    }
    None
}
