//! `fluxdeck bench tui`: the console's latency figures (issue 4) against the connected
//! cluster, on the real App, renderers and store-backed ClusterBackend. Figures are printed,
//! never asserted: first full frame after start, watch event → painted, keypress → painted,
//! and the bytes a real terminal session writes while idle (the real binary in tmux with
//! `pipe-pane`). Seed first with `fluxdeck bench seed --count N`.

use std::process::Command;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr, eyre};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use super::console::ClusterBackend;
use crate::cli::GlobalArgs;
use crate::cluster::kinds::KindName;
use crate::config::Key;
use crate::config::key::KeyCode;
use crate::tui::app::App;
use crate::tui::backend::{Backend, ContextInfo, Mode as TuiMode};
use crate::tui::glyphs::Glyphs;
use crate::tui::headless::FrameOptions;
use crate::tui::model::filter::Filter;
use crate::tui::render;

const COLS: u16 = 120;
const ROWS: u16 = 40;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i.min(samples.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn screen_text(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    buf.content().iter().map(|c| c.symbol()).collect()
}

fn draw(term: &mut Terminal<TestBackend>, app: &mut App) -> Result<()> {
    app.now = jiff::Timestamp::now();
    term.draw(|f| render::draw(f, app))
        .map_err(|e| eyre!("render: {e}"))?;
    app.dirty = false;
    Ok(())
}

/// Run the benchmark; `updates` status writes and `keys` key presses are timed, idle bytes
/// are counted over `idle` in a real terminal session.
pub async fn run(
    g: &GlobalArgs,
    objects: usize,
    updates: usize,
    keys: usize,
    idle: Duration,
) -> Result<i32> {
    let ctx = super::connect(g).await?;
    let info = ContextInfo {
        name: ctx.context.clone(),
        namespace: None,
        mode: TuiMode::Cluster,
        read_only: false,
    };
    // 1. Start → frames, as the console paints them: the first frame (header and the
    // "syncing N/M kinds" hint), the first frame listing objects (the first kinds listed),
    // and the frame listing every object once every watch is synced.
    let started = Instant::now();
    let backend = ClusterBackend::start(ctx.client.clone(), info, ctx.actor.clone())
        .await
        .wrap_err("cannot start the console's watches")?;
    let mut changes = backend.changes();
    let opts = FrameOptions::default();
    let mut app = App::new(
        backend.snapshot(),
        opts.keymap,
        opts.theme,
        Glyphs::for_mode(false),
    );
    let mut term = Terminal::new(TestBackend::new(COLS, ROWS)).map_err(|e| eyre!("{e}"))?;
    draw(&mut term, &mut app)?;
    let first_frame = started.elapsed();
    let mut first_rows = None;
    while app.index.summaries.len() < objects || !backend.synced() {
        if started.elapsed() > Duration::from_secs(120) {
            return Err(eyre!(
                "only {} of {objects} Flux objects after 120s: seed first with `fluxdeck bench seed --count {objects}`",
                backend.snapshot().objects.len()
            ));
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), changes.changed()).await;
        changes.borrow_and_update();
        app.set_snapshot(backend.snapshot());
        draw(&mut term, &mut app)?;
        if first_rows.is_none() && !app.index.summaries.is_empty() {
            first_rows = Some((started.elapsed(), app.index.summaries.len()));
        }
    }
    let full_frame = started.elapsed();
    let total = app.index.summaries.len();
    println!("fluxdeck bench tui: {total} Flux objects, {COLS}x{ROWS}");
    println!("  start → first frame (syncing hint): {}", ms(first_frame));
    if let Some((at, n)) = first_rows {
        println!(
            "  start → first frame with objects:   {} ({n} objects)",
            ms(at)
        );
    }
    println!("  start → frame with every object:    {}", ms(full_frame));

    // 2. Watch event → painted: write a Ready message through the API, wait for the frame.
    let targets: Vec<(String, String)> = app
        .index
        .summaries
        .iter()
        .filter(|s| s.r.kind == "Kustomization")
        .take(updates)
        .map(|s| (s.r.namespace.clone(), s.r.name.clone()))
        .collect();
    let served = ctx.served().await?;
    let (ar, _) = served.resolve(&KindName {
        group: "kustomize.toolkit.fluxcd.io".into(),
        kind: "Kustomization".into(),
    })?;
    let mut event_paint = Vec::new();
    // The share of the API server's write (patch answered) in event → painted.
    let mut api_write = Vec::new();
    for (i, (ns, name)) in targets.iter().enumerate() {
        // Filter to the object so its row (and the message column) is on screen.
        app.list.query.filter = Filter::parse(name).map_err(|e| eyre!("{e}"))?;
        app.invalidate_list();
        draw(&mut term, &mut app)?;
        let token = format!("bench{i:04}x");
        let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &ar);
        let status = json!({"status": {"conditions": [{"type": "Ready", "status": "True",
            "reason": "ReconciliationSucceeded", "message": token,
            "lastTransitionTime": jiff::Timestamp::now().to_string()}]}});
        let t0 = Instant::now();
        api.patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
            .await
            .wrap_err_with(|| format!("patching status of Kustomization {ns}/{name}"))?;
        api_write.push(t0.elapsed());
        loop {
            if t0.elapsed() > Duration::from_secs(10) {
                return Err(eyre!("the frame never showed {token} for {ns}/{name}"));
            }
            let _ = tokio::time::timeout(Duration::from_millis(200), changes.changed()).await;
            changes.borrow_and_update();
            app.set_snapshot(backend.snapshot());
            draw(&mut term, &mut app)?;
            if screen_text(&term).contains(&token) {
                event_paint.push(t0.elapsed());
                break;
            }
        }
    }
    let p50 = percentile(&mut event_paint, 0.5);
    let p99 = percentile(&mut event_paint, 0.99);
    println!(
        "  watch event → painted ({} writes): p50 {}  p99 {}",
        event_paint.len(),
        ms(p50),
        ms(p99)
    );
    println!(
        "    of which the API write (patch answered): p50 {}  p99 {}",
        ms(percentile(&mut api_write, 0.5)),
        ms(percentile(&mut api_write, 0.99))
    );

    // 3. Keypress → painted on the full list (and the tree, built lazily).
    app.list.query.filter = Filter::default();
    app.invalidate_list();
    draw(&mut term, &mut app)?;
    let mut key_paint = Vec::new();
    let ch = |c| Key {
        code: KeyCode::Char(c),
        ctrl: false,
        alt: false,
    };
    for i in 0..keys {
        let key = if i % 4 < 2 { ch('j') } else { ch('k') };
        let t0 = Instant::now();
        app.on_key(key);
        draw(&mut term, &mut app)?;
        key_paint.push(t0.elapsed());
    }
    let p50 = percentile(&mut key_paint, 0.5);
    let p99 = percentile(&mut key_paint, 0.99);
    println!(
        "  keypress → painted (j/k, {keys}):   p50 {}  p99 {}",
        ms(p50),
        ms(p99)
    );
    let t0 = Instant::now();
    app.on_key(ch('t'));
    draw(&mut term, &mut app)?;
    println!("  t (tree, first build) → painted:  {}", ms(t0.elapsed()));
    let mut tree_keys = Vec::new();
    for i in 0..keys.min(100) {
        let t0 = Instant::now();
        app.on_key(if i % 2 == 0 { ch('j') } else { ch('k') });
        draw(&mut term, &mut app)?;
        tree_keys.push(t0.elapsed());
    }
    let p99 = percentile(&mut tree_keys, 0.99);
    println!("  keypress → painted in the tree:   p99 {}", ms(p99));

    // 4. Idle bytes written by a real terminal session.
    match idle_bytes(g, idle, total) {
        Ok((first, bytes, rss)) => {
            println!(
                "  real terminal (tmux): first frame after {}, peak RSS {} MiB",
                ms(first),
                rss / 1024
            );
            println!(
                "  idle bytes written over {}s: {bytes} ({:.0} per minute)",
                idle.as_secs(),
                bytes as f64 * 60.0 / idle.as_secs_f64().max(1.0)
            );
        }
        Err(e) => println!("  idle bytes: not measured ({e})"),
    }
    drop(backend);
    Ok(0)
}

fn tmux(args: &[&str]) -> Result<String> {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .wrap_err("tmux is needed for the terminal figures")?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Peak RSS (VmHWM, KiB) of `pid` and its descendants' largest.
fn peak_rss_kib(pid: &str) -> u64 {
    let hwm = |p: &str| -> u64 {
        std::fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    };
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    children
        .split_whitespace()
        .map(|c| peak_rss_kib(c))
        .chain(std::iter::once(hwm(pid)))
        .max()
        .unwrap_or(0)
}

/// Run the real console in tmux against the same kubeconfig; pipe-pane counts every byte it
/// writes. Returns (time to the first frame listing every object, idle bytes, peak RSS KiB).
fn idle_bytes(g: &GlobalArgs, idle: Duration, objects: usize) -> Result<(Duration, u64, u64)> {
    let exe = std::env::current_exe()?;
    let kubeconfig = g
        .kubeconfig
        .as_ref()
        .ok_or_else(|| eyre!("needs --kubeconfig (a `fluxdeck server` kubeconfig)"))?;
    let session = format!("fluxdeck-bench-{}", std::process::id());
    let log = std::env::temp_dir().join(format!("{session}.bytes"));
    let _ = std::fs::remove_file(&log);
    let cmd = format!(
        "exec {} --kubeconfig {}",
        exe.display(),
        kubeconfig.display()
    );
    let started = Instant::now();
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        &COLS.to_string(),
        "-y",
        &ROWS.to_string(),
        &cmd,
    ])?;
    tmux(&[
        "pipe-pane",
        "-t",
        &session,
        "-o",
        &format!("cat >> {}", log.display()),
    ])?;
    // The list title reads `all (N/N)` once every object is listed: that is the first full frame.
    let full = format!("({objects}/{objects})");
    let result = (|| {
        let first = loop {
            if tmux(&["capture-pane", "-p", "-t", &session])?.contains(&full) {
                break started.elapsed();
            }
            if started.elapsed() > Duration::from_secs(120) {
                return Err(eyre!("the console never listed all {objects} objects"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the initial list, the permission checks and any Ready-change highlight (it fades
        // once, after FLASH: a real change of the screen) settle, then count.
        std::thread::sleep(crate::tui::app::state::FLASH + Duration::from_secs(3));
        let size = || std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        let before = size();
        std::thread::sleep(idle);
        let bytes = size() - before.min(size());
        let pid = tmux(&["display-message", "-p", "-t", &session, "#{pane_pid}"])?;
        let rss = peak_rss_kib(pid.trim());
        Ok((first, bytes, rss))
    })();
    let _ = tmux(&["kill-session", "-t", &session]);
    let _ = std::fs::remove_file(&log);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_from_sorted_samples() {
        let mut s: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut s, 0.5), Duration::from_millis(51));
        assert_eq!(percentile(&mut s, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&mut [], 0.5), Duration::ZERO);
    }
}
