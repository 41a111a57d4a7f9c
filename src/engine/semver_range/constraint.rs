//! One comparison such as `>= 1.2`, `~1.2.x` or `^0.3`, and its check against a version.
//!
//! A constraint version with wildcard or missing parts is "dirty": `1.x` and `1` have a dirty
//! minor, `1.2.x` and `1.2` a dirty patch, `*` everything. The operators treat dirty parts as
//! ranges (`>1.1` means 1.2.0 or later, `<=1.1` allows any 1.1.z), exactly as Masterminds does.

use std::cmp::Ordering;
use std::fmt;

use super::SemverError;
use super::version::{Version, compare_prerelease};

/// The comparison operators. `TildeOrEqual` is the bare or `=` form: an exact match for a full
/// version, a tilde range for a dirty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    TildeOrEqual,
    NotEqual,
    GreaterThan,
    LessThan,
    GreaterThanEqual,
    LessThanEqual,
    Tilde,
    Caret,
}

/// Operators longest first, so `>=` is not read as `>` followed by `=`.
const OPERATORS: [(&str, Op); 11] = [
    ("!=", Op::NotEqual),
    (">=", Op::GreaterThanEqual),
    ("=>", Op::GreaterThanEqual),
    ("<=", Op::LessThanEqual),
    ("=<", Op::LessThanEqual),
    ("~>", Op::Tilde),
    (">", Op::GreaterThan),
    ("<", Op::LessThan),
    ("=", Op::TildeOrEqual),
    ("~", Op::Tilde),
    ("^", Op::Caret),
];

/// Read an operator at the start of `s`; returns its text length (0 for the bare form).
pub(crate) fn lex_operator(s: &str) -> (Op, usize) {
    OPERATORS
        .iter()
        .find(|(text, _)| s.starts_with(text))
        .map(|(text, op)| (*op, text.len()))
        .unwrap_or((Op::TildeOrEqual, 0))
}

/// Length of the constraint version at the start of `s` (`v1.2.x-pre+meta`), or 0 if none.
pub(crate) fn lex_version(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'v'));
    let part = |b: &[u8], i: usize| {
        b[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || matches!(c, b'x' | b'X' | b'*'))
            .count()
    };
    let first = part(b, i);
    if first == 0 {
        return 0;
    }
    i += first;
    for _ in 0..2 {
        if b.get(i) == Some(&b'.') && part(b, i + 1) > 0 {
            i += 1 + part(b, i + 1);
        } else {
            break;
        }
    }
    for marker in [b'-', b'+'] {
        if b.get(i) == Some(&marker) {
            let ident = |b: &[u8], i: usize| {
                b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
                    .count()
            };
            let mut j = i + 1;
            let n = ident(b, j);
            if n == 0 {
                continue;
            }
            j += n;
            while b.get(j) == Some(&b'.') && ident(b, j + 1) > 0 {
                j += 1 + ident(b, j + 1);
            }
            i = j;
        }
    }
    i
}

#[derive(Debug, Clone)]
pub struct Constraint {
    op: Op,
    op_text: String,
    /// The version text as written (`2.x`, `1.2`), used in messages.
    orig: String,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_wildcard(part: &str) -> bool {
    matches!(part, "x" | "X" | "*")
}

impl Constraint {
    /// Parse one comparison (`>= 1.2`). An empty string means "any release" (`>=0.0.0`).
    pub fn parse(text: &str) -> Result<Constraint, SemverError> {
        let improper = || SemverError::ImproperConstraint(text.to_string());
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Constraint::from_version(Op::TildeOrEqual, "", "", true);
        }
        let (op, op_len) = lex_operator(trimmed);
        let rest = trimmed[op_len..].trim_start();
        let len = lex_version(rest);
        if len == 0 || len != rest.len() {
            return Err(improper());
        }
        Constraint::from_version(op, &trimmed[..op_len], rest, false)
    }

    /// Build from an operator and a lexed version text (already known to be well-formed).
    pub(crate) fn from_version(
        op: Op,
        op_text: &str,
        orig: &str,
        empty: bool,
    ) -> Result<Constraint, SemverError> {
        let mut c = Constraint {
            op,
            op_text: op_text.to_string(),
            orig: orig.to_string(),
            con: Version::from_parts(0, 0, 0, ""),
            dirty: empty,
            minor_dirty: false,
            patch_dirty: false,
        };
        if empty {
            return Ok(c);
        }
        let bad = || SemverError::ImproperConstraint(format!("{op_text}{orig}"));
        let body = orig.strip_prefix('v').unwrap_or(orig);
        let numbers_end = body.find(['-', '+']).unwrap_or(body.len());
        let pre = body[numbers_end..]
            .strip_prefix('-')
            .map(|p| p.split('+').next().unwrap_or_default());
        let pre_suffix = pre.map(|p| format!("-{p}")).unwrap_or_default();
        let parts: Vec<&str> = body[..numbers_end].split('.').collect();
        let part = |i: usize| parts.get(i).copied();
        let number = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| s.parse::<u64>().ok())
                .flatten()
        };

        let text = if is_wildcard(parts[0]) {
            c.dirty = true;
            format!("0.0.0{pre_suffix}")
        } else if part(1).is_none_or(is_wildcard) {
            c.dirty = true;
            c.minor_dirty = true;
            format!("{}.0.0{pre_suffix}", number(parts[0]).ok_or_else(bad)?)
        } else if part(2).is_none_or(is_wildcard) {
            c.dirty = true;
            c.patch_dirty = true;
            let (major, minor) = (
                number(parts[0]).ok_or_else(bad)?,
                number(parts[1]).ok_or_else(bad)?,
            );
            format!("{major}.{minor}.0{pre_suffix}")
        } else {
            orig.to_string()
        };
        c.con = Version::parse(&text).map_err(|_| bad())?;
        Ok(c)
    }

    pub fn op(&self) -> Op {
        self.op
    }
    /// The version the constraint compares with (wildcards replaced by 0).
    pub fn version(&self) -> &Version {
        &self.con
    }
    /// Whether the constraint names a pre-release (which lets pre-release versions match).
    pub fn has_prerelease(&self) -> bool {
        !self.con.prerelease().is_empty()
    }

    /// Check a single constraint on its own, with the default pre-release rule.
    pub fn matches(&self, v: &Version) -> bool {
        self.check(v, self.has_prerelease()).is_ok()
    }

    /// Check `v`; on failure the reason as Masterminds words it. Pre-release versions only
    /// match when `allow_prerelease` (the constraint group mentions a pre-release, or the
    /// caller opted in).
    pub fn check(&self, v: &Version, allow_prerelease: bool) -> Result<(), String> {
        if !allow_prerelease && !v.prerelease().is_empty() {
            return Err(prerelease_message(v));
        }
        let (ok, relation) = match self.op {
            Op::TildeOrEqual if self.dirty => return self.tilde(v),
            Op::TildeOrEqual => (v == &self.con, "is not equal to"),
            Op::NotEqual => return self.not_equal(v),
            Op::GreaterThan => (self.greater_than(v), "is less than or equal to"),
            Op::LessThan => (v < &self.con, "is greater than or equal to"),
            Op::GreaterThanEqual => (v >= &self.con, "is less than"),
            Op::LessThanEqual => (self.less_than_equal(v), "is greater than"),
            Op::Tilde => return self.tilde(v),
            Op::Caret => return self.caret(v),
        };
        if ok { Ok(()) } else { self.fail(v, relation) }
    }

    fn fail(&self, v: &Version, relation: &str) -> Result<(), String> {
        Err(format!("\"{v}\" {relation} \"{}\"", self.orig))
    }

    fn not_equal(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        if self.dirty {
            if c.major() != v.major() {
                return Ok(());
            }
            if self.minor_dirty {
                return self.fail(v, "is equal to");
            }
            if c.minor() != v.minor() {
                return Ok(());
            }
            if self.patch_dirty {
                let differs = compare_prerelease(v.prerelease(), c.prerelease()) != Ordering::Equal;
                return if differs {
                    Ok(())
                } else {
                    self.fail(v, "is equal to")
                };
            }
            if c.patch() != v.patch() {
                return Ok(());
            }
        }
        if v == c {
            self.fail(v, "is equal to")
        } else {
            Ok(())
        }
    }

    fn greater_than(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v > c;
        }
        match v.major().cmp(&c.major()) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal if self.minor_dirty => false,
            Ordering::Equal if self.patch_dirty => v.minor() > c.minor(),
            Ordering::Equal => v > c,
        }
    }

    fn less_than_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v <= c;
        }
        if v.major() > c.major() {
            return false;
        }
        !(v.major() == c.major() && v.minor() > c.minor() && !self.minor_dirty)
    }

    fn tilde(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        if v < c {
            return self.fail(v, "is less than");
        }
        // `~0.0.0` and `~*` accept everything at or above 0.0.0.
        if (c.major(), c.minor(), c.patch()) == (0, 0, 0) && !self.minor_dirty && !self.patch_dirty
        {
            return Ok(());
        }
        if v.major() != c.major() {
            return self.fail(v, "does not have same major version as");
        }
        if v.minor() != c.minor() && !self.minor_dirty {
            return self.fail(v, "does not have same major and minor version as");
        }
        Ok(())
    }

    fn caret(&self, v: &Version) -> Result<(), String> {
        let c = &self.con;
        if v < c {
            return self.fail(v, "is less than");
        }
        if c.major() > 0 || self.minor_dirty {
            return if v.major() == c.major() {
                Ok(())
            } else {
                self.fail(v, "does not have same major version as")
            };
        }
        if v.major() > 0 {
            return self.fail(v, "does not have same major version as");
        }
        if c.minor() > 0 || self.patch_dirty {
            return if v.minor() == c.minor() {
                Ok(())
            } else {
                self.fail(
                    v,
                    "does not have same minor version as",
                )
                .map_err(|m| format!("{m}. Expected minor versions to match when constraint major version is 0"))
            };
        }
        if v.minor() > 0 {
            return self.fail(v, "does not have same minor version as");
        }
        if v.patch() == c.patch() {
            return Ok(());
        }
        self.fail(v, "does not equal").map_err(|m| {
            format!(
                "{m}. Expect version and constraint to equal when major and minor versions are 0"
            )
        })
    }
}

pub(crate) fn prerelease_message(v: &Version) -> String {
    format!(
        "\"{v}\" is a prerelease version and the constraint is only looking for release versions"
    )
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.op_text, self.orig)
    }
}
