//! The project's own HTTP benchmark (issue 16): a bare server, jwt-guard behind axum and
//! actix-web (HS256, RS256, ES256; verified-token cache off and on) and a hand-written
//! jsonwebtoken middleware for axum as the baseline, each in its own process on one pinned core,
//! driven by `wrk` on the other core, in interleaved rounds. It prints requests per second, p99
//! latency and server CPU time per request, with the ratios to the bare server of the same
//! framework.
//!
//! ```text
//! cargo run --release -p jwt-guard-http-bench -- run            # the full matrix (BENCHMARKS.md)
//! cargo run --release -p jwt-guard-http-bench -- run --seconds 1 --rounds 1 --algs HS256
//! ```
//!
//! Needs `wrk` (Debian package `wrk`) and `taskset` (util-linux). Servers listen on 127.0.0.1
//! and are stopped at the end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark driver: a failed step ends the run with its message"
)]

mod inproc;
mod run;
mod serve;
mod tokens;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "http-bench",
    about = "jwt-guard's HTTP benchmark (BENCHMARKS.md)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the benchmark: start every server, drive each with wrk, print the table.
    Run(run::RunArgs),
    /// Serve one implementation (started by `run`, one process per server).
    Serve(serve::ServeArgs),
    /// Send requests through one axum server's service in process, without a socket (for
    /// `valgrind --tool=callgrind`: instructions per request of the framework and the layer).
    Inproc(inproc::InprocArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Inproc(args) => inproc::inproc(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
