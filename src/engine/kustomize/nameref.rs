//! Name-reference fixing: after prefixes, suffixes, hashes and namespaces changed resource
//! names, rewrite the fields that refer to them (ConfigMap and Secret refs in pod templates,
//! ServiceAccounts in RoleBinding subjects, roleRef, Services in Ingresses, ...), choosing the
//! referred resource the way kustomize does.

use super::config::NameBackRef;
use super::fieldspec::{self, FieldSpec};
use super::resource::{PREFIXES, ResId, Resource, SUFFIXES};
use serde_json::{Value, json};
use std::collections::HashMap;

/// What the selection needs to know about each resource, computed once.
struct Info {
    cur: ResId,
    ids: Vec<ResId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

fn gvk_selected(id: &ResId, group: &str, version: &str, kind: &str) -> bool {
    (group.is_empty() || id.group == group)
        && (version.is_empty() || id.version == version)
        && (kind.is_empty() || id.kind == kind)
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    a.iter().rev().zip(b.iter().rev()).all(|(x, y)| x == y)
}

fn affix_strict(a: &Info, b: &Info) -> bool {
    a.prefixes == b.prefixes && a.suffixes == b.suffixes
}

fn affix_equal(a: &Info, b: &Info) -> bool {
    let prefix_ok =
        a.prefixes.is_empty() || b.prefixes.is_empty() || same_ending(&a.prefixes, &b.prefixes);
    let suffix_ok =
        a.suffixes.is_empty() || b.suffixes.is_empty() || same_ending(&a.suffixes, &b.suffixes);
    prefix_ok && suffix_ok
}

struct Ctx<'a> {
    infos: &'a [Info],
    by_name: HashMap<&'a str, Vec<usize>>,
}

impl Ctx<'_> {
    fn current_ns_match(&self, list: &[usize], ns: &str) -> bool {
        list.iter().any(|&i| {
            let cur = &self.infos[i].cur;
            cur.namespace == ns || (ns == "default" && cur.namespace.is_empty())
        })
    }

    /// The one resource an old name refers to, or an error when the choice is ambiguous.
    fn select(
        &self,
        referrer: usize,
        target: &NameBackRef,
        old_name: &str,
        role_ref: Option<(&str, &str)>,
        namespace: Option<&str>,
        mapping: bool,
    ) -> Result<Option<usize>, String> {
        let me = &self.infos[referrer];
        let Some(list) = self.by_name.get(old_name) else {
            return Ok(None);
        };
        let mut cands: Vec<usize> = Vec::new();
        for &i in list {
            if cands.contains(&i) {
                continue;
            }
            let info = &self.infos[i];
            if !info
                .ids
                .iter()
                .any(|id| gvk_selected(id, &target.group, &target.version, &target.kind))
            {
                continue;
            }
            if let Some((group, kind)) = role_ref {
                if !gvk_selected(&info.cur, group, "", kind) {
                    continue;
                }
            }
            if let Some(ns) = namespace {
                // A reference that names a namespace matches a resource currently there or,
                // failing any such resource, one that used to be there.
                let in_ns =
                    |id: &ResId| id.namespace == ns || (ns == "default" && id.namespace.is_empty());
                let ok = if self.current_ns_match(list, ns) {
                    in_ns(&info.cur)
                } else {
                    info.ids.iter().any(in_ns)
                };
                if !ok {
                    continue;
                }
            }
            let referrer_scoped = me.cur.is_cluster_scoped();
            let ns_ok = referrer_scoped
                || info.cur.is_cluster_scoped()
                || info.cur.kind == "ServiceAccount"
                || info.cur.effective_namespace() == me.cur.effective_namespace();
            if ns_ok {
                cands.push(i);
            }
        }
        if cands.len() <= 1 {
            return Ok(cands.first().copied());
        }
        // Prefer the candidate renamed by exactly the same prefixes and suffixes as the
        // referrer, then accept ones where either side has none.
        let strict: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&i| affix_strict(&self.infos[i], me))
            .collect();
        if strict.len() == 1 {
            return Ok(Some(strict[0]));
        }
        let narrowed: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&i| affix_equal(&self.infos[i], me))
            .collect();
        if narrowed.len() <= 1 {
            return Ok(narrowed.first().copied());
        }
        // Several candidates with one name (a scalar reference such as a role's
        // resourceNames cannot say which namespace): the name is the same either way.
        let first = &self.infos[narrowed[0]].cur.name;
        if namespace.is_none()
            && !mapping
            && narrowed.iter().all(|&i| &self.infos[i].cur.name == first)
        {
            return Ok(Some(narrowed[0]));
        }
        let ids: Vec<String> = narrowed
            .iter()
            .map(|&i| self.infos[i].cur.describe())
            .collect();
        Err(format!(
            "found multiple possible referrals for name '{old_name}': {}",
            ids.join(", ")
        ))
    }
}

fn info_of(r: &Resource) -> Info {
    let cur = r.cur_id();
    let mut ids = r.prev_ids();
    ids.push(cur.clone());
    Info {
        cur,
        ids,
        prefixes: r.annotation_list(PREFIXES),
        suffixes: r.annotation_list(SUFFIXES),
    }
}

pub fn fix(resources: &mut [Resource], backrefs: &[NameBackRef]) -> Result<(), String> {
    let infos: Vec<Info> = resources.iter().map(info_of).collect();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        for id in &info.ids {
            by_name.entry(id.name.as_str()).or_default().push(i);
        }
    }
    let ctx = Ctx {
        infos: &infos,
        by_name,
    };
    let names: Vec<(String, String)> = resources
        .iter()
        .map(|r| (r.name().to_string(), r.namespace().to_string()))
        .collect();
    for target in backrefs {
        for (i, r) in resources.iter_mut().enumerate() {
            let (g, v) = r.group_version();
            let kind = r.kind().to_string();
            let role_ref_owned: Option<(String, String)> = r.obj.get("roleRef").map(|rr| {
                let s = |k: &str| rr.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                (s("apiGroup"), s("kind"))
            });
            for spec in target.specs.iter().filter(|s| s.selects(&g, &v, &kind)) {
                let role_ref = if spec.path.ends_with("roleRef/name") {
                    role_ref_owned
                        .as_ref()
                        .map(|(a, b)| (a.as_str(), b.as_str()))
                } else {
                    None
                };
                let spec = FieldSpec {
                    create: false,
                    ..spec.clone()
                };
                fieldspec::apply(&mut r.obj, &spec, None, &mut |node| {
                    update(node, &ctx, i, target, role_ref, &names)
                })
                .map_err(|e| format!("{}: {e}", ctx.infos[i].cur.describe()))?;
            }
        }
    }
    Ok(())
}

fn update(
    node: &mut Value,
    ctx: &Ctx,
    referrer: usize,
    target: &NameBackRef,
    role_ref: Option<(&str, &str)>,
    names: &[(String, String)],
) -> Result<(), String> {
    match node {
        Value::String(old) => {
            if let Some(j) = ctx.select(referrer, target, old, role_ref, None, false)? {
                *node = json!(names[j].0);
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                if let Value::String(old) = item {
                    if let Some(j) = ctx.select(referrer, target, old, role_ref, None, false)? {
                        *item = json!(names[j].0);
                    }
                } else if item.is_object() {
                    update_mapping(item, ctx, referrer, target, names)?;
                }
            }
        }
        Value::Object(_) => update_mapping(node, ctx, referrer, target, names)?,
        _ => {}
    }
    Ok(())
}

/// A `{name, namespace, kind}` reference such as a RoleBinding subject or webhook service.
fn update_mapping(
    node: &mut Value,
    ctx: &Ctx,
    referrer: usize,
    target: &NameBackRef,
    names: &[(String, String)],
) -> Result<(), String> {
    let Some(map) = node.as_object_mut() else {
        return Ok(());
    };
    if let Some(kind) = map.get("kind").and_then(Value::as_str) {
        if kind != target.kind {
            return Ok(());
        }
    }
    let Some(old) = map.get("name").and_then(Value::as_str).map(str::to_string) else {
        return Ok(());
    };
    let ns = map
        .get("namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(j) = ctx.select(referrer, target, &old, None, ns.as_deref(), true)? {
        map.insert("name".into(), json!(names[j].0));
        if ns.is_some() && !names[j].1.is_empty() {
            map.insert("namespace".into(), json!(names[j].1));
        }
    }
    Ok(())
}
