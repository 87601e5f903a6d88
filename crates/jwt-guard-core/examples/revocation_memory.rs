//! Memory per revocation entry: the process's resident set before and after 100,000 `jti`
//! entries (22-character ids, the base64url of 128 random bits) in a `MemoryStore`, and, with
//! a Redis URL, in a `RedisStore` (the local replica) and in Redis itself (`used_memory`).
//!
//! `cargo run --release -p jwt-guard-core --features redis --example revocation_memory [REDIS_URL]`
//!
//! Linux only (reads `/proc/self/statm`). Use an empty Redis: its keys are written under the
//! prefix `memory-example:`.

// An example's setup panics on failure; the workspace's no-panic lints are for library code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "example code: a failed step panics"
)]

use jwt_guard_core::revocation::{MemoryStore, RevocationStore};

const ENTRIES: usize = 100_000;
const UNTIL: i64 = 4_102_444_800;

/// Resident set size in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// A 22-character id, like the base64url of 128 random bits.
fn id(i: usize) -> String {
    format!("{i:0>22}")
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn main() {
    let ids: Vec<String> = (0..ENTRIES).map(id).collect();
    let before = rss();
    let store = MemoryStore::new(ENTRIES);
    for jti in &ids {
        block_on(store.revoke_jti(jti, UNTIL)).unwrap();
    }
    let after = rss();
    println!(
        "MemoryStore: {} bytes per jti entry ({ENTRIES} entries, RSS +{} KiB)",
        (after - before) / ENTRIES,
        (after - before) / 1024
    );
    drop(store);

    #[cfg(feature = "redis")]
    if let Some(url) = std::env::args().nth(1) {
        redis_memory(&url, &ids);
    }
}

#[cfg(feature = "redis")]
fn redis_memory(url: &str, ids: &[String]) {
    use jwt_guard_core::revocation::{RedisOptions, RedisStore};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let used_memory = || {
        let out = std::process::Command::new("redis-cli")
            .args(["-u", url, "INFO", "memory"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .unwrap()
            .trim()
            .parse::<usize>()
            .unwrap()
    };
    let options = RedisOptions::new(url).key_prefix("memory-example:");
    let writer = runtime
        .block_on(RedisStore::connect(options.clone()))
        .unwrap();
    let redis_before = used_memory();
    runtime.block_on(async {
        for jti in ids {
            writer.revoke_jti(jti, UNTIL).await.unwrap();
        }
    });
    let redis_after = used_memory();
    drop(writer);
    // A fresh instance loads the list into its replica.
    let before = rss();
    let reader = runtime.block_on(RedisStore::connect(options)).unwrap();
    let after = rss();
    println!(
        "RedisStore replica: {} bytes per jti entry (RSS +{} KiB, load included)",
        (after - before) / ENTRIES,
        (after - before) / 1024
    );
    println!(
        "Redis: {} bytes per jti entry (sorted set + stream event; used_memory +{} KiB)",
        (redis_after - redis_before) / ENTRIES,
        (redis_after - redis_before) / 1024
    );
    drop(reader);
}
