//! Benchmark: our build vs `kubectl.1.33 kustomize` on generated 500- and 2,000-resource overlay
//! trees, in the same run, checking the outputs are identical. Ignored by default; run with
//! `cargo test --release --test suite kustomize_bench -- --ignored --nocapture`.

use crate::kustomize_support;

use fluxdeck::engine::kustomize;
use kustomize_support::{generate_tree, reference};
use std::time::Instant;

#[test]
#[ignore = "benchmark: run explicitly"]
fn build_speed_vs_kubectl() {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    for n in [500, 2000] {
        let tmp = tempfile::tempdir().expect("tempdir");
        // KUSTOMIZE_BENCH_KEEP=DIR keeps the trees (DIR/500, DIR/2000) to time a release
        // `fluxdeck kustomize` binary against kubectl outside this test.
        let root = match std::env::var_os("KUSTOMIZE_BENCH_KEEP") {
            Some(dir) => std::path::PathBuf::from(dir).join(n.to_string()),
            None => tmp.path().to_path_buf(),
        };
        let overlay = generate_tree(&root, n);
        let start = Instant::now();
        let ours = kustomize::render(&kustomize::build(&overlay).expect("our build"));
        let ours_time = start.elapsed();
        let start = Instant::now();
        let Some(Ok(theirs)) = reference(&overlay) else {
            println!("kubectl.1.33 unavailable or failed; ours took {ours_time:?}");
            continue;
        };
        let theirs_time = start.elapsed();
        let docs = ours.matches("\n---\n").count() + 1;
        println!(
            "{n} resources ({docs} documents): fluxdeck ({profile}) {:.3}s, kubectl.1.33 {:.3}s, ratio {:.1}x, identical output: {}",
            ours_time.as_secs_f64(),
            theirs_time.as_secs_f64(),
            theirs_time.as_secs_f64() / ours_time.as_secs_f64(),
            ours == theirs
        );
        assert_eq!(ours, theirs, "outputs differ for {n} resources");
    }
}
