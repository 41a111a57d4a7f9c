//! kustomize's default nameReference configuration: which fields of which kinds name a
//! ConfigMap, Secret, Service, ServiceAccount, Role, ... so renames propagate into them.

use super::config::{NameBackRef, fs};
use super::fieldspec::FieldSpec;

/// Kinds with a pod template and where the template sits.
const POD_TEMPLATE_HOLDERS: &[(&str, &str, &str)] = &[
    ("Pod", "", "spec"),
    ("PodTemplate", "", "template/spec"),
    ("ReplicationController", "", "spec/template/spec"),
    ("Deployment", "", "spec/template/spec"),
    ("ReplicaSet", "", "spec/template/spec"),
    ("DaemonSet", "", "spec/template/spec"),
    ("StatefulSet", "", "spec/template/spec"),
    ("Job", "", "spec/template/spec"),
    ("CronJob", "", "spec/jobTemplate/spec/template/spec"),
];

fn pod_refs(kinds: &[&str], suffixes: &[&str]) -> Vec<FieldSpec> {
    let mut out = Vec::new();
    for (kind, group, prefix) in POD_TEMPLATE_HOLDERS {
        if kinds.contains(kind) {
            let version = if *kind == "Pod" { "v1" } else { "" };
            for suffix in suffixes {
                out.push(fs(
                    kind,
                    group,
                    version,
                    &format!("{prefix}/{suffix}"),
                    false,
                ));
            }
        }
    }
    out
}

const CONFIG_MAP_SUFFIXES: &[&str] = &[
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
];
const SECRET_SUFFIXES: &[&str] = &[
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
];
const WORKLOADS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
];
const SA_HOLDERS: &[&str] = &[
    "Pod",
    "StatefulSet",
    "Deployment",
    "ReplicationController",
    "CronJob",
    "Job",
    "DaemonSet",
];

fn backref(kind: &str, group: &str, version: &str, specs: Vec<FieldSpec>) -> NameBackRef {
    NameBackRef {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        specs,
    }
}

pub(super) fn default_name_references() -> Vec<NameBackRef> {
    let rbac = "rbac.authorization.k8s.io";
    let hpa = |k: &str| {
        backref(
            k,
            "",
            "",
            vec![fs(
                "HorizontalPodAutoscaler",
                "",
                "",
                "spec/scaleTargetRef/name",
                false,
            )],
        )
    };
    let mut config_map = pod_refs(WORKLOADS, CONFIG_MAP_SUFFIXES);
    config_map.extend([
        fs("Node", "", "", "spec/configSource/configMap", false),
        fs("Role", "", "", "rules/resourceNames", false),
        fs("ClusterRole", "", "", "rules/resourceNames", false),
        fs(
            "Ingress",
            "",
            "",
            r"metadata/annotations/nginx.ingress.kubernetes.io\/fastcgi-params-configmap",
            false,
        ),
    ]);
    let mut secret = pod_refs(WORKLOADS, SECRET_SUFFIXES);
    secret.extend([
        fs("Ingress", "", "", "spec/tls/secretName", false),
        fs(
            "Ingress",
            "",
            "",
            r"metadata/annotations/ingress.kubernetes.io\/auth-secret",
            false,
        ),
        fs(
            "Ingress",
            "",
            "",
            r"metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret",
            false,
        ),
        fs(
            "Ingress",
            "",
            "",
            r"metadata/annotations/nginx.ingress.kubernetes.io\/auth-tls-secret",
            false,
        ),
        fs("ServiceAccount", "", "", "imagePullSecrets/name", false),
        fs("StorageClass", "", "", "parameters/secretName", false),
        fs("StorageClass", "", "", "parameters/adminSecretName", false),
        fs("StorageClass", "", "", "parameters/userSecretName", false),
        fs("StorageClass", "", "", "parameters/secretRef", false),
        fs("Role", "", "", "rules/resourceNames", false),
        fs("ClusterRole", "", "", "rules/resourceNames", false),
        fs(
            "Service",
            "serving.knative.dev",
            "v1",
            "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
            false,
        ),
        fs(
            "PersistentVolume",
            "",
            "",
            "spec/azureFile/secretName",
            false,
        ),
    ]);
    let service = vec![
        fs("StatefulSet", "apps", "", "spec/serviceName", false),
        fs(
            "Ingress",
            "",
            "",
            "spec/rules/http/paths/backend/serviceName",
            false,
        ),
        fs("Ingress", "", "", "spec/backend/serviceName", false),
        fs(
            "Ingress",
            "",
            "",
            "spec/rules/http/paths/backend/service/name",
            false,
        ),
        fs("Ingress", "", "", "spec/defaultBackend/service/name", false),
        fs(
            "APIService",
            "apiregistration.k8s.io",
            "",
            "spec/service/name",
            false,
        ),
        fs(
            "ValidatingWebhookConfiguration",
            "admissionregistration.k8s.io",
            "",
            "webhooks/clientConfig/service",
            false,
        ),
        fs(
            "MutatingWebhookConfiguration",
            "admissionregistration.k8s.io",
            "",
            "webhooks/clientConfig/service",
            false,
        ),
        fs("HTTPRoute", "", "", "spec/rules/backendRefs/name", false),
    ];
    let mut service_account = vec![
        fs("RoleBinding", rbac, "", "subjects", false),
        fs("ClusterRoleBinding", rbac, "", "subjects", false),
    ];
    for (kind, _, prefix) in POD_TEMPLATE_HOLDERS {
        if SA_HOLDERS.contains(kind) {
            service_account.push(fs(
                kind,
                "",
                "",
                &format!("{prefix}/serviceAccountName"),
                false,
            ));
        }
    }
    let per_holder = |suffix: &str, kinds: &[&str]| -> Vec<FieldSpec> {
        POD_TEMPLATE_HOLDERS
            .iter()
            .filter(|(k, _, _)| kinds.contains(k))
            .map(|(k, _, prefix)| fs(k, "", "", &format!("{prefix}/{suffix}"), false))
            .collect()
    };
    let pvc = per_holder("volumes/persistentVolumeClaim/claimName", SA_HOLDERS);
    let priority = per_holder("priorityClassName", SA_HOLDERS);
    vec![
        hpa("Deployment"),
        hpa("ReplicationController"),
        hpa("ReplicaSet"),
        hpa("StatefulSet"),
        backref("ConfigMap", "", "v1", config_map),
        backref("Secret", "", "v1", secret),
        backref("Service", "", "v1", service),
        backref(
            "Role",
            rbac,
            "",
            vec![fs("RoleBinding", rbac, "", "roleRef/name", false)],
        ),
        backref(
            "ClusterRole",
            rbac,
            "",
            vec![
                fs("RoleBinding", rbac, "", "roleRef/name", false),
                fs("ClusterRoleBinding", rbac, "", "roleRef/name", false),
            ],
        ),
        backref("ServiceAccount", "", "v1", service_account),
        backref("PersistentVolumeClaim", "", "v1", pvc),
        backref(
            "PersistentVolume",
            "",
            "v1",
            vec![
                fs("PersistentVolumeClaim", "", "", "spec/volumeName", false),
                fs("ClusterRole", "", "", "rules/resourceNames", false),
            ],
        ),
        backref(
            "StorageClass",
            "storage.k8s.io",
            "v1",
            vec![
                fs("PersistentVolume", "", "", "spec/storageClassName", false),
                fs(
                    "PersistentVolumeClaim",
                    "",
                    "",
                    "spec/storageClassName",
                    false,
                ),
                fs(
                    "StatefulSet",
                    "",
                    "",
                    "spec/volumeClaimTemplates/spec/storageClassName",
                    false,
                ),
            ],
        ),
        backref(
            "ValidatingAdmissionPolicy",
            "admissionregistration.k8s.io",
            "",
            vec![fs(
                "ValidatingAdmissionPolicyBinding",
                "admissionregistration.k8s.io",
                "",
                "spec/policyName",
                false,
            )],
        ),
        backref("PriorityClass", "scheduling.k8s.io", "v1", priority),
        backref(
            "IngressClass",
            "networking.k8s.io/v1",
            "v1",
            vec![fs("Ingress", "", "", "spec/ingressClassName", false)],
        ),
    ]
}
