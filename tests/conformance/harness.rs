//! Real servers on `127.0.0.1:0` (axum on the test's tokio runtime, actix-web on its own thread
//! and `System`) and a real HTTP/1.1 client (hyper, one connection per request), from the
//! `jwt-guard-test-support` crate that the adapters' own suites use too; and the answer both
//! servers are compared on.

pub(crate) use jwt_guard_test_support::{actix_server, axum_server, client};

use std::fmt;

use jwt_guard_test_support::client::Reply;

/// What a server answered, as far as the conformance contract goes.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// Every `WWW-Authenticate` value (more than one would be a bug).
    pub(crate) www_authenticate: Vec<String>,
    pub(crate) content_type: Option<String>,
    /// Every `Retry-After` value.
    pub(crate) retry_after: Vec<String>,
    /// Every `Set-Cookie` value, its secret masked (`cases::mask_set_cookie`).
    pub(crate) set_cookies: Vec<String>,
    pub(crate) body: String,
}

impl From<Reply> for Answer {
    fn from(reply: Reply) -> Answer {
        Answer {
            status: reply.status,
            www_authenticate: reply.header_all("www-authenticate"),
            content_type: reply.header("content-type").map(str::to_owned),
            retry_after: reply.header_all("retry-after"),
            set_cookies: reply
                .header_all("set-cookie")
                .iter()
                .map(|v| crate::cases::mask_set_cookie(v))
                .collect(),
            body: reply.body,
        }
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} | WWW-Authenticate: {:?} | Content-Type: {:?} | Retry-After: {:?} | Set-Cookie: {:?} | {}",
            self.status,
            self.www_authenticate,
            self.content_type,
            self.retry_after,
            self.set_cookies,
            self.body
        )
    }
}
