//! Target selectors of patches and replacements: group/version/kind exact, name and namespace
//! as anchored regular expressions (matched against the original or the current id), and
//! Kubernetes label/annotation selector expressions.

use super::resource::{ResId, Resource};
use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Selector {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub label_selector: String,
    #[serde(default)]
    pub annotation_selector: String,
}

/// A selector with its regular expressions compiled.
pub struct CompiledSelector {
    sel: Selector,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

fn anchored(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|e| format!("invalid regular expression '{pattern}': {e}"))
}

impl CompiledSelector {
    pub fn new(sel: &Selector) -> Result<Self, String> {
        Ok(CompiledSelector {
            sel: sel.clone(),
            name: anchored(&sel.name)?,
            namespace: anchored(&sel.namespace)?,
            labels: parse_label_selector(&sel.label_selector)?,
            annotations: parse_label_selector(&sel.annotation_selector)?,
        })
    }

    fn gvk_matches(&self, id: &ResId) -> bool {
        (self.sel.group.is_empty() || self.sel.group == id.group)
            && (self.sel.version.is_empty() || self.sel.version == id.version)
            && (self.sel.kind.is_empty() || self.sel.kind == id.kind)
    }

    /// kustomize's `Select`: namespace and name may match the original or the current id.
    pub fn matches(&self, r: &Resource) -> bool {
        let cur = r.cur_id();
        let org = r.org_id();
        if let Some(ns) = &self.namespace {
            if !ns.is_match(org.effective_namespace()) && !ns.is_match(cur.effective_namespace()) {
                return false;
            }
        }
        if let Some(name) = &self.name {
            if !name.is_match(&org.name) && !name.is_match(&cur.name) {
                return false;
            }
        }
        self.gvk_matches(&cur)
            && self.labels.iter().all(|req| req.matches(&r.labels()))
            && self
                .annotations
                .iter()
                .all(|req| req.matches(&r.annotations()))
    }

    /// Matching against the current id only (used by replacements' reject lists and sources).
    pub fn matches_current(&self, r: &Resource) -> bool {
        let cur = r.cur_id();
        if let Some(ns) = &self.namespace {
            if !ns.is_match(cur.effective_namespace())
                && !(cur.namespace.is_empty() && ns.is_match(""))
            {
                return false;
            }
        }
        if let Some(name) = &self.name {
            if !name.is_match(&cur.name) {
                return false;
            }
        }
        self.gvk_matches(&cur)
            && self.labels.iter().all(|req| req.matches(&r.labels()))
            && self
                .annotations
                .iter()
                .all(|req| req.matches(&r.annotations()))
    }
}

#[derive(Debug, Clone)]
enum Op {
    Exists,
    NotExists,
    In(Vec<String>),
    NotIn(Vec<String>),
}

#[derive(Debug, Clone)]
struct Requirement {
    key: String,
    op: Op,
}

impl Requirement {
    fn matches(&self, labels: &Map<String, Value>) -> bool {
        let value = labels.get(&self.key).and_then(Value::as_str);
        match &self.op {
            Op::Exists => value.is_some(),
            Op::NotExists => value.is_none(),
            Op::In(vals) => value.is_some_and(|v| vals.iter().any(|x| x == v)),
            Op::NotIn(vals) => value.is_none_or(|v| !vals.iter().any(|x| x == v)),
        }
    }
}

/// Split at commas that are not inside parentheses.
fn split_terms(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn parse_set(s: &str) -> Result<Vec<String>, String> {
    let inner = s
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or(format!("expected '(values)' in '{s}'"))?;
    Ok(inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect())
}

fn parse_label_selector(s: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for term in split_terms(s) {
        let req = if let Some(key) = term.strip_prefix('!') {
            Requirement {
                key: key.trim().to_string(),
                op: Op::NotExists,
            }
        } else if let Some((k, v)) = term.split_once("!=") {
            Requirement {
                key: k.trim().into(),
                op: Op::NotIn(vec![v.trim().into()]),
            }
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            Requirement {
                key: k.trim().into(),
                op: Op::In(vec![v.trim().into()]),
            }
        } else if let Some((k, rest)) = term.split_once(" notin ") {
            Requirement {
                key: k.trim().into(),
                op: Op::NotIn(parse_set(rest)?),
            }
        } else if let Some((k, rest)) = term.split_once(" in ") {
            Requirement {
                key: k.trim().into(),
                op: Op::In(parse_set(rest)?),
            }
        } else {
            Requirement {
                key: term.clone(),
                op: Op::Exists,
            }
        };
        if req.key.is_empty() {
            return Err(format!("invalid selector term '{term}'"));
        }
        out.push(req);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selector_terms() {
        let reqs = parse_label_selector("app=web, tier in (a,b), !legacy").unwrap();
        let labels = json!({"app": "web", "tier": "b"});
        assert!(reqs.iter().all(|r| r.matches(labels.as_object().unwrap())));
        let other = json!({"app": "web", "tier": "c"});
        assert!(!reqs.iter().all(|r| r.matches(other.as_object().unwrap())));
    }
}
