//! Strategic merge patch: the examples of the Kubernetes task page "Update API Objects in
//! Place Using kubectl patch", the directives of the strategic-merge-patch design doc, CRD
//! list types, and errors.

use fluxdeck::engine::patch::{
    AtomicSchema, BuiltinSchema, CrdSchema, ListStrategy, MergeSchema, PatchError, strategic_merge,
};
use serde_json::{Value, json};

fn deploy_schema() -> BuiltinSchema {
    BuiltinSchema::for_kind("apps/v1", "Deployment")
}

fn patch_demo() -> Value {
    json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"patch-demo"},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"nginx"}},
        "template":{"metadata":{"labels":{"app":"nginx"}},"spec":{
          "containers":[{"name":"patch-demo-ctr","image":"nginx"}],
          "tolerations":[{"effect":"NoSchedule","key":"dedicated","value":"test-team"}]}}}})
}

fn containers(v: &Value) -> Vec<(&str, &str)> {
    v["spec"]["template"]["spec"]["containers"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or(""),
                        c["image"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn docs_strategic_patch_adds_a_container_in_front() {
    let patch = json!({"spec":{"template":{"spec":{"containers":[{"name":"patch-demo-ctr-2","image":"redis"}]}}}});
    let out = strategic_merge(&patch_demo(), &patch, &deploy_schema()).unwrap();
    assert_eq!(
        containers(&out),
        vec![("patch-demo-ctr-2", "redis"), ("patch-demo-ctr", "nginx")]
    );
    // Everything else is untouched.
    assert_eq!(out["spec"]["replicas"], 2);
    assert_eq!(
        out["spec"]["template"]["spec"]["tolerations"],
        patch_demo()["spec"]["template"]["spec"]["tolerations"]
    );
}

#[test]
fn docs_tolerations_have_no_patch_strategy_and_are_replaced() {
    let patch = json!({"spec":{"template":{"spec":{"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]}}}});
    let out = strategic_merge(&patch_demo(), &patch, &deploy_schema()).unwrap();
    assert_eq!(
        out["spec"]["template"]["spec"]["tolerations"],
        json!([{"effect":"NoSchedule","key":"disktype","value":"ssd"}])
    );
    assert_eq!(containers(&out), vec![("patch-demo-ctr", "nginx")]);
}

#[test]
fn docs_retain_keys_clears_rolling_update() {
    let target =
        json!({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"30%"}}}});
    let with = json!({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}});
    let without = json!({"spec":{"strategy":{"type":"Recreate"}}});
    let schema = deploy_schema();
    assert_eq!(
        strategic_merge(&target, &with, &schema).unwrap(),
        json!({"spec":{"strategy":{"type":"Recreate"}}})
    );
    assert_eq!(
        strategic_merge(&target, &without, &schema).unwrap(),
        json!({"spec":{"strategy":{"type":"Recreate","rollingUpdate":{"maxSurge":"30%"}}}})
    );
}

#[test]
fn retain_keys_rejects_a_patch_key_it_does_not_list() {
    let target = json!({"spec":{"strategy":{"type":"RollingUpdate"}}});
    let patch =
        json!({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":1}}}});
    let err = strategic_merge(&target, &patch, &deploy_schema()).unwrap_err();
    assert_eq!(
        err,
        PatchError::RetainKeys {
            path: ".spec.strategy".into(),
            key: "rollingUpdate".into()
        }
    );
}

#[test]
fn list_directives_from_the_design_doc() {
    let schema = deploy_schema();
    let target = json!({"spec":{"template":{"spec":{"containers":[
        {"name":"nginx","image":"nginx-1.0"},{"name":"log-tailer","image":"log-tailer-1.0"}]}}}});
    let c = |list: Value| json!({"spec":{"template":{"spec":{"containers": list}}}});

    let replaced = strategic_merge(
        &target,
        &c(json!([{"name":"nginx","image":"nginx-1.0"},{"$patch":"replace"}])),
        &schema,
    )
    .unwrap();
    assert_eq!(containers(&replaced), vec![("nginx", "nginx-1.0")]);

    let deleted = strategic_merge(
        &target,
        &c(json!([{"name":"log-tailer","$patch":"delete"}])),
        &schema,
    )
    .unwrap();
    assert_eq!(containers(&deleted), vec![("nginx", "nginx-1.0")]);

    let err = strategic_merge(
        &target,
        &c(json!([{"image":"x","$patch":"delete"}])),
        &schema,
    )
    .unwrap_err();
    assert!(
        matches!(err, PatchError::MissingMergeKey { ref key, .. } if key == "name"),
        "{err}"
    );

    let err = strategic_merge(&target, &c(json!([{"image":"no-name"}])), &schema).unwrap_err();
    assert!(
        err.to_string().contains(".spec.template.spec.containers"),
        "{err}"
    );

    let err = strategic_merge(
        &target,
        &c(json!([{"name":"nginx","$patch":"explode"}])),
        &schema,
    )
    .unwrap_err();
    assert!(matches!(err, PatchError::BadDirective { .. }), "{err}");
}

#[test]
fn map_directives() {
    let schema = deploy_schema();
    let target = json!({"metadata":{"labels":{"a":"1","b":"2"},"annotations":{"x":"y"}}});
    let out = strategic_merge(
        &target,
        &json!({"metadata":{"labels":{"$patch":"replace","c":"3"}}}),
        &schema,
    )
    .unwrap();
    assert_eq!(
        out,
        json!({"metadata":{"labels":{"c":"3"},"annotations":{"x":"y"}}})
    );
    let out = strategic_merge(
        &target,
        &json!({"metadata":{"annotations":{"$patch":"delete"}}}),
        &schema,
    )
    .unwrap();
    assert_eq!(
        out,
        json!({"metadata":{"labels":{"a":"1","b":"2"},"annotations":{}}})
    );
    let err = strategic_merge(
        &target,
        &json!({"metadata":{"labels":{"$patch":"nope"}}}),
        &schema,
    )
    .unwrap_err();
    assert!(
        matches!(err, PatchError::BadDirective { ref path, .. } if path == ".metadata.labels"),
        "{err}"
    );
}

#[test]
fn primitive_list_directives() {
    let schema = deploy_schema();
    let target = json!({"metadata":{"finalizers":["a","b","c"]}});
    let del = json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}});
    assert_eq!(
        strategic_merge(&target, &del, &schema).unwrap(),
        json!({"metadata":{"finalizers":["a","c"]}})
    );
    let order = json!({"metadata":{"$setElementOrder/finalizers":["c","a","b"]}});
    assert_eq!(
        strategic_merge(&target, &order, &schema).unwrap(),
        json!({"metadata":{"finalizers":["c","a","b"]}})
    );
    // Union without duplicates, a new item ahead of the live items it has no position among.
    let union = json!({"metadata":{"finalizers":["d","b"]}});
    assert_eq!(
        strategic_merge(&target, &union, &schema).unwrap(),
        json!({"metadata":{"finalizers":["d","a","b","c"]}})
    );
    // Deleting from an absent list adds nothing.
    let absent = json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["x"]}});
    assert_eq!(
        strategic_merge(&json!({"metadata":{}}), &absent, &schema).unwrap(),
        json!({"metadata":{}})
    );
}

#[test]
fn existing_keys_keep_their_position_and_new_keys_append() {
    let target = json!({"a":1,"b":{"x":1},"c":3});
    let out =
        strategic_merge(&target, &json!({"d":4,"b":{"y":2},"a":null}), &AtomicSchema).unwrap();
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["b", "c", "d"]);
}

#[test]
fn new_values_lose_their_directives_and_nulls() {
    let out = strategic_merge(
        &json!({}),
        &json!({"spec":{"template":{"spec":{"containers":[{"name":"a","image":null},{"$patch":"replace"}]}},"gone":null}}),
        &deploy_schema(),
    )
    .unwrap();
    assert_eq!(
        out,
        json!({"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}})
    );
}

fn crd_schema() -> CrdSchema {
    CrdSchema::new(
        &json!({"type":"object","properties":{"spec":{"type":"object","properties":{
        "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","zone"],
          "items":{"type":"object","properties":{"name":{"type":"string"},"zone":{"type":"string"},
            "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}},
        "plain":{"type":"array","items":{"type":"string"}},
        "selector":{"type":"object","x-kubernetes-map-type":"atomic"},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}),
    )
}

#[test]
fn crd_schema_reads_list_types() {
    let s = crd_schema();
    assert_eq!(
        s.list_strategy(&["spec", "items"]),
        ListStrategy::Map {
            keys: vec!["name".into(), "zone".into()]
        }
    );
    assert_eq!(
        s.list_strategy(&["spec", "items", "tags"]),
        ListStrategy::Set
    );
    assert_eq!(s.list_strategy(&["spec", "plain"]), ListStrategy::Atomic);
    assert_eq!(
        s.list_strategy(&["spec", "free", "x"]),
        ListStrategy::Atomic
    );
    assert_eq!(
        s.list_strategy(&["metadata", "finalizers"]),
        ListStrategy::Set
    );
    assert!(s.map_is_atomic(&["spec", "selector"]));
    assert!(!s.map_is_atomic(&["spec"]));
}

#[test]
fn crd_lists_merge_by_all_map_keys() {
    let target = json!({"spec":{"items":[{"name":"a","zone":"1","tags":["x"]},{"name":"a","zone":"2"}],"plain":["p","q"]}});
    let patch = json!({"spec":{"items":[{"name":"a","zone":"2","tags":["y"]},{"name":"b","zone":"1"}],"plain":["r"]}});
    let out = strategic_merge(&target, &patch, &crd_schema()).unwrap();
    assert_eq!(
        out,
        json!({"spec":{"items":[{"name":"a","zone":"1","tags":["x"]},{"name":"a","zone":"2","tags":["y"]},{"name":"b","zone":"1"}],
            "plain":["r"]}})
    );
}

#[test]
fn builtin_table_differs_between_patch_and_apply_where_kubernetes_does() {
    let s = deploy_schema();
    let ports = ["spec", "template", "spec", "containers", "ports"];
    assert_eq!(
        s.list_strategy(&ports),
        ListStrategy::map_by("containerPort")
    );
    assert_eq!(
        s.apply_list_strategy(&ports),
        ListStrategy::Map {
            keys: vec!["containerPort".into(), "protocol".into()]
        }
    );
    assert_eq!(
        s.list_strategy(&["spec", "template", "spec", "initContainers", "env"]),
        ListStrategy::map_by("name")
    );
    assert_eq!(
        s.list_strategy(&["spec", "template", "spec", "containers", "envFrom"]),
        ListStrategy::Atomic
    );
    assert_eq!(
        s.list_strategy(&["spec", "template", "spec", "containers", "volumeMounts"]),
        ListStrategy::map_by("mountPath")
    );
    assert_eq!(
        s.list_strategy(&["metadata", "ownerReferences"]),
        ListStrategy::map_by("uid")
    );
    assert_eq!(
        s.list_strategy(&["status", "conditions"]),
        ListStrategy::map_by("type")
    );
    assert!(s.map_is_atomic(&["spec", "selector"]));
    let cron = BuiltinSchema::for_kind("batch/v1", "CronJob");
    assert_eq!(
        cron.list_strategy(&["spec", "jobTemplate", "spec", "template", "spec", "volumes"]),
        ListStrategy::map_by("name")
    );
    let role = BuiltinSchema::for_kind("rbac.authorization.k8s.io/v1", "ClusterRole");
    assert_eq!(role.list_strategy(&["rules"]), ListStrategy::Atomic);
    let svc = BuiltinSchema::for_kind("v1", "Service");
    assert_eq!(
        svc.list_strategy(&["spec", "ports"]),
        ListStrategy::map_by("port")
    );
}

#[test]
fn non_object_patch_is_rejected_with_a_clear_message() {
    let err = strategic_merge(&json!({}), &json!([1]), &AtomicSchema).unwrap_err();
    assert!(err.to_string().contains("must be a JSON object"), "{err}");
}

#[test]
fn kyaml_fallback_merges_unknown_lists_by_associative_keys() {
    use fluxdeck::engine::patch::KyamlFallback;
    let schema = KyamlFallback(AtomicSchema);
    let target = json!({"spec":{"workers":[{"name":"a","size":1},{"name":"b","size":2}],
        "args":["x","y"],"rules":[{"host":"h1"}],"zones":[{"type":"t1","ip":"1.1.1.1"}]}});
    let patch = json!({"spec":{"workers":[{"name":"b","size":3},{"name":"c","size":1}],
        "args":["z"],"rules":[{"host":"h2"}],"zones":[{"type":"t1","ip":"2.2.2.2"}]}});
    let out = strategic_merge(&target, &patch, &schema).unwrap();
    assert_eq!(
        out["spec"]["workers"],
        json!([{"name":"a","size":1},{"name":"b","size":3},{"name":"c","size":1}])
    );
    assert_eq!(
        out["spec"]["args"],
        json!(["z"]),
        "scalar lists are replaced"
    );
    assert_eq!(
        out["spec"]["rules"],
        json!([{"host":"h2"}]),
        "lists without a known key are replaced"
    );
    // `ip` has precedence over `type`: different ips are different items.
    assert_eq!(
        out["spec"]["zones"],
        json!([{"type":"t1","ip":"2.2.2.2"},{"type":"t1","ip":"1.1.1.1"}])
    );
    // Lists the wrapped schema knows keep their strategy.
    let deploy = KyamlFallback(deploy_schema());
    assert_eq!(
        deploy.list_strategy(&["spec", "template", "spec", "containers"]),
        ListStrategy::map_by("name")
    );
}
