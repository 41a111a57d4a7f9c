//! The structural-schema engine on the real Flux CRDs (and small schemas for keywords Flux
//! does not use): each check produces kube-apiserver's field error for the field at fault.

use fluxdeck::api::crds::embedded_schema;
use fluxdeck::engine::schema::{
    FieldReason, FieldValidation, admit, apply_defaults, check, validate,
};
use serde_json::{Value, json};

fn schema(api_version: &str, kind: &str) -> Value {
    embedded_schema(api_version, kind).unwrap()
}

fn git(spec: Value) -> Value {
    json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
           "metadata": {"name": "x", "namespace": "default"}, "spec": spec})
}

fn messages(errors: &[fluxdeck::engine::schema::FieldError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn flux_fields_fail_with_apiserver_messages() {
    let s = schema("source.toolkit.fluxcd.io/v1", "GitRepository");
    let cases = [
        (
            json!({"interval": 5, "url": "https://x"}),
            "spec.interval: Invalid value: \"integer\": spec.interval in body must be of type string: \"integer\"",
        ),
        (
            json!({"interval": "1m", "url": "git@github.com:org/repo"}),
            // The embedded set also accepts file:// (see api::crds::allow_local_git_urls).
            "spec.url: Invalid value: \"git@github.com:org/repo\": spec.url in body should match '^((http|https|ssh|git|file)://.*|/.*)$'",
        ),
        (
            json!({"interval": "1m", "url": "https://x", "provider": "gitlab"}),
            "spec.provider: Unsupported value: \"gitlab\": supported values: \"generic\", \"aws\", \"azure\", \"github\"",
        ),
        (json!({"url": "https://x"}), "spec.interval: Required value"),
        (
            json!({"interval": "1m", "url": "https://x", "timeout": "1h"}),
            "spec.timeout: Invalid value: \"1h\": spec.timeout in body should match '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$'",
        ),
        (
            json!({"interval": "1m", "url": "https://x", "verify": {"mode": "HEAD"}}),
            "spec.verify.secretRef: Required value",
        ),
    ];
    for (spec, expected) in cases {
        assert_eq!(messages(&validate(&s, &git(spec))), [expected]);
    }
}

#[test]
fn lengths_counts_and_bounds() {
    let ks = schema("kustomize.toolkit.fluxcd.io/v1", "Kustomization");
    let obj = |extra: Value| {
        let mut spec = json!({"interval": "5m", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "s"}});
        spec.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "k"}, "spec": spec})
    };
    assert_eq!(
        messages(&validate(&ks, &obj(json!({"namePrefix": ""})))),
        [
            "spec.namePrefix: Invalid value: \"\": spec.namePrefix in body should be at least 1 chars long"
        ]
    );
    assert_eq!(
        messages(&validate(&ks, &obj(json!({"namePrefix": "p".repeat(201)})))),
        ["spec.namePrefix: Too long: may not be more than 200 bytes"]
    );
    let errors = validate(
        &ks,
        &obj(json!({"postBuild": {"substituteFrom": [{"kind": "Secret"}]}})),
    );
    assert_eq!(
        messages(&errors),
        ["spec.postBuild.substituteFrom[0].name: Required value"]
    );
    assert_eq!(errors[0].reason, FieldReason::FieldValueRequired);

    let ir = schema("image.toolkit.fluxcd.io/v1", "ImageRepository");
    let list: Vec<String> = (0..26).map(|i| format!("^tag-{i}$")).collect();
    let repo = json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository", "metadata": {"name": "r"},
                      "spec": {"image": "ghcr.io/a/b", "interval": "1m", "exclusionList": list}});
    let errors = validate(&ir, &repo);
    assert_eq!(
        messages(&errors),
        ["spec.exclusionList: Too many: 26: must have at most 25 items"]
    );
    assert_eq!(errors[0].reason, FieldReason::FieldValueTooMany);
}

#[test]
fn status_fields_check_formats_and_minimums() {
    let s = schema("source.toolkit.fluxcd.io/v1", "GitRepository");
    let mut obj = git(json!({"interval": "1m", "url": "https://x"}));
    obj["status"] = json!({
        "observedGeneration": "1",
        "conditions": [{"type": "Ready", "status": "Maybe", "observedGeneration": -2,
                        "lastTransitionTime": "yesterday", "reason": "Succeeded", "message": ""}],
        "artifact": {"path": "p", "url": "u", "revision": "r", "digest": "not-a-digest", "lastUpdateTime": "2024-01-01T00:00:00Z"}
    });
    let got = messages(&validate(&s, &obj));
    let expected = [
        "status.observedGeneration: Invalid value: \"string\": status.observedGeneration in body must be of type integer: \"string\"",
        "status.conditions[0].status: Unsupported value: \"Maybe\": supported values: \"True\", \"False\", \"Unknown\"",
        "status.conditions[0].observedGeneration: Invalid value: -2: status.conditions[0].observedGeneration in body should be greater than or equal to 0",
        "status.conditions[0].lastTransitionTime: Invalid value: \"yesterday\": status.conditions[0].lastTransitionTime in body must be of type date-time: \"yesterday\"",
        "status.artifact.digest: Invalid value: \"not-a-digest\": status.artifact.digest in body should match '^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$'",
    ];
    for e in expected {
        assert!(got.contains(&e.to_string()), "missing {e}\n got {got:#?}");
    }
    assert_eq!(got.len(), expected.len(), "{got:#?}");
}

#[test]
fn list_map_keys_must_be_unique() {
    let s = schema("notification.toolkit.fluxcd.io/v1", "Receiver");
    let provider = json!({"issuerURL": "https://token.actions.githubusercontent.com", "validations": [{"expression": "true", "message": "m"}]});
    let obj = json!({"apiVersion": "notification.toolkit.fluxcd.io/v1", "kind": "Receiver", "metadata": {"name": "r"},
        "spec": {"type": "generic-oidc", "resources": [{"kind": "GitRepository", "name": "a"}],
                 "oidcProviders": [provider.clone(), provider]}});
    let errors = validate(&s, &obj);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].reason, FieldReason::FieldValueDuplicate);
    assert_eq!(errors[0].field, "spec.oidcProviders[1]");
}

#[test]
fn cel_rules_are_reported_as_not_evaluated() {
    let s = schema("helm.toolkit.fluxcd.io/v2", "HelmRelease");
    // Both chart and chartRef: the CEL rule on spec would reject this; we can only say so.
    let obj = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "h"},
        "spec": {"interval": "5m",
                 "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "p"}}},
                 "chartRef": {"kind": "OCIRepository", "name": "o"}}});
    let report = check(&s, &obj);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let on_spec: Vec<_> = report
        .skipped_rules
        .iter()
        .filter(|r| r.field == "spec")
        .collect();
    assert_eq!(on_spec.len(), 1, "{:?}", report.skipped_rules);
    assert!(
        on_spec[0].rule.contains("has(self.chartRef)"),
        "{}",
        on_spec[0].rule
    );
    assert!(on_spec[0].message.is_some());
    // Rules under absent fields are not listed.
    assert!(
        report
            .skipped_rules
            .iter()
            .all(|r| !r.field.starts_with("spec.install"))
    );
}

#[test]
fn admission_defaults_like_the_apiserver() {
    let s = schema("source.toolkit.fluxcd.io/v1", "GitRepository");
    let mut obj =
        git(json!({"interval": "1m", "url": "https://x", "verify": {"secretRef": {"name": "k"}}}));
    let admission = admit(&s, &mut obj, FieldValidation::Strict);
    assert!(admission.is_allowed(), "{:?}", admission.errors);
    assert_eq!(obj["spec"]["timeout"], "60s");
    assert_eq!(obj["spec"]["verify"]["mode"], "HEAD");
    assert_eq!(obj["status"], json!({"observedGeneration": -1}));

    let iua = schema("image.toolkit.fluxcd.io/v1", "ImageUpdateAutomation");
    let mut obj = json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
        "metadata": {"name": "u"}, "spec": {"interval": "5m", "sourceRef": {"name": "fleet"}}});
    apply_defaults(&iua, &mut obj);
    assert_eq!(obj["spec"]["update"], json!({"strategy": "Setters"}));
    assert_eq!(obj["spec"]["sourceRef"]["kind"], "GitRepository");

    let ir = schema("image.toolkit.fluxcd.io/v1", "ImageRepository");
    let mut obj = json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository", "metadata": {"name": "r"},
        "spec": {"image": "ghcr.io/a/b", "interval": "1m", "provider": null}});
    apply_defaults(&ir, &mut obj);
    assert_eq!(obj["spec"]["exclusionList"], json!(["^.*\\.sig$"]));
    assert_eq!(
        obj["spec"]["provider"], "generic",
        "a null non-nullable field takes its default"
    );
}

#[test]
fn free_form_values_are_kept_and_unknowns_pruned() {
    let s = schema("helm.toolkit.fluxcd.io/v2", "HelmRelease");
    let mut obj = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
        "metadata": {"name": "h", "labels": {"a": "b"}},
        "spec": {"interval": "5m", "chartRef": {"kind": "OCIRepository", "name": "o"},
                 "values": {"deep": {"list": [1, {"x": null}]}}, "bogus": 1,
                 "install": {"remediation": {"retries": 3, "retryForever": true}}}});
    let admission = admit(&s, &mut obj, FieldValidation::Warn);
    assert!(admission.is_allowed(), "{:?}", admission.errors);
    assert_eq!(
        admission.pruned,
        ["spec.bogus", "spec.install.remediation.retryForever"]
    );
    assert_eq!(obj["spec"]["values"]["deep"]["list"][1], json!({"x": null}));
    assert_eq!(obj["metadata"]["labels"]["a"], "b");
}

#[test]
fn keywords_flux_does_not_use() {
    let s = json!({"type": "object", "properties": {
        "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "maybe": {"type": "string", "nullable": true},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "exclusiveMaximum": true, "multipleOf": 2},
        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set", "minItems": 1},
        "choice": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                   "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
        "notEmpty": {"type": "string", "not": {"enum": [""]}},
        "both": {"type": "string", "allOf": [{"minLength": 2}, {"pattern": "^a"}]},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 1},
        "sealed": {"type": "object", "properties": {"x": {"type": "string"}}, "additionalProperties": false},
        "when": {"type": "string", "format": "date-time"}
    }});
    let ok = json!({"port": "http", "maybe": null, "replicas": 4, "tags": ["a", "b"], "choice": {"a": "1"},
                    "notEmpty": "x", "both": "ab", "labels": {"k": "v"}, "sealed": {"x": "1"}, "when": "2024-01-01T00:00:00Z"});
    assert!(validate(&s, &ok).is_empty(), "{:?}", validate(&s, &ok));
    let bad = json!({"port": true, "replicas": 10, "tags": ["a", "a"], "choice": {"a": "1", "b": "2"},
                     "notEmpty": "", "both": "b", "labels": {"k": "v", "l": 1}, "sealed": {"y": "1"}});
    let got = messages(&validate(&s, &bad));
    let expected = [
        "port: Invalid value: \"boolean\": port in body must be of type integer-or-string: \"boolean\"",
        "replicas: Invalid value: 10: replicas in body should be less than 10",
        "tags[1]: Duplicate value: \"a\"",
        "choice: Invalid value: \"object\": choice in body must validate one and only one schema (oneOf)",
        "notEmpty: Invalid value: \"\": notEmpty in body must not validate the schema (not)",
        "both: Invalid value: \"b\": both in body should be at least 2 chars long",
        "both: Invalid value: \"b\": both in body should match '^a'",
        "labels: Too many: 2: must have at most 1 items",
        "labels.l: Invalid value: \"integer\": labels.l in body must be of type string: \"integer\"",
        "sealed.y: Forbidden: sealed.y in body is a forbidden property",
    ];
    for e in expected {
        assert!(got.contains(&e.to_string()), "missing {e}\n got {got:#?}");
    }
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    let odd = json!({"replicas": 3, "tags": [], "maybe": 5});
    let got = messages(&validate(&s, &odd));
    assert!(
        got.contains(
            &"replicas: Invalid value: 3: replicas in body should be a multiple of 2".to_string()
        ),
        "{got:?}"
    );
    assert!(
        got.contains(
            &"tags: Invalid value: 0: tags in body should have at least 1 items".to_string()
        ),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|m| m.starts_with("maybe: Invalid value: \"integer\"")),
        "{got:?}"
    );
    let null_required = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    assert_eq!(
        messages(&validate(&null_required, &json!({"a": null}))),
        ["a: Invalid value: \"null\": a in body must be of type string: \"null\""]
    );
}
