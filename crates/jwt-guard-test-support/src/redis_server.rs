//! [`RedisServer`]: a real `redis-server` per test, on a free loopback port, in a temporary
//! directory, stopped when dropped. It can be killed, restarted on the same port and directory
//! (with AOF, its data comes back), paused, and driven with `redis-cli`.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tools::Suite;

/// Names the `redis-server` program (default: `redis-server` from `PATH`).
pub const REDIS_SERVER_VAR: &str = "JWT_GUARD_REDIS_SERVER";

/// A running `redis-server` of one test.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    aof: bool,
}

fn program() -> PathBuf {
    std::env::var_os(REDIS_SERVER_VAR)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("redis-server"), PathBuf::from)
}

fn cli_program() -> PathBuf {
    let server = program();
    match server.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("redis-cli"),
        _ => PathBuf::from("redis-cli"),
    }
}

impl RedisServer {
    /// Starts one with AOF persistence (`appendonly yes`, `appendfsync always`, so a restart
    /// keeps every acknowledged write), or `None` after [`Suite::missing`] when `redis-server`
    /// cannot start (which fails the test under `JWT_GUARD_REQUIRE_ALL`).
    pub fn start(suite: &Suite) -> Option<RedisServer> {
        RedisServer::start_with(suite, true)
    }

    /// As [`RedisServer::start`]; `aof: false` keeps nothing across a restart.
    pub fn start_with(suite: &Suite, aof: bool) -> Option<RedisServer> {
        let status = Command::new(program())
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                suite.missing(&format!("`redis-server --version` exited with {s}"));
                return None;
            }
            Err(e) => {
                suite.missing(&crate::tools::cannot_start(&program(), &e));
                return None;
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut server = RedisServer {
            child: None,
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            aof,
        };
        server.spawn();
        Some(server)
    }

    fn spawn(&mut self) {
        let mut command = Command::new(program());
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--daemonize", "no", "--protected-mode", "yes"])
            .args(["--enable-debug-command", "local"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(["--logfile", "redis.log"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.aof {
            command.args(["--appendonly", "yes", "--appendfsync", "always"]);
        } else {
            command.args(["--appendonly", "no"]);
        }
        self.child = Some(command.spawn().expect("spawn redis-server"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.ping().is_none() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING on port {} within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `PONG` when it answers on its port.
    fn ping(&self) -> Option<()> {
        use std::io::{Read as _, Write as _};
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .ok()?;
        stream.write_all(b"PING\r\n").ok()?;
        let mut buf = [0u8; 7];
        stream.read_exact(&mut buf).ok()?;
        (&buf == b"+PONG\r\n").then_some(())
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills it (SIGKILL: no shutdown save) and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and directory (with AOF, its data is back).
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Runs `redis-cli -p <port> ARGS...` and returns its stdout (trimmed).
    ///
    /// # Panics
    /// When `redis-cli` cannot start or exits non-zero.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(cli_program())
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("run redis-cli");
        assert!(out.status.success(), "redis-cli {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
