//! What goes to Redis: commands and pipelines for the writing connection, and the Lua scripts of the writes.

use super::*;

/// A command or a pipeline for the background thread's connection.
pub(super) enum Request {
    Cmd(Cmd),
    Pipe(Pipeline),
}

impl From<Cmd> for Request {
    fn from(cmd: Cmd) -> Request {
        Request::Cmd(cmd)
    }
}

impl From<Pipeline> for Request {
    fn from(pipe: Pipeline) -> Request {
        Request::Pipe(pipe)
    }
}

impl Request {
    pub(super) async fn query<T: FromRedisValue>(
        &self,
        con: &mut ConnectionManager,
    ) -> RedisResult<T> {
        match self {
            Request::Cmd(cmd) => cmd.query_async(con).await,
            Request::Pipe(pipe) => pipe.query_async(con).await,
        }
    }
}

/// `EVAL script <keys>`: the script text each time (writes are rare; no `EVALSHA` cache to
/// lose when Redis restarts).
pub(super) fn eval<const N: usize>(script: &str, keys: [String; N]) -> Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(script).arg(N).arg(&keys[..]);
    cmd
}

/// Members with their scores (or hash fields with their values), as Redis sends them.
pub(super) type Entries = Vec<(String, String)>;

/// A write, run on the background thread's connection.
pub(super) type Job =
    Box<dyn FnOnce(ConnectionManager) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// `KEYS[1]` the sorted set, `KEYS[2]` the stream; `ARGV`: id, until, now, stream length, op.
/// Drops expired members, raises (never lowers) the member's score, publishes the held score.
pub(super) const REVOKE_ID: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'op', ARGV[5], 'key', ARGV[1], 'value', held)
return held
";

/// `KEYS[1]` the subjects hash, `KEYS[2]` the stream; `ARGV`: subject, cutoff, stream length.
/// A later cutoff replaces an earlier one; an earlier one is ignored (no event).
pub(super) const REVOKE_SUBJECT: &str = r"
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and tonumber(held) >= tonumber(ARGV[2]) then
  return held
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'op', 'sub', 'key', ARGV[1], 'value', ARGV[2])
return ARGV[2]
";

/// `KEYS[1]` the subjects hash, `KEYS[2]` the stream; `ARGV`: subject, stream length.
pub(super) const CLEAR_SUBJECT: &str = r"
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
if removed == 1 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'op', 'clear', 'key', ARGV[1], 'value', '0')
end
return removed
";

/// `KEYS[1]` the used set, `KEYS[2]` the jti's first-use key; `ARGV`: jti, until, now, until
/// in milliseconds. 1 for the first caller while a mark lives; the first use time is kept
/// beside it, expiring with the mark.
pub(super) const MARK_USED: &str = r"
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if held and tonumber(held) > tonumber(ARGV[3]) then
  return 0
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('SET', KEYS[2], ARGV[3], 'PXAT', ARGV[4])
return 1
";
