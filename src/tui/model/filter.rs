//! The `/` filter: `text` (case-insensitive substring), a regex when the text has regex
//! syntax, `-f text` fuzzy (letters in order), a leading `!` inverts, and `-l selector`
//! (Kubernetes label selector: `a=b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`).

use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Matcher {
    Any,
    Substring(String),
    Regex(regex::Regex),
    Fuzzy(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub text: String,
    inverse: bool,
    matcher: Matcher,
    labels: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error(
        "invalid label selector {0:?}: use key=value, key!=value, key, !key, key in (a,b), key notin (a,b)"
    )]
    Selector(String),
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            text: String::new(),
            inverse: false,
            matcher: Matcher::Any,
            labels: Vec::new(),
        }
    }
}

fn looks_like_regex(s: &str) -> bool {
    s.chars().any(|c| "^$*+?()[]{}|\\".contains(c))
}

impl Filter {
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let mut f = Filter {
            text: text.to_string(),
            ..Default::default()
        };
        let mut rest = text.trim();
        if let Some(r) = rest.strip_prefix('!') {
            f.inverse = true;
            rest = r.trim_start();
        }
        let (pattern, selector) = match rest.find("-l ") {
            Some(i) if i == 0 || rest[..i].ends_with(' ') => {
                (rest[..i].trim(), Some(rest[i + 3..].trim()))
            }
            _ => (rest, None),
        };
        if let Some(sel) = selector {
            f.labels = parse_selector(sel)?;
        }
        f.matcher = if pattern.is_empty() {
            Matcher::Any
        } else if let Some(fz) = pattern.strip_prefix("-f ") {
            Matcher::Fuzzy(fz.trim().to_lowercase())
        } else if looks_like_regex(pattern) {
            match regex::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .build()
            {
                Ok(re) => Matcher::Regex(re),
                Err(_) => Matcher::Substring(pattern.to_lowercase()),
            }
        } else {
            Matcher::Substring(pattern.to_lowercase())
        };
        Ok(f)
    }

    pub fn is_empty(&self) -> bool {
        matches!(self.matcher, Matcher::Any) && self.labels.is_empty() && !self.inverse
    }

    /// Does a row with this text (e.g. `Kustomization/flux-system/apps`) and these labels pass?
    pub fn matches(&self, text: &str, labels: &BTreeMap<String, String>) -> bool {
        let text_ok = match &self.matcher {
            Matcher::Any => true,
            Matcher::Substring(s) => text.to_lowercase().contains(s),
            Matcher::Regex(re) => re.is_match(text),
            Matcher::Fuzzy(f) => fuzzy(f, &text.to_lowercase()),
        };
        let labels_ok = self.labels.iter().all(|r| r.matches(labels));
        (text_ok && labels_ok) != self.inverse
    }
}

fn fuzzy(needle: &str, hay: &str) -> bool {
    let mut chars = hay.chars();
    needle.chars().all(|n| chars.any(|h| h == n))
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
        }
    }
}

/// Split on commas that are not inside parentheses.
fn split_top(sel: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0usize, Vec::new());
    for (i, c) in sel.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&sel[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&sel[start..]);
    out
}

fn parse_selector(sel: &str) -> Result<Vec<Requirement>, FilterError> {
    let err = || FilterError::Selector(sel.to_string());
    let valid_key = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    };
    let mut out = Vec::new();
    for part in split_top(sel)
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let set = |s: &str| -> Option<Vec<String>> {
            let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
            Some(
                inner
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect(),
            )
        };
        let req = if let Some((k, v)) = part.split_once(" notin ") {
            Requirement::NotIn(k.trim().into(), set(v).ok_or_else(err)?)
        } else if let Some((k, v)) = part.split_once(" in ") {
            Requirement::In(k.trim().into(), set(v).ok_or_else(err)?)
        } else if let Some((k, v)) = part.split_once("!=") {
            Requirement::NotEquals(k.trim().into(), v.trim().into())
        } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            Requirement::Equals(k.trim().into(), v.trim().into())
        } else if let Some(k) = part.strip_prefix('!') {
            Requirement::NotExists(k.trim().into())
        } else {
            Requirement::Exists(part.into())
        };
        let key = match &req {
            Requirement::Equals(k, _)
            | Requirement::NotEquals(k, _)
            | Requirement::Exists(k)
            | Requirement::NotExists(k)
            | Requirement::In(k, _)
            | Requirement::NotIn(k, _) => k,
        };
        if !valid_key(key) {
            return Err(err());
        }
        out.push(req);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
    #[test]
    fn substring_regex_fuzzy_inverse() {
        let none = labels(&[]);
        assert!(
            Filter::parse("APPS")
                .unwrap()
                .matches("Kustomization/flux-system/apps", &none)
        );
        assert!(
            Filter::parse("^kust.*apps$")
                .unwrap()
                .matches("Kustomization/flux-system/apps", &none)
        );
        assert!(
            !Filter::parse("^apps")
                .unwrap()
                .matches("Kustomization/flux-system/apps", &none)
        );
        assert!(
            Filter::parse("-f kfsa")
                .unwrap()
                .matches("Kustomization/flux-system/apps", &none)
        );
        assert!(
            !Filter::parse("!apps")
                .unwrap()
                .matches("Kustomization/flux-system/apps", &none)
        );
        assert!(
            Filter::parse("!infra")
                .unwrap()
                .matches("Kustomization/flux-system/apps", &none)
        );
    }
    #[test]
    fn label_selectors() {
        let l = labels(&[("team", "a"), ("tier", "web")]);
        assert!(Filter::parse("-l team=a").unwrap().matches("x", &l));
        assert!(!Filter::parse("-l team!=a").unwrap().matches("x", &l));
        assert!(
            Filter::parse("-l tier in (web,db),team")
                .unwrap()
                .matches("x", &l)
        );
        assert!(Filter::parse("-l !owner").unwrap().matches("x", &l));
        assert!(
            !Filter::parse("-l tier notin (web)")
                .unwrap()
                .matches("x", &l)
        );
        assert!(Filter::parse("x -l team=a").unwrap().matches("x", &l));
        assert!(Filter::parse("-l a in b").is_err());
    }
}
