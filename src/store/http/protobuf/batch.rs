//! batch/v1 Job and CronJob (batch/v1 generated.proto), as `kubectl create job|cronjob` send
//! them (a Job made `--from=cronjob/NAME` carries the owner reference and annotations).

use super::core::OBJECT_REFERENCE;
use super::meta::{LABEL_SELECTOR, METADATA, OBJECT_META};
use super::pod::POD_TEMPLATE_SPEC;
use super::wire::{Kind, Message, f, k, r};

const JOB_SPEC: Message = Message {
    name: "batch.v1.JobSpec",
    fields: &[
        k(1, "parallelism", Kind::Int),
        k(2, "completions", Kind::Int),
        k(3, "activeDeadlineSeconds", Kind::Int),
        k(4, "selector", Kind::Msg(&LABEL_SELECTOR)),
        k(5, "manualSelector", Kind::Bool),
        f(6, "template", Kind::Msg(&POD_TEMPLATE_SPEC)),
        k(7, "backoffLimit", Kind::Int),
        k(8, "ttlSecondsAfterFinished", Kind::Int),
        k(9, "completionMode", Kind::Str),
        k(10, "suspend", Kind::Bool),
        k(12, "backoffLimitPerIndex", Kind::Int),
        k(13, "maxFailedIndexes", Kind::Int),
        k(14, "podReplacementPolicy", Kind::Str),
        k(15, "managedBy", Kind::Str),
    ],
};

const JOB_CONDITION: Message = Message {
    name: "batch.v1.JobCondition",
    fields: &[
        k(1, "type", Kind::Str),
        k(2, "status", Kind::Str),
        f(3, "lastProbeTime", Kind::Time),
        f(4, "lastTransitionTime", Kind::Time),
        f(5, "reason", Kind::Str),
        f(6, "message", Kind::Str),
    ],
};

const JOB_STATUS: Message = Message {
    name: "batch.v1.JobStatus",
    fields: &[
        r(1, "conditions", Kind::Msg(&JOB_CONDITION)),
        f(2, "startTime", Kind::Time),
        f(3, "completionTime", Kind::Time),
        f(4, "active", Kind::Int),
        f(5, "succeeded", Kind::Int),
        f(6, "failed", Kind::Int),
        f(7, "completedIndexes", Kind::Str),
        k(9, "ready", Kind::Int),
        k(10, "failedIndexes", Kind::Str),
        k(11, "terminating", Kind::Int),
    ],
};

pub const JOB: Message = Message {
    name: "batch.v1.Job",
    fields: &[
        METADATA,
        f(2, "spec", Kind::Msg(&JOB_SPEC)),
        f(3, "status", Kind::Msg(&JOB_STATUS)),
    ],
};

const JOB_TEMPLATE_SPEC: Message = Message {
    name: "batch.v1.JobTemplateSpec",
    fields: &[
        f(1, "metadata", Kind::Msg(&OBJECT_META)),
        f(2, "spec", Kind::Msg(&JOB_SPEC)),
    ],
};

const CRON_JOB_SPEC: Message = Message {
    name: "batch.v1.CronJobSpec",
    fields: &[
        k(1, "schedule", Kind::Str),
        k(2, "startingDeadlineSeconds", Kind::Int),
        f(3, "concurrencyPolicy", Kind::Str),
        k(4, "suspend", Kind::Bool),
        k(5, "jobTemplate", Kind::Msg(&JOB_TEMPLATE_SPEC)),
        k(6, "successfulJobsHistoryLimit", Kind::Int),
        k(7, "failedJobsHistoryLimit", Kind::Int),
        k(8, "timeZone", Kind::Str),
    ],
};

pub const CRON_JOB: Message = Message {
    name: "batch.v1.CronJob",
    fields: &[
        METADATA,
        f(2, "spec", Kind::Msg(&CRON_JOB_SPEC)),
        f(
            3,
            "status",
            Kind::Msg(&Message {
                name: "batch.v1.CronJobStatus",
                fields: &[
                    r(1, "active", Kind::Msg(&OBJECT_REFERENCE)),
                    f(4, "lastScheduleTime", Kind::Time),
                    f(5, "lastSuccessfulTime", Kind::Time),
                ],
            }),
        ),
    ],
};
