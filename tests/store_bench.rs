//! The benchmark runs end to end at a small size and loses no watch event.

use fluxdeck::store::bench::{BenchSize, run_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_benchmark_runs_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let size = BenchSize {
        writers: 16,
        writes_per_writer: 20,
        latency_samples: 20,
        watchers: 20,
        watch_events: 200,
    };
    let report = run_with(dir.path(), &size).await;
    println!("{report}");
    assert_eq!(report.error, None);
    assert_eq!(report.durable_writes, 320);
    assert!(report.durable_writes_per_sec > 0.0);
    assert_eq!(report.watch_events_received, 20 * 200);
    assert_eq!(
        (report.watch_events_lost, report.watch_out_of_order),
        (0, 0)
    );
    assert_eq!(report.list_objects, 320);
    assert!(report.single_writer_p99 >= report.single_writer_p50);
    // the benchmark cleans up after itself
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The full-size benchmark (64 writers, 100 watchers, 10k-object list); run it with
/// `cargo test --release --test suite store_bench -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: slow in debug builds"]
async fn full_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    let report = fluxdeck::store::bench::run(dir.path()).await;
    println!("{report}");
    assert_eq!(report.error, None);
    assert_eq!(report.watch_events_lost, 0);
    assert!(report.list_objects >= 10_000);
}
