//! ImagePolicy tag selection (image-reflector-controller, SPEC §8.2): filter the repository's
//! tags with `filterTags.pattern`, optionally rewrite each kept tag with `filterTags.extract`,
//! choose the latest by the semver, alphabetical or numerical policy, and map the winner back
//! to the original tag.

mod expand;

use regex::Regex;
use serde_json::Value;

use crate::engine::semver_range::{Constraints, Version};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("spec.policy must set exactly one of semver, alphabetical or numerical")]
    NoPolicy,
    #[error("invalid order {order:?} for {policy} policy: must be 'asc' or 'desc'")]
    InvalidOrder { policy: &'static str, order: String },
    #[error("invalid semver range {range:?}: {reason}")]
    InvalidRange { range: String, reason: String },
    #[error("invalid regular expression pattern '{pattern}' in spec.filterTags.pattern: {reason}")]
    InvalidPattern { pattern: String, reason: String },
    #[error("version list argument cannot be empty")]
    EmptyTagList,
    #[error("failed to parse invalid numeric value '{0}'")]
    InvalidNumber(String),
}

/// The controller's message when no tag survives the filter and the policy.
pub const NO_MATCH_MESSAGE: &str = "unable to determine latest version from provided list";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

impl Order {
    /// `asc`/`desc` in any letter case; empty means the default (`asc`).
    pub fn parse(policy: &'static str, text: &str) -> Result<Order, PolicyError> {
        match text.to_ascii_lowercase().as_str() {
            "" | "asc" => Ok(Order::Asc),
            "desc" => Ok(Order::Desc),
            _ => Err(PolicyError::InvalidOrder {
                policy,
                order: text.to_string(),
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub enum PolicyChoice {
    SemVer(Constraints),
    Alphabetical(Order),
    Numerical(Order),
}

impl PolicyChoice {
    pub fn semver(range: &str) -> Result<PolicyChoice, PolicyError> {
        Constraints::parse(range)
            .map(PolicyChoice::SemVer)
            .map_err(|e| PolicyError::InvalidRange {
                range: range.to_string(),
                reason: e.to_string(),
            })
    }
}

/// A compiled `filterTags`: the pattern (empty matches everything) and the extract template.
#[derive(Debug, Clone)]
pub struct TagFilter {
    pattern: Regex,
    extract: String,
}

impl TagFilter {
    pub fn new(pattern: &str, extract: &str) -> Result<TagFilter, PolicyError> {
        let pattern = Regex::new(pattern).map_err(|e| PolicyError::InvalidPattern {
            pattern: pattern.to_string(),
            reason: e.to_string(),
        })?;
        Ok(TagFilter {
            pattern,
            extract: extract.to_string(),
        })
    }

    /// The value a tag is ranked by, or `None` when the pattern does not match it.
    pub fn apply(&self, tag: &str) -> Option<String> {
        let caps = self.pattern.captures(tag)?;
        if self.extract.is_empty() {
            return Some(tag.to_string());
        }
        Some(expand::expand(&self.extract, &self.pattern, &caps))
    }

    /// Filter and extract a tag list: `(ranked value, original tag)` pairs in first-seen order.
    /// When two tags extract to the same value, the later tag wins (as in the controller's map).
    pub fn filter_tags(&self, tags: &[String]) -> Vec<(String, String)> {
        dedupe(
            tags.iter()
                .filter_map(|t| self.apply(t).map(|v| (v, t.clone()))),
        )
    }
}

fn dedupe(pairs: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (value, tag) in pairs {
        match index.get(&value) {
            Some(&i) => out[i].1 = tag,
            None => {
                index.insert(value.clone(), out.len());
                out.push((value, tag));
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
pub struct PolicySpec {
    pub policy: PolicyChoice,
    pub filter: Option<TagFilter>,
}

impl PolicySpec {
    /// Read and validate an ImagePolicy `spec` (`policy` and `filterTags`).
    pub fn from_spec(spec: &Value) -> Result<PolicySpec, PolicyError> {
        let policy = spec.get("policy").ok_or(PolicyError::NoPolicy)?;
        let text = |v: &Value, key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let set: Vec<(&str, &Value)> = ["semver", "alphabetical", "numerical"]
            .into_iter()
            .filter_map(|k| policy.get(k).filter(|v| !v.is_null()).map(|v| (k, v)))
            .collect();
        let choice = match set.as_slice() {
            [("semver", v)] => PolicyChoice::semver(&text(v, "range"))?,
            [("alphabetical", v)] => {
                PolicyChoice::Alphabetical(Order::parse("alphabetical", &text(v, "order"))?)
            }
            [("numerical", v)] => {
                PolicyChoice::Numerical(Order::parse("numerical", &text(v, "order"))?)
            }
            _ => return Err(PolicyError::NoPolicy),
        };
        let filter = match spec.get("filterTags").filter(|v| !v.is_null()) {
            Some(f) => Some(TagFilter::new(&text(f, "pattern"), &text(f, "extract"))?),
            None => None,
        };
        Ok(PolicySpec {
            policy: choice,
            filter,
        })
    }
}

/// Select the latest tag. `Ok(None)` means no tag passed the filter and the policy (the
/// controller reports `NO_MATCH_MESSAGE`); an empty input list is `EmptyTagList`.
pub fn select(policy: &PolicySpec, tags: &[String]) -> Result<Option<String>, PolicyError> {
    if tags.is_empty() {
        return Err(PolicyError::EmptyTagList);
    }
    let candidates: Vec<(String, String)> = match &policy.filter {
        Some(filter) => filter.filter_tags(tags),
        None => dedupe(tags.iter().map(|t| (t.clone(), t.clone()))),
    };
    if candidates.is_empty() {
        return Ok(None);
    }
    let values: Vec<&str> = candidates.iter().map(|(v, _)| v.as_str()).collect();
    let winner = match &policy.policy {
        PolicyChoice::SemVer(range) => latest_semver(range, &values),
        PolicyChoice::Alphabetical(order) => latest_alphabetical(*order, &values),
        PolicyChoice::Numerical(order) => latest_numerical(*order, &values)?,
    };
    Ok(winner.map(|i| candidates[i].1.clone()))
}

/// Parse a tag the way Flux does (`fluxcd/pkg/version.ParseVersion`): lenient Masterminds
/// syntax, but all three of major, minor and patch must be present.
pub fn parse_tag_version(tag: &str) -> Option<Version> {
    Version::parse(tag).ok().filter(Version::has_three_parts)
}

/// Index of the highest version satisfying the range; the first of equal versions wins.
fn latest_semver(range: &Constraints, values: &[&str]) -> Option<usize> {
    let mut best: Option<(usize, Version)> = None;
    for (i, value) in values.iter().enumerate() {
        let Some(v) = parse_tag_version(value) else {
            continue;
        };
        if !range.check(&v) {
            continue;
        }
        if best.as_ref().is_none_or(|(_, b)| v > *b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// Byte-wise order: `asc` picks the greatest string, `desc` the smallest.
fn latest_alphabetical(order: Order, values: &[&str]) -> Option<usize> {
    let indexed = values.iter().enumerate();
    match order {
        Order::Asc => indexed.max_by(|a, b| a.1.cmp(b.1)).map(|(i, _)| i),
        Order::Desc => indexed.min_by(|a, b| a.1.cmp(b.1)).map(|(i, _)| i),
    }
}

/// Every value must be a number; `asc` picks the largest, `desc` the smallest, and on a tie
/// the later element wins.
fn latest_numerical(order: Order, values: &[&str]) -> Result<Option<usize>, PolicyError> {
    let mut best: Option<(usize, f64)> = None;
    for (i, value) in values.iter().enumerate() {
        let n: f64 = value
            .parse()
            .map_err(|_| PolicyError::InvalidNumber(value.to_string()))?;
        let better = match (best, order) {
            (None, _) => true,
            (Some((_, b)), Order::Asc) => n >= b,
            (Some((_, b)), Order::Desc) => n <= b,
        };
        if better {
            best = Some((i, n));
        }
    }
    Ok(best.map(|(i, _)| i))
}

#[cfg(test)]
mod tests;
