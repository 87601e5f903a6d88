//! [`FetchError`]: why a fetch failed, in words that name the configured URL at most, never a
//! redirect's `Location` (it may carry a token).

use std::fmt;
use std::time::Duration;

use crate::error::Error;
use crate::remote::urls::RedirectRefused;

/// Why a fetch failed (the source of a [`ErrorKind::KeyUnavailable`](crate::ErrorKind::KeyUnavailable) from
/// [`RemoteJwks::load`](super::RemoteJwks::load)).
/// `Redirect`: a redirect answer (its status) not followed, and why; `RedirectedByClient`: a
/// client given to [`RemoteJwksBuilder::client`](super::RemoteJwksBuilder::client) followed a redirect by itself.
#[derive(Debug)]
pub(crate) enum FetchError {
    Http(reqwest::Error),
    Timeout(Duration),
    Status { status: u16 },
    Redirect(u16, RedirectRefused),
    RedirectedByClient,
    TooLarge { max: usize },
    NotUtf8,
    KeySet(Error),
    Discovery(String),
    NoRuntime,
    Cancelled,
}

impl FetchError {
    pub(super) fn from_reqwest(e: reqwest::Error, timeout: Duration) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(timeout)
        } else {
            FetchError::Http(e)
        }
    }

    /// Drops the URL from a request error after `followed` redirects: a `Location` is not
    /// configuration, and may carry a token in its query.
    pub(super) fn after(self, followed: usize) -> FetchError {
        match self {
            FetchError::Http(e) if followed > 0 => FetchError::Http(e.without_url()),
            other => other,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Http(e) => {
                write!(f, "request failed: {e}")?;
                let mut source = std::error::Error::source(e);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
            FetchError::Timeout(d) => write!(f, "no complete answer within {} s", d.as_secs_f64()),
            FetchError::Status { status } => write!(f, "HTTP status {status}"),
            // Never the Location: it may carry a token in its query.
            FetchError::Redirect(status, refused) => {
                write!(f, "HTTP status {status}: {refused}")
            }
            FetchError::RedirectedByClient => f.write_str(
                "the HTTP client followed a redirect by itself and its answer is not used \
                 (build it with reqwest::redirect::Policy::none())",
            ),
            FetchError::TooLarge { max } => write!(f, "the response body is over {max} bytes"),
            FetchError::NotUtf8 => f.write_str("the response body is not UTF-8"),
            FetchError::KeySet(e) => write!(f, "not a usable JWK Set: {e}"),
            FetchError::Discovery(why) => write!(f, "OpenID Connect discovery failed: {why}"),
            FetchError::NoRuntime => f.write_str("no Tokio runtime is running"),
            FetchError::Cancelled => f.write_str("the fetch was cancelled"),
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FetchError::KeySet(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::policy::DEFAULT_TIMEOUT;
    use crate::remote::urls::RedirectRefused::OtherOrigin;
    use reqwest::Client;

    #[test]
    fn redirect_errors_name_the_status_only() {
        // The message names the status, never the Location (which may carry a token).
        let error = FetchError::Redirect(302, OtherOrigin);
        assert_eq!(
            error.to_string(),
            "HTTP status 302: redirects to another origin are not followed"
        );
    }

    #[test]
    fn request_errors_after_a_redirect_do_not_name_the_url() {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            panic!("runtime")
        };
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let url = format!("http://127.0.0.1:{closed}/moved?token=sekrit");
        let error = |followed| {
            let Err(e) = runtime.block_on(Client::new().get(&url).send()) else {
                panic!("nothing listens on {url}")
            };
            FetchError::from_reqwest(e, DEFAULT_TIMEOUT)
                .after(followed)
                .to_string()
        };
        let asked = error(0);
        assert!(
            asked.starts_with("request failed: ") && asked.contains("sekrit"),
            "{asked}"
        );
        let redirected = error(1);
        assert!(redirected.starts_with("request failed: "), "{redirected}");
        assert!(!redirected.contains("sekrit"), "{redirected}");
    }
}
