//! `fluxdeck bench store`: durable write throughput with concurrent writers (group commit),
//! single-writer latency, fan-out to many watchers with a count of lost events, and the time
//! to list ten thousand objects. Runs against a fresh persistent store in a subdirectory of
//! the given data directory, removed afterwards.

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;

use super::Store;
use super::types::{ListOptions, StoreError, WatchEventType, WatchOptions, WriteOptions};

/// How much work each phase does.
#[derive(Debug, Clone)]
pub struct BenchSize {
    pub writers: usize,
    pub writes_per_writer: usize,
    pub latency_samples: usize,
    pub watchers: usize,
    pub watch_events: usize,
}

impl Default for BenchSize {
    fn default() -> Self {
        BenchSize {
            writers: 64,
            writes_per_writer: 160,
            latency_samples: 500,
            watchers: 100,
            watch_events: 2000,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct BenchReport {
    pub writers: usize,
    pub durable_writes: usize,
    pub durable_writes_per_sec: f64,
    pub single_writer_p50: Duration,
    pub single_writer_p99: Duration,
    pub watchers: usize,
    pub watch_events_sent: usize,
    pub watch_events_received: usize,
    pub watch_events_lost: usize,
    pub watch_out_of_order: usize,
    pub watch_elapsed: Duration,
    pub list_objects: usize,
    pub list_time: Duration,
    /// A phase that failed, if any (the figures after it are zero).
    pub error: Option<String>,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "store benchmark (persistent, fsync per group commit)")?;
        writeln!(
            f,
            "  durable writes        {:>10.0} writes/s  ({} writes, {} concurrent writers)",
            self.durable_writes_per_sec, self.durable_writes, self.writers
        )?;
        writeln!(
            f,
            "  single-writer latency p50 {:>8.2} ms   p99 {:.2} ms",
            ms(self.single_writer_p50),
            ms(self.single_writer_p99)
        )?;
        writeln!(
            f,
            "  watch fan-out         {} watchers x {} events: {} received, {} lost, {} out of order, {:.2} s",
            self.watchers,
            self.watch_events_sent,
            self.watch_events_received,
            self.watch_events_lost,
            self.watch_out_of_order,
            self.watch_elapsed.as_secs_f64()
        )?;
        writeln!(
            f,
            "  list                  {} objects in {:.2} ms",
            self.list_objects,
            ms(self.list_time)
        )?;
        if let Some(e) = &self.error {
            writeln!(f, "  FAILED: {e}")?;
        }
        Ok(())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn wo() -> WriteOptions {
    WriteOptions {
        field_manager: Some("bench".into()),
        ..WriteOptions::default()
    }
}

fn configmap(name: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"bench": "true"}},
           "data": {"payload": "x".repeat(256)}})
}

/// The full benchmark with the default sizes.
pub async fn run(data_dir: &Path) -> BenchReport {
    run_with(data_dir, &BenchSize::default()).await
}

pub async fn run_with(data_dir: &Path, size: &BenchSize) -> BenchReport {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = data_dir.join(format!("store-bench-{}-{nanos}", std::process::id()));
    let mut report = BenchReport {
        writers: size.writers,
        watchers: size.watchers,
        ..BenchReport::default()
    };
    if let Err(e) = phases(&dir, size, &mut report).await {
        report.error = Some(e.to_string());
    }
    let _ = std::fs::remove_dir_all(&dir);
    report
}

async fn phases(dir: &Path, size: &BenchSize, report: &mut BenchReport) -> Result<(), StoreError> {
    let store = Store::open(dir)?;
    let nss = store
        .resolve("", "v1", "namespaces")
        .ok_or_else(|| StoreError::UnknownResource("namespaces".into()))?;
    let cms = store
        .resolve("", "v1", "configmaps")
        .ok_or_else(|| StoreError::UnknownResource("configmaps".into()))?;
    for ns in ["bench", "latency", "watch"] {
        store
            .create(&nss, None, json!({"metadata": {"name": ns}}), &wo())
            .await?;
    }

    // 1. concurrent durable writes
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..size.writers {
        let (s, rt, n) = (store.clone(), cms.clone(), size.writes_per_writer);
        tasks.push(tokio::spawn(async move {
            for i in 0..n {
                s.create(&rt, Some("bench"), configmap(&format!("w{w}-{i}")), &wo())
                    .await?;
            }
            Ok::<(), StoreError>(())
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| StoreError::Internal(format!("writer task failed: {e}")))??;
    }
    let elapsed = started.elapsed();
    report.durable_writes = size.writers * size.writes_per_writer;
    report.durable_writes_per_sec = report.durable_writes as f64 / elapsed.as_secs_f64().max(1e-9);

    // 2. single-writer latency (each write waits for its own fsync)
    let mut samples = Vec::with_capacity(size.latency_samples);
    for i in 0..size.latency_samples {
        let t = Instant::now();
        store
            .create(&cms, Some("latency"), configmap(&format!("l{i}")), &wo())
            .await?;
        samples.push(t.elapsed());
    }
    samples.sort();
    report.single_writer_p50 = percentile(&samples, 0.50);
    report.single_writer_p99 = percentile(&samples, 0.99);

    // 3. watch fan-out: every watcher must see every event, in order
    let from = store.current_resource_version().to_string();
    let mut watchers = Vec::new();
    for _ in 0..size.watchers {
        let mut stream = store.watch(
            &cms,
            Some("watch"),
            &WatchOptions {
                resource_version: Some(from.clone()),
                ..WatchOptions::default()
            },
        )?;
        let want = size.watch_events;
        watchers.push(tokio::spawn(async move {
            let (mut got, mut disorder, mut last) = (0usize, 0usize, 0u64);
            let deadline = tokio::time::sleep(Duration::from_secs(120));
            tokio::pin!(deadline);
            while got < want {
                tokio::select! {
                    item = stream.next() => match item {
                        Some(Ok(ev)) if ev.type_ != WatchEventType::Bookmark => {
                            let rv = ev.object["metadata"]["resourceVersion"].as_str().and_then(|r| r.parse::<u64>().ok()).unwrap_or(0);
                            if rv <= last { disorder += 1; }
                            last = rv;
                            got += 1;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break,
                    },
                    _ = &mut deadline => break,
                }
            }
            (got, disorder)
        }));
    }
    let started = Instant::now();
    let feeders = 8.min(size.watch_events.max(1));
    let mut tasks = Vec::new();
    for f in 0..feeders {
        let (s, rt) = (store.clone(), cms.clone());
        let n = size.watch_events / feeders + usize::from(f < size.watch_events % feeders);
        tasks.push(tokio::spawn(async move {
            for i in 0..n {
                s.create(&rt, Some("watch"), configmap(&format!("f{f}-{i}")), &wo())
                    .await?;
            }
            Ok::<(), StoreError>(())
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| StoreError::Internal(format!("feeder task failed: {e}")))??;
    }
    for w in watchers {
        let (got, disorder) = w
            .await
            .map_err(|e| StoreError::Internal(format!("watcher task failed: {e}")))?;
        report.watch_events_received += got;
        report.watch_out_of_order += disorder;
    }
    report.watch_elapsed = started.elapsed();
    report.watch_events_sent = size.watch_events;
    report.watch_events_lost =
        (size.watch_events * size.watchers).saturating_sub(report.watch_events_received);

    // 4. list every object written in phase 1
    let t = Instant::now();
    let listed = store.list(&cms, Some("bench"), &ListOptions::default())?;
    report.list_time = t.elapsed();
    report.list_objects = listed.items.len();
    Ok(())
}
