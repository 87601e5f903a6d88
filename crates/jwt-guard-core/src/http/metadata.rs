//! RFC 9728 OAuth 2.0 Protected Resource Metadata: the `[resource_metadata]` table
//! ([`ResourceMetadata`]), the document served at `/.well-known/oauth-protected-resource`, and
//! its URL, which every `WWW-Authenticate` Bearer challenge then carries as `resource_metadata`
//! (RFC 9728 §5.1; the MCP authorization specification requires both of a protected resource).
//!
//! ```toml
//! [resource_metadata]
//! resource = "https://api.example.com"
//! authorization_servers = ["https://login.example.com"]
//! scopes_supported = ["orders:read", "orders:write"]
//! resource_name = "Orders API"
//! resource_documentation = "https://docs.example.com/orders"
//! ```

use ::http::header::CONTENT_TYPE;
use ::http::{HeaderValue, Response, StatusCode};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::http::TokenLocations;

/// The path segment RFC 9728 §3 registers.
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// The `[resource_metadata]` table: what RFC 9728 §2 lets a protected resource say about
/// itself. `bearer_methods_supported` is not a key: it is derived from the `[token]` table
/// (`header` for the `Authorization` header, `query` for the query parameter; a cookie or
/// another header is no RFC 6750 method, so it is not listed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ResourceMetadata {
    /// The resource identifier (RFC 9728 §1.2): an `https` URL without query or fragment,
    /// which tokens for this API name. Required.
    pub resource: String,
    /// The issuers of the authorization servers that issue tokens for it.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// The scopes it understands.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// A name for people.
    #[serde(default)]
    pub resource_name: Option<String>,
    /// A page of documentation for developers.
    #[serde(default)]
    pub resource_documentation: Option<String>,
}

#[derive(Serialize)]
struct Document<'a> {
    resource: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    authorization_servers: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scopes_supported: &'a [String],
    bearer_methods_supported: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_documentation: Option<&'a str>,
}

impl ResourceMetadata {
    /// Metadata for the resource identifier `resource`.
    pub fn new(resource: impl Into<String>) -> ResourceMetadata {
        ResourceMetadata {
            resource: resource.into(),
            ..ResourceMetadata::default()
        }
    }

    /// Adds an authorization server (its issuer).
    #[must_use]
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> ResourceMetadata {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// Adds supported scopes.
    #[must_use]
    pub fn scopes_supported<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        scopes: I,
    ) -> ResourceMetadata {
        self.scopes_supported
            .extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Checks the resource identifier: `https://` (or `http://` for a loopback development
    /// server), a host, no query, no fragment.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) at
    /// `resource_metadata.resource`.
    pub fn check(&self) -> Result<()> {
        let r = &self.resource;
        let rest = r
            .strip_prefix("https://")
            .or_else(|| r.strip_prefix("http://"))
            .unwrap_or("");
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() || r.contains('?') || r.contains('#') || r.contains(char::is_whitespace)
        {
            return Err(Error::config(
                "resource_metadata.resource",
                "must be an https URL with a host and no query or fragment (RFC 9728 §1.2)",
            ));
        }
        Ok(())
    }

    /// The path this document is served at on the resource's host (RFC 9728 §3.1: the
    /// well-known segment, then the resource identifier's path, if any):
    /// `https://api.example.com` → `/.well-known/oauth-protected-resource`,
    /// `https://example.com/orders` → `/.well-known/oauth-protected-resource/orders`.
    pub fn path(&self) -> String {
        let (_, path) = self.split();
        format!("{WELL_KNOWN_PATH}{}", path.trim_end_matches('/'))
    }

    /// The document's URL: the resource's scheme and host, then [`ResourceMetadata::path`].
    /// This is the `resource_metadata` of every challenge.
    pub fn url(&self) -> String {
        let (origin, _) = self.split();
        format!("{origin}{}", self.path())
    }

    /// (`https://host`, `/path`) of the resource identifier.
    fn split(&self) -> (&str, &str) {
        let r = self.resource.as_str();
        let start = r.find("://").map_or(0, |i| i + 3);
        match r.get(start..).and_then(|rest| rest.find('/')) {
            Some(slash) => (
                r.get(..start + slash).unwrap_or(r),
                r.get(start + slash..).unwrap_or(""),
            ),
            None => (r, ""),
        }
    }

    /// The JSON document (RFC 9728 §2), `bearer_methods_supported` from `locations`.
    pub fn document(&self, locations: &TokenLocations) -> String {
        let mut methods = Vec::new();
        if locations
            .header_name()
            .is_some_and(|h| h.eq_ignore_ascii_case("authorization"))
        {
            methods.push("header");
        }
        if locations.query_param() == Some(crate::http::DEFAULT_QUERY_PARAM) {
            methods.push("query");
        }
        serde_json::to_string(&Document {
            resource: &self.resource,
            authorization_servers: &self.authorization_servers,
            scopes_supported: &self.scopes_supported,
            bearer_methods_supported: methods,
            resource_name: self.resource_name.as_deref(),
            resource_documentation: self.resource_documentation.as_deref(),
        })
        .unwrap_or_else(|_| String::from("{}"))
    }

    /// The response serving the document: 200, `Content-Type: application/json`.
    pub fn response(&self, locations: &TokenLocations) -> Response<String> {
        let mut response = Response::new(self.document(locations));
        *response.status_mut() = StatusCode::OK;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_rfc_9728() {
        let m = ResourceMetadata::new("https://api.example.com");
        assert_eq!(m.path(), WELL_KNOWN_PATH);
        assert_eq!(
            m.url(),
            "https://api.example.com/.well-known/oauth-protected-resource"
        );
        let m = ResourceMetadata::new("https://example.com:8443/orders/v1/");
        assert_eq!(m.path(), "/.well-known/oauth-protected-resource/orders/v1");
        assert_eq!(
            m.url(),
            "https://example.com:8443/.well-known/oauth-protected-resource/orders/v1"
        );
        assert!(m.check().is_ok());
        for bad in [
            "",
            "api.example.com",
            "https://",
            "https://a/b?x=1",
            "https://a#f",
        ] {
            assert!(ResourceMetadata::new(bad).check().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_document_derives_bearer_methods() {
        let m = ResourceMetadata::new("https://api.example.com")
            .authorization_server("https://login.example.com")
            .scopes_supported(["read"]);
        assert_eq!(
            m.document(&TokenLocations::new()),
            r#"{"resource":"https://api.example.com","authorization_servers":["https://login.example.com"],"scopes_supported":["read"],"bearer_methods_supported":["header"]}"#
        );
        let everywhere = TokenLocations::new()
            .cookie("session")
            .query(crate::http::DEFAULT_QUERY_PARAM);
        assert_eq!(
            ResourceMetadata::new("https://a.example").document(&everywhere),
            r#"{"resource":"https://a.example","bearer_methods_supported":["header","query"]}"#
        );
        assert_eq!(
            ResourceMetadata::new("https://a.example")
                .document(&TokenLocations::nowhere().cookie("session")),
            r#"{"resource":"https://a.example","bearer_methods_supported":[]}"#
        );
    }
}
