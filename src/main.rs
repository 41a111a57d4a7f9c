#![forbid(unsafe_code)]
//! Thin binary edge: parse the CLI, install error reporting, start Tokio, call app::run.

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = fluxdeck::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let code = match runtime.block_on(fluxdeck::app::run(cli)) {
        Ok(code) => code,
        Err(report) => {
            // One clear line for users; the full chain with RUST_BACKTRACE or -v later.
            eprintln!("✗ {report:#}");
            2
        }
    };
    drop(runtime);
    std::process::exit(code);
}
