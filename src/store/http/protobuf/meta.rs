//! k8s.io/apimachinery messages shared by every kind: the envelope's TypeMeta, ObjectMeta,
//! LabelSelector and Condition (meta/v1 generated.proto).

use super::wire::{Field, Kind, Message, f, k, r};

pub const TYPE_META: Message = Message {
    name: "runtime.TypeMeta",
    fields: &[f(1, "apiVersion", Kind::Str), f(2, "kind", Kind::Str)],
};

const OWNER_REFERENCE: Message = Message {
    name: "meta.v1.OwnerReference",
    fields: &[
        k(1, "kind", Kind::Str),
        k(3, "name", Kind::Str),
        k(4, "uid", Kind::Str),
        k(5, "apiVersion", Kind::Str),
        k(6, "controller", Kind::Bool),
        k(7, "blockOwnerDeletion", Kind::Bool),
    ],
};
pub const OBJECT_META: Message = Message {
    name: "meta.v1.ObjectMeta",
    fields: &[
        f(1, "name", Kind::Str),
        f(2, "generateName", Kind::Str),
        f(3, "namespace", Kind::Str),
        f(4, "selfLink", Kind::Str),
        f(5, "uid", Kind::Str),
        f(6, "resourceVersion", Kind::Str),
        f(7, "generation", Kind::Int),
        f(8, "creationTimestamp", Kind::Time),
        f(9, "deletionTimestamp", Kind::Time),
        k(10, "deletionGracePeriodSeconds", Kind::Int),
        f(11, "labels", Kind::StrMap),
        f(12, "annotations", Kind::StrMap),
        r(13, "ownerReferences", Kind::Msg(&OWNER_REFERENCE)),
        r(14, "finalizers", Kind::Str),
    ],
};
/// `metadata` of a top-level object or a template.
pub const METADATA: Field = f(1, "metadata", Kind::Msg(&OBJECT_META));

const LABEL_SELECTOR_REQUIREMENT: Message = Message {
    name: "meta.v1.LabelSelectorRequirement",
    fields: &[
        k(1, "key", Kind::Str),
        k(2, "operator", Kind::Str),
        r(3, "values", Kind::Str),
    ],
};
pub const LABEL_SELECTOR: Message = Message {
    name: "meta.v1.LabelSelector",
    fields: &[
        f(1, "matchLabels", Kind::StrMap),
        r(
            2,
            "matchExpressions",
            Kind::Msg(&LABEL_SELECTOR_REQUIREMENT),
        ),
    ],
};

/// meta/v1 Condition, as used in the status of many kinds.
pub const CONDITION: Message = Message {
    name: "meta.v1.Condition",
    fields: &[
        k(1, "type", Kind::Str),
        k(2, "status", Kind::Str),
        f(3, "observedGeneration", Kind::Int),
        k(4, "lastTransitionTime", Kind::Time),
        k(5, "reason", Kind::Str),
        k(6, "message", Kind::Str),
    ],
};
