//! The driver: prepares keys and tokens, then round after round starts every server afresh,
//! pinned to one core, checks each answers as it should, runs `wrk` pinned to the other core
//! against each server in turn (a 1 s warm-up pass, then the measured pass: every server is
//! measured once per round, interleaved), stops them, and prints the medians.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jwt_guard_core::Algorithm;
use serde::Deserialize;

use crate::tokens::{self, Material};

#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Seconds per measurement.
    #[arg(long, default_value_t = 3)]
    seconds: u64,
    /// Rounds (each measures every server once; the table shows medians).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Algorithms.
    #[arg(long, value_delimiter = ',', default_value = "HS256,RS256,ES256")]
    algs: Vec<String>,
    /// Scenarios: `repeated` (one token), `distinct` (1,024 tokens cycling: they fit the
    /// cache), `new` (a pool far larger than the cache, cycling: every request a miss).
    #[arg(long, value_delimiter = ',', default_value = "repeated,distinct,new")]
    scenarios: Vec<String>,
    /// wrk connections (one wrk thread).
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Tokens in the `new` scenario's pool (at least 6x the default cache of 10,000).
    #[arg(long, default_value_t = 65_536)]
    pool: usize,
    /// Where keys, tokens and results go.
    #[arg(long, default_value = "target/http-bench")]
    out: PathBuf,
    /// Make the keys and token pools, then stop (the pools are kept for later runs).
    #[arg(long)]
    prepare_only: bool,
    /// First port; servers take the ones after it.
    #[arg(long, default_value_t = 18_100)]
    port: u16,
}

/// One server under test.
#[derive(Debug, Clone)]
struct Server {
    /// `bare`, `jwt-guard`, `jsonwebtoken`.
    implementation: &'static str,
    /// `axum` or `actix-web`.
    framework: &'static str,
    alg: Option<Algorithm>,
    cache: Option<bool>,
    addr: SocketAddr,
    args: Vec<String>,
}

impl Server {
    fn label(&self) -> String {
        let alg = self.alg.map_or("-".to_owned(), |a| a.to_string());
        let cache = match self.cache {
            Some(true) => "on",
            Some(false) => "off",
            None => "-",
        };
        format!(
            "{} | {} | {alg} | {cache}",
            self.implementation, self.framework
        )
    }
}

/// What `wrk`'s `done` hook prints (`RESULT {...}`).
#[derive(Debug, Clone, Copy, Deserialize)]
struct WrkResult {
    requests: u64,
    duration_us: u64,
    p99_us: u64,
    non2xx: u64,
    errors: u64,
}

/// One measurement.
#[derive(Debug, Clone, Copy)]
struct Sample {
    rps: f64,
    p99_ms: f64,
    cpu_us: f64,
    hit_ratio: Option<f64>,
    /// The share of its core wrk used (1.0: the load generator was the limit).
    wrk_busy: f64,
}

/// The report hook (`RESULT {...}`), and the whole script of the `repeated` scenario: there the
/// one token goes in a fixed header (`-H`), so wrk builds the request once and the load
/// generator costs least.
const STATIC_SCRIPT: &str = r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"p99_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"#;

/// The other scenarios: tokens from a file, a different one each request.
const SCRIPT: &str = r#"
-- args: tokens file, lines to skip, how many tokens to use after them, first index
local tokens = {}
local i = 0
function init(args)
  local skip = tonumber(args[2])
  local limit = tonumber(args[3])
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if n > skip then
      if #tokens >= limit then break end
      tokens[#tokens + 1] = "Bearer " .. line
    end
  end
  i = tonumber(args[4]) % #tokens
end
function request()
  i = i + 1
  if i > #tokens then i = 1 end
  return wrk.format("GET", "/", { ["Authorization"] = tokens[i] })
end
"#;

pub(crate) fn run(args: &RunArgs) -> Result<(), String> {
    which("wrk", "install it: apt-get install wrk")?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pinned = cores >= 2 && which("taskset", "util-linux").is_ok();
    let out = &args.out;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let script = out.join("tokens.lua");
    std::fs::write(&script, format!("{SCRIPT}{STATIC_SCRIPT}")).map_err(|e| e.to_string())?;
    std::fs::write(out.join("static.lua"), STATIC_SCRIPT).map_err(|e| e.to_string())?;

    let mut materials = BTreeMap::new();
    for alg in &args.algs {
        let alg: Algorithm = alg.parse().map_err(|e| format!("{alg}: {e}"))?;
        let pool = if args.scenarios.iter().any(|s| s == "new") {
            args.pool
        } else {
            1024
        };
        materials.insert(
            alg.to_string(),
            (alg, tokens::prepare(&out.join("keys"), alg, pool)?),
        );
    }
    if args.prepare_only {
        return Ok(());
    }
    let servers = servers(&materials, args.port)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    eprintln!(
        "{} servers, new processes every round; {} round(s) of {} s per server and scenario, \
         each after a 1 s warm-up; {}",
        servers.len(),
        args.rounds,
        args.seconds,
        if pinned {
            "servers on core 1, wrk on core 0"
        } else {
            "NOT pinned (one core)"
        }
    );

    let mut samples: BTreeMap<(String, usize), Vec<Sample>> = BTreeMap::new();
    for round in 1..=args.rounds {
        // Every round starts every server afresh, so what one process happens to get (where its
        // memory lands, what shares the core's caches) varies from round to round and the
        // median takes it out, as it does for everything else that varies. Two port ranges in
        // turn: a port is not bound again right after its server stopped.
        let base = if round % 2 == 0 {
            args.port
        } else {
            args.port.checked_add(100).ok_or("--port is too high")?
        };
        let servers = self::servers(&materials, base)?;
        let children = start(&servers, &exe, pinned, &runtime, &materials)?;
        for warmup in [true, false] {
            for scenario in &args.scenarios {
                for (index, server) in servers.iter().enumerate() {
                    let pid = children.0[index].id();
                    let seconds = if warmup { 1 } else { args.seconds };
                    let sample = measure(
                        args, &runtime, &script, server, pid, scenario, &materials, seconds,
                        pinned, round,
                    )?;
                    if !warmup {
                        samples
                            .entry((scenario.clone(), index))
                            .or_default()
                            .push(sample);
                    }
                }
            }
        }
        drop(children);
        eprintln!("round {round}/{} done", args.rounds);
    }
    let report = report(args, &servers, &samples, pinned);
    println!("{report}");
    let path = out.join("results.md");
    std::fs::write(&path, &report).map_err(|e| e.to_string())?;
    eprintln!("written to {}", path.display());
    Ok(())
}

/// Starts `servers` (each pinned to core 1 when `pinned`) and checks each answers a valid token
/// 200 and a forged one 401; they stop when the result is dropped.
fn start(
    servers: &[Server],
    exe: &Path,
    pinned: bool,
    runtime: &tokio::runtime::Runtime,
    materials: &BTreeMap<String, (Algorithm, Material)>,
) -> Result<Children, String> {
    let mut children = Children(Vec::new());
    for server in servers {
        let mut command = if pinned {
            let mut c = Command::new("taskset");
            c.args(["-c", "1"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        command
            .arg("serve")
            .args(&server.args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        children.0.push(
            command
                .spawn()
                .map_err(|e| format!("{}: {e}", server.label()))?,
        );
    }
    for server in servers {
        wait_listening(server.addr)?;
        runtime.block_on(check(server, materials))?;
    }
    Ok(children)
}

/// Every server of the matrix: the two bare ones, jwt-guard on both frameworks for each
/// algorithm with the cache off and on, jsonwebtoken for each algorithm.
fn servers(
    materials: &BTreeMap<String, (Algorithm, Material)>,
    first_port: u16,
) -> Result<Vec<Server>, String> {
    let mut servers = Vec::new();
    let mut port = first_port;
    let mut add = |implementation, framework, alg, cache, mut extra: Vec<String>| {
        port += 1;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        extra.extend(["--port".to_owned(), port.to_string()]);
        servers.push(Server {
            implementation,
            framework,
            alg,
            cache,
            addr,
            args: extra,
        });
    };
    add(
        "bare",
        "axum",
        None,
        None,
        strings(&["--kind", "bare-axum"]),
    );
    add(
        "bare",
        "actix-web",
        None,
        None,
        strings(&["--kind", "bare-actix"]),
    );
    for (alg, m) in materials.values() {
        for (kind, framework) in [("axum", "axum"), ("actix", "actix-web")] {
            for (cache, config) in [(false, &m.config_cache_off), (true, &m.config_cache_on)] {
                let config = config.display().to_string();
                add(
                    "jwt-guard",
                    framework,
                    Some(*alg),
                    Some(cache),
                    strings(&["--kind", kind, "--config", &config]),
                );
            }
        }
        let key = m.verify_key.display().to_string();
        let alg_name = alg.to_string();
        add(
            "jsonwebtoken",
            "axum",
            Some(*alg),
            None,
            strings(&["--kind", "jsonwebtoken", "--alg", &alg_name, "--key", &key]),
        );
    }
    Ok(servers)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The tokens a scenario sends: the file (the bare servers get the first algorithm's), the
/// lines to skip and how many after them. `new` never sends a token of the other two scenarios
/// (those may sit in the cache).
fn scenario_tokens<'m>(
    scenario: &str,
    server: &Server,
    materials: &'m BTreeMap<String, (Algorithm, Material)>,
    pool: usize,
) -> Result<(&'m Path, usize, usize), String> {
    let material = match server.alg {
        Some(alg) => materials.get(&alg.to_string()).map(|(_, m)| m),
        None => materials.values().next().map(|(_, m)| m),
    }
    .ok_or("no algorithm")?;
    let (skip, count) = match scenario {
        "repeated" => (0, 1),
        "distinct" => (0, 1024),
        "new" => (1024, pool.saturating_sub(1024).max(1)),
        other => {
            return Err(format!(
                "unknown scenario {other:?} (repeated, distinct, new)"
            ));
        }
    };
    Ok((&material.tokens, skip, count))
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call site, every value is needed"
)]
fn measure(
    args: &RunArgs,
    runtime: &tokio::runtime::Runtime,
    script: &Path,
    server: &Server,
    pid: u32,
    scenario: &str,
    materials: &BTreeMap<String, (Algorithm, Material)>,
    seconds: u64,
    pinned: bool,
    round: usize,
) -> Result<Sample, String> {
    let (tokens, skip, count) = scenario_tokens(scenario, server, materials, args.pool)?;
    // Each run starts where the last one of an earlier round could not have reached.
    let first = (round * 7919 * 31) % count.max(1);
    let before_stats = runtime.block_on(cache_stats(server.addr))?;
    let cpu_before = cpu_ns(pid)?;
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", "wrk"]);
        c
    } else {
        Command::new("wrk")
    };
    command.args([
        "-t1",
        &format!("-c{}", args.connections),
        &format!("-d{seconds}s"),
    ]);
    if count == 1 {
        let text = std::fs::read_to_string(tokens).map_err(|e| e.to_string())?;
        let token = text.lines().next().ok_or("no token")?;
        command
            .arg("-H")
            .arg(format!("Authorization: Bearer {token}"))
            .arg("-s")
            .arg(script.with_file_name("static.lua"))
            .arg(format!("http://{}/", server.addr));
    } else {
        command
            .arg("-s")
            .arg(script)
            .arg(format!("http://{}/", server.addr))
            .arg("--")
            .arg(tokens)
            .arg(skip.to_string())
            .arg(count.to_string())
            .arg(first.to_string());
    }
    let children_before = children_cpu_ticks();
    let started = std::time::Instant::now();
    let output = command.output().map_err(|e| format!("wrk: {e}"))?;
    let wrk_busy = children_cpu_ticks().saturating_sub(children_before) as f64
        / 100.0
        / started.elapsed().as_secs_f64();
    let cpu = cpu_ns(pid)?.saturating_sub(cpu_before);
    let after_stats = runtime.block_on(cache_stats(server.addr))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result: WrkResult = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| {
            format!(
                "wrk printed no result: {stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
        .and_then(|json| serde_json::from_str(json).map_err(|e| e.to_string()))?;
    if result.non2xx > 0 || result.errors > 0 || result.requests == 0 {
        return Err(format!(
            "{} ({scenario}): {} requests, {} not 2xx, {} socket errors: every request must pass",
            server.label(),
            result.requests,
            result.non2xx,
            result.errors
        ));
    }
    let hit_ratio = match (before_stats, after_stats) {
        (Some((h0, m0)), Some((h1, m1))) if h1 + m1 > h0 + m0 => {
            Some((h1 - h0) as f64 / ((h1 - h0) + (m1 - m0)) as f64)
        }
        _ => None,
    };
    Ok(Sample {
        rps: result.requests as f64 / (result.duration_us as f64 / 1e6),
        p99_ms: result.p99_us as f64 / 1000.0,
        cpu_us: cpu as f64 / 1000.0 / result.requests as f64,
        hit_ratio,
        wrk_busy,
    })
}

/// User and system time of this process's waited-for children so far, in clock ticks
/// (`/proc/self/stat` fields 16 and 17; 100 a second on Linux).
fn children_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): cutime is field 16, cstime 17.
    [13, 14]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum()
}

/// CPU time of every thread of `pid` so far, in nanoseconds (`/proc/PID/task/*/schedstat`).
fn cpu_ns(pid: u32) -> Result<u64, String> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0u64;
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))? {
        let path = entry.map_err(|e| e.to_string())?.path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(&path) {
            total += text
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Ok(total)
}

async fn cache_stats(addr: SocketAddr) -> Result<Option<(u64, u64)>, String> {
    let body = reqwest::get(format!("http://{addr}/stats"))
        .await
        .map_err(|e| format!("{addr}/stats: {e}"))?;
    if body.status() == 404 {
        return Ok(None);
    }
    let text = body.text().await.map_err(|e| e.to_string())?;
    let mut parts = text.split_whitespace().map(|n| n.parse::<u64>().ok());
    Ok(match (parts.next().flatten(), parts.next().flatten()) {
        (Some(h), Some(m)) => Some((h, m)),
        _ => None,
    })
}

/// A server answers its first token with 200 and `hello user-00000000`, a forged one (for an
/// authenticating server) with 401 and a `WWW-Authenticate` challenge.
async fn check(
    server: &Server,
    materials: &BTreeMap<String, (Algorithm, Material)>,
) -> Result<(), String> {
    let (tokens, _, _) = scenario_tokens("repeated", server, materials, 1)?;
    let text = std::fs::read_to_string(tokens).map_err(|e| e.to_string())?;
    let token = text.lines().next().ok_or("no token")?;
    let client = reqwest::Client::new();
    let url = format!("http://{}/", server.addr);
    let get = |t: String| {
        client
            .get(&url)
            .header("authorization", format!("Bearer {t}"))
            .send()
    };
    let ok = get(token.to_owned()).await.map_err(|e| e.to_string())?;
    let status = ok.status();
    let body = ok.text().await.map_err(|e| e.to_string())?;
    if status != 200 || body != "hello user-00000000" {
        return Err(format!(
            "{}: answered {status} {body:?} to a valid token",
            server.label()
        ));
    }
    if server.implementation != "bare" {
        let mut forged = token.to_owned();
        let last = forged
            .pop()
            .map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
        forged.push(last);
        let refused = get(forged).await.map_err(|e| e.to_string())?;
        if refused.status() != 401 || refused.headers().get("www-authenticate").is_none() {
            return Err(format!(
                "{}: answered {} to a forged token",
                server.label(),
                refused.status()
            ));
        }
    }
    Ok(())
}

fn wait_listening(addr: SocketAddr) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("no server listening on {addr} after 20 s"))
}

fn which(tool: &str, hint: &str) -> Result<(), String> {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if found {
        Ok(())
    } else {
        Err(format!("`{tool}` not found ({hint})"))
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn report(
    args: &RunArgs,
    servers: &[Server],
    samples: &BTreeMap<(String, usize), Vec<Sample>>,
    pinned: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "wrk -t1 -c{} -d{}s, {} round(s), medians; {}; CPU = server CPU time per request \
         (all its threads, /proc schedstat); ratio = req/s over the bare server of the same \
         framework; CPU ratio = the bare server's CPU per request over this one's (the \
         throughput ratio if the server's core were the only limit); Δ CPU over that bare \
         server; wrk busy = the share of its core the load generator used.\n",
        args.connections,
        args.seconds,
        args.rounds,
        if pinned {
            "server pinned to core 1, wrk to core 0"
        } else {
            "not pinned"
        }
    );
    for scenario in &args.scenarios {
        let _ = writeln!(out, "### scenario `{scenario}`\n");
        let _ = writeln!(
            out,
            "| implementation | framework | alg | cache | req/s | p99 ms | CPU µs/req | ratio | CPU ratio | Δ CPU µs | cache hits | wrk busy |"
        );
        let _ = writeln!(
            out,
            "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        let stat = |index: usize| {
            let s = samples
                .get(&(scenario.clone(), index))
                .cloned()
                .unwrap_or_default();
            let hits: Vec<f64> = s.iter().filter_map(|x| x.hit_ratio).collect();
            (
                median(s.iter().map(|x| x.rps).collect()),
                median(s.iter().map(|x| x.p99_ms).collect()),
                median(s.iter().map(|x| x.cpu_us).collect()),
                (!hits.is_empty()).then(|| median(hits)),
                median(s.iter().map(|x| x.wrk_busy).collect()),
            )
        };
        for (index, server) in servers.iter().enumerate() {
            let (rps, p99, cpu, hits, busy) = stat(index);
            let bare = servers
                .iter()
                .position(|s| s.implementation == "bare" && s.framework == server.framework)
                .map(stat);
            let (ratio, cpu_ratio, delta) = match bare {
                Some((bare_rps, _, bare_cpu, _, _)) => {
                    (rps / bare_rps, bare_cpu / cpu, cpu - bare_cpu)
                }
                None => (f64::NAN, f64::NAN, f64::NAN),
            };
            let hits = hits.map_or("-".to_owned(), |h| format!("{:.1} %", h * 100.0));
            let _ = writeln!(
                out,
                "| {} | {rps:.0} | {p99:.2} | {cpu:.2} | {ratio:.2} | {cpu_ratio:.2} | {delta:+.2} | {hits} | {:.0} % |",
                server.label(),
                busy * 100.0
            );
        }
        let _ = writeln!(out);
    }
    out
}

/// Stops every server when the run ends, however it ends.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
