//! apps/v1 Deployment (apps/v1 generated.proto), as `kubectl create deployment` sends it.

use super::meta::{LABEL_SELECTOR, METADATA};
use super::pod::POD_TEMPLATE_SPEC;
use super::wire::{Kind, Message, f, k, r};

const ROLLING_UPDATE_DEPLOYMENT: Message = Message {
    name: "apps.v1.RollingUpdateDeployment",
    fields: &[
        k(1, "maxUnavailable", Kind::IntOrString),
        k(2, "maxSurge", Kind::IntOrString),
    ],
};

const DEPLOYMENT_STRATEGY: Message = Message {
    name: "apps.v1.DeploymentStrategy",
    fields: &[
        f(1, "type", Kind::Str),
        k(2, "rollingUpdate", Kind::Msg(&ROLLING_UPDATE_DEPLOYMENT)),
    ],
};

const DEPLOYMENT_SPEC: Message = Message {
    name: "apps.v1.DeploymentSpec",
    fields: &[
        k(1, "replicas", Kind::Int),
        k(2, "selector", Kind::Msg(&LABEL_SELECTOR)),
        f(3, "template", Kind::Msg(&POD_TEMPLATE_SPEC)),
        f(4, "strategy", Kind::Msg(&DEPLOYMENT_STRATEGY)),
        f(5, "minReadySeconds", Kind::Int),
        k(6, "revisionHistoryLimit", Kind::Int),
        f(7, "paused", Kind::Bool),
        k(9, "progressDeadlineSeconds", Kind::Int),
    ],
};

const DEPLOYMENT_CONDITION: Message = Message {
    name: "apps.v1.DeploymentCondition",
    fields: &[
        k(1, "type", Kind::Str),
        k(2, "status", Kind::Str),
        f(4, "reason", Kind::Str),
        f(5, "message", Kind::Str),
        f(6, "lastUpdateTime", Kind::Time),
        f(7, "lastTransitionTime", Kind::Time),
    ],
};

const DEPLOYMENT_STATUS: Message = Message {
    name: "apps.v1.DeploymentStatus",
    fields: &[
        f(1, "observedGeneration", Kind::Int),
        f(2, "replicas", Kind::Int),
        f(3, "updatedReplicas", Kind::Int),
        f(4, "availableReplicas", Kind::Int),
        f(5, "unavailableReplicas", Kind::Int),
        r(6, "conditions", Kind::Msg(&DEPLOYMENT_CONDITION)),
        f(7, "readyReplicas", Kind::Int),
        k(8, "collisionCount", Kind::Int),
        k(9, "terminatingReplicas", Kind::Int),
    ],
};

pub const DEPLOYMENT: Message = Message {
    name: "apps.v1.Deployment",
    fields: &[
        METADATA,
        f(2, "spec", Kind::Msg(&DEPLOYMENT_SPEC)),
        f(3, "status", Kind::Msg(&DEPLOYMENT_STATUS)),
    ],
};
