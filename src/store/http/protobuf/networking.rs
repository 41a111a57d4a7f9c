//! networking.k8s.io/v1 Ingress (networking/v1 generated.proto), as `kubectl create ingress`
//! sends it.

use super::meta::METADATA;
use super::wire::{Kind, Message, f, k, r};

const SERVICE_BACKEND_PORT: Message = Message {
    name: "networking.v1.ServiceBackendPort",
    fields: &[f(1, "name", Kind::Str), f(2, "number", Kind::Int)],
};

const INGRESS_SERVICE_BACKEND: Message = Message {
    name: "networking.v1.IngressServiceBackend",
    fields: &[
        k(1, "name", Kind::Str),
        f(2, "port", Kind::Msg(&SERVICE_BACKEND_PORT)),
    ],
};

const TYPED_LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "core.v1.TypedLocalObjectReference",
    fields: &[
        k(1, "apiGroup", Kind::Str),
        k(2, "kind", Kind::Str),
        k(3, "name", Kind::Str),
    ],
};

const INGRESS_BACKEND: Message = Message {
    name: "networking.v1.IngressBackend",
    fields: &[
        k(3, "resource", Kind::Msg(&TYPED_LOCAL_OBJECT_REFERENCE)),
        k(4, "service", Kind::Msg(&INGRESS_SERVICE_BACKEND)),
    ],
};

const HTTP_INGRESS_PATH: Message = Message {
    name: "networking.v1.HTTPIngressPath",
    fields: &[
        f(1, "path", Kind::Str),
        k(2, "backend", Kind::Msg(&INGRESS_BACKEND)),
        k(3, "pathType", Kind::Str),
    ],
};

/// IngressRuleValue is embedded inline in IngressRule: `http` sits next to `host`.
const INGRESS_RULE_VALUE: Message = Message {
    name: "networking.v1.IngressRuleValue",
    fields: &[k(
        1,
        "http",
        Kind::Msg(&Message {
            name: "networking.v1.HTTPIngressRuleValue",
            fields: &[r(1, "paths", Kind::Msg(&HTTP_INGRESS_PATH))],
        }),
    )],
};

const INGRESS_RULE: Message = Message {
    name: "networking.v1.IngressRule",
    fields: &[
        f(1, "host", Kind::Str),
        f(2, "ingressRuleValue", Kind::Inline(&INGRESS_RULE_VALUE)),
    ],
};

const INGRESS_TLS: Message = Message {
    name: "networking.v1.IngressTLS",
    fields: &[r(1, "hosts", Kind::Str), f(2, "secretName", Kind::Str)],
};

const INGRESS_SPEC: Message = Message {
    name: "networking.v1.IngressSpec",
    fields: &[
        k(1, "defaultBackend", Kind::Msg(&INGRESS_BACKEND)),
        r(2, "tls", Kind::Msg(&INGRESS_TLS)),
        r(3, "rules", Kind::Msg(&INGRESS_RULE)),
        k(4, "ingressClassName", Kind::Str),
    ],
};

const INGRESS_PORT_STATUS: Message = Message {
    name: "networking.v1.IngressPortStatus",
    fields: &[
        k(1, "port", Kind::Int),
        k(2, "protocol", Kind::Str),
        k(3, "error", Kind::Str),
    ],
};

const INGRESS_LOAD_BALANCER_INGRESS: Message = Message {
    name: "networking.v1.IngressLoadBalancerIngress",
    fields: &[
        f(1, "ip", Kind::Str),
        f(2, "hostname", Kind::Str),
        r(4, "ports", Kind::Msg(&INGRESS_PORT_STATUS)),
    ],
};

pub const INGRESS: Message = Message {
    name: "networking.v1.Ingress",
    fields: &[
        METADATA,
        f(2, "spec", Kind::Msg(&INGRESS_SPEC)),
        f(
            3,
            "status",
            Kind::Msg(&Message {
                name: "networking.v1.IngressStatus",
                fields: &[f(
                    1,
                    "loadBalancer",
                    Kind::Msg(&Message {
                        name: "networking.v1.IngressLoadBalancerStatus",
                        fields: &[r(1, "ingress", Kind::Msg(&INGRESS_LOAD_BALANCER_INGRESS))],
                    }),
                )],
            }),
        ),
    ],
};
