//! policy/v1 PodDisruptionBudget and scheduling.k8s.io/v1 PriorityClass (policy/v1 and
//! scheduling/v1 generated.proto).

use super::meta::{CONDITION, LABEL_SELECTOR, METADATA};
use super::wire::{Kind, Message, f, k, r};

const PDB_SPEC: Message = Message {
    name: "policy.v1.PodDisruptionBudgetSpec",
    fields: &[
        k(1, "minAvailable", Kind::IntOrString),
        k(2, "selector", Kind::Msg(&LABEL_SELECTOR)),
        k(3, "maxUnavailable", Kind::IntOrString),
        k(4, "unhealthyPodEvictionPolicy", Kind::Str),
    ],
};

const PDB_STATUS: Message = Message {
    name: "policy.v1.PodDisruptionBudgetStatus",
    fields: &[
        f(1, "observedGeneration", Kind::Int),
        // disruptedPods (2, map of Time) is never sent non-empty on create
        k(3, "disruptionsAllowed", Kind::Int),
        k(4, "currentHealthy", Kind::Int),
        k(5, "desiredHealthy", Kind::Int),
        k(6, "expectedPods", Kind::Int),
        r(7, "conditions", Kind::Msg(&CONDITION)),
    ],
};

pub const POD_DISRUPTION_BUDGET: Message = Message {
    name: "policy.v1.PodDisruptionBudget",
    fields: &[
        METADATA,
        f(2, "spec", Kind::Msg(&PDB_SPEC)),
        f(3, "status", Kind::Msg(&PDB_STATUS)),
    ],
};

pub const PRIORITY_CLASS: Message = Message {
    name: "scheduling.v1.PriorityClass",
    fields: &[
        METADATA,
        k(2, "value", Kind::Int),
        f(3, "globalDefault", Kind::Bool),
        f(4, "description", Kind::Str),
        k(5, "preemptionPolicy", Kind::Str),
    ],
};
