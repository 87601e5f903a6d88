//! An actix-web server on `127.0.0.1:0`, on its own thread with its own actix `System` (one
//! worker), for the conformance suite and `jwt-guard-actix`'s tests. Stopped by
//! [`ActixServer::stop`], or when dropped.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::{JoinHandle, ThreadId};

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer};

use crate::client::{self, Reply};

/// A running server; [`ActixServer::get`] talks to it.
pub struct ActixServer {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
    workers: Arc<Mutex<Vec<ThreadId>>>,
}

impl ActixServer {
    /// Serves the app `factory` builds (it runs on the server's worker thread).
    pub fn app<F, T, B>(factory: F) -> ActixServer
    where
        F: Fn() -> App<T> + Send + Clone + 'static,
        T: ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = actix_web::Error,
                InitError = (),
            > + 'static,
        B: MessageBody + 'static,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let workers = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&workers);
        // Each worker builds its app on its own thread: note which one, for the tracing capture.
        let factory = move || {
            seen.lock().unwrap().push(std::thread::current().id());
            factory()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(factory)
                    .workers(1)
                    .disable_signals()
                    .listen(listener)
                    .unwrap()
                    .run();
                tx.send(server.handle()).unwrap();
                server.await.unwrap();
            });
        });
        let handle = rx.recv().unwrap();
        ActixServer {
            addr,
            handle,
            thread: Some(thread),
            workers,
        }
    }

    /// The threads of the workers that have built their app so far (one worker: at most one
    /// thread, there once the server has answered a request). Its middleware and extractors log
    /// there: `capture::take_thread` finds their events.
    pub fn worker_threads(&self) -> Vec<ThreadId> {
        self.workers.lock().unwrap().clone()
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `GET target` with `headers`, over a fresh HTTP/1.1 connection.
    pub async fn get(&self, target: &str, headers: &[(&str, &str)]) -> Reply {
        client::get(self.addr, target, headers).await
    }

    /// Shuts it down gracefully and joins its thread; panics if the server failed.
    pub async fn stop(mut self) {
        self.handle.stop(true).await;
        if let Some(thread) = self.thread.take() {
            tokio::task::spawn_blocking(move || thread.join().unwrap())
                .await
                .unwrap();
        }
    }
}

impl fmt::Debug for ActixServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActixServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for ActixServer {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            // `stop` sends its command at once; the returned future only waits for completion,
            // which joining the thread does.
            drop(self.handle.stop(false));
            let _ = thread.join();
        }
    }
}
