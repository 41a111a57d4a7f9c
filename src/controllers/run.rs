//! Start every in-process controller against one kube::Client: the artifact server, the
//! GitRepository, ArtifactGenerator, Kustomization and image controllers and, for the embedded store only, the
//! simulated rollout. Used by `fluxdeck server`, the embedded console and `fluxdeck controllers`.

use std::path::PathBuf;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::artifact::{Storage, server};
use super::runtime::{self, Bus, Running};
use super::source_git::GitRepositories;
use super::{generator, image, kustomize, rollout};

/// What to start and where to keep data.
#[derive(Debug, Clone)]
pub struct ControllerOptions {
    /// Artifacts go to `<data_dir>/artifacts`, Git mirrors to `<data_dir>/git`.
    pub data_dir: PathBuf,
    /// The client talks to the embedded store: also run the simulated rollout.
    pub embedded: bool,
    /// Port of the loopback artifact server (0 = any free port).
    pub artifact_port: u16,
    /// Delay before the simulated rollout marks a workload ready.
    pub rollout_delay: Duration,
    /// Objects reconciled at once per controller.
    pub concurrency: u16,
    pub kustomize: kustomize::Options,
}

impl ControllerOptions {
    pub fn new(data_dir: PathBuf, embedded: bool) -> ControllerOptions {
        ControllerOptions {
            data_dir,
            embedded,
            artifact_port: 0,
            rollout_delay: Duration::from_millis(300),
            concurrency: 8,
            kustomize: kustomize::Options::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot start the artifact server on 127.0.0.1:{port}: {source}")]
    ArtifactServer { port: u16, source: std::io::Error },
}

/// The running controllers; dropping the handle stops them all.
pub struct ControllersHandle {
    pub bus: Bus,
    /// Base URL of the artifact server (`http://127.0.0.1:<port>`).
    pub artifact_url: String,
    pub storage: Storage,
    _server: server::ArtifactServer,
    _git: Running,
    _kustomize: Running,
    _generators: Running,
    _images: image::ImageControllers,
    rollout: Vec<JoinHandle<()>>,
}

impl Drop for ControllersHandle {
    fn drop(&mut self) {
        for t in &self.rollout {
            t.abort();
        }
    }
}

/// Start every controller. Must run inside a Tokio runtime.
pub async fn run_all(
    client: kube::Client,
    opts: ControllerOptions,
) -> Result<ControllersHandle, StartError> {
    let root = opts.data_dir.join("artifacts");
    let srv = server::start(root.clone(), opts.artifact_port)
        .await
        .map_err(|source| StartError::ArtifactServer {
            port: opts.artifact_port,
            source,
        })?;
    let storage = Storage::new(root, srv.base_url());
    let bus = Bus::default();
    let git = GitRepositories::new(storage.clone(), opts.data_dir.join("git"));
    let git = runtime::spawn(
        client.clone(),
        bus.clone(),
        std::sync::Arc::new(git),
        opts.concurrency,
    );
    let ks = kustomize::start(
        client.clone(),
        bus.clone(),
        Some(storage.clone()),
        opts.kustomize.clone(),
        opts.concurrency,
    );
    let generators = generator::start(
        client.clone(),
        bus.clone(),
        storage.clone(),
        opts.concurrency,
    );
    let images = image::start(
        client.clone(),
        bus.clone(),
        opts.data_dir.clone(),
        opts.concurrency,
    );
    let rollout = if opts.embedded {
        rollout::start(client, opts.rollout_delay)
    } else {
        Vec::new()
    };
    Ok(ControllersHandle {
        bus,
        artifact_url: srv.base_url(),
        storage,
        _server: srv,
        _git: git,
        _kustomize: ks,
        _generators: generators,
        _images: images,
        rollout,
    })
}
