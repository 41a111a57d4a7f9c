//! Versions as Masterminds/semver v3 reads them: the lenient `Version::parse` (`v` prefix,
//! missing minor/patch, leading zeros in the numbers) and `Version::parse_strict` (SemVer 2.0).
//! Ordering is SemVer precedence; build metadata never affects it.

use std::cmp::Ordering;
use std::fmt;

use super::SemverError;

#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
    /// How many numeric parts the text had (1 to 3); Flux tags need all three.
    parts: u8,
}

impl Version {
    /// Lenient parse: `v1`, `1.2`, `01.2.3`, `1.2.3-rc.1+build` are all accepted.
    pub fn parse(text: &str) -> Result<Version, SemverError> {
        let invalid = || SemverError::InvalidVersion(text.to_string());
        let body = text.strip_prefix('v').unwrap_or(text);
        let (numbers, pre, metadata) = split_suffixes(body).ok_or_else(invalid)?;
        let mut fields = numbers.split('.');
        let mut nums = [0u64; 3];
        let mut parts = 0u8;
        for slot in nums.iter_mut() {
            let Some(field) = fields.next() else { break };
            *slot = parse_number(field).ok_or_else(invalid)?;
            parts += 1;
        }
        if fields.next().is_some() {
            return Err(invalid());
        }
        Ok(Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: text.to_string(),
            parts,
        })
    }

    /// Strict SemVer 2.0: exactly `MAJOR.MINOR.PATCH`, no prefix, no leading zeros.
    pub fn parse_strict(text: &str) -> Result<Version, SemverError> {
        let v = Version::parse(text)?;
        let body = text.split(['-', '+']).next().unwrap_or_default();
        let numbers_ok = body.split('.').all(|n| n == "0" || !n.starts_with('0'));
        if text.starts_with('v') || v.parts != 3 || !numbers_ok {
            return Err(SemverError::InvalidVersion(text.to_string()));
        }
        Ok(v)
    }

    /// Build a version from parts (used for the bounds of x-ranges such as `1.x`).
    pub(crate) fn from_parts(major: u64, minor: u64, patch: u64, pre: &str) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: pre.to_string(),
            metadata: String::new(),
            original: String::new(),
            parts: 3,
        };
        v.original = v.to_string();
        v
    }

    pub fn major(&self) -> u64 {
        self.major
    }
    pub fn minor(&self) -> u64 {
        self.minor
    }
    pub fn patch(&self) -> u64 {
        self.patch
    }
    pub fn prerelease(&self) -> &str {
        &self.pre
    }
    pub fn metadata(&self) -> &str {
        &self.metadata
    }
    /// The text this version was parsed from, verbatim (`v1.2.3` stays `v1.2.3`).
    pub fn original(&self) -> &str {
        &self.original
    }
    /// Whether the text had all of major, minor and patch (Flux's tag requirement).
    pub fn has_three_parts(&self) -> bool {
        self.parts == 3
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equality is precedence equality: `1.2.3+a == 1.2.3+b`.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}

/// A release sorts after its pre-releases; identifiers compare numerically when both are
/// numeric, numeric ones sort first otherwise, and a shorter list that is a prefix sorts first.
pub(crate) fn compare_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (mut left, mut right) = (a.split('.'), b.split('.'));
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = compare_identifier(x, y);
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

fn compare_identifier(x: &str, y: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (numeric(x), numeric(y)) {
        // Compare digit strings without overflow: fewer significant digits is smaller.
        (true, true) => {
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x.cmp(y),
    }
}

/// Split `1.2.3-pre+meta` into its three pieces, validating the identifier syntax of the
/// pre-release (no empty identifiers, no leading zeros in numeric ones) and the metadata.
fn split_suffixes(body: &str) -> Option<(&str, &str, &str)> {
    let (rest, metadata) = match body.split_once('+') {
        Some((rest, meta)) => (rest, Some(meta)),
        None => (body, None),
    };
    let (numbers, pre) = match rest.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (rest, None),
    };
    if let Some(pre) = pre {
        let leading_zero = |id: &str| {
            id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit())
        };
        if !identifiers_valid(pre) || pre.split('.').any(leading_zero) {
            return None;
        }
    }
    if let Some(meta) = metadata
        && !identifiers_valid(meta)
    {
        return None;
    }
    Some((
        numbers,
        pre.unwrap_or_default(),
        metadata.unwrap_or_default(),
    ))
}

fn identifiers_valid(s: &str) -> bool {
    s.split('.')
        .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

fn parse_number(field: &str) -> Option<u64> {
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    field.parse().ok()
}
