//! Command-line definitions, shaped like the flux CLI (kinds as words: `get ks`, `get source git`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "fluxdeck", version, about = "Keyboard-first console for Flux CD", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Use the embedded cluster even when a kubeconfig exists.
    #[arg(long, global = true)]
    pub embedded: bool,
    /// Data directory of the embedded store (default: the platform data dir).
    #[arg(long, global = true, value_name = "DIR", env = "FLUXDECK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use.
    #[arg(long, global = true, env = "FLUXDECK_CONTEXT")]
    pub context: Option<String>,
    /// Namespace scope (flux CLI default: flux-system).
    #[arg(short = 'n', long, global = true, env = "FLUX_SYSTEM_NAMESPACE")]
    pub namespace: Option<String>,
    /// Refuse every write.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Plain ASCII output: no box drawing, glyphs or emoji.
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Console: check every Kustomization for drift this often (e.g. 30s, 5m; 0 = off).
    #[arg(long, global = true, value_name = "DURATION")]
    pub drift_interval: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    #[default]
    Table,
    Yaml,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List Flux objects with their status, like `flux get`.
    Get(GetArgs),
    /// Suspend reconciliation (`spec.suspend: true`).
    Suspend(SuspendArgs),
    /// Resume reconciliation and wait for it.
    Resume(ResumeArgs),
    /// Trigger a reconcile and wait for the result.
    Reconcile(ReconcileArgs),
    /// Kubernetes Events of Flux objects.
    Events(EventsArgs),
    /// The objects a Kustomization manages, as a tree.
    Tree(TreeArgs),
    /// Which Flux object manages an object, and from which source revision.
    Trace(TraceArgs),
    /// Print Flux objects as YAML ready to apply.
    Export(ExportArgs),
    /// Serve the embedded store over HTTPS with a kubeconfig for any client.
    Server(ServerArgs),
    /// Run the in-process controllers headless against the connected cluster.
    Controllers,
    /// Build a kustomization directory, like `kubectl kustomize DIR`.
    Kustomize(KustomizeArgs),
    /// Render one frame of the console to stdout (no terminal needed).
    Snapshot(SnapshotArgs),
    /// Benchmarks that print figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// What applying Git would change in the cluster (flux diff).
    Diff(DiffArgs),
    /// Print the objects a Flux object would apply (flux build), Secret values masked.
    Build(BuildArgs),
    /// Image automation proposals (`images pending|approve|reject`).
    #[command(subcommand)]
    Images(ImagesCommand),
    /// Approve the pending image-update proposal of an ImageUpdateAutomation (commit and push),
    /// or merge the commits on its separate push branch into the checkout branch.
    Approve(DecideArgs),
    /// Reject the pending image-update proposal of an ImageUpdateAutomation.
    Reject(DecideArgs),
}

#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// Proposals awaiting approval: automation, files, old → new images.
    Pending {
        /// All namespaces.
        #[arg(short = 'A', long)]
        all_namespaces: bool,
        #[arg(short, long, value_enum, default_value_t)]
        output: Output,
    },
    /// Same as `fluxdeck approve`.
    Approve(DecideArgs),
    /// Same as `fluxdeck reject`.
    Reject(DecideArgs),
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The ImageUpdateAutomation whose proposal is decided.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Every automation with a pending proposal in the namespace.
    #[arg(long)]
    pub all: bool,
    /// How long to wait for the controller to act.
    #[arg(long, default_value = "2m")]
    pub timeout: String,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(subcommand)]
    pub target: DiffTarget,
}

#[derive(Debug, Subcommand)]
pub enum DiffTarget {
    /// Diff a Kustomization's desired state against the cluster (exit 0 none, 1 diff, 2 error).
    #[command(alias = "ks")]
    Kustomization(DiffKsArgs),
    /// PR preview, offline: what moving the fleet from one Git revision to another would
    /// change, per Kustomization (exit 0 none, 1 changes, 2 error).
    Fleet(DiffFleetArgs),
}

#[derive(Debug, Args)]
pub struct DiffFleetArgs {
    /// The fleet repository: a local path or a Git URL.
    #[arg(long, value_name = "PATH_OR_URL")]
    pub repo: String,
    /// The revision the cluster runs now (branch, tag or commit).
    #[arg(long, value_name = "REF")]
    pub from: String,
    /// The revision under review.
    #[arg(long, value_name = "REF")]
    pub to: String,
    /// The cluster directory bootstrap points at (default: the only one under clusters/).
    #[arg(long, value_name = "DIR")]
    pub cluster_path: Option<String>,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: DiffOutput,
}

#[derive(Debug, Args)]
pub struct DiffKsArgs {
    pub name: String,
    /// Build this local directory instead of the source's artifact.
    #[arg(long, value_name = "DIR", conflicts_with = "revision")]
    pub path: Option<PathBuf>,
    /// Build this revision of the source Git repository (branch, tag or commit).
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: DiffOutput,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(subcommand)]
    pub target: BuildTarget,
}

#[derive(Debug, Subcommand)]
pub enum BuildTarget {
    /// The objects a Kustomization's controller would apply (build, decryption, substitution).
    #[command(alias = "ks")]
    Kustomization(BuildKsArgs),
}

#[derive(Debug, Args)]
pub struct BuildKsArgs {
    pub name: String,
    /// Build this local directory instead of the source's artifact.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffOutput {
    #[default]
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// list, tree, events, detail, diff or approvals.
    #[arg(long, default_value = "list")]
    pub view: String,
    /// COLSxROWS, e.g. 120x40.
    #[arg(long, default_value = "120x40")]
    pub size: String,
    /// KIND/NS/NAME of the object to select.
    #[arg(long)]
    pub select: Option<String>,
    /// Keep colours (ANSI escapes) in the output.
    #[arg(long)]
    pub ansi: bool,
    /// How long to wait for the watches to sync before rendering.
    #[arg(long, default_value = "10s")]
    pub wait: String,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Embedded store: durable writes/s (64 writers), latency, 100 watchers, 10k-object list.
    Store {
        /// Scratch directory (default: a temporary one).
        #[arg(long)]
        scratch: Option<PathBuf>,
    },
    /// Create COUNT Flux objects with status through the connection (for get/TUI benchmarks).
    Seed {
        #[arg(long, default_value_t = 5000)]
        count: usize,
        #[arg(long, default_value_t = 10)]
        namespaces: usize,
    },
    /// In-process controllers on a fresh in-memory store: COUNT Kustomizations × OBJECTS
    /// ConfigMaps from one Git repository reconciled to Ready, with per-phase timings.
    Controllers {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 10)]
        objects: usize,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 600)]
        timeout_secs: u64,
    },
    /// Time the drift comparison (normalise, mask, field diff, render) of N objects.
    Drift {
        #[arg(long, default_value_t = 1000)]
        objects: usize,
    },
    /// Console latency on the connected cluster: first frame, watch event → paint, keypress →
    /// paint, idle bytes written (seed first).
    Tui {
        /// Flux objects to wait for before measuring.
        #[arg(long, default_value_t = 5000)]
        objects: usize,
        /// Status writes timed for event → paint.
        #[arg(long, default_value_t = 100)]
        updates: usize,
        /// Key presses timed for keypress → paint.
        #[arg(long, default_value_t = 500)]
        keys: usize,
        /// Seconds of idle time over which written bytes are counted.
        #[arg(long, default_value_t = 60)]
        idle_secs: u64,
    },
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// KIND [NAME] — `all`, `ks`, `hr`, `source git`, `image policy`, …
    #[arg(value_name = "KIND [NAME]")]
    pub words: Vec<String>,
    /// All namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Output,
    /// Keep printing changes.
    #[arg(short, long)]
    pub watch: bool,
    /// Only objects whose condition matches, e.g. `ready=false`.
    #[arg(long)]
    pub status_selector: Option<String>,
}

#[derive(Debug, Args)]
pub struct SuspendArgs {
    #[arg(value_name = "KIND NAME...", required = true)]
    pub words: Vec<String>,
    /// Every object of the kind in the namespace.
    #[arg(long)]
    pub all: bool,
    /// Why (recorded in an annotation with who and when).
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    #[arg(value_name = "KIND NAME...", required = true)]
    pub words: Vec<String>,
    #[arg(long)]
    pub all: bool,
    /// Wait for the reconcile (default when one name is given).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub wait: Option<bool>,
    #[arg(long, default_value = "5m")]
    pub timeout: String,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[arg(value_name = "KIND NAME", required = true)]
    pub words: Vec<String>,
    /// Reconcile the source first.
    #[arg(long)]
    pub with_source: bool,
    /// HelmRelease: force a one-off install/upgrade.
    #[arg(long)]
    pub force: bool,
    /// HelmRelease: reset the failure counters.
    #[arg(long)]
    pub reset: bool,
    #[arg(long, default_value = "5m")]
    pub timeout: String,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// KIND/NAME of the object (and its source).
    #[arg(long = "for", value_name = "KIND/NAME")]
    pub for_object: Option<String>,
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    #[arg(short, long)]
    pub watch: bool,
    /// Only events of this type (Normal, Warning).
    #[arg(long)]
    pub types: Option<String>,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    #[arg(value_name = "kustomization NAME", required = true)]
    pub words: Vec<String>,
    /// Only Flux objects.
    #[arg(long)]
    pub compact: bool,
    #[arg(short, long, value_enum, default_value_t)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[arg(value_name = "KIND NAME | NAME", required = true)]
    pub words: Vec<String>,
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub api_version: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_name = "KIND [NAME]", required = true)]
    pub words: Vec<String>,
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Address to listen on (loopback only is recommended).
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,
    /// Write a kubeconfig for this server to FILE.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Do not run the in-process controllers.
    #[arg(long)]
    pub no_controllers: bool,
    /// Do not seed the demo fleet into an empty data directory.
    #[arg(long)]
    pub no_demo: bool,
}

#[derive(Debug, Args)]
pub struct KustomizeArgs {
    pub dir: PathBuf,
    /// As kubectl's: LoadRestrictionsRootOnly (files must be in or below their
    /// kustomization) or LoadRestrictionsNone (kustomize-controller's).
    #[arg(long, default_value = "LoadRestrictionsRootOnly")]
    pub load_restrictor: crate::engine::kustomize::LoadRestrictor,
}
