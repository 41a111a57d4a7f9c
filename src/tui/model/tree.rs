//! The dependency tree: one forest combining, for every Kustomization/HelmRelease that no other
//! applier owns, its source chain (→ source → revision), its dependsOn edges (cycles flagged,
//! "blocked by" when a dependency is not ready) and its inventory, with nested appliers
//! expanded in place (SPEC.md §4.6, §6.6) and kstatus-like health for managed objects.

use super::index::FleetIndex;
use super::kstatus::managed_health;
use super::object::Health;
use crate::tui::backend::{ObjectRef, Snapshot};
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A Flux applier (Kustomization/HelmRelease) expanded here.
    Applier,
    Source,
    Revision,
    DependsOn,
    Managed,
    /// An applier already shown higher up on this path (cycle in inventories).
    Repeat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub role: Role,
    pub label: String,
    pub target: Option<ObjectRef>,
    pub health: Option<Health>,
    pub note: Option<String>,
    pub children: Vec<Node>,
}

/// One visible line of the flattened tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Stable path of labels, used for collapse state.
    pub key: String,
    /// For each ancestor level: whether that ancestor was the last of its siblings.
    pub lasts: Vec<bool>,
    pub role: Role,
    pub label: String,
    pub target: Option<ObjectRef>,
    pub health: Option<Health>,
    pub note: Option<String>,
    pub has_children: bool,
    pub expanded: bool,
}

fn is_applier(kind: &str) -> bool {
    kind == "Kustomization" || kind == "HelmRelease"
}

/// Objects that sit on a dependsOn cycle: members of strongly connected components with more
/// than one node, or with a self-edge (Tarjan, iterative so deep chains cannot overflow).
pub fn cycle_members(index: &FleetIndex) -> HashSet<ObjectRef> {
    let refs: Vec<ObjectRef> = index.summaries.iter().map(|s| s.r.clone()).collect();
    let pos: HashMap<&ObjectRef, usize> = refs.iter().enumerate().map(|(i, r)| (r, i)).collect();
    let edges: Vec<Vec<usize>> = index
        .summaries
        .iter()
        .map(|s| {
            s.depends_on
                .iter()
                .filter_map(|d| pos.get(d).copied())
                .collect()
        })
        .collect();
    let n = refs.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut out) = (Vec::new(), 0usize, HashSet::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to visit)
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || edges[v].contains(&v) {
                    out.extend(component.into_iter().map(|i| refs[i].clone()));
                }
            }
        }
    }
    out
}

struct Builder<'a> {
    index: &'a FleetIndex,
    managed: HashMap<ObjectRef, &'a serde_json::Value>,
    cycles: HashSet<ObjectRef>,
}

impl Builder<'_> {
    fn health(&self, r: &ObjectRef) -> Option<Health> {
        self.index.get(r).map(|s| s.health)
    }

    fn source_chain(&self, src: &ObjectRef, depth: u8) -> Node {
        let summary = self.index.get(src);
        let mut children = Vec::new();
        if let Some(s) = summary {
            if let Some(next) = s.source.as_ref().filter(|_| depth < 3) {
                children.push(self.source_chain(next, depth + 1));
            }
            if !s.revision.is_empty() {
                children.push(Node {
                    role: Role::Revision,
                    label: format!("revision {}", s.revision),
                    target: None,
                    health: None,
                    note: None,
                    children: vec![],
                });
            }
        }
        Node {
            role: Role::Source,
            label: format!("source {src}"),
            target: Some(src.clone()),
            health: summary.map(|s| s.health),
            note: if summary.is_none() {
                Some("not found".into())
            } else {
                None
            },
            children,
        }
    }

    fn applier(&self, r: &ObjectRef, path: &mut Vec<ObjectRef>) -> Node {
        let Some(summary) = self.index.get(r) else {
            return Node {
                role: Role::Applier,
                label: r.to_string(),
                target: Some(r.clone()),
                health: None,
                note: Some("not found".into()),
                children: vec![],
            };
        };
        path.push(r.clone());
        let mut children = Vec::new();
        if let Some(src) = &summary.source {
            children.push(self.source_chain(src, 0));
        }
        let deps = &summary.depends_on;
        let mut blocked = Vec::new();
        for d in deps {
            let h = self.health(d);
            if h != Some(Health::Ready) {
                blocked.push(d.to_string());
            }
            children.push(Node {
                role: Role::DependsOn,
                label: format!("depends on {d}"),
                target: Some(d.clone()),
                health: h,
                note: if h.is_none() {
                    Some("not found".into())
                } else {
                    None
                },
                children: vec![],
            });
        }
        for e in &summary.inventory {
            let er = e.object_ref();
            if &er == r {
                continue;
            }
            if is_applier(&e.kind) && self.index.get(&er).is_some() {
                if path.contains(&er) {
                    children.push(Node {
                        role: Role::Repeat,
                        label: er.to_string(),
                        target: Some(er),
                        health: None,
                        note: Some("inventory cycle".into()),
                        children: vec![],
                    });
                } else {
                    children.push(self.applier(&er, path));
                }
            } else if let Some(s) = self.index.get(&er) {
                children.push(Node {
                    role: Role::Managed,
                    label: er.to_string(),
                    target: Some(er),
                    health: Some(s.health),
                    note: None,
                    children: vec![],
                });
            } else {
                let (health, note) = match self.managed.get(&er) {
                    Some(m) => {
                        let (h, msg) = managed_health(m);
                        (Some(h), if h.is_healthy() { None } else { Some(msg) })
                    }
                    None => (None, None),
                };
                children.push(Node {
                    role: Role::Managed,
                    label: er.to_string(),
                    target: Some(er),
                    health,
                    note,
                    children: vec![],
                });
            }
        }
        path.pop();
        let mut notes = Vec::new();
        if self.cycles.contains(r) {
            notes.push("dependency cycle".to_string());
        }
        if !blocked.is_empty() && summary.health != Health::Ready {
            notes.push(format!("blocked by {}", blocked.join(", ")));
        }
        Node {
            role: Role::Applier,
            label: r.to_string(),
            target: Some(r.clone()),
            health: Some(summary.health),
            note: if notes.is_empty() {
                None
            } else {
                Some(notes.join("; "))
            },
            children,
        }
    }
}

/// The forest: appliers not listed in another applier's inventory, sorted by reference.
pub fn build(snapshot: &Snapshot, index: &FleetIndex) -> Vec<Node> {
    let owned: HashSet<ObjectRef> = index
        .summaries
        .iter()
        .filter(|s| is_applier(&s.r.kind))
        .flat_map(|s| {
            s.inventory
                .iter()
                .map(|e| e.object_ref())
                .filter(move |r| *r != s.r)
        })
        .collect();
    let roots: BTreeSet<ObjectRef> = index
        .summaries
        .iter()
        .map(|s| s.r.clone())
        .filter(|r| is_applier(&r.kind) && !owned.contains(r))
        .collect();
    let b = Builder {
        index,
        managed: snapshot
            .managed
            .iter()
            .map(|m| (ObjectRef::of(m), m.as_ref()))
            .collect(),
        cycles: cycle_members(index),
    };
    let mut forest: Vec<Node> = roots
        .iter()
        .map(|r| b.applier(r, &mut Vec::new()))
        .collect();
    // Appliers owned only by appliers on a cycle would vanish; show any not yet reachable.
    let mut reachable = HashSet::new();
    fn walk(n: &Node, acc: &mut HashSet<ObjectRef>) {
        if n.role == Role::Applier {
            if let Some(t) = &n.target {
                acc.insert(t.clone());
            }
        }
        n.children.iter().for_each(|c| walk(c, acc));
    }
    forest.iter().for_each(|n| walk(n, &mut reachable));
    let orphans: BTreeSet<ObjectRef> = index
        .summaries
        .iter()
        .map(|s| s.r.clone())
        .filter(|r| is_applier(&r.kind) && !reachable.contains(r))
        .collect();
    forest.extend(orphans.iter().map(|r| b.applier(r, &mut Vec::new())));
    forest
}

/// Flatten to visible lines; `collapsed` holds keys of collapsed nodes.
pub fn flatten(forest: &[Node], collapsed: &HashSet<String>) -> Vec<Line> {
    fn go(
        nodes: &[Node],
        prefix: &str,
        lasts: &mut Vec<bool>,
        collapsed: &HashSet<String>,
        out: &mut Vec<Line>,
    ) {
        for (i, n) in nodes.iter().enumerate() {
            let key = format!("{prefix}>{}", n.label);
            let expanded = !collapsed.contains(&key);
            lasts.push(i + 1 == nodes.len());
            out.push(Line {
                key: key.clone(),
                lasts: lasts.clone(),
                role: n.role,
                label: n.label.clone(),
                target: n.target.clone(),
                health: n.health,
                note: n.note.clone(),
                has_children: !n.children.is_empty(),
                expanded,
            });
            if expanded {
                go(&n.children, &key, lasts, collapsed, out);
            }
            lasts.pop();
        }
    }
    let mut out = Vec::new();
    go(forest, "", &mut Vec::new(), collapsed, &mut out);
    out
}

/// Keys of every node that has children (for collapse-all).
pub fn all_parent_keys(forest: &[Node]) -> HashSet<String> {
    fn go(nodes: &[Node], prefix: &str, out: &mut HashSet<String>) {
        for n in nodes {
            let key = format!("{prefix}>{}", n.label);
            if !n.children.is_empty() {
                out.insert(key.clone());
                go(&n.children, &key, out);
            }
        }
    }
    let mut out = HashSet::new();
    go(forest, "", &mut out);
    out
}
