//! Every typed `kubectl create` subcommand of kubectl 1.33 (which sends protobuf bodies and
//! never falls back to JSON) against a real `fluxdeck server`, plus a few with 1.31 and 1.29
//! (JSON). Each object read back with `kubectl get -o json` must equal what the same command
//! prints with `--dry-run=client -o json` (the client's rendering of the body it sends),
//! apart from the metadata the server fills in and the defaults it applies.

use crate::common;

use std::process::{Command, Output};

use common::{Server, stderr, stdout};
use serde_json::Value;

/// (kubectl args, resource to read back, name)
const CASES: &[(&[&str], &str, &str)] = &[
    (&["create", "namespace", "team-a"], "namespace", "team-a"),
    (
        &["create", "serviceaccount", "builder"],
        "serviceaccount",
        "builder",
    ),
    (
        &[
            "create",
            "configmap",
            "settings",
            "--from-literal=a=1",
            "--from-literal=b=two",
        ],
        "configmap",
        "settings",
    ),
    (
        &[
            "create",
            "secret",
            "generic",
            "creds",
            "--from-literal=user=admin",
            "--type=example.com/basic",
        ],
        "secret",
        "creds",
    ),
    (
        &[
            "create",
            "secret",
            "docker-registry",
            "regcred",
            "--docker-server=registry.example.com",
            "--docker-username=u",
            "--docker-password=p",
            "--docker-email=u@example.com",
        ],
        "secret",
        "regcred",
    ),
    (
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.27",
            "--replicas=3",
            "--port=80",
        ],
        "deployment",
        "web",
    ),
    (
        &[
            "create",
            "deployment",
            "worker",
            "--image=busybox:1.36",
            "--",
            "sleep",
            "3600",
        ],
        "deployment",
        "worker",
    ),
    (
        &[
            "create",
            "service",
            "clusterip",
            "api",
            "--tcp=80:8080",
            "--tcp=443:8443",
        ],
        "service",
        "api",
    ),
    (
        &[
            "create",
            "service",
            "clusterip",
            "headless",
            "--clusterip=None",
        ],
        "service",
        "headless",
    ),
    (
        &[
            "create",
            "service",
            "externalname",
            "ext",
            "--external-name=example.com",
            "--tcp=80",
        ],
        "service",
        "ext",
    ),
    (
        &["create", "service", "loadbalancer", "lb", "--tcp=80:8080"],
        "service",
        "lb",
    ),
    (
        &[
            "create",
            "service",
            "nodeport",
            "np",
            "--tcp=80:8080",
            "--node-port=30080",
        ],
        "service",
        "np",
    ),
    (
        &[
            "create",
            "cronjob",
            "nightly",
            "--image=busybox:1.36",
            "--schedule=*/5 * * * *",
            "--restart=OnFailure",
            "--",
            "date",
        ],
        "cronjob",
        "nightly",
    ),
    (
        &[
            "create",
            "job",
            "once",
            "--image=busybox:1.36",
            "--",
            "echo",
            "hi",
        ],
        "job",
        "once",
    ),
    (
        &["create", "job", "manual", "--from=cronjob/nightly"],
        "job",
        "manual",
    ),
    (
        &[
            "create",
            "clusterrole",
            "reader",
            "--verb=get,list,watch",
            "--resource=pods,deployments.apps",
            "--resource-name=web",
        ],
        "clusterrole",
        "reader",
    ),
    (
        &[
            "create",
            "clusterrole",
            "logs",
            "--verb=get",
            "--non-resource-url=/logs/*",
        ],
        "clusterrole",
        "logs",
    ),
    (
        &[
            "create",
            "clusterrole",
            "monitoring",
            "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true",
        ],
        "clusterrole",
        "monitoring",
    ),
    (
        &[
            "create",
            "clusterrolebinding",
            "readers",
            "--clusterrole=reader",
            "--user=alice",
            "--group=devs",
            "--serviceaccount=default:builder",
        ],
        "clusterrolebinding",
        "readers",
    ),
    (
        &[
            "create",
            "role",
            "pod-reader",
            "--verb=get,list",
            "--resource=pods,pods/log",
            "--resource-name=a",
            "--resource-name=b",
        ],
        "role",
        "pod-reader",
    ),
    (
        &[
            "create",
            "rolebinding",
            "read-pods",
            "--role=pod-reader",
            "--user=bob",
            "--serviceaccount=default:builder",
        ],
        "rolebinding",
        "read-pods",
    ),
    (
        &[
            "create",
            "rolebinding",
            "read-all",
            "--clusterrole=reader",
            "--group=devs",
        ],
        "rolebinding",
        "read-all",
    ),
    (
        &[
            "create",
            "ingress",
            "shop",
            "--class=nginx",
            "--rule=foo.com/bar=svc1:8080,tls=my-cert",
            "--rule=bar.com/*=svc2:http",
            "--annotation=example.com/team=web",
            "--default-backend=defsvc:80",
        ],
        "ingress",
        "shop",
    ),
    (
        &[
            "create",
            "poddisruptionbudget",
            "web-min",
            "--selector=app=web",
            "--min-available=50%",
        ],
        "poddisruptionbudget",
        "web-min",
    ),
    (
        &[
            "create",
            "poddisruptionbudget",
            "web-max",
            "--selector=app=web,tier=front",
            "--max-unavailable=1",
        ],
        "poddisruptionbudget",
        "web-max",
    ),
    (
        &[
            "create",
            "priorityclass",
            "high",
            "--value=1000",
            "--description=important workloads",
            "--preemption-policy=Never",
        ],
        "priorityclass",
        "high",
    ),
    (
        &[
            "create",
            "priorityclass",
            "low",
            "--value=-5",
            "--global-default=true",
        ],
        "priorityclass",
        "low",
    ),
    (
        &[
            "create",
            "quota",
            "compute",
            "--hard=pods=10,requests.cpu=1,limits.memory=2Gi,services.loadbalancers=0",
        ],
        "resourcequota",
        "compute",
    ),
    (
        &[
            "create",
            "quota",
            "besteffort",
            "--hard=pods=5",
            "--scopes=BestEffort,NotTerminating",
        ],
        "resourcequota",
        "besteffort",
    ),
];

fn kubectl(version: &str, server: &Server, args: &[&str]) -> Output {
    Command::new(format!("/usr/lib/google-cloud-sdk/bin/kubectl.{version}"))
        .arg("--kubeconfig")
        .arg(&server.kubeconfig)
        .args(args)
        .output()
        .expect("run kubectl")
}

/// Flags go before a `--` that starts the container command.
fn with_flags<'a>(args: &[&'a str], flags: &[&'a str]) -> Vec<&'a str> {
    let split = args.iter().position(|a| *a == "--").unwrap_or(args.len());
    let mut out = args[..split].to_vec();
    out.extend_from_slice(flags);
    out.extend_from_slice(&args[split..]);
    out
}

fn json(out: &Output, what: &str) -> Value {
    assert!(out.status.success(), "{what}: {}", stderr(out));
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{what}: {e}: {}", stdout(out)))
}

/// The client rendering minus what the server owns: the status and the top-level
/// creationTimestamp (null in the body, set on create).
fn expected_object(mut value: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.remove("status");
    }
    if let Some(meta) = value["metadata"].as_object_mut() {
        meta.remove("creationTimestamp");
    }
    value
}

/// The stored object minus what the server fills in: identity and bookkeeping metadata, the
/// status, and the defaults kube-apiserver applies on create (listed per kind).
fn stored_object(mut value: Value, expected: &Value) -> Value {
    if let Some(meta) = value["metadata"].as_object_mut() {
        for key in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
        ] {
            meta.remove(key);
        }
        if meta.get("namespace").and_then(Value::as_str) == Some("default")
            && expected.pointer("/metadata/namespace").is_none()
        {
            meta.remove("namespace");
        }
    }
    if let Some(map) = value.as_object_mut() {
        map.remove("status");
    }
    let server_default = |pointer: &str| expected.pointer(pointer).is_none();
    match value["kind"].as_str() {
        Some("Namespace") => {
            if let Some(labels) = value["metadata"]["labels"].as_object_mut() {
                labels.remove("kubernetes.io/metadata.name");
            }
            if value["metadata"]["labels"]
                .as_object()
                .is_some_and(|l| l.is_empty())
            {
                value["metadata"]
                    .as_object_mut()
                    .map(|m| m.remove("labels"));
            }
            // kube-apiserver adds the `kubernetes` finalizer to every namespace
            if server_default("/spec/finalizers")
                && value.pointer("/spec/finalizers") == Some(&serde_json::json!(["kubernetes"]))
            {
                value["spec"]
                    .as_object_mut()
                    .map(|m| m.remove("finalizers"));
            }
        }
        Some("Secret") if server_default("/type") => {
            value.as_object_mut().map(|m| m.remove("type"));
        }
        _ => {}
    }
    value
}

fn check_case(
    version: &str,
    server: &Server,
    args: &[&str],
    resource: &str,
    name: &str,
) -> Result<(), String> {
    let dry = kubectl(
        version,
        server,
        &with_flags(args, &["--dry-run=client", "-o", "json"]),
    );
    let expected = expected_object(json(&dry, &format!("{args:?} --dry-run=client")));
    let created = kubectl(version, server, args);
    if !created.status.success() {
        return Err(format!(
            "kubectl.{version} {args:?} failed: {}",
            stderr(&created)
        ));
    }
    let read = kubectl(version, server, &["get", resource, name, "-o", "json"]);
    let stored = stored_object(json(&read, &format!("get {resource} {name}")), &expected);
    if stored != expected {
        return Err(format!(
            "kubectl.{version} {args:?}:\n  stored   {stored}\n  expected {expected}"
        ));
    }
    Ok(())
}

#[test]
fn every_typed_create_subcommand_of_kubectl_1_33_stores_what_it_sent() {
    let server = Server::start(&[]);
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(args, resource, name)| {
            check_case("1.33", &server, args, resource, name).err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn create_secret_tls_with_kubectl_1_33() {
    let server = Server::start(&[]);
    let certified =
        rcgen::generate_simple_self_signed(vec!["example.com".to_string()]).expect("certificate");
    let cert = server.dir.path().join("tls.crt");
    let key = server.dir.path().join("tls.key");
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
    let cert_flag = format!("--cert={}", cert.display());
    let key_flag = format!("--key={}", key.display());
    let args = [
        "create",
        "secret",
        "tls",
        "web-tls",
        cert_flag.as_str(),
        key_flag.as_str(),
    ];
    check_case("1.33", &server, &args, "secret", "web-tls").unwrap();
}

/// Older clients send JSON for the same commands; both paths give the same objects.
#[test]
fn typed_creates_with_kubectl_1_31_and_1_29() {
    let server = Server::start(&[]);
    let mut failures = Vec::new();
    for version in ["1.31", "1.29"] {
        let suffix = version.replace('.', "-");
        let deployment = format!("web-{suffix}");
        let service = format!("api-{suffix}");
        let role = format!("reader-{suffix}");
        let cases: [(Vec<&str>, &str, &str); 3] = [
            (
                vec![
                    "create",
                    "deployment",
                    &deployment,
                    "--image=nginx:1.27",
                    "--replicas=2",
                    "--port=80",
                ],
                "deployment",
                &deployment,
            ),
            (
                vec!["create", "service", "nodeport", &service, "--tcp=80:8080"],
                "service",
                &service,
            ),
            (
                vec![
                    "create",
                    "clusterrole",
                    &role,
                    "--verb=get",
                    "--resource=pods",
                ],
                "clusterrole",
                &role,
            ),
        ];
        for (args, resource, name) in &cases {
            if let Err(e) = check_case(version, &server, args, resource, name) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `kubectl create token`: a signed token the server then accepts (for its own audience,
/// until it expires); other audiences, missing accounts and short durations are refused.
#[test]
fn create_token_issues_a_token_the_server_accepts() {
    let server = Server::start(&[]);
    server.kubectl_ok(&["create", "serviceaccount", "builder"]);
    let token = server.kubectl_ok(&["create", "token", "builder", "--duration=1h"]);
    let token = token.trim();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    let with_token = |t: &str| server.kubectl(&["--token", t, "get", "namespaces", "-o", "name"]);
    let listed = with_token(token);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains("namespace/default"));

    let vault = server.kubectl_ok(&["create", "token", "builder", "--audience=vault"]);
    let refused = with_token(vault.trim());
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("Unauthorized"),
        "{}",
        stderr(&refused)
    );
    let mut forged = token.to_string();
    forged.push('x');
    assert!(!with_token(&forged).status.success());

    let missing = server.kubectl(&["create", "token", "nobody"]);
    assert!(
        stderr(&missing).contains("serviceaccounts \"nobody\" not found"),
        "{}",
        stderr(&missing)
    );
    let short = server.kubectl(&["create", "token", "builder", "--duration=5m"]);
    assert!(
        stderr(&short).contains("less than 10 minutes"),
        "{}",
        stderr(&short)
    );
}

/// `--dry-run=server` sends the same protobuf body with `dryRun=All`: the decoded object
/// comes back and nothing is stored.
#[test]
fn server_side_dry_run_of_a_protobuf_create_stores_nothing() {
    let server = Server::start(&[]);
    let answered = server.kubectl(&[
        "create",
        "deployment",
        "probe",
        "--image=nginx",
        "--dry-run=server",
        "-o",
        "json",
    ]);
    let object = json(&answered, "create deployment --dry-run=server");
    assert_eq!(
        object["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx"
    );
    assert_eq!(object["spec"]["replicas"], 1);
    let read = server.kubectl(&["get", "deployment", "probe"]);
    assert!(stderr(&read).contains("not found"), "{}", stderr(&read));
}

/// `kubectl scale` patches the scale subresource; `set image`, `label` and `annotate` send
/// patches (JSON) on the objects the protobuf creates stored.
#[test]
fn scale_set_image_label_and_annotate_after_a_protobuf_create() {
    let server = Server::start(&[]);
    server.kubectl_ok(&[
        "create",
        "deployment",
        "web",
        "--image=nginx:1.27",
        "--replicas=2",
    ]);
    assert!(
        server
            .kubectl_ok(&["scale", "deployment", "web", "--replicas=5"])
            .contains("scaled")
    );
    server.kubectl_ok(&["set", "image", "deployment/web", "nginx=nginx:1.28"]);
    server.kubectl_ok(&["label", "deployment", "web", "team=shop"]);
    server.kubectl_ok(&["annotate", "deployment", "web", "example.com/note=hi"]);
    let object = json(
        &server.kubectl(&["get", "deployment", "web", "-o", "json"]),
        "get deployment",
    );
    assert_eq!(object["spec"]["replicas"], 5);
    assert_eq!(
        object["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.28"
    );
    assert_eq!(object["metadata"]["labels"]["team"], "shop");
    assert_eq!(object["metadata"]["annotations"]["example.com/note"], "hi");
    let scale = json(
        &server.kubectl(&[
            "get",
            "--raw",
            "/apis/apps/v1/namespaces/default/deployments/web/scale",
        ]),
        "get scale",
    );
    assert_eq!(scale["spec"]["replicas"], 5);
    assert_eq!(scale["status"]["selector"], "app=web");
    let refused = server.kubectl(&[
        "scale",
        "deployment",
        "web",
        "--replicas=3",
        "--current-replicas=4",
    ]);
    assert!(
        !refused.status.success(),
        "precondition --current-replicas=4 must fail"
    );
    let svc = server.kubectl(&[
        "expose",
        "deployment",
        "web",
        "--port=80",
        "--target-port=8080",
    ]);
    assert!(svc.status.success(), "{}", stderr(&svc));
    let service = json(
        &server.kubectl(&["get", "service", "web", "-o", "json"]),
        "get service",
    );
    assert_eq!(service["spec"]["ports"][0]["targetPort"], 8080);
    assert_eq!(service["spec"]["selector"]["app"], "web");
}
