//! rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding
//! (rbac/v1 generated.proto).

use super::meta::{LABEL_SELECTOR, METADATA};
use super::wire::{Field, Kind, Message, f, k, r, rn};

const POLICY_RULE: Message = Message {
    name: "rbac.v1.PolicyRule",
    fields: &[
        rn(1, "verbs", Kind::Str),
        r(2, "apiGroups", Kind::Str),
        r(3, "resources", Kind::Str),
        r(4, "resourceNames", Kind::Str),
        r(5, "nonResourceURLs", Kind::Str),
    ],
};

const RULES: Field = rn(2, "rules", Kind::Msg(&POLICY_RULE));

pub const ROLE: Message = Message {
    name: "rbac.v1.Role",
    fields: &[METADATA, RULES],
};

pub const CLUSTER_ROLE: Message = Message {
    name: "rbac.v1.ClusterRole",
    fields: &[
        METADATA,
        RULES,
        k(
            3,
            "aggregationRule",
            Kind::Msg(&Message {
                name: "rbac.v1.AggregationRule",
                fields: &[r(1, "clusterRoleSelectors", Kind::Msg(&LABEL_SELECTOR))],
            }),
        ),
    ],
};

const SUBJECT: Message = Message {
    name: "rbac.v1.Subject",
    fields: &[
        k(1, "kind", Kind::Str),
        f(2, "apiGroup", Kind::Str),
        k(3, "name", Kind::Str),
        f(4, "namespace", Kind::Str),
    ],
};

const ROLE_REF: Message = Message {
    name: "rbac.v1.RoleRef",
    fields: &[
        k(1, "apiGroup", Kind::Str),
        k(2, "kind", Kind::Str),
        k(3, "name", Kind::Str),
    ],
};

const BINDING_FIELDS: &[Field] = &[
    METADATA,
    r(2, "subjects", Kind::Msg(&SUBJECT)),
    k(3, "roleRef", Kind::Msg(&ROLE_REF)),
];

pub const ROLE_BINDING: Message = Message {
    name: "rbac.v1.RoleBinding",
    fields: BINDING_FIELDS,
};

pub const CLUSTER_ROLE_BINDING: Message = Message {
    name: "rbac.v1.ClusterRoleBinding",
    fields: BINDING_FIELDS,
};
