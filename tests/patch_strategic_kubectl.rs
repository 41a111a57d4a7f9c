//! Differential test: our strategic merge against kubectl's (`kubectl patch --local`), which
//! runs apimachinery's strategicpatch with the compiled-in Go types. Skipped (with a note)
//! when kubectl 1.33 is not installed.

use fluxdeck::engine::patch::{BuiltinSchema, strategic_merge};
use serde_json::{Value, json};
use std::process::Command;

const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

fn kubectl_patch(target: &Value, patch: &Value) -> Result<Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("object.json");
    std::fs::write(&file, target.to_string()).map_err(|e| e.to_string())?;
    let out = Command::new(KUBECTL)
        .args([
            "patch",
            "--local",
            "-o",
            "json",
            "--type",
            "strategic",
            "-f",
        ])
        .arg(&file)
        .arg("-p")
        .arg(patch.to_string())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

fn deployment() -> Value {
    json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"demo","finalizers":["a","b","c"],
      "labels":{"app":"nginx","tier":"web"}},
      "spec":{"replicas":2,"selector":{"matchLabels":{"app":"nginx"}},
        "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}},
        "template":{"metadata":{"labels":{"app":"nginx"}},"spec":{
          "containers":[
            {"name":"a","image":"nginx","ports":[{"containerPort":80},{"containerPort":81,"name":"m"}],
             "env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],"args":["--a","--b"]},
            {"name":"b","image":"b","volumeMounts":[{"name":"v","mountPath":"/v"}]},
            {"name":"c","image":"c"}],
          "volumes":[{"name":"v","emptyDir":{}},{"name":"w","configMap":{"name":"cm"}}],
          "tolerations":[{"effect":"NoSchedule","key":"dedicated","value":"test-team"}]}}}})
}

fn service() -> Value {
    json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":{"app":"x"},
      "ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443}]}})
}

fn cronjob() -> Value {
    json!({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{"schedule":"* * * * *",
      "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
        "containers":[{"name":"job","image":"v1","env":[{"name":"M","value":"0"}]}]}}}}}})
}

fn pod() -> Value {
    json!({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
        "ownerReferences":[{"uid":"u1","kind":"ReplicaSet","name":"rs1","apiVersion":"apps/v1"}]},
      "spec":{"volumes":[{"name":"data","emptyDir":{}}],"containers":[{"name":"app","image":"a",
        "ports":[{"containerPort":8080,"protocol":"TCP"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]}]}})
}

fn cases() -> Vec<(&'static str, Value, Value)> {
    let c = |spec: Value| json!({"spec":{"template":{"spec": spec}}});
    vec![
        (
            "add container goes first",
            deployment(),
            c(json!({"containers":[{"name":"d","image":"redis"}]})),
        ),
        (
            "update middle and add",
            deployment(),
            c(json!({"containers":[{"name":"b","image":"b2"},{"name":"d","image":"d"}]})),
        ),
        (
            "reversed known items",
            deployment(),
            c(json!({"containers":[{"name":"c","image":"c2"},{"name":"a","image":"a2"}]})),
        ),
        (
            "tolerations atomic",
            deployment(),
            c(json!({"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]})),
        ),
        (
            "delete container",
            deployment(),
            c(json!({"containers":[{"name":"b","$patch":"delete"}]})),
        ),
        (
            "replace containers",
            deployment(),
            c(json!({"containers":[{"name":"z","image":"z"},{"$patch":"replace"}]})),
        ),
        (
            "nested ports and env",
            deployment(),
            c(
                json!({"containers":[{"name":"a","ports":[{"containerPort":82}],
            "env":[{"name":"Y","value":null},{"name":"X","value":"9"}]}]}),
            ),
        ),
        (
            "env value null removes field",
            deployment(),
            c(json!({"containers":[{"name":"a","env":[{"name":"Y","value":null}]}]})),
        ),
        (
            "args atomic",
            deployment(),
            c(json!({"containers":[{"name":"a","args":["--c"]}]})),
        ),
        (
            "volumes merge by name",
            deployment(),
            c(
                json!({"volumes":[{"name":"w","configMap":{"name":"cm2"}},{"name":"n","emptyDir":{}}]}),
            ),
        ),
        (
            "volume retainKeys",
            deployment(),
            c(
                json!({"volumes":[{"name":"v","$retainKeys":["name","secret"],"secret":{"secretName":"s"}}]}),
            ),
        ),
        (
            "finalizers set",
            deployment(),
            json!({"metadata":{"finalizers":["d","b"]}}),
        ),
        (
            "delete from primitive list",
            deployment(),
            json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}}),
        ),
        (
            "set element order primitives",
            deployment(),
            json!({"metadata":{"$setElementOrder/finalizers":["c","a","b"]}}),
        ),
        (
            "set element order with patch",
            deployment(),
            json!({"metadata":{"$setElementOrder/finalizers":["c","d","a"],"finalizers":["d"]}}),
        ),
        (
            "set element order containers",
            deployment(),
            c(
                json!({"$setElementOrder/containers":[{"name":"c"},{"name":"b"},{"name":"a"}],
            "containers":[{"name":"b","image":"b3"}]}),
            ),
        ),
        (
            "set element order partial",
            deployment(),
            c(json!({"$setElementOrder/containers":[{"name":"c"},{"name":"a"}]})),
        ),
        (
            "retainKeys strategy",
            deployment(),
            json!({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}),
        ),
        (
            "strategy without retainKeys",
            deployment(),
            json!({"spec":{"strategy":{"type":"Recreate"}}}),
        ),
        (
            "map replace",
            deployment(),
            json!({"metadata":{"labels":{"$patch":"replace","only":"this"}}}),
        ),
        (
            "map delete",
            deployment(),
            json!({"spec":{"template":{"metadata":{"$patch":"delete"}}}}),
        ),
        (
            "null deletes",
            deployment(),
            json!({"metadata":{"labels":{"tier":null,"new":"v"}},"spec":{"replicas":null}}),
        ),
        (
            "new field with nested null",
            deployment(),
            json!({"spec":{"paused":true,"minReadySeconds":5}}),
        ),
        (
            "service ports by port",
            service(),
            json!({"spec":{"ports":[{"port":443,"targetPort":8443},{"port":8080,"name":"alt"}]}}),
        ),
        (
            "service selector",
            service(),
            json!({"spec":{"selector":{"app":"y","v":"2"}}}),
        ),
        (
            "service port delete",
            service(),
            json!({"spec":{"ports":[{"port":80,"$patch":"delete"}]}}),
        ),
        (
            "cronjob containers",
            cronjob(),
            json!({"spec":{"jobTemplate":{"spec":{"template":{"spec":{
            "containers":[{"name":"job","image":"v2","env":[{"name":"N","value":"1"}]},{"name":"extra","image":"e"}]}}}}}}),
        ),
        (
            "pod ports by containerPort",
            pod(),
            json!({"spec":{"containers":[{"name":"app","ports":[{"containerPort":8080,"protocol":"UDP"},{"containerPort":9090}]}]}}),
        ),
        (
            "owner references by uid",
            pod(),
            json!({"metadata":{"ownerReferences":[{"uid":"u2","kind":"ReplicaSet","name":"rs2","apiVersion":"apps/v1"},{"uid":"u1","controller":true}]}}),
        ),
        (
            "pod volumes and mounts",
            pod(),
            json!({"spec":{"volumes":[{"name":"data","emptyDir":{"medium":"Memory"}}],
            "containers":[{"name":"app","volumeMounts":[{"mountPath":"/data","readOnly":true},{"mountPath":"/new","name":"data"}]}]}}),
        ),
        (
            "change list to scalar type",
            deployment(),
            json!({"spec":{"template":{"metadata":{"labels":"oops"}}}}),
        ),
    ]
}

#[test]
fn strategic_merge_matches_kubectl() {
    if !std::path::Path::new(KUBECTL).exists() {
        eprintln!("skipped: {KUBECTL} not installed");
        return;
    }
    let mut failures = Vec::new();
    let mut both_failed = Vec::new();
    for (name, target, patch) in cases() {
        let schema = BuiltinSchema::for_kind(
            target["apiVersion"].as_str().unwrap_or(""),
            target["kind"].as_str().unwrap_or(""),
        );
        let ours = strategic_merge(&target, &patch, &schema);
        let theirs = kubectl_patch(&target, &patch);
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) if ours == theirs => {}
            (Err(_), Err(_)) => both_failed.push(name),
            (ours, theirs) => failures.push(format!(
                "{name}:\n  ours:    {ours:?}\n  kubectl: {theirs:?}"
            )),
        }
    }
    // Only the case that changes a map into a string is refused by kubectl (typed decoding).
    assert!(
        both_failed.len() <= 1,
        "unexpectedly failing on both sides: {both_failed:?}"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
