//! authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`) and
//! authentication.k8s.io/v1 TokenRequest (`kubectl create token`).

use super::meta::METADATA;
use super::wire::{Kind, Message, f, k, rn};

const RESOURCE_ATTRIBUTES: Message = Message {
    name: "authorization.v1.ResourceAttributes",
    fields: &[
        f(1, "namespace", Kind::Str),
        f(2, "verb", Kind::Str),
        f(3, "group", Kind::Str),
        f(4, "version", Kind::Str),
        f(5, "resource", Kind::Str),
        f(6, "subresource", Kind::Str),
        f(7, "name", Kind::Str),
    ],
};

pub const SELF_SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "authorization.v1.SelfSubjectAccessReview",
    fields: &[
        METADATA,
        f(
            2,
            "spec",
            Kind::Msg(&Message {
                name: "authorization.v1.SelfSubjectAccessReviewSpec",
                fields: &[
                    k(1, "resourceAttributes", Kind::Msg(&RESOURCE_ATTRIBUTES)),
                    k(
                        2,
                        "nonResourceAttributes",
                        Kind::Msg(&Message {
                            name: "authorization.v1.NonResourceAttributes",
                            fields: &[f(1, "path", Kind::Str), f(2, "verb", Kind::Str)],
                        }),
                    ),
                ],
            }),
        ),
        f(
            3,
            "status",
            Kind::Msg(&Message {
                name: "authorization.v1.SubjectAccessReviewStatus",
                fields: &[
                    k(1, "allowed", Kind::Bool),
                    f(2, "reason", Kind::Str),
                    f(3, "evaluationError", Kind::Str),
                    f(4, "denied", Kind::Bool),
                ],
            }),
        ),
    ],
};

const BOUND_OBJECT_REFERENCE: Message = Message {
    name: "authentication.v1.BoundObjectReference",
    fields: &[
        f(1, "kind", Kind::Str),
        f(2, "apiVersion", Kind::Str),
        f(3, "name", Kind::Str),
        f(4, "uid", Kind::Str),
    ],
};

pub const TOKEN_REQUEST: Message = Message {
    name: "authentication.v1.TokenRequest",
    fields: &[
        METADATA,
        f(
            2,
            "spec",
            Kind::Msg(&Message {
                name: "authentication.v1.TokenRequestSpec",
                fields: &[
                    rn(1, "audiences", Kind::Str),
                    k(3, "boundObjectRef", Kind::Msg(&BOUND_OBJECT_REFERENCE)),
                    k(4, "expirationSeconds", Kind::Int),
                ],
            }),
        ),
        f(
            3,
            "status",
            Kind::Msg(&Message {
                name: "authentication.v1.TokenRequestStatus",
                fields: &[
                    k(1, "token", Kind::Str),
                    k(2, "expirationTimestamp", Kind::Time),
                ],
            }),
        ),
    ],
};
