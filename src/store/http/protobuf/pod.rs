//! core/v1 pod messages (PodTemplateSpec, PodSpec, Container and what they hold) as sent by
//! `kubectl create deployment|job|cronjob` and `kubectl run`. Volumes, probes, affinity and
//! security contexts are not listed: a body that sets them is refused with the field number.

use super::meta::{METADATA, OBJECT_META};
use super::wire::{Field, Kind, Message, f, k, r};

const CONTAINER_PORT: Message = Message {
    name: "core.v1.ContainerPort",
    fields: &[
        f(1, "name", Kind::Str),
        f(2, "hostPort", Kind::Int),
        k(3, "containerPort", Kind::Int),
        f(4, "protocol", Kind::Str),
        f(5, "hostIP", Kind::Str),
    ],
};

/// A `LocalObjectReference` embedded inline (`configMapKeyRef.name`, …).
const LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "core.v1.LocalObjectReference",
    fields: &[f(1, "name", Kind::Str)],
};
const KEY_SELECTOR: Message = Message {
    name: "core.v1.KeySelector",
    fields: &[
        f(
            1,
            "localObjectReference",
            Kind::Inline(&LOCAL_OBJECT_REFERENCE),
        ),
        k(2, "key", Kind::Str),
        k(3, "optional", Kind::Bool),
    ],
};
const ENV_VAR_SOURCE: Message = Message {
    name: "core.v1.EnvVarSource",
    fields: &[
        k(
            1,
            "fieldRef",
            Kind::Msg(&Message {
                name: "core.v1.ObjectFieldSelector",
                fields: &[f(1, "apiVersion", Kind::Str), k(2, "fieldPath", Kind::Str)],
            }),
        ),
        k(
            2,
            "resourceFieldRef",
            Kind::Msg(&Message {
                name: "core.v1.ResourceFieldSelector",
                fields: &[
                    f(1, "containerName", Kind::Str),
                    k(2, "resource", Kind::Str),
                    f(3, "divisor", Kind::Quantity),
                ],
            }),
        ),
        k(3, "configMapKeyRef", Kind::Msg(&KEY_SELECTOR)),
        k(4, "secretKeyRef", Kind::Msg(&KEY_SELECTOR)),
    ],
};
const ENV_VAR: Message = Message {
    name: "core.v1.EnvVar",
    fields: &[
        k(1, "name", Kind::Str),
        f(2, "value", Kind::Str),
        k(3, "valueFrom", Kind::Msg(&ENV_VAR_SOURCE)),
    ],
};
const ENV_FROM_REFERENCE: Message = Message {
    name: "core.v1.ConfigMapEnvSource",
    fields: &[
        f(
            1,
            "localObjectReference",
            Kind::Inline(&LOCAL_OBJECT_REFERENCE),
        ),
        k(2, "optional", Kind::Bool),
    ],
};
const ENV_FROM_SOURCE: Message = Message {
    name: "core.v1.EnvFromSource",
    fields: &[
        f(1, "prefix", Kind::Str),
        k(2, "configMapRef", Kind::Msg(&ENV_FROM_REFERENCE)),
        k(3, "secretRef", Kind::Msg(&ENV_FROM_REFERENCE)),
    ],
};

pub const RESOURCE_REQUIREMENTS: Message = Message {
    name: "core.v1.ResourceRequirements",
    fields: &[
        f(1, "limits", Kind::QuantityMap),
        f(2, "requests", Kind::QuantityMap),
        r(
            3,
            "claims",
            Kind::Msg(&Message {
                name: "core.v1.ResourceClaim",
                fields: &[k(1, "name", Kind::Str), f(2, "request", Kind::Str)],
            }),
        ),
    ],
};

const VOLUME_MOUNT: Message = Message {
    name: "core.v1.VolumeMount",
    fields: &[
        k(1, "name", Kind::Str),
        f(2, "readOnly", Kind::Bool),
        k(3, "mountPath", Kind::Str),
        f(4, "subPath", Kind::Str),
        k(5, "mountPropagation", Kind::Str),
        f(6, "subPathExpr", Kind::Str),
        k(7, "recursiveReadOnly", Kind::Str),
    ],
};

const CONTAINER: Message = Message {
    name: "core.v1.Container",
    fields: &[
        k(1, "name", Kind::Str),
        f(2, "image", Kind::Str),
        r(3, "command", Kind::Str),
        r(4, "args", Kind::Str),
        f(5, "workingDir", Kind::Str),
        r(6, "ports", Kind::Msg(&CONTAINER_PORT)),
        r(7, "env", Kind::Msg(&ENV_VAR)),
        f(8, "resources", Kind::Msg(&RESOURCE_REQUIREMENTS)),
        r(9, "volumeMounts", Kind::Msg(&VOLUME_MOUNT)),
        f(13, "terminationMessagePath", Kind::Str),
        f(14, "imagePullPolicy", Kind::Str),
        f(16, "stdin", Kind::Bool),
        f(17, "stdinOnce", Kind::Bool),
        f(18, "tty", Kind::Bool),
        r(19, "envFrom", Kind::Msg(&ENV_FROM_SOURCE)),
        f(20, "terminationMessagePolicy", Kind::Str),
        r(
            21,
            "volumeDevices",
            Kind::Msg(&Message {
                name: "core.v1.VolumeDevice",
                fields: &[k(1, "name", Kind::Str), k(2, "devicePath", Kind::Str)],
            }),
        ),
        r(
            23,
            "resizePolicy",
            Kind::Msg(&Message {
                name: "core.v1.ContainerResizePolicy",
                fields: &[
                    k(1, "resourceName", Kind::Str),
                    k(2, "restartPolicy", Kind::Str),
                ],
            }),
        ),
        k(24, "restartPolicy", Kind::Str),
    ],
};

const TOLERATION: Message = Message {
    name: "core.v1.Toleration",
    fields: &[
        f(1, "key", Kind::Str),
        f(2, "operator", Kind::Str),
        f(3, "value", Kind::Str),
        f(4, "effect", Kind::Str),
        k(5, "tolerationSeconds", Kind::Int),
    ],
};

const NAME_ONLY: &[Field] = &[k(1, "name", Kind::Str)];

pub const POD_SPEC: Message = Message {
    name: "core.v1.PodSpec",
    fields: &[
        r(2, "containers", Kind::Msg(&CONTAINER)),
        f(3, "restartPolicy", Kind::Str),
        k(4, "terminationGracePeriodSeconds", Kind::Int),
        k(5, "activeDeadlineSeconds", Kind::Int),
        f(6, "dnsPolicy", Kind::Str),
        f(7, "nodeSelector", Kind::StrMap),
        f(8, "serviceAccountName", Kind::Str),
        f(9, "serviceAccount", Kind::Str),
        f(10, "nodeName", Kind::Str),
        f(11, "hostNetwork", Kind::Bool),
        f(12, "hostPID", Kind::Bool),
        f(13, "hostIPC", Kind::Bool),
        r(15, "imagePullSecrets", Kind::Msg(&LOCAL_OBJECT_REFERENCE)),
        f(16, "hostname", Kind::Str),
        f(17, "subdomain", Kind::Str),
        f(19, "schedulerName", Kind::Str),
        r(20, "initContainers", Kind::Msg(&CONTAINER)),
        k(21, "automountServiceAccountToken", Kind::Bool),
        r(22, "tolerations", Kind::Msg(&TOLERATION)),
        r(
            23,
            "hostAliases",
            Kind::Msg(&Message {
                name: "core.v1.HostAlias",
                fields: &[k(1, "ip", Kind::Str), r(2, "hostnames", Kind::Str)],
            }),
        ),
        f(24, "priorityClassName", Kind::Str),
        k(25, "priority", Kind::Int),
        k(27, "shareProcessNamespace", Kind::Bool),
        r(
            28,
            "readinessGates",
            Kind::Msg(&Message {
                name: "core.v1.PodReadinessGate",
                fields: &[k(1, "conditionType", Kind::Str)],
            }),
        ),
        k(29, "runtimeClassName", Kind::Str),
        k(30, "enableServiceLinks", Kind::Bool),
        k(31, "preemptionPolicy", Kind::Str),
        f(32, "overhead", Kind::QuantityMap),
        k(35, "setHostnameAsFQDN", Kind::Bool),
        k(
            36,
            "os",
            Kind::Msg(&Message {
                name: "core.v1.PodOS",
                fields: NAME_ONLY,
            }),
        ),
        k(37, "hostUsers", Kind::Bool),
        r(
            38,
            "schedulingGates",
            Kind::Msg(&Message {
                name: "core.v1.PodSchedulingGate",
                fields: NAME_ONLY,
            }),
        ),
        k(40, "resources", Kind::Msg(&RESOURCE_REQUIREMENTS)),
    ],
};

pub const POD_TEMPLATE_SPEC: Message = Message {
    name: "core.v1.PodTemplateSpec",
    fields: &[
        f(1, "metadata", Kind::Msg(&OBJECT_META)),
        f(2, "spec", Kind::Msg(&POD_SPEC)),
    ],
};

const POD_STATUS: Message = Message {
    name: "core.v1.PodStatus",
    fields: &[
        f(1, "phase", Kind::Str),
        f(3, "message", Kind::Str),
        f(4, "reason", Kind::Str),
        f(5, "hostIP", Kind::Str),
        f(6, "podIP", Kind::Str),
        f(9, "qosClass", Kind::Str),
        f(11, "nominatedNodeName", Kind::Str),
        f(14, "resize", Kind::Str),
        f(17, "observedGeneration", Kind::Int),
    ],
};

pub const POD: Message = Message {
    name: "core.v1.Pod",
    fields: &[
        METADATA,
        f(2, "spec", Kind::Msg(&POD_SPEC)),
        f(3, "status", Kind::Msg(&POD_STATUS)),
    ],
};
