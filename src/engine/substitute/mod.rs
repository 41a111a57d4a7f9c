//! Flux post-build variable substitution (kustomize-controller `postBuild`, SPEC §6.5): the
//! envsubst dialect of `fluxcd/pkg/envsubst` applied to each rendered resource.
//!
//! Syntax: only braced references expand (`${var}`); `$var` is left alone; `$$` is a literal
//! `$` (so `$${var}` yields `${var}`). Operators: `${#v}`, `${v^}`, `${v^^}`, `${v,}`,
//! `${v,,}`, `${v:n}`, `${v:n:len}`, `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`, `${v-d}`,
//! `${v:-d}`, `${v=d}`, `${v:=d}` (every default form applies when the value is empty),
//! `${v/p/r}`, `${v//p/r}`, `${v/#p/r}`, `${v/%p/r}`.
//!
//! Strict mode (the default since kustomize-controller v1.9): an unset variable referenced
//! without a default operator is an error naming it. Otherwise it becomes "".

mod eval;
mod parse;
mod vars;

pub use vars::{collect_vars, validate_var_name};

use std::collections::BTreeMap;

use serde_json::Value;

use crate::engine::yaml;

/// Label or annotation that opts a resource out of substitution.
pub const DISABLE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";
pub const DISABLED_VALUE: &str = "disabled";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubstError {
    #[error("variable not set (strict mode): {0:?}")]
    VarNotSet(String),
    #[error("bad substitution at character {offset} of {input:?}: {reason}")]
    BadSubstitution {
        input: String,
        offset: usize,
        reason: String,
    },
    #[error("'{0}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'")]
    InvalidVarName(String),
    #[error("substitute from '{kind}/{name}' error: {reason}")]
    Source {
        kind: String,
        name: String,
        reason: String,
    },
    #[error(
        "post build failed for '{object}': envsubst error: variable substitution failed: {reason}"
    )]
    Resource { object: String, reason: String },
}

impl eval::Lookup for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(String::as_str)
    }
}

/// Expand one string. `strict` makes unset variables (without a default) an error.
pub fn expand(
    input: &str,
    vars: &BTreeMap<String, String>,
    strict: bool,
) -> Result<String, SubstError> {
    let nodes = parse::parse(input)?;
    eval::eval(&nodes, vars, strict)
}

/// Whether the resource opted out with the `substitute: disabled` label or annotation.
pub fn is_disabled(obj: &Value) -> bool {
    ["labels", "annotations"].iter().any(|field| {
        obj.get("metadata")
            .and_then(|m| m.get(field))
            .and_then(|m| m.get(DISABLE_KEY))
            .and_then(Value::as_str)
            == Some(DISABLED_VALUE)
    })
}

/// Substitute variables in a whole resource: the resource is written as YAML, expanded as text,
/// and read back, so a value such as `'"9797"'` becomes the string `9797` and an empty value
/// becomes `null`, exactly as in Flux. Resources marked `substitute: disabled` are returned as is.
pub fn substitute_resource(
    obj: &Value,
    vars: &BTreeMap<String, String>,
    strict: bool,
) -> Result<Value, SubstError> {
    if is_disabled(obj) {
        return Ok(obj.clone());
    }
    let wrap = |reason: String| SubstError::Resource {
        object: object_id(obj),
        reason,
    };
    // go-yaml v2 spelling (as the controller serialises): YAML 1.1 words such as "yes" or
    // "on" stay quoted, so they read back as strings, not booleans.
    let text = crate::engine::kustomize::render_document(obj);
    let expanded = expand(&text, vars, strict).map_err(|e| wrap(e.to_string()))?;
    let value: Value = yaml::parse_one(&expanded).map_err(|e| {
        wrap(format!("the substituted resource is not valid YAML (check variable values for YAML syntax): {e}"))
    })?;
    Ok(value)
}

/// `<group>/<version>, Kind=<Kind>/<name>` as the controller names objects in this error.
fn object_id(obj: &Value) -> String {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let api_version = text(obj.get("apiVersion"));
    let kind = text(obj.get("kind"));
    let name = text(obj.get("metadata").and_then(|m| m.get("name")));
    format!("{api_version}, Kind={kind}/{name}")
}

#[cfg(test)]
mod tests;
