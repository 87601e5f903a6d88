//! `jwt-guard decode`: header and claims without any verification.

use jwt_guard_core::dangerous;
use serde_json::{Map, Value};

use crate::failure::Failure;
use crate::io;
use crate::time;
use crate::verify::numeric_date;

/// The line `decode` prints on stderr, every time.
pub(crate) const UNVERIFIED: &str = "UNVERIFIED: the signature and the claims were not checked; \
                                     use `jwt-guard verify --config FILE` to check them";

/// Arguments of `jwt-guard decode`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Show the times relative to this time (seconds since the Unix epoch) instead of now.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The token (a leading `Bearer ` is accepted); absent or `-`: read it from standard input.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let token = io::token_argument(args.token)?;
    let decoded = dangerous::decode_unverified::<Map<String, Value>>(&token)
        .map_err(|e| Failure::from_core(e, Vec::new()))?;
    io::eprint_line(UNVERIFIED);
    let now = time::now_or_system(args.now);
    let mut times = Map::new();
    for name in ["exp", "nbf", "iat"] {
        if let Some(at) = decoded.claims.get(name).and_then(numeric_date) {
            times.insert(name.to_owned(), Value::String(time::describe(at, now)));
        }
    }
    let mut out = Map::new();
    out.insert("header".to_owned(), Value::Object(decoded.header));
    out.insert("claims".to_owned(), Value::Object(decoded.claims));
    out.insert("times".to_owned(), Value::Object(times));
    io::print_line(&io::json_pretty(Value::Object(out)))
}
