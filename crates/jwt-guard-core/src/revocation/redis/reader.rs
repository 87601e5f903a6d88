//! The background thread: the writing connection's jobs, and following the stream into the replica.

use super::*;

/// The background thread's work: the writing connection's jobs, and the replica.
pub(super) struct Reader {
    pub(super) shared: Arc<Shared>,
    pub(super) keys: Keys,
    pub(super) client: Client,
    pub(super) loads: watch::Sender<LoadState>,
}

impl Reader {
    pub(super) async fn run(
        self,
        mut jobs: mpsc::UnboundedReceiver<Job>,
        mut stop: oneshot::Receiver<()>,
    ) {
        let manager = ConnectionManager::new_lazy_with_config(
            self.client.clone(),
            ConnectionManagerConfig::new()
                .set_connection_timeout(Some(WRITE_TIMEOUT))
                .set_response_timeout(Some(WRITE_TIMEOUT))
                .set_number_of_retries(2)
                .set_max_delay(BACKOFF_MAX),
        );
        let manager = match manager {
            Ok(manager) => manager,
            Err(e) => {
                self.failed(&e);
                return;
            }
        };
        let writes = async {
            while let Some(job) = jobs.recv().await {
                tokio::spawn(job(manager.clone()));
            }
        };
        tokio::select! {
            _ = &mut stop => {}
            () = writes => {}
            () = self.follow(&manager) => {}
        }
    }

    pub(super) fn failed(&self, e: &dyn fmt::Display) {
        let why = e.to_string();
        self.loads.send_modify(|state| state.error = Some(why));
    }

    /// Connects, loads, follows the stream; after any failure, again with backoff. Never ends.
    /// Logs one warning when Redis is lost (or unreachable at the start), not one per retry.
    pub(super) async fn follow(&self, manager: &ConnectionManager) {
        let mut backoff = BACKOFF_MIN;
        let mut warned = false;
        loop {
            let before = self.loads.borrow().loads;
            let error = self.session(manager).await;
            if self.loads.borrow().loads > before {
                // This session loaded the list: a fresh outage.
                backoff = BACKOFF_MIN;
                warned = false;
            }
            if !warned {
                tracing::warn!(
                    target: crate::LOG_TARGET,
                    error = %error,
                    "revocation replica cannot reach Redis; reconnecting with backoff"
                );
                warned = true;
            }
            self.failed(&error);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    /// One connection's life: load the whole list, then follow the stream until an error
    /// (the only way it ends).
    pub(super) async fn session(&self, manager: &ConnectionManager) -> redis::RedisError {
        match self.follow_once(manager).await {
            Ok(never) => match never {},
            Err(e) => e,
        }
    }

    pub(super) async fn follow_once(
        &self,
        manager: &ConnectionManager,
    ) -> RedisResult<std::convert::Infallible> {
        let block = (self.shared.max_staleness / 4)
            .clamp(Duration::from_millis(50), Duration::from_millis(1_000));
        let mut con: MultiplexedConnection = self
            .client
            .get_multiplexed_async_connection_with_config(
                &AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(WRITE_TIMEOUT))
                    .set_response_timeout(Some(block + Duration::from_secs(1))),
            )
            .await?;
        let mut last_id = self.load(&mut con).await?;
        // Redis is back: let the writing connection find out now (a dropped connection fails
        // one command, then reconnects), not on the next write (`mark_used` is not retried).
        for _ in 0..2 {
            let pong: RedisResult<String> =
                redis::cmd("PING").query_async(&mut manager.clone()).await;
            if pong.is_ok() {
                break;
            }
        }
        let mut swept = Instant::now();
        loop {
            let reply: Option<StreamReadReply> = redis::cmd("XREAD")
                .arg("COUNT")
                .arg(1_000)
                .arg("BLOCK")
                .arg(u64::try_from(block.as_millis()).unwrap_or(1_000))
                .arg("STREAMS")
                .arg(&self.keys.events)
                .arg(&last_id)
                .query_async(&mut con)
                .await?;
            let events: Vec<Event> = reply
                .into_iter()
                .flat_map(|r| r.keys)
                .flat_map(|k| k.ids)
                .filter_map(|entry| {
                    let event = parse_event(&entry);
                    last_id = entry.id;
                    event
                })
                .collect();
            if !events.is_empty() {
                let mut tables = self.shared.write();
                for event in &events {
                    apply_event(&mut tables, event);
                }
            }
            if swept.elapsed() >= SWEEP_EVERY {
                let now = self.shared.clock.now();
                self.shared.write().drop_expired(now);
                swept = Instant::now();
            }
            self.shared.heard();
        }
    }

    /// The whole list and the stream's last id, in one `MULTI`/`EXEC`; swapped in whole.
    pub(super) async fn load(&self, con: &mut MultiplexedConnection) -> RedisResult<String> {
        let live = format!("({}", self.shared.clock.now());
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("XREVRANGE")
            .arg(&self.keys.events)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1);
        for key in [&self.keys.jti, &self.keys.sid] {
            pipe.cmd("ZRANGE")
                .arg(key)
                .arg(&live)
                .arg("+inf")
                .arg("BYSCORE")
                .arg("WITHSCORES");
        }
        pipe.cmd("HGETALL").arg(&self.keys.subjects);
        let (last, jti, sid, subjects): (
            redis::streams::StreamRangeReply,
            Entries,
            Entries,
            Entries,
        ) = pipe.query_async(con).await?;
        let last_id = last
            .ids
            .into_iter()
            .next()
            .map_or_else(|| "0-0".to_owned(), |entry| entry.id);
        let table = |entries: Entries| -> Table {
            entries
                .into_iter()
                .filter_map(|(k, v)| seconds(&v).map(|v| (k.into_boxed_str(), v)))
                .collect()
        };
        let fresh = Tables {
            jti: table(jti),
            sid: table(sid),
            subjects: table(subjects),
            used: Table::default(),
            used_at: Table::default(),
        };
        *self.shared.write() = fresh;
        self.shared.heard();
        self.shared.loaded.store(true, Ordering::Release);
        self.loads.send_modify(|state| {
            state.loads += 1;
            state.error = None;
        });
        tracing::info!(
            target: crate::LOG_TARGET,
            loads = self.loads.borrow().loads,
            "revocation replica loaded from Redis"
        );
        Ok(last_id)
    }
}

pub(super) fn parse_event(entry: &redis::streams::StreamId) -> Option<Event> {
    let op: String = entry.get("op")?;
    let key: String = entry.get("key")?;
    let value: String = entry.get("value")?;
    let value = seconds(&value);
    match op.as_str() {
        "jti" => Some(Event::Jti(key, value?)),
        "sid" => Some(Event::Sid(key, value?)),
        "sub" => Some(Event::Subject(key, value?)),
        "clear" => Some(Event::Clear(key)),
        _ => None,
    }
}
