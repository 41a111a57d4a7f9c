//! What the merge algorithms need to know about an object's schema: how each list merges.
//!
//! Paths are the field names from the object root, with list items not adding a segment:
//! a container's ports are at `["spec","template","spec","containers","ports"]`.

use serde_json::Value;

/// How a list field merges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListStrategy {
    /// The list is one value: a patch or an applier replaces it whole
    /// (no patchStrategy; `x-kubernetes-list-type: atomic`; anything unknown).
    Atomic,
    /// A set of scalars merged by value (`patchStrategy:"merge"` on a scalar list;
    /// `x-kubernetes-list-type: set`).
    Set,
    /// A list of objects merged by key (`patchMergeKey`; `x-kubernetes-list-type: map` with
    /// `x-kubernetes-list-map-keys`). Elements are the same when all keys are equal
    /// (a missing key compares equal only to a missing key).
    Map { keys: Vec<String> },
    /// kustomize's (kyaml's) guess for lists it has no schema for: a list whose objects all
    /// carry one of `candidates` (first in precedence order, checked on the target list and
    /// on the patch list) merges by that key, any other list is replaced. Resolved by
    /// strategic merge against the lists at hand; server-side apply treats it as atomic.
    Associative { candidates: Vec<String> },
}

/// kyaml's AssociativeSequenceKeys, in precedence order.
pub const KYAML_ASSOCIATIVE_KEYS: [&str; 7] = [
    "mountPath",
    "devicePath",
    "ip",
    "type",
    "topologyKey",
    "name",
    "containerPort",
];

impl ListStrategy {
    /// Convenience for the common single-key case.
    pub fn map_by(key: &str) -> Self {
        ListStrategy::Map {
            keys: vec![key.to_string()],
        }
    }

    /// Turn an [`ListStrategy::Associative`] guess into Map or Atomic for these lists.
    pub fn resolve(self, lists: &[&[Value]]) -> ListStrategy {
        let ListStrategy::Associative { candidates } = self else {
            return self;
        };
        for list in lists.iter().filter(|l| !l.is_empty()) {
            let key = candidates.iter().find(|key| {
                list.iter().all(|item| {
                    item.as_object()
                        .is_some_and(|m| m.contains_key(key.as_str()))
                })
            });
            if let Some(key) = key {
                return ListStrategy::map_by(key);
            }
        }
        ListStrategy::Atomic
    }
}

/// The strategy server-side apply uses at `path` (guesses are atomic there).
pub(crate) fn apply_strategy(schema: &dyn MergeSchema, path: &[&str]) -> ListStrategy {
    match schema.apply_list_strategy(path) {
        ListStrategy::Associative { .. } => ListStrategy::Atomic,
        other => other,
    }
}

/// Wrap a schema so that lists it calls atomic get kustomize's associative-key guess
/// ([`ListStrategy::Associative`] with [`KYAML_ASSOCIATIVE_KEYS`]) in strategic merge.
#[derive(Debug, Clone)]
pub struct KyamlFallback<S>(pub S);

impl<S: MergeSchema> MergeSchema for KyamlFallback<S> {
    fn list_strategy(&self, path: &[&str]) -> ListStrategy {
        match self.0.list_strategy(path) {
            ListStrategy::Atomic => ListStrategy::Associative {
                candidates: KYAML_ASSOCIATIVE_KEYS
                    .iter()
                    .map(|k| k.to_string())
                    .collect(),
            },
            other => other,
        }
    }

    fn apply_list_strategy(&self, path: &[&str]) -> ListStrategy {
        self.0.apply_list_strategy(path)
    }

    fn map_is_atomic(&self, path: &[&str]) -> bool {
        self.0.map_is_atomic(path)
    }
}

/// Schema knowledge for one kind. Strategic merge asks [`MergeSchema::list_strategy`]
/// (patchStrategy/patchMergeKey); server-side apply asks [`MergeSchema::apply_list_strategy`]
/// (the x-kubernetes-list-* markers), which differ for a few built-in fields, e.g. container
/// ports merge by `containerPort` in a strategic patch but by `containerPort,protocol` in apply.
pub trait MergeSchema {
    /// List strategy for strategic merge patch.
    fn list_strategy(&self, path: &[&str]) -> ListStrategy;

    /// List strategy for server-side apply.
    fn apply_list_strategy(&self, path: &[&str]) -> ListStrategy {
        self.list_strategy(path)
    }

    /// Whether the object (map or struct) at `path` is atomic for server-side apply
    /// (`x-kubernetes-map-type: atomic`, `+structType=atomic`): one manager owns it whole.
    fn map_is_atomic(&self, _path: &[&str]) -> bool {
        false
    }
}

/// Lists every object has through its ObjectMeta, relative to a `metadata` field.
pub(crate) fn object_meta_list(rest: &[&str]) -> Option<ListStrategy> {
    match rest {
        ["finalizers"] => Some(ListStrategy::Set),
        ["ownerReferences"] => Some(ListStrategy::map_by("uid")),
        _ => None,
    }
}

/// "No knowledge": every list is atomic (replaced by a patch), except the ObjectMeta lists
/// every Kubernetes object shares. This is what kustomize's strategic merge does for a kind it
/// has no schema for, and what an apply does for unknown fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct AtomicSchema;

impl MergeSchema for AtomicSchema {
    fn list_strategy(&self, path: &[&str]) -> ListStrategy {
        match path {
            ["metadata", rest @ ..] => object_meta_list(rest).unwrap_or(ListStrategy::Atomic),
            _ => ListStrategy::Atomic,
        }
    }
}
