//! The transformer configuration: which fields each builtin transformer touches. Starts from
//! kustomize's defaults and grows with `configurations:` files and `crds:`, and is inherited
//! from bases by the kustomizations that include them.

use super::fieldspec::{FieldSpec, merge_specs, specs_from_value};
use serde_json::Value;

/// A kind whose name other resources refer to, and the fields that hold those references.
#[derive(Debug, Clone, PartialEq)]
pub struct NameBackRef {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub specs: Vec<FieldSpec>,
}

#[derive(Debug, Clone, Default)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    /// Extra fields for the `labels:` entries (the `labels` key of a configuration file).
    pub labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackRef>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
}

pub(super) fn fs(kind: &str, group: &str, version: &str, path: &str, create: bool) -> FieldSpec {
    FieldSpec {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        path: path.into(),
        create,
    }
}

/// metadata/labels plus the pod-template and claim-template labels of workloads.
fn template_label_specs(field: &str) -> Vec<FieldSpec> {
    vec![
        fs("", "", "", &format!("metadata/{field}"), true),
        fs(
            "ReplicationController",
            "",
            "v1",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "Deployment",
            "",
            "",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "ReplicaSet",
            "",
            "",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "DaemonSet",
            "",
            "",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "StatefulSet",
            if field == "labels" { "apps" } else { "" },
            "",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "Job",
            "batch",
            "",
            &format!("spec/template/metadata/{field}"),
            true,
        ),
        fs(
            "CronJob",
            "batch",
            "",
            &format!("spec/jobTemplate/metadata/{field}"),
            true,
        ),
        fs(
            "CronJob",
            "batch",
            "",
            &format!("spec/jobTemplate/spec/template/metadata/{field}"),
            true,
        ),
    ]
}

fn common_label_specs() -> Vec<FieldSpec> {
    let mut out = vec![
        fs("Service", "", "v1", "spec/selector", true),
        fs("ReplicationController", "", "v1", "spec/selector", true),
        fs("Deployment", "", "", "spec/selector/matchLabels", true),
    ];
    let affinity = [
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
    ];
    out.extend(
        affinity
            .iter()
            .map(|p| fs("Deployment", "apps", "", p, false)),
    );
    out.push(fs("ReplicaSet", "", "", "spec/selector/matchLabels", true));
    out.push(fs("DaemonSet", "", "", "spec/selector/matchLabels", true));
    out.push(fs(
        "StatefulSet",
        "apps",
        "",
        "spec/selector/matchLabels",
        true,
    ));
    out.push(fs(
        "StatefulSet",
        "apps",
        "",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ));
    out.extend(
        affinity
            .iter()
            .map(|p| fs("StatefulSet", "apps", "", p, false)),
    );
    out.extend([
        fs("Job", "batch", "", "spec/selector/matchLabels", false),
        fs(
            "CronJob",
            "batch",
            "",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        fs(
            "PodDisruptionBudget",
            "policy",
            "",
            "spec/selector/matchLabels",
            false,
        ),
        fs(
            "NetworkPolicy",
            "networking.k8s.io",
            "",
            "spec/podSelector/matchLabels",
            false,
        ),
        fs(
            "NetworkPolicy",
            "networking.k8s.io",
            "",
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        fs(
            "NetworkPolicy",
            "networking.k8s.io",
            "",
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ]);
    merge_specs(&mut out, &template_label_specs("labels"));
    out
}

impl TransformerConfig {
    pub fn defaults() -> Self {
        let mut template_labels = template_label_specs("labels");
        merge_specs(
            &mut template_labels,
            &[fs(
                "StatefulSet",
                "apps",
                "",
                "spec/volumeClaimTemplates[]/metadata/labels",
                true,
            )],
        );
        TransformerConfig {
            name_prefix: vec![FieldSpec::new("metadata/name", false)],
            name_suffix: vec![FieldSpec::new("metadata/name", false)],
            common_labels: common_label_specs(),
            template_labels,
            labels: Vec::new(),
            common_annotations: template_label_specs("annotations"),
            namespace: vec![
                fs("", "", "", "metadata/namespace", true),
                fs("Namespace", "", "", "metadata/name", true),
                fs("RoleBinding", "", "", "subjects[]/namespace", false),
                fs("ClusterRoleBinding", "", "", "subjects[]/namespace", false),
                fs(
                    "APIService",
                    "apiregistration.k8s.io",
                    "",
                    "spec/service/namespace",
                    true,
                ),
                fs(
                    "CustomResourceDefinition",
                    "apiextensions.k8s.io",
                    "",
                    "spec/conversion/webhook/clientConfig/service/namespace",
                    false,
                ),
            ],
            name_reference: super::config_nameref::default_name_references(),
            images: [
                "spec/containers[]/image",
                "spec/initContainers[]/image",
                "spec/template/spec/containers[]/image",
                "spec/template/spec/initContainers[]/image",
            ]
            .iter()
            .map(|p| FieldSpec::new(p, true))
            .collect(),
            replicas: [
                "Deployment",
                "ReplicationController",
                "ReplicaSet",
                "StatefulSet",
            ]
            .iter()
            .map(|k| fs(k, "", "", "spec/replicas", true))
            .collect(),
            var_reference: super::vars::default_var_reference(),
        }
    }

    /// Merge another config (from a base, a `configurations:` file or a CRD).
    pub fn merge(&mut self, other: &TransformerConfig) {
        merge_specs(&mut self.name_prefix, &other.name_prefix);
        merge_specs(&mut self.name_suffix, &other.name_suffix);
        merge_specs(&mut self.common_labels, &other.common_labels);
        merge_specs(&mut self.template_labels, &other.template_labels);
        merge_specs(&mut self.labels, &other.labels);
        merge_specs(&mut self.common_annotations, &other.common_annotations);
        merge_specs(&mut self.namespace, &other.namespace);
        merge_specs(&mut self.images, &other.images);
        merge_specs(&mut self.replicas, &other.replicas);
        merge_specs(&mut self.var_reference, &other.var_reference);
        for br in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|b| b.kind == br.kind && b.group == br.group && b.version == br.version)
            {
                Some(existing) => merge_specs(&mut existing.specs, &br.specs),
                None => self.name_reference.push(br.clone()),
            }
        }
    }

    /// Read a `configurations:` file's content.
    pub fn from_value(v: &Value) -> Result<Self, String> {
        let mut c = TransformerConfig::default();
        let Some(map) = v.as_object() else {
            return Err("a transformer configuration must be a mapping".into());
        };
        for (key, val) in map {
            let list = || specs_from_value(val);
            match key.as_str() {
                "namePrefix" => c.name_prefix = list()?,
                "nameSuffix" => c.name_suffix = list()?,
                "commonLabels" => c.common_labels = list()?,
                "templateLabels" => c.template_labels = list()?,
                "labels" => c.labels = list()?,
                "commonAnnotations" => c.common_annotations = list()?,
                "namespace" => c.namespace = list()?,
                "images" => c.images = list()?,
                "replicas" => c.replicas = list()?,
                "varReference" => c.var_reference = list()?,
                "nameReference" => {
                    for entry in val.as_array().into_iter().flatten() {
                        let s = |k: &str| {
                            entry
                                .get(k)
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string()
                        };
                        let specs = match entry.get("fieldSpecs") {
                            Some(v) => specs_from_value(v)?,
                            None => Vec::new(),
                        };
                        c.name_reference.push(NameBackRef {
                            group: s("group"),
                            version: s("version"),
                            kind: s("kind"),
                            specs,
                        });
                    }
                }
                other => return Err(format!("unknown transformer configuration field '{other}'")),
            }
        }
        Ok(c)
    }
}
