//! Choosing and building the connection: a kubeconfig cluster, or the embedded store.
//!
//! Every consumer (CLI, TUI, controllers) receives a `kube::Client`; nothing above this module
//! knows whether the API answering it is a production cluster or fluxdeck's own store.

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};

/// Where the API answering the client lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// fluxdeck's own store, in this process.
    Embedded,
    /// A cluster reached through a kubeconfig.
    Cluster,
}

impl Mode {
    pub fn label(&self) -> &'static str {
        match self {
            Mode::Embedded => "embedded",
            Mode::Cluster => "cluster",
        }
    }
}

/// Connection flags shared by the TUI and every headless command.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub embedded: bool,
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub read_only: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "cannot read kubeconfig {path}: {source} (pass --kubeconfig FILE, or --embedded to use the built-in cluster)"
    )]
    Kubeconfig {
        path: String,
        source: kube::config::KubeconfigError,
    },
    #[error(
        "kubeconfig {path}: {source} (check the context name with `kubectl config get-contexts`)"
    )]
    Config {
        path: String,
        source: kube::config::KubeconfigError,
    },
    #[error("cannot create a Kubernetes client for context {context}: {source}")]
    Client {
        context: String,
        source: kube::Error,
    },
    #[error("cannot determine a data directory: set --data-dir DIR")]
    NoDataDir,
    #[error("embedded store in {dir}: {message}")]
    Embedded { dir: String, message: String },
}

/// Where the kubeconfig comes from: `--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`.
enum KubeconfigSource {
    Flag(PathBuf),
    Env(String),
    Default(PathBuf),
}

/// The first configured source, without reading it. One order for both callers below, so the
/// thread choice at start (`kubeconfig_configured`) and the connection never disagree.
fn kubeconfig_source(opts: &ConnectOptions) -> Option<KubeconfigSource> {
    if let Some(path) = &opts.kubeconfig {
        return Some(KubeconfigSource::Flag(path.clone()));
    }
    if let Ok(paths) = std::env::var("KUBECONFIG") {
        if !paths.trim().is_empty() {
            return Some(KubeconfigSource::Env(paths));
        }
    }
    directories::BaseDirs::new()
        .map(|b| b.home_dir().join(".kube").join("config"))
        .filter(|path| path.is_file())
        .map(KubeconfigSource::Default)
}

/// Whether a cluster is configured (a kubeconfig source exists and not `--embedded`).
pub fn kubeconfig_configured(opts: &ConnectOptions) -> bool {
    !opts.embedded && kubeconfig_source(opts).is_some()
}

/// The kubeconfig to use, if any (see `KubeconfigSource` for the order).
/// `None` means "no cluster configured", which selects the embedded store.
pub fn locate_kubeconfig(
    opts: &ConnectOptions,
) -> Result<Option<(String, Kubeconfig)>, ConnectError> {
    let read = |path: &PathBuf| {
        Kubeconfig::read_from(path).map_err(|source| ConnectError::Kubeconfig {
            path: path.display().to_string(),
            source,
        })
    };
    match kubeconfig_source(opts) {
        Some(KubeconfigSource::Flag(path) | KubeconfigSource::Default(path)) => {
            Ok(Some((path.display().to_string(), read(&path)?)))
        }
        Some(KubeconfigSource::Env(paths)) => {
            let kc = Kubeconfig::from_env().map_err(|source| ConnectError::Kubeconfig {
                path: paths.clone(),
                source,
            })?;
            Ok(kc.map(|kc| (paths, kc)))
        }
        None => Ok(None),
    }
}

/// Build a client for a kubeconfig context, returning it with the context's name and namespace.
pub async fn kubeconfig_client(
    path: &str,
    kc: Kubeconfig,
    context: Option<&str>,
) -> Result<(kube::Client, String, Option<String>), ConnectError> {
    let context_name = context
        .map(str::to_string)
        .or_else(|| kc.current_context.clone())
        .unwrap_or_else(|| "default".to_string());
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kc, &options)
        .await
        .map_err(|source| ConnectError::Config {
            path: path.to_string(),
            source,
        })?;
    let namespace = Some(config.default_namespace.clone()).filter(|n| !n.is_empty());
    let client = kube::Client::try_from(config).map_err(|source| ConnectError::Client {
        context: context_name.clone(),
        source,
    })?;
    Ok((client, context_name, namespace))
}

/// The data directory of the embedded store: `--data-dir`, else the platform data dir.
pub fn data_dir(opts: &ConnectOptions) -> Result<PathBuf, ConnectError> {
    if let Some(dir) = &opts.data_dir {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("io", "fluxdeck", "fluxdeck")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or(ConnectError::NoDataDir)
}

/// Who is acting, for the annotations that record suspend reasons: the kubeconfig user or $USER.
pub fn actor_name(kubeconfig: Option<&Kubeconfig>, context: &str) -> String {
    let from_kubeconfig = kubeconfig.and_then(|kc| {
        kc.contexts
            .iter()
            .find(|c| c.name == context)
            .and_then(|c| c.context.as_ref())
            .and_then(|c| c.user.clone())
    });
    from_kubeconfig
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Ensure a directory exists, with a message naming it when it cannot be made.
pub fn ensure_dir(dir: &Path) -> Result<(), ConnectError> {
    std::fs::create_dir_all(dir).map_err(|e| ConnectError::Embedded {
        dir: dir.display().to_string(),
        message: e.to_string(),
    })
}
