//! Round trip with the real tools: encrypt with `sops` for a fresh `age-keygen` identity and
//! decrypt with `engine::sops`. Skipped (with a note) when either binary is missing; the unit
//! tests in src/engine/sops cover committed fixtures made by the same tools.

use std::process::Command;

use fluxdeck::engine::sops::{AgeKeys, SopsError, decrypt_yaml};
use serde_json::json;

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn sops_binary_round_trip() {
    if !tool("sops") || !tool("age-keygen") {
        println!("sops round trip skipped: sops or age-keygen not installed (see TEST-INFRA.md)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key.agekey");
    assert!(
        Command::new("age-keygen")
            .arg("-o")
            .arg(&key_file)
            .output()
            .unwrap()
            .status
            .success()
    );
    let public = Command::new("age-keygen")
        .arg("-y")
        .arg(&key_file)
        .output()
        .unwrap();
    let recipient = String::from_utf8(public.stdout).unwrap().trim().to_string();
    let plain = dir.path().join("secret.yaml");
    std::fs::write(
        &plain,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  annotations:\n    note: \"on\"\nimmutable: false\nstringData:\n  user: admin # comment\n  port: 5432\n  tls: true\n  hosts: [a, b]\n",
    )
    .unwrap();
    let out = Command::new("sops")
        .current_dir(dir.path())
        .args([
            "--encrypt",
            "--age",
            &recipient,
            "--encrypted-regex",
            "^(data|stringData)$",
        ])
        .arg(&plain)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sops failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let encrypted = String::from_utf8(out.stdout).unwrap();
    let keys = AgeKeys::parse(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let doc = decrypt_yaml(&encrypted, &keys).unwrap();
    assert_eq!(
        doc["stringData"],
        json!({"user": "admin", "port": 5432, "tls": true, "hosts": ["a", "b"]})
    );
    assert_eq!(doc["metadata"]["annotations"]["note"], "on");
    let tampered = encrypted.replace("immutable: false", "immutable: true");
    assert!(matches!(
        decrypt_yaml(&tampered, &keys),
        Err(SopsError::MacMismatch { .. })
    ));
    println!("sops round trip: encrypted by the sops binary, decrypted and MAC-verified");
}
