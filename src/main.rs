#![forbid(unsafe_code)]
//! Thin binary edge: parse the CLI, install error reporting, start Tokio, call app::run.

use clap::Parser;

// `--features system-alloc` keeps the system allocator, so heap profilers that hook malloc
// (heaptrack, valgrind) see every allocation.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `fluxdeck get all -A | head` closes stdout early. Rust ignores SIGPIPE and `print!` then
/// panics; a CLI should end quietly instead, with the status a shell reports for a process
/// ended by SIGPIPE (128 + 13), as the flux CLI (Go) does.
fn quiet_on_closed_pipe() {
    let next = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The payload of a formatted panic is not always a `String` by the time hooks run;
        // the hook info's own text always carries the message.
        let message = info.to_string();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        next(info)
    }));
}

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    quiet_on_closed_pipe();
    let cli = fluxdeck::cli::Cli::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = fluxdeck::app::worker_threads(&cli) {
        builder.worker_threads(n);
    }
    let runtime = builder.enable_all().build()?;
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
