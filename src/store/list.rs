//! Lists: selectors, namespace scoping, and limit/continue paging with an opaque token.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};

use super::convert;
use super::selector::Selectors;
use super::state::{ObjKey, State};
use super::types::{ListOptions, ListResult, ResourceType, StoreError};
use super::watch::WatchFilter;

const TOKEN: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn encode_token(rv: u64, after: &ObjKey) -> String {
    TOKEN.encode(json!({"rv": rv, "ns": after.0, "name": after.1}).to_string())
}

fn decode_token(token: &str) -> Result<ObjKey, StoreError> {
    let bad = || {
        StoreError::BadRequest(format!(
            "continue key is not valid: {token:?}; start the list again without it"
        ))
    };
    let bytes = TOKEN.decode(token).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    match (v["ns"].as_str(), v["name"].as_str()) {
        (Some(ns), Some(name)) => Ok((ns.to_string(), name.to_string())),
        _ => Err(bad()),
    }
}

pub fn list(
    st: &State,
    rt: &ResourceType,
    ns: Option<&str>,
    selectors: &Selectors,
    o: &ListOptions,
) -> Result<ListResult, StoreError> {
    let (_, gr) = st.storage_of(rt)?;
    let after = o
        .continue_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(decode_token)
        .transpose()?;
    let limit = o.limit.filter(|l| *l > 0);
    let mut items = Vec::new();
    let mut last_key: Option<ObjKey> = None;
    let mut more = false;
    let mut remaining = 0u64;
    for (key, obj) in st.scan(&gr, ns) {
        if after.as_ref().is_some_and(|a| key <= a) {
            continue;
        }
        if !selectors.matches(obj) {
            continue;
        }
        if limit.is_some_and(|l| items.len() >= l) {
            more = true;
            remaining += 1;
            continue;
        }
        items.push(convert::present(rt, obj));
        last_key = Some(key.clone());
    }
    let continue_token = match (more, last_key) {
        (true, Some(k)) => Some(encode_token(st.rv, &k)),
        _ => None,
    };
    Ok(ListResult {
        items,
        resource_version: st.rv.to_string(),
        remaining_item_count: (more && selectors.is_empty()).then_some(remaining),
        continue_token,
    })
}

/// Current objects a watch filter selects (for synthetic ADDED events), in stored form.
pub fn matching(st: &State, f: &WatchFilter) -> Vec<Arc<Value>> {
    st.scan(&f.gr, f.namespace.as_deref())
        .into_iter()
        .filter(|(_, o)| f.selectors.matches(o))
        .map(|(_, o)| o.clone())
        .collect()
}
