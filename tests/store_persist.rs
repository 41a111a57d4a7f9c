//! Persistence: state and resourceVersions survive a restart, and a SIGKILL during writes
//! loses no acknowledged write.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fluxdeck::store::Store;
use fluxdeck::store::types::*;
use serde_json::json;

fn wo() -> WriteOptions {
    WriteOptions {
        field_manager: Some("t".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn state_and_versions_survive_restart() {
    let dir = tempfile::tempdir().unwrap();
    let last_rv;
    {
        let s = Store::open(dir.path()).unwrap();
        let cms = s.resolve("", "v1", "configmaps").unwrap();
        let crds = s
            .resolve("apiextensions.k8s.io", "v1", "customresourcedefinitions")
            .unwrap();
        s.create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "keep"}, "data": {"a": "1"}}),
            &wo(),
        )
        .await
        .unwrap();
        s.create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "drop"}}),
            &wo(),
        )
        .await
        .unwrap();
        s.delete(&cms, Some("default"), "drop", &DeleteOptions::default())
            .await
            .unwrap();
        let crd = json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"}, "versions": [{"name": "v1", "served": true, "storage": true}]}});
        s.create(&crds, None, crd, &wo()).await.unwrap();
        let widgets = s.resolve("example.com", "v1", "widgets").unwrap();
        s.create(
            &widgets,
            Some("default"),
            json!({"metadata": {"name": "w"}, "spec": {"x": 1}}),
            &wo(),
        )
        .await
        .unwrap();
        last_rv = s.current_resource_version();
    }
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.current_resource_version(), last_rv);
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    assert_eq!(
        s.get(&cms, Some("default"), "keep").unwrap()["data"]["a"],
        "1"
    );
    assert_eq!(
        s.get(&cms, Some("default"), "drop").unwrap_err().code(),
        404
    );
    let widgets = s
        .resolve("example.com", "v1", "widgets")
        .expect("CRD types are registered again on open");
    assert_eq!(
        s.get(&widgets, Some("default"), "w").unwrap()["spec"]["x"],
        1
    );
    let next = s
        .create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "after"}}),
            &wo(),
        )
        .await
        .unwrap();
    let rv: u64 = next["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv > last_rv, "the RV counter continues after a restart");
    // a watch from before the restart cannot be replayed
    let err = s
        .watch(
            &cms,
            None,
            &WatchOptions {
                resource_version: Some("1".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), 410);
}

const CHILD_DIR: &str = "FLUXDECK_STORE_KILL_CHILD_DIR";

/// The child half of `sigkill_loses_no_acknowledged_write`: writes until killed, printing the
/// name of each acknowledged object. Does nothing when run as a normal test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_child_writer() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let s = Store::open(std::path::Path::new(&dir)).unwrap();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for w in 0..16 {
        let (s, cms, tx) = (s.clone(), cms.clone(), tx.clone());
        tokio::spawn(async move {
            for i in 0.. {
                let name = format!("w{w}-{i}");
                let body =
                    json!({"metadata": {"name": name}, "data": {"payload": "x".repeat(200)}});
                s.create(&cms, Some("default"), body, &wo()).await.unwrap();
                if tx.send(name).is_err() {
                    return;
                }
            }
        });
    }
    let mut out = std::io::stdout();
    while let Some(name) = rx.recv().await {
        writeln!(out, "ACK {name}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sigkill_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "store_persist::kill_child_writer",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(name) = line.strip_prefix("ACK ") {
                let _ = tx.send(name.to_string());
            }
        }
    });
    let started = Instant::now();
    let mut acked = Vec::new();
    // let it write for a while (at least 200 acknowledged writes), then SIGKILL mid-stream
    while started.elapsed() < Duration::from_secs(60)
        && (acked.len() < 200 || started.elapsed() < Duration::from_millis(1500))
    {
        if let Ok(n) = rx.recv_timeout(Duration::from_millis(50)) {
            acked.push(n);
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap();
    acked.extend(rx.try_iter());
    assert!(
        acked.len() >= 200,
        "the child acknowledged only {} writes",
        acked.len()
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = Store::open(dir.path()).expect("the database reopens after SIGKILL");
        let cms = s.resolve("", "v1", "configmaps").unwrap();
        let missing: Vec<&String> = acked
            .iter()
            .filter(|n| s.get(&cms, Some("default"), n).is_err())
            .collect();
        assert!(
            missing.is_empty(),
            "{} acknowledged writes lost, e.g. {:?}",
            missing.len(),
            missing.first()
        );
        let listed = s
            .list(&cms, Some("default"), &ListOptions::default())
            .unwrap();
        assert!(listed.items.len() >= acked.len());
        // and the store keeps working
        s.create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "after-crash"}}),
            &wo(),
        )
        .await
        .unwrap();
    });
}
