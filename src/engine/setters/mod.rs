//! The image-automation Setters strategy (SPEC §8.4): rewrite scalar values carrying a
//! `# {"$imagepolicy": "<ns>:<policy>[:tag|:name|:digest]"}` line comment to the policy's latest
//! image, changing only the bytes of those scalars (comments, key order, indentation, line
//! endings and quoting style survive).

mod marker;
mod scan;

pub use marker::{Marker, SetterField, parse_marker};

use serde_json::Value;

/// The token a file must contain to be read at all (with the double quotes).
pub const MARKER_TOKEN: &str = "\"$imagepolicy\"";

/// An ImagePolicy's `status.latestRef`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub name: String,
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Split `name:tag[@digest]` (the tag is after the last `:` that follows the last `/`).
    pub fn parse(text: &str) -> Option<ImageRef> {
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (text, None),
        };
        let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let colon = rest[slash..].rfind(':')? + slash;
        Some(ImageRef {
            name: rest[..colon].to_string(),
            tag: rest[colon + 1..].to_string(),
            digest,
        })
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)?;
        match &self.digest {
            Some(d) if !d.is_empty() => write!(f, "@{d}"),
            _ => Ok(()),
        }
    }
}

/// The object a change happened in (kyaml `ResourceIdentifier`); fields may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.api_version, self.kind)?;
        if !self.name.is_empty() {
            write!(f, " {}/{}", self.namespace, self.name)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub file: String,
    pub object: ObjectId,
    /// Where in the object, e.g. `spec.template.spec.containers[0].image`.
    pub field: String,
    pub line: usize,
    pub old_value: String,
    pub new_value: String,
    /// The marker value, e.g. `flux-system:app:tag`.
    pub setter: String,
}

/// A marker that could not be applied (unknown policy, malformed marker, block scalar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unapplied {
    pub file: String,
    pub line: usize,
    pub marker: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetterResult {
    pub new_text: String,
    pub changes: Vec<Change>,
    pub unapplied: Vec<Unapplied>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetterError {
    #[error("{file}:{line}:{column}: invalid YAML: {message}")]
    Yaml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{file}: rewriting setters produced invalid YAML ({message}); the file was left unchanged"
    )]
    Rewrite { file: String, message: String },
    #[error("spec.update is not set: the only supported update strategy is 'Setters'")]
    NoUpdateStrategy,
    #[error("unsupported update strategy {0:?}: the only supported update strategy is 'Setters'")]
    UnknownUpdateStrategy(String),
}

/// Validate an ImageUpdateAutomation `spec.update` (`strategy` defaults to `Setters`).
pub fn check_update_strategy(update: Option<&Value>) -> Result<(), SetterError> {
    let update = update
        .filter(|u| !u.is_null())
        .ok_or(SetterError::NoUpdateStrategy)?;
    match update
        .get("strategy")
        .and_then(Value::as_str)
        .unwrap_or("Setters")
    {
        "Setters" => Ok(()),
        other => Err(SetterError::UnknownUpdateStrategy(other.to_string())),
    }
}

/// Whether the automation reads this file: `.yaml`/`.yml` or named `Kustomization`, and the
/// raw text contains `"$imagepolicy"`.
pub fn is_setter_candidate(file_name: &str, text: &str) -> bool {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    (base.ends_with(".yaml") || base.ends_with(".yml") || base == "Kustomization")
        && text.contains(MARKER_TOKEN)
}

/// The outcome of a Setters run over many files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeResult {
    /// New text of every file with at least one change (only these are written back).
    pub changed: std::collections::BTreeMap<String, String>,
    pub changes: Vec<Change>,
    pub unapplied: Vec<Unapplied>,
    /// Files that could not be parsed; they are skipped, as the controller does.
    pub problems: Vec<SetterError>,
}

/// Run the Setters strategy over `files` (path relative to `update.path` → text), reading only
/// the candidates (`is_setter_candidate`).
pub fn apply_setters_to_files(
    files: &std::collections::BTreeMap<String, String>,
    policies: &dyn Fn(&str, &str) -> Option<ImageRef>,
) -> TreeResult {
    let mut out = TreeResult::default();
    for (path, text) in files {
        if !is_setter_candidate(path, text) {
            continue;
        }
        match apply_setters_in(path, text, policies) {
            Ok(result) => {
                if !result.changes.is_empty() {
                    out.changed.insert(path.clone(), result.new_text);
                }
                out.changes.extend(result.changes);
                out.unapplied.extend(result.unapplied);
            }
            Err(e) => out.problems.push(e),
        }
    }
    out
}

/// Apply setters to one file's text. `policies(namespace, name)` returns the policy's latest
/// image, or `None` when there is no such policy (or it has no latest image yet).
pub fn apply_setters(
    file_text: &str,
    policies: &dyn Fn(&str, &str) -> Option<ImageRef>,
) -> Result<SetterResult, SetterError> {
    apply_setters_in("", file_text, policies)
}

/// `apply_setters`, naming `file` in changes and errors.
pub fn apply_setters_in(
    file: &str,
    file_text: &str,
    policies: &dyn Fn(&str, &str) -> Option<ImageRef>,
) -> Result<SetterResult, SetterError> {
    let mut result = SetterResult {
        new_text: file_text.to_string(),
        changes: Vec::new(),
        unapplied: Vec::new(),
    };
    if !file_text.contains(MARKER_TOKEN) {
        return Ok(result);
    }
    let scanned = scan::scan(file_text, file)?;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for site in &scanned.scalars {
        let Some((comment_line, parsed)) = marker_for(site, &scanned.comments, file_text) else {
            continue;
        };
        let unapplied = |marker: &str, reason: String| Unapplied {
            file: file.to_string(),
            line: comment_line,
            marker: marker.to_string(),
            reason,
        };
        let marker = match parsed {
            Ok(m) => m,
            Err(reason) => {
                result.unapplied.push(unapplied("", reason));
                continue;
            }
        };
        let Some(image) = policies(&marker.namespace, &marker.policy) else {
            let reason = format!(
                "no ImagePolicy {}/{} with a latest image",
                marker.namespace, marker.policy
            );
            result.unapplied.push(unapplied(&marker.setter, reason));
            continue;
        };
        let new_value = marker.value_for(&image);
        if new_value == site.value {
            continue;
        }
        if matches!(
            site.style,
            granit_parser::ScalarStyle::Literal | granit_parser::ScalarStyle::Folded
        ) {
            result.unapplied.push(unapplied(
                &marker.setter,
                "block scalars (| or >) cannot carry a setter".into(),
            ));
            continue;
        }
        edits.push((site.bytes.clone(), marker::render(&new_value, site.style)));
        result.changes.push(Change {
            file: file.to_string(),
            object: scanned
                .objects
                .get(site.document)
                .cloned()
                .unwrap_or_default(),
            field: scan::path_string(&site.path),
            line: site.start_line,
            old_value: site.value.clone(),
            new_value,
            setter: marker.setter.clone(),
        });
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    for (range, text) in edits {
        result.new_text.replace_range(range, &text);
    }
    if !result.changes.is_empty() {
        scan::scan(&result.new_text, file).map_err(|e| SetterError::Rewrite {
            file: file.to_string(),
            message: e.to_string(),
        })?;
    }
    Ok(result)
}

/// The marker governing a scalar: its line comment (a comment on the scalar's last line with
/// only blanks in between); failing that, for sequence items, the comment line right above.
/// A line comment that is no marker ends the search, as in kyaml.
fn marker_for(
    site: &scan::ScalarSite,
    comments: &[scan::CommentSite],
    text: &str,
) -> Option<(usize, Result<Marker, String>)> {
    let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
    let line_comment = comments.iter().find(|c| {
        c.line == site.end_line
            && c.bytes.start >= site.bytes.end
            && blank(&text[site.bytes.end..c.bytes.start])
    });
    if let Some(c) = line_comment {
        return parse_marker(&c.text).map(|m| (c.line, m));
    }
    if !site.in_sequence {
        return None;
    }
    let head = comments
        .iter()
        .rev()
        .find(|c| c.bytes.end <= site.bytes.start)?;
    let between = &text[head.bytes.end..site.bytes.start];
    let only_item_start = between.chars().all(|c| c.is_whitespace() || c == '-')
        && between.matches('\n').count() == 1;
    if head.line + 1 == site.start_line
        && only_item_start
        && head.placement != granit_parser::Placement::Right
    {
        return parse_marker(&head.text).map(|m| (head.line, m));
    }
    None
}

#[cfg(test)]
mod tests;
