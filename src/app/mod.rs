//! Composition root: pick the backend (embedded store or kubeconfig cluster), then run the TUI
//! or a headless command. The only place that knows about every layer.

use color_eyre::eyre::Result;

use crate::cli::{BenchCommand, Cli, Command, GlobalArgs, ImagesCommand};
use crate::cluster::connect::{self, ConnectOptions, Mode};
use crate::commands::{self, Ctx};

pub mod console;
pub mod console_approvals;
pub mod console_bench;
pub mod console_drift;
pub mod console_run;
pub mod console_snapshot;
pub mod demo;
pub mod demo_registry;
pub mod embedded;
pub mod server;

/// The flux CLI's default namespace.
pub const DEFAULT_NAMESPACE: &str = "flux-system";

fn connect_options(g: &GlobalArgs) -> ConnectOptions {
    ConnectOptions {
        embedded: g.embedded,
        kubeconfig: g.kubeconfig.clone(),
        context: g.context.clone(),
        data_dir: g.data_dir.clone(),
        read_only: g.read_only,
    }
}

/// Tokio worker threads for this invocation; None: one per core.
///
/// The console against a cluster waits on the network and draws on its own thread: one worker
/// serves it with the same latency (measured: watch event → paint p99 30 ms either way) and
/// holds less memory, since every thread that allocates keeps its own allocator pages. The
/// embedded store and the controllers keep a worker per core.
pub fn worker_threads(cli: &Cli) -> Option<usize> {
    let console = matches!(
        &cli.command,
        None | Some(Command::Bench(BenchCommand::Tui { .. }))
    );
    (console && connect::kubeconfig_configured(&connect_options(&cli.global))).then_some(1)
}

/// Connect as the flags ask: kubeconfig cluster if one is configured (and not --embedded).
pub async fn connect(g: &GlobalArgs) -> Result<Ctx> {
    connect_with(g, false).await
}

/// Connect; on the embedded store, `with_controllers` also starts the in-process controllers
/// (the console, reconcile and resume need something to answer them).
pub async fn connect_with(g: &GlobalArgs, with_controllers: bool) -> Result<Ctx> {
    let opts = connect_options(g);
    let located = if opts.embedded {
        None
    } else {
        connect::locate_kubeconfig(&opts)?
    };
    let namespace = g
        .namespace
        .clone()
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
    match located {
        Some((path, kc)) => {
            let actor_kc = kc.clone();
            let (client, context, _ns) =
                connect::kubeconfig_client(&path, kc, opts.context.as_deref()).await?;
            let actor = connect::actor_name(Some(&actor_kc), &context);
            Ok(Ctx {
                client,
                namespace,
                context,
                mode: Mode::Cluster,
                read_only: g.read_only,
                actor,
                ascii: g.ascii,
                embedded: None,
                controllers: None,
            })
        }
        None => {
            let dir = connect::data_dir(&opts)?;
            let e = embedded::open(&dir).await?;
            embedded::bootstrap(&e, true).await?;
            let controllers = if with_controllers {
                Some(embedded::start_controllers(&e).await?)
            } else {
                None
            };
            Ok(Ctx {
                client: e.client.clone(),
                namespace,
                context: "embedded".into(),
                mode: Mode::Embedded,
                read_only: g.read_only,
                actor: connect::actor_name(None, "embedded"),
                ascii: g.ascii,
                embedded: Some(e),
                controllers,
            })
        }
    }
}

fn exit_code(code: i32) -> Result<i32> {
    Ok(code)
}

pub async fn run(cli: Cli) -> Result<i32> {
    let Some(command) = cli.command else {
        return console_run::run_console(&cli.global).await;
    };
    let g = &cli.global;
    match command {
        Command::Get(a) => exit_code(commands::get::run(&connect(g).await?, &a).await?),
        Command::Suspend(a) => exit_code(commands::actions::suspend(&connect(g).await?, &a).await?),
        Command::Resume(a) => {
            exit_code(commands::actions::resume(&connect_with(g, true).await?, &a).await?)
        }
        Command::Reconcile(a) => {
            exit_code(commands::actions::reconcile(&connect_with(g, true).await?, &a).await?)
        }
        Command::Events(a) => exit_code(commands::events::run(&connect(g).await?, &a).await?),
        Command::Tree(a) => exit_code(commands::tree::run(&connect(g).await?, &a).await?),
        Command::Trace(a) => exit_code(commands::trace::run(&connect(g).await?, &a).await?),
        Command::Export(a) => exit_code(commands::export::run(&connect(g).await?, &a).await?),
        Command::Bench(BenchCommand::Store { scratch }) => {
            let dir = match scratch {
                Some(d) => d,
                None => std::env::temp_dir().join(format!("fluxdeck-bench-{}", std::process::id())),
            };
            println!("{}", crate::store::bench::run(&dir).await);
            let _ = std::fs::remove_dir_all(&dir);
            Ok(0)
        }
        Command::Bench(BenchCommand::Seed { count, namespaces }) => {
            exit_code(commands::bench::seed(&connect(g).await?, count, namespaces).await?)
        }
        Command::Bench(BenchCommand::Controllers {
            count,
            objects,
            timeout_secs,
        }) => {
            let dir = std::env::temp_dir().join(format!("fluxdeck-bench-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir)?;
            let timeout = std::time::Duration::from_secs(timeout_secs);
            let report = crate::controllers::bench::run(&dir, count, objects, timeout).await;
            let _ = std::fs::remove_dir_all(&dir);
            print!("{}", report?);
            Ok(0)
        }
        Command::Bench(BenchCommand::Drift { objects }) => {
            println!("{}", commands::bench::drift(objects));
            Ok(0)
        }
        Command::Diff(crate::cli::DiffArgs {
            target: crate::cli::DiffTarget::Fleet(a),
        }) => {
            // Offline: no cluster is contacted.
            let glyph = if g.ascii { "x" } else { "✗" };
            exit_code(commands::diff_fleet::run(&a, glyph).await)
        }
        Command::Diff(a) => exit_code(commands::diff::run(&connect(g).await?, &a).await?),
        // Deciding needs the image automation controller to act: on the embedded store it
        // runs in this process.
        Command::Approve(a) | Command::Images(ImagesCommand::Approve(a)) => {
            exit_code(commands::images::decide(&connect_with(g, true).await?, &a, true).await?)
        }
        Command::Reject(a) | Command::Images(ImagesCommand::Reject(a)) => {
            exit_code(commands::images::decide(&connect_with(g, true).await?, &a, false).await?)
        }
        Command::Build(a) => exit_code(commands::build::run(&connect(g).await?, &a).await?),
        Command::Images(a) => exit_code(commands::images::pending(&connect(g).await?, &a).await?),
        Command::Bench(BenchCommand::Tui {
            objects,
            updates,
            keys,
            idle_secs,
        }) => {
            console_bench::run(
                g,
                objects,
                updates,
                keys,
                std::time::Duration::from_secs(idle_secs),
            )
            .await
        }
        Command::Snapshot(a) => console_run::run_snapshot(g, &a).await,
        Command::Kustomize(a) => exit_code(commands::kustomize::run(&a)?),
        Command::Controllers => {
            let ctx = connect(g).await?;
            let dir = connect::data_dir(&connect_options(g))?;
            let embedded = ctx.mode == Mode::Embedded;
            let handle = match &ctx.embedded {
                // The embedded store: the same start as the console's (demo registry too).
                Some(e) => embedded::start_controllers(e).await?,
                None => {
                    let opts = crate::controllers::ControllerOptions::new(dir, embedded);
                    crate::controllers::run_all(ctx.client.clone(), opts).await?
                }
            };
            eprintln!(
                "► controllers running against {} (artifacts on {}); ctrl-c stops",
                ctx.context, handle.artifact_url
            );
            server::wait_for_shutdown().await;
            drop(handle);
            Ok(0)
        }
        Command::Server(a) => {
            let dir = connect::data_dir(&connect_options(g))?;
            server::run(&a, &dir, g.ascii).await
        }
    }
}

#[cfg(test)]
mod worker_thread_tests {
    use super::*;
    use clap::Parser;

    fn threads(args: &[&str]) -> Option<usize> {
        worker_threads(&Cli::try_parse_from(args).expect("valid flags"))
    }

    #[test]
    fn one_worker_for_the_console_on_a_cluster_only() {
        assert_eq!(threads(&["fluxdeck", "--kubeconfig", "kc"]), Some(1));
        assert_eq!(
            threads(&["fluxdeck", "--kubeconfig", "kc", "bench", "tui"]),
            Some(1)
        );
        // the embedded store and its controllers, and every other command: one per core
        assert_eq!(threads(&["fluxdeck", "--embedded"]), None);
        assert_eq!(
            threads(&["fluxdeck", "--kubeconfig", "kc", "--embedded"]),
            None
        );
        assert_eq!(
            threads(&["fluxdeck", "--kubeconfig", "kc", "get", "ks"]),
            None
        );
        assert_eq!(threads(&["fluxdeck", "--kubeconfig", "kc", "server"]), None);
    }
}
