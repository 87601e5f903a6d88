//! What a request looks like to token extraction: header values by name and the raw query.

use ::http::{HeaderMap, HeaderName, HeaderValue, Request};

/// A request as token extraction sees it: header values by name and the raw query string.
///
/// Implemented for `http` 1.x's [`Request`], [`request::Parts`](::http::request::Parts) and
/// [`HeaderMap`] (no query). A framework on another `http` version implements it for a wrapper
/// around its own request type.
pub trait TokenSource {
    /// Every value of the header `name` (header names are case-insensitive), in order.
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s, Self>;

    /// Every value of the header `name`, the name given parsed: what extraction calls, so a
    /// request type that looks headers up by [`HeaderName`] skips parsing the name on every
    /// request (`http`'s types do). Default: [`TokenSource::header_values`] of its text.
    fn header_values_named<'s>(
        &'s self,
        name: &HeaderName,
    ) -> impl Iterator<Item = &'s [u8]> + use<'s, Self> {
        self.header_values(name.as_str())
    }

    /// The raw query string (after `?`, without `#`), if the request has one.
    fn query(&self) -> Option<&str>;

    /// The request method (`GET`, `POST`, ...), if known. The CSRF check of browser sessions
    /// ([`crate::sessions::cookies`]) treats an unknown method as unsafe. Default: `None`.
    fn method(&self) -> Option<&str> {
        None
    }
}

impl TokenSource for HeaderMap {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s> {
        self.get_all(name).iter().map(HeaderValue::as_bytes)
    }

    fn header_values_named<'s>(
        &'s self,
        name: &HeaderName,
    ) -> impl Iterator<Item = &'s [u8]> + use<'s> {
        self.get_all(name).iter().map(HeaderValue::as_bytes)
    }

    fn query(&self) -> Option<&str> {
        None
    }
}

impl TokenSource for ::http::request::Parts {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s> {
        self.headers.header_values(name)
    }

    fn header_values_named<'s>(
        &'s self,
        name: &HeaderName,
    ) -> impl Iterator<Item = &'s [u8]> + use<'s> {
        self.headers.header_values_named(name)
    }

    fn query(&self) -> Option<&str> {
        self.uri.query()
    }

    fn method(&self) -> Option<&str> {
        Some(self.method.as_str())
    }
}

impl<B> TokenSource for Request<B> {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s, B> {
        self.headers().header_values(name)
    }

    fn header_values_named<'s>(
        &'s self,
        name: &HeaderName,
    ) -> impl Iterator<Item = &'s [u8]> + use<'s, B> {
        self.headers().header_values_named(name)
    }

    fn query(&self) -> Option<&str> {
        self.uri().query()
    }

    fn method(&self) -> Option<&str> {
        Some(self.method().as_str())
    }
}

/// A header map and a query string, for callers that hold them apart.
#[derive(Debug, Clone, Copy)]
pub struct HeadersAndQuery<'a> {
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The raw query string, if any.
    pub query: Option<&'a str>,
}

impl<'a> TokenSource for HeadersAndQuery<'a> {
    fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s [u8]> + use<'s, 'a> {
        self.headers.header_values(name)
    }

    fn header_values_named<'s>(
        &'s self,
        name: &HeaderName,
    ) -> impl Iterator<Item = &'s [u8]> + use<'s, 'a> {
        self.headers.header_values_named(name)
    }

    fn query(&self) -> Option<&str> {
        self.query
    }
}
