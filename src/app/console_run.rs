//! Starting the console: connect, build the cluster backend, then run the TUI (or render one
//! frame for `fluxdeck snapshot`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr, eyre};

use super::console::ClusterBackend;
use crate::cli::{GlobalArgs, SnapshotArgs};
use crate::cluster::connect::Mode;
use crate::commands::Ctx;
use crate::tui::app::state::View;
use crate::tui::backend::{ContextInfo, Mode as TuiMode};

fn context_info(ctx: &Ctx, g: &GlobalArgs) -> ContextInfo {
    ContextInfo {
        name: ctx.context.clone(),
        // The console starts on every namespace unless -n narrows it (k9s habit).
        namespace: g.namespace.clone(),
        mode: match ctx.mode {
            Mode::Embedded => TuiMode::Embedded,
            Mode::Cluster => TuiMode::Cluster,
        },
        read_only: ctx.read_only,
    }
}

async fn backend(ctx: &Ctx, g: &GlobalArgs) -> Result<ClusterBackend> {
    ClusterBackend::start(ctx.client.clone(), context_info(ctx, g), ctx.actor.clone())
        .await
        .wrap_err("cannot start the console's watches")
}

/// `fluxdeck` with no subcommand.
pub async fn run_console(g: &GlobalArgs) -> Result<i32> {
    let ctx = super::connect_with(g, true).await?;
    let backend = backend(&ctx, g).await?;
    let opts = crate::tui::run::TuiOptions::load(&ctx.context, g.ascii, ctx.read_only)?;
    if let Some(every) = drift_interval(g, &ctx.context, opts.read_only)? {
        backend.start_drift_detection(every);
    }
    crate::tui::run::run(Arc::new(backend), opts).await?;
    drop(ctx);
    Ok(0)
}

/// The background drift interval from `--drift-interval` and config.toml (None = off).
fn drift_interval(g: &GlobalArgs, context: &str, read_only: bool) -> Result<Option<Duration>> {
    let settings = match crate::config::ConfigPaths::discover() {
        Some(p) => crate::config::settings::Settings::load(&p)?,
        None => Default::default(),
    };
    Ok(settings.drift_interval(g.drift_interval.as_deref(), context, read_only)?)
}

/// `snapshot --view diff`: compute the selected Kustomization's drift first (as `D` would).
async fn prepare_diff(backend: &ClusterBackend, select: Option<&str>) {
    use crate::tui::backend::{Backend, Command, ObjectRef, Progress};
    let Some(target) = select.and_then(ObjectRef::parse) else {
        return;
    };
    let mut changes = backend.changes();
    let mut rx = backend.submit(Command::Drift {
        target: target.clone(),
    });
    while let Some(p) = rx.recv().await {
        if !matches!(p, Progress::Step(_)) {
            break;
        }
    }
    // Wait until the snapshot carries the report.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !backend.snapshot().drift.contains_key(&target) && Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(100), changes.changed()).await;
    }
}

fn parse_size(s: &str) -> Result<(u16, u16)> {
    let (c, r) = s
        .split_once('x')
        .ok_or_else(|| eyre!("--size {s:?}: expected COLSxROWS, e.g. 120x40"))?;
    let cols: u16 = c
        .trim()
        .parse()
        .map_err(|_| eyre!("--size {s:?}: columns must be a number"))?;
    let rows: u16 = r
        .trim()
        .parse()
        .map_err(|_| eyre!("--size {s:?}: rows must be a number"))?;
    if cols < 20 || rows < 5 {
        return Err(eyre!("--size {s:?}: at least 20x5"));
    }
    Ok((cols, rows))
}

/// `fluxdeck snapshot`: one frame of the real app, plain text (or ANSI) on stdout.
pub async fn run_snapshot(g: &GlobalArgs, a: &SnapshotArgs) -> Result<i32> {
    let view = View::parse(&a.view).ok_or_else(|| {
        eyre!(
            "--view {:?}: use list, tree, events, detail, diff or approvals",
            a.view
        )
    })?;
    let (cols, rows) = parse_size(&a.size)?;
    let wait = crate::engine::duration::parse(&a.wait)?;
    let ctx = super::connect(g).await?;
    let backend = backend(&ctx, g).await?;
    let deadline = Instant::now() + wait;
    let mut changes = crate::tui::backend::Backend::changes(&backend);
    // Render once every watch has listed (and the snapshot reflects it), or at the deadline.
    while !backend.synced() && Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(100), changes.changed()).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    if view == View::Diff {
        prepare_diff(&backend, a.select.as_deref()).await;
    }
    let snapshot = crate::tui::backend::Backend::snapshot(&backend);
    let frame = crate::tui::headless::render_frame(
        &snapshot,
        view,
        cols,
        rows,
        a.select.as_deref(),
        a.ansi,
    );
    print!("{frame}");
    drop(ctx);
    Ok(0)
}
