//! `fluxdeck server`: the embedded store over HTTPS with a kubeconfig, so kubectl, flux9s or
//! any client can use it. Runs until SIGINT/SIGTERM, then shuts down gracefully.

use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};

use super::embedded;
use crate::cli::ServerArgs;

pub async fn run(args: &ServerArgs, data_dir: &Path, ascii: bool) -> Result<i32> {
    let e = embedded::open(data_dir).await?;
    embedded::bootstrap(&e, !args.no_demo).await?;
    let handle =
        crate::store::http::serve(e.store.clone(), args.listen, args.kubeconfig_out.as_deref())
            .await
            .wrap_err_with(|| format!("cannot serve on {}", args.listen))?;
    let arrow = if ascii { ">" } else { "►" };
    eprintln!("{arrow} serving the embedded cluster on {}", handle.url());
    if let Some(path) = &args.kubeconfig_out {
        eprintln!(
            "{arrow} kubeconfig written to {} (kubectl --kubeconfig {0} get ks -A)",
            path.display()
        );
    }
    let _controllers = if args.no_controllers {
        None
    } else {
        let c = embedded::start_controllers(&e).await?;
        eprintln!(
            "{arrow} in-process controllers running (artifacts on {})",
            c.artifact_url
        );
        Some(c)
    };
    wait_for_shutdown().await;
    handle.shutdown().await;
    Ok(0)
}

/// Resolve on SIGINT or SIGTERM.
pub async fn wait_for_shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
