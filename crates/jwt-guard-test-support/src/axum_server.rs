//! An axum (or plain hyper) server on `127.0.0.1:0` on the test's tokio runtime, for the
//! conformance suite and `jwt-guard-axum`'s tests. Stopped by [`AxumServer::stop`], or when
//! dropped.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::client::{self, Reply};

/// A running server; [`AxumServer::get`] talks to it.
pub struct AxumServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl AxumServer {
    /// Serves `app` with `axum::serve`.
    pub async fn router(app: axum::Router) -> AxumServer {
        AxumServer::spawn(|listener, stopped| async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        })
        .await
    }

    /// Runs `serve(listener, stopped)` as the server, for one that is not an axum router; it
    /// should return once `stopped` resolves.
    pub async fn spawn<F, Fut>(serve: F) -> AxumServer
    where
        F: FnOnce(TcpListener, oneshot::Receiver<()>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, stopped));
        AxumServer {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `GET target` with `headers`, over a fresh HTTP/1.1 connection.
    pub async fn get(&self, target: &str, headers: &[(&str, &str)]) -> Reply {
        client::get(self.addr, target, headers).await
    }

    /// Shuts it down gracefully; panics if the server failed.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

impl fmt::Debug for AxumServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AxumServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for AxumServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
