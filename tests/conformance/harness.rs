//! Real servers on `127.0.0.1:0` (axum on the test's tokio runtime, actix-web on its own thread
//! and `System`), a real HTTP/1.1 client (hyper, one connection per request), and the answer
//! both are compared on.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use actix_web::dev::ServerHandle;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::apps::{Setup, actix_app, axum_app};

/// What a server answered, as far as the conformance contract goes.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// Every `WWW-Authenticate` value (more than one would be a bug).
    pub(crate) www_authenticate: Vec<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) body: String,
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} | WWW-Authenticate: {:?} | Content-Type: {:?} | {}",
            self.status, self.www_authenticate, self.content_type, self.body
        )
    }
}

/// `GET target` with `headers` to `addr`, over a fresh HTTP/1.1 connection.
async fn get(addr: SocketAddr, target: &str, headers: &[(String, String)]) -> Answer {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let mut request = http::Request::get(target).header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = sender
        .send_request(request.body(Empty::<Bytes>::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    drop(sender);
    let _ = connection.await;
    let text = |v: &http::HeaderValue| v.to_str().unwrap_or("<not ASCII>").to_owned();
    Answer {
        status: parts.status.as_u16(),
        www_authenticate: parts
            .headers
            .get_all("www-authenticate")
            .iter()
            .map(text)
            .collect(),
        content_type: parts.headers.get("content-type").map(text),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The axum app served by `axum::serve` on this runtime; stopped by [`AxumServer::stop`].
pub(crate) struct AxumServer {
    pub(crate) addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl AxumServer {
    pub(crate) async fn start(setup: &Setup) -> AxumServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum_app::router(setup);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        AxumServer {
            addr,
            shutdown,
            task,
        }
    }

    pub(crate) async fn get(&self, target: &str, headers: &[(String, String)]) -> Answer {
        get(self.addr, target, headers).await
    }

    pub(crate) async fn stop(self) {
        let _ = self.shutdown.send(());
        self.task.await.unwrap();
    }
}

/// The actix-web app on its own thread and `System` (one worker); stopped by
/// [`ActixServer::stop`].
pub(crate) struct ActixServer {
    pub(crate) addr: SocketAddr,
    handle: ServerHandle,
    thread: JoinHandle<()>,
}

impl ActixServer {
    pub(crate) fn start(setup: Arc<Setup>) -> ActixServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = actix_web::HttpServer::new(move || {
                    actix_web::App::new().configure(actix_app::routes(Arc::clone(&setup)))
                })
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
            thread,
        }
    }

    pub(crate) async fn get(&self, target: &str, headers: &[(String, String)]) -> Answer {
        get(self.addr, target, headers).await
    }

    pub(crate) async fn stop(self) {
        self.handle.stop(true).await;
        tokio::task::spawn_blocking(move || self.thread.join().unwrap())
            .await
            .unwrap();
    }
}
