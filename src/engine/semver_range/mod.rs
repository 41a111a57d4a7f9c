//! Masterminds/semver v3 constraints, the range syntax of Flux ImagePolicy `semver.range` and
//! of Helm chart versions: comparators (`=`, `!=`, `>`, `<`, `>=`, `<=`, `=>`, `=<`), tilde
//! (`~`, `~>`), caret (`^`), x-ranges (`1.2.x`, `*`), hyphen ranges (`1.2 - 1.4.5`), AND with
//! spaces or commas, OR with `||`, and lenient versions (`v1.2`, `1`).
//!
//! Pre-releases: a pre-release version only satisfies an AND group that itself mentions a
//! pre-release (`>=1.0.0-0`), unless `include_prerelease` is set.

mod constraint;
mod version;

pub use constraint::{Constraint, Op};
pub use version::Version;

use constraint::{lex_operator, lex_version, prerelease_message};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemverError {
    #[error("invalid semantic version {0:?}")]
    InvalidVersion(String),
    #[error(
        "improper constraint: {0} (expected e.g. \">=1.2.0 <2.0.0\", \"~1.2\", \"^1\", \"1.x\" or \"1.0 - 2.0\")"
    )]
    ImproperConstraint(String),
}

/// A parsed constraint string: OR of AND groups.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
    /// Let pre-release versions match every group (Masterminds `IncludePrerelease`).
    pub include_prerelease: bool,
}

impl Constraints {
    pub fn parse(text: &str) -> Result<Constraints, SemverError> {
        let groups = text
            .split("||")
            .map(parse_group)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Constraints {
            groups,
            include_prerelease: false,
        })
    }

    /// The AND groups (OR'ed together), for inspection.
    pub fn groups(&self) -> &[Vec<Constraint>] {
        &self.groups
    }

    fn allows_prerelease(&self, group: &[Constraint]) -> bool {
        self.include_prerelease || group.iter().any(Constraint::has_prerelease)
    }

    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|group| {
            let allow = self.allows_prerelease(group);
            group.iter().all(|c| c.check(v, allow).is_ok())
        })
    }

    /// Like `check`, but on failure return every reason (the pre-release reason only once).
    pub fn validate(&self, v: &Version) -> Result<(), Vec<String>> {
        let mut reasons = Vec::new();
        let mut prerelease_reported = false;
        for group in &self.groups {
            let allow = self.allows_prerelease(group);
            let mut satisfied = true;
            for c in group {
                if !allow && !v.prerelease().is_empty() {
                    if !prerelease_reported {
                        reasons.push(prerelease_message(v));
                        prerelease_reported = true;
                    }
                    satisfied = false;
                } else if let Err(reason) = c.check(v, allow) {
                    reasons.push(reason);
                    satisfied = false;
                }
            }
            if satisfied {
                return Ok(());
            }
        }
        Err(reasons)
    }
}

impl std::fmt::Display for Constraints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        f.write_str(&groups.join(" || "))
    }
}

/// One AND group: comparisons separated by whitespace or a comma, where `A - B` (spaces
/// required around the dash) is the hyphen range `>= A <= B`.
fn parse_group(text: &str) -> Result<Vec<Constraint>, SemverError> {
    let improper = || SemverError::ImproperConstraint(text.to_string());
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    if rest.is_empty() {
        return Err(improper());
    }
    while !rest.is_empty() {
        if !out.is_empty() {
            rest = skip_separator(rest).ok_or_else(improper)?;
        }
        let (op, op_len) = lex_operator(rest);
        let op_text = &rest[..op_len];
        let after_op = rest[op_len..].trim_start();
        let len = lex_version(after_op);
        if len == 0 {
            return Err(improper());
        }
        let version_text = &after_op[..len];
        rest = &after_op[len..];
        if op_len == 0
            && let Some((upper, remaining)) = hyphen_upper_bound(rest)
        {
            out.push(Constraint::from_version(
                Op::GreaterThanEqual,
                ">=",
                version_text,
                false,
            )?);
            out.push(Constraint::from_version(
                Op::LessThanEqual,
                "<=",
                upper,
                false,
            )?);
            rest = remaining;
        } else {
            out.push(Constraint::from_version(op, op_text, version_text, false)?);
        }
        if rest.trim().is_empty() {
            rest = "";
        }
    }
    Ok(out)
}

/// After a constraint: at least one space, or a comma with optional spaces around it.
fn skip_separator(rest: &str) -> Option<&str> {
    let trimmed = rest.trim_start();
    if let Some(after_comma) = trimmed.strip_prefix(',') {
        return Some(after_comma.trim_start());
    }
    (trimmed.len() < rest.len()).then_some(trimmed)
}

/// ` - B` after a bare version: returns B and the text after it.
fn hyphen_upper_bound(rest: &str) -> Option<(&str, &str)> {
    let trimmed = rest.trim_start();
    if trimmed.len() == rest.len() {
        return None;
    }
    let after_dash = trimmed.strip_prefix('-')?;
    let upper_start = after_dash.trim_start();
    if upper_start.len() == after_dash.len() {
        return None;
    }
    let len = lex_version(upper_start);
    (len > 0).then(|| (&upper_start[..len], &upper_start[len..]))
}

#[cfg(test)]
mod tests;
