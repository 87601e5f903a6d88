//! Requests through an axum server's `Router` in process (no socket, no kernel): what the
//! framework, the layer, the extractor and the handler cost per request, countable with
//! callgrind (`per request = (count(N2) - count(N1)) / (N2 - N1)`, BENCHMARKS.md).

use std::path::PathBuf;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt as _;

use crate::serve::{ServeArgs, axum_router};

#[derive(Debug, clap::Args)]
pub(crate) struct InprocArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// The file whose first line is the token to send.
    #[arg(long)]
    tokens: PathBuf,
    /// Requests to send.
    #[arg(long, default_value_t = 1000)]
    count: usize,
}

pub(crate) fn inproc(args: &InprocArgs) -> Result<(), String> {
    let router = axum_router(&args.serve)?;
    let text = std::fs::read_to_string(&args.tokens).map_err(|e| e.to_string())?;
    let bearer = format!("Bearer {}", text.lines().next().ok_or("no token")?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        for _ in 0..args.count {
            let request = Request::get("/")
                .header("authorization", &bearer)
                .body(Body::empty())
                .map_err(|e| e.to_string())?;
            let response = router
                .clone()
                .oneshot(request)
                .await
                .map_err(|e| e.to_string())?;
            if response.status() != 200 {
                return Err(format!("answered {}", response.status()));
            }
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .map_err(|e| e.to_string())?;
            std::hint::black_box(body);
        }
        Ok(())
    })
}
