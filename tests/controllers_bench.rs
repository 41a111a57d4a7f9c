//! The controller benchmark as a test: a small run must reconcile everything to Ready; the
//! full 1,000 × 10 run is `--ignored` (run it with `--release`).

use std::time::Duration;

use fluxdeck::controllers::bench;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_fleet_reconciles_with_phase_timings() {
    let dir = tempfile::tempdir().unwrap();
    let report = bench::run(dir.path(), 40, 10, Duration::from_secs(120))
        .await
        .unwrap();
    println!("{report}");
    assert_eq!(report.kustomizations, 40);
    assert!(report.reconciles >= 40);
    for phase in ["fetch", "build", "apply", "health"] {
        assert!(
            report.phases.contains_key(phase),
            "{phase} missing: {report}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: cargo test --release --test suite controllers_bench -- --ignored --nocapture"]
async fn thousand_kustomizations_by_ten_objects() {
    let dir = tempfile::tempdir().unwrap();
    let report = bench::run(dir.path(), 1000, 10, Duration::from_secs(600))
        .await
        .unwrap();
    println!("{report}");
}
