use super::*;
use serde_json::json;

const KEY: &str = include_str!("testdata/test.agekey");
const OTHER_KEY: &str = include_str!("testdata/other.agekey");
const ALL: &str = include_str!("testdata/all.enc.yaml");
const FLUX: &str = include_str!("testdata/flux.enc.yaml");
const MAC_ONLY: &str = include_str!("testdata/maconly.enc.yaml");

fn keys() -> AgeKeys {
    AgeKeys::parse(KEY).unwrap()
}

#[test]
fn decrypts_every_value_type_and_verifies_the_mac() {
    let doc = decrypt_yaml(ALL, &keys()).unwrap();
    assert_eq!(doc["kind"], "Secret");
    assert_eq!(
        doc["metadata"],
        json!({"name": "demo", "namespace": "default"})
    );
    assert_eq!(
        doc["stringData"],
        json!({"password": "s3cr3t", "token": "", "count": 3, "ratio": 1.5, "enabled": true,
               "yesish": "yes", "list": ["a", 2], "nested": {"deep": "value"}})
    );
    assert_eq!(doc["data"]["key"], "c2VjcmV0");
    assert!(doc.get("sops").is_none());
}

#[test]
fn partially_encrypted_files_hash_plain_values_too() {
    let doc = decrypt_yaml(FLUX, &keys()).unwrap();
    assert_eq!(
        doc["stringData"],
        json!({"password": "s3cr3t", "flag": false})
    );
    assert_eq!(doc["immutable"], true);
    assert_eq!(
        doc["spec_like"],
        json!({"replicas": 2, "ratio": 0.25, "switch": "yes", "empty": null})
    );
    let doc = decrypt_yaml(MAC_ONLY, &keys()).unwrap();
    assert_eq!(doc["data"]["key"], "c2VjcmV0");
}

#[test]
fn tampering_is_detected_by_the_mac() {
    let tampered = FLUX.replace("replicas: 2", "replicas: 3");
    assert!(matches!(
        decrypt_yaml(&tampered, &keys()),
        Err(SopsError::MacMismatch { .. })
    ));
    // With mac_only_encrypted, plain values are outside the MAC.
    let tampered = MAC_ONLY.replace("replicas: 2", "replicas: 3");
    assert!(decrypt_yaml(&tampered, &keys()).is_ok());
    // Moving an encrypted value to another key breaks its AAD.
    let moved = FLUX.replacen("password: ENC", "passw0rd: ENC", 1);
    assert_eq!(
        decrypt_yaml(&moved, &keys()).unwrap_err(),
        SopsError::DecryptFailed {
            path: "stringData.passw0rd".into()
        }
    );
}

#[test]
fn wrong_or_bad_keys_are_reported() {
    let err = decrypt_yaml(FLUX, &AgeKeys::parse(OTHER_KEY).unwrap()).unwrap_err();
    assert!(
        matches!(&err, SopsError::NoMatchingKey { recipients } if recipients.len() == 1),
        "{err}"
    );
    assert_eq!(
        AgeKeys::parse("# comment\nnot-a-key\n").unwrap_err(),
        SopsError::BadIdentity { line: 2 }
    );
    assert_eq!(
        decrypt_yaml("a: b\n", &keys()).unwrap_err(),
        SopsError::NotEncrypted
    );
}

#[test]
fn documents_from_the_manifest_reader_decrypt_too() {
    // After a kustomize build Flux sees JSON values; the sops metadata travels along.
    let doc: Value = crate::engine::yaml::parse_one(ALL).unwrap();
    assert!(is_sops_document(&doc));
    assert_eq!(
        decrypt_document(&doc, &keys()).unwrap()["stringData"]["password"],
        "s3cr3t"
    );
}

#[test]
fn masking_hides_secret_values_and_ciphertext() {
    let secret = json!({"kind": "Secret", "data": {"a": "c2VjcmV0"}, "stringData": {"b": "x"}});
    assert_eq!(
        mask_secret_data(&secret),
        json!({"kind": "Secret", "data": {"a": mask::MASK}, "stringData": {"b": mask::MASK}})
    );
    let cm = json!({"kind": "ConfigMap", "data": {"a": "visible"}});
    assert_eq!(mask_secret_data(&cm), cm);
    let doc: Value = crate::engine::yaml::parse_one(FLUX).unwrap();
    let masked = mask_encrypted_values(&doc);
    assert_eq!(masked["stringData"]["flag"], "ENC[…type:bool]");
    assert_eq!(masked["metadata"]["name"], "demo");
}

#[test]
fn identities_come_from_agekey_entries_of_a_secret() {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(KEY);
    let secret =
        json!({"kind": "Secret", "data": {"identity.agekey": encoded, "other.asc": "eA=="}});
    let keys = AgeKeys::from_secret(&secret).unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        decrypt_yaml(FLUX, &keys).unwrap()["stringData"]["password"],
        "s3cr3t"
    );
}

#[test]
fn json_dotenv_and_binary_files_decrypt() {
    let json_file = include_bytes!("testdata/app.enc.json");
    let plain: Value =
        serde_json::from_slice(&decrypt_file(json_file, SopsFormat::Json, &keys()).unwrap())
            .unwrap();
    assert_eq!(
        plain,
        json!({"user": "admin", "port": 5432, "ok": true, "list": [1, "x"]})
    );
    let env = decrypt_file(
        include_bytes!("testdata/app.enc.env"),
        SopsFormat::Dotenv,
        &keys(),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(env).unwrap(),
        "USER=admin\nPASS=s3cr3t\nPORT=5432\n"
    );
    let blob = decrypt_file(
        include_bytes!("testdata/blob.enc.bin"),
        SopsFormat::Binary,
        &keys(),
    )
    .unwrap();
    assert_eq!(blob, b"binary\x00data\n");
    assert_eq!(SopsFormat::from_file_name("a.enc.yml"), SopsFormat::Yaml);
    assert_eq!(SopsFormat::from_file_name("key"), SopsFormat::Binary);
}

#[test]
fn secret_data_values_holding_sops_files_are_decrypted() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {
        "app.env": b64.encode(include_bytes!("testdata/app.enc.env")),
        "plain.txt": b64.encode("not encrypted"),
    }});
    let out = decrypt_secret_values(&secret, &keys()).unwrap();
    let env = b64
        .decode(out["data"]["app.env"].as_str().unwrap())
        .unwrap();
    assert!(String::from_utf8(env).unwrap().contains("PASS=s3cr3t"));
    assert_eq!(out["data"]["plain.txt"], secret["data"]["plain.txt"]);
    let tampered = include_str!("testdata/app.enc.env")
        .replace("sops_lastmodified=2026", "sops_lastmodified=2025");
    let bad = json!({"kind": "Secret", "data": {"app.env": b64.encode(tampered)}});
    let err = decrypt_secret_values(&bad, &keys())
        .unwrap_err()
        .to_string();
    assert!(err.contains("Secret data key 'app.env'"), "{err}");
}

#[test]
fn encrypted_secrets_are_refused_at_apply_unless_decrypt_is_disabled() {
    let mut doc: Value = crate::engine::yaml::parse_one(FLUX).unwrap();
    let err = check_not_encrypted_secret(&doc).unwrap_err();
    assert_eq!(
        err,
        "Secret/default/demo is SOPS encrypted, configuring decryption is required for this secret to be reconciled"
    );
    doc["metadata"]["annotations"] = json!({DECRYPT_KEY: "disabled"});
    assert!(decryption_disabled(&doc));
    assert!(check_not_encrypted_secret(&doc).is_ok());
    assert!(check_not_encrypted_secret(&decrypt_yaml(FLUX, &keys()).unwrap()).is_ok());
}
