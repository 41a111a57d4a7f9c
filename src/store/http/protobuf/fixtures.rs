//! The decoder against bodies captured from real kubectl 1.33 (`-v=9` logs the protobuf body
//! it sends) for every typed `kubectl create` subcommand. Each `.pb` sits next to the `.json`
//! the same command prints with `--dry-run=client -o json`, the client's own rendering of the
//! object it encodes: decoding must give exactly that object, down to the `null` Go prints for
//! a zero creationTimestamp.

use serde_json::Value;

use super::{ProtobufError, decode};

const FIXTURES: &[&str] = &[
    "clusterrole",
    "clusterrole-aggregate",
    "clusterrole-nonresource",
    "clusterrolebinding",
    "configmap",
    "cronjob",
    "deployment",
    "deployment-command",
    "ingress",
    "job",
    "job-from-cronjob",
    "namespace",
    "pdb-max",
    "pdb-min",
    "priorityclass",
    "priorityclass-default",
    "quota",
    "quota-scopes",
    "role",
    "rolebinding",
    "rolebinding-clusterrole",
    "secret-docker",
    "secret-generic",
    "service-clusterip",
    "service-externalname",
    "service-headless",
    "service-loadbalancer",
    "service-nodeport",
    "serviceaccount",
];

fn fixture(name: &str, ext: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/kubectl-protobuf/{name}.{ext}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_captured_kubectl_body_decodes_to_its_dry_run_rendering() {
    let mut failures = Vec::new();
    for name in FIXTURES {
        let expected: Value =
            serde_json::from_slice(&fixture(name, "json")).expect("dry-run JSON fixture");
        match decode(&fixture(name, "pb")) {
            Ok(decoded) if decoded == expected => {}
            Ok(decoded) => failures.push(format!(
                "{name}:\n  decoded  {decoded}\n  expected {expected}"
            )),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A real Deployment body with one more PodSpec field (affinity, field 18) than the tables
/// know must be refused, naming the message and field, not stored without it.
#[test]
fn an_unknown_non_zero_field_is_refused_by_number() {
    let mut body = fixture("deployment", "pb");
    // Walk to the PodSpec (Unknown.raw → Deployment.spec → template → spec) and append a
    // non-empty field 18, fixing the enclosing lengths. Lengths here are all < 128 or two
    // bytes; the helper re-encodes each level.
    let envelope = &body[4..];
    let rebuilt = rewrite(envelope, &[2, 2, 3, 2], &[0x92, 0x01, 0x02, 0x0a, 0x00]);
    body.truncate(4);
    body.extend(rebuilt);
    assert_eq!(
        decode(&body).unwrap_err(),
        ProtobufError::UnknownField {
            message: "core.v1.PodSpec",
            number: 18
        }
    );
}

/// Re-encodes `message`, appending `extra` inside the sub-message reached by following the
/// first occurrence of each field number in `path`.
fn rewrite(message: &[u8], path: &[u64], extra: &[u8]) -> Vec<u8> {
    use super::wire::{Wire, fields};
    let Some((&head, rest)) = path.split_first() else {
        let mut out = message.to_vec();
        out.extend_from_slice(extra);
        return out;
    };
    let mut out = Vec::new();
    let mut done = false;
    for (number, wire) in fields(message).expect("valid protobuf") {
        match wire {
            Wire::Varint(v) => {
                varint(number << 3, &mut out);
                varint(v, &mut out);
            }
            Wire::Len(b) => {
                let payload = if number == head && !done {
                    done = true;
                    rewrite(b, rest, extra)
                } else {
                    b.to_vec()
                };
                varint(number << 3 | 2, &mut out);
                varint(payload.len() as u64, &mut out);
                out.extend(payload);
            }
            Wire::Fixed => panic!("no fixed fields in fixtures"),
        }
    }
    out
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// `kubectl create token` has no dry-run rendering; its body asks for one audience and an
/// hour (`--audience=api --duration=1h`).
#[test]
fn a_token_request_decodes() {
    let decoded = decode(&fixture("token", "pb")).expect("TokenRequest");
    assert_eq!(
        decoded,
        serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "metadata": {"creationTimestamp": null}, "spec": {"audiences": ["api"], "expirationSeconds": 3600},
            // `token` has no omitempty: Go prints the empty string
            "status": {"token": "", "expirationTimestamp": null}})
    );
}
