//! core/v1 kinds other than Pod: Namespace, ConfigMap, Secret, ServiceAccount, Service and
//! ResourceQuota (core/v1 generated.proto).

use super::meta::{CONDITION, METADATA};
use super::wire::{Kind, Message, f, k, r};

pub const NAMESPACE: Message = Message {
    name: "core.v1.Namespace",
    fields: &[
        METADATA,
        f(
            2,
            "spec",
            Kind::Msg(&Message {
                name: "core.v1.NamespaceSpec",
                fields: &[r(1, "finalizers", Kind::Str)],
            }),
        ),
        f(
            3,
            "status",
            Kind::Msg(&Message {
                name: "core.v1.NamespaceStatus",
                fields: &[f(1, "phase", Kind::Str)],
            }),
        ),
    ],
};

pub const CONFIG_MAP: Message = Message {
    name: "core.v1.ConfigMap",
    fields: &[
        METADATA,
        f(2, "data", Kind::StrMap),
        f(3, "binaryData", Kind::BytesMap),
        k(4, "immutable", Kind::Bool),
    ],
};

pub const SECRET: Message = Message {
    name: "core.v1.Secret",
    fields: &[
        METADATA,
        f(2, "data", Kind::BytesMap),
        f(3, "type", Kind::Str),
        f(4, "stringData", Kind::StrMap),
        k(5, "immutable", Kind::Bool),
    ],
};

pub const OBJECT_REFERENCE: Message = Message {
    name: "core.v1.ObjectReference",
    fields: &[
        f(1, "kind", Kind::Str),
        f(2, "namespace", Kind::Str),
        f(3, "name", Kind::Str),
        f(4, "uid", Kind::Str),
        f(5, "apiVersion", Kind::Str),
        f(6, "resourceVersion", Kind::Str),
        f(7, "fieldPath", Kind::Str),
    ],
};

pub const SERVICE_ACCOUNT: Message = Message {
    name: "core.v1.ServiceAccount",
    fields: &[
        METADATA,
        r(2, "secrets", Kind::Msg(&OBJECT_REFERENCE)),
        r(
            3,
            "imagePullSecrets",
            Kind::Msg(&Message {
                name: "core.v1.LocalObjectReference",
                fields: &[f(1, "name", Kind::Str)],
            }),
        ),
        k(4, "automountServiceAccountToken", Kind::Bool),
    ],
};

const SERVICE_PORT: Message = Message {
    name: "core.v1.ServicePort",
    fields: &[
        f(1, "name", Kind::Str),
        f(2, "protocol", Kind::Str),
        k(3, "port", Kind::Int),
        // a struct in Go: `omitempty` does not hide it, a zero prints as 0
        k(4, "targetPort", Kind::IntOrString),
        f(5, "nodePort", Kind::Int),
        k(6, "appProtocol", Kind::Str),
    ],
};

const SERVICE_SPEC: Message = Message {
    name: "core.v1.ServiceSpec",
    fields: &[
        r(1, "ports", Kind::Msg(&SERVICE_PORT)),
        f(2, "selector", Kind::StrMap),
        f(3, "clusterIP", Kind::Str),
        f(4, "type", Kind::Str),
        r(5, "externalIPs", Kind::Str),
        f(7, "sessionAffinity", Kind::Str),
        f(8, "loadBalancerIP", Kind::Str),
        r(9, "loadBalancerSourceRanges", Kind::Str),
        f(10, "externalName", Kind::Str),
        f(11, "externalTrafficPolicy", Kind::Str),
        f(12, "healthCheckNodePort", Kind::Int),
        f(13, "publishNotReadyAddresses", Kind::Bool),
        k(
            14,
            "sessionAffinityConfig",
            Kind::Msg(&Message {
                name: "core.v1.SessionAffinityConfig",
                fields: &[k(
                    1,
                    "clientIP",
                    Kind::Msg(&Message {
                        name: "core.v1.ClientIPConfig",
                        fields: &[k(1, "timeoutSeconds", Kind::Int)],
                    }),
                )],
            }),
        ),
        k(17, "ipFamilyPolicy", Kind::Str),
        r(18, "clusterIPs", Kind::Str),
        r(19, "ipFamilies", Kind::Str),
        k(20, "allocateLoadBalancerNodePorts", Kind::Bool),
        k(21, "loadBalancerClass", Kind::Str),
        k(22, "internalTrafficPolicy", Kind::Str),
        k(23, "trafficDistribution", Kind::Str),
    ],
};

const PORT_STATUS: Message = Message {
    name: "core.v1.PortStatus",
    fields: &[
        k(1, "port", Kind::Int),
        k(2, "protocol", Kind::Str),
        k(3, "error", Kind::Str),
    ],
};
const LOAD_BALANCER_INGRESS: Message = Message {
    name: "core.v1.LoadBalancerIngress",
    fields: &[
        f(1, "ip", Kind::Str),
        f(2, "hostname", Kind::Str),
        k(3, "ipMode", Kind::Str),
        r(4, "ports", Kind::Msg(&PORT_STATUS)),
    ],
};

pub const SERVICE: Message = Message {
    name: "core.v1.Service",
    fields: &[
        METADATA,
        f(2, "spec", Kind::Msg(&SERVICE_SPEC)),
        f(
            3,
            "status",
            Kind::Msg(&Message {
                name: "core.v1.ServiceStatus",
                fields: &[
                    f(
                        1,
                        "loadBalancer",
                        Kind::Msg(&Message {
                            name: "core.v1.LoadBalancerStatus",
                            fields: &[r(1, "ingress", Kind::Msg(&LOAD_BALANCER_INGRESS))],
                        }),
                    ),
                    r(2, "conditions", Kind::Msg(&CONDITION)),
                ],
            }),
        ),
    ],
};

const SCOPED_RESOURCE_SELECTOR_REQUIREMENT: Message = Message {
    name: "core.v1.ScopedResourceSelectorRequirement",
    fields: &[
        k(1, "scopeName", Kind::Str),
        k(2, "operator", Kind::Str),
        r(3, "values", Kind::Str),
    ],
};

pub const RESOURCE_QUOTA: Message = Message {
    name: "core.v1.ResourceQuota",
    fields: &[
        METADATA,
        f(
            2,
            "spec",
            Kind::Msg(&Message {
                name: "core.v1.ResourceQuotaSpec",
                fields: &[
                    f(1, "hard", Kind::QuantityMap),
                    r(2, "scopes", Kind::Str),
                    k(
                        3,
                        "scopeSelector",
                        Kind::Msg(&Message {
                            name: "core.v1.ScopeSelector",
                            fields: &[r(
                                1,
                                "matchExpressions",
                                Kind::Msg(&SCOPED_RESOURCE_SELECTOR_REQUIREMENT),
                            )],
                        }),
                    ),
                ],
            }),
        ),
        f(
            3,
            "status",
            Kind::Msg(&Message {
                name: "core.v1.ResourceQuotaStatus",
                fields: &[
                    f(1, "hard", Kind::QuantityMap),
                    f(2, "used", Kind::QuantityMap),
                ],
            }),
        ),
    ],
};
