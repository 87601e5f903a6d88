//! OpenID Connect Discovery 1.0: the provider metadata at
//! `{issuer}/.well-known/openid-configuration` names the `jwks_uri`; its `issuer` must equal the
//! configured issuer exactly (§4.3), or the document is refused. The `jwks_uri` must pass the
//! same `https`-except-loopback rule as configured URLs (it need not share the issuer's origin:
//! providers often serve keys from another host). Both fetches follow the configured
//! [`RedirectPolicy`](crate::RedirectPolicy), each within its own origin.

use reqwest::Url;
use serde::Deserialize;

use crate::remote::error::FetchError;
use crate::remote::urls::check_url;

/// The discovery URL of `issuer` (§4: the well-known path is appended to the issuer's path).
pub(super) fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

#[derive(Deserialize)]
struct Metadata {
    issuer: Option<String>,
    jwks_uri: Option<String>,
}

/// The `jwks_uri` of a discovery document, after checking its `issuer`. The document must be
/// UTF-8 (RFC 8259 §8.1; serde skips the strings of members it does not read without checking
/// them, so this is checked first, as for a JWK Set) and a JSON object (OIDC Discovery §4.2;
/// serde would also read the two members from an array).
pub(super) fn jwks_uri(body: &[u8], issuer: &str, allow_http: bool) -> Result<Url, FetchError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| FetchError::Discovery("the document is not UTF-8 text".into()))?;
    if !text.trim_start().starts_with('{') {
        return Err(FetchError::Discovery(
            "the document is not a JSON object".into(),
        ));
    }
    let metadata: Metadata = serde_json::from_str(text).map_err(|e| {
        FetchError::Discovery(format!(
            "the document is not a JSON provider metadata object: {e}"
        ))
    })?;
    match metadata.issuer.as_deref() {
        Some(found) if found == issuer => {}
        Some(found) => {
            return Err(FetchError::Discovery(format!(
                "the document names the issuer {found:?}, not {issuer:?}"
            )));
        }
        None => return Err(FetchError::Discovery("the document has no issuer".into())),
    }
    let text = metadata
        .jwks_uri
        .ok_or_else(|| FetchError::Discovery("the document has no jwks_uri".into()))?;
    let url = Url::parse(&text)
        .map_err(|e| FetchError::Discovery(format!("jwks_uri is not a URL: {e}")))?;
    check_url(&url, allow_http).map_err(|why| FetchError::Discovery(format!("jwks_uri: {why}")))?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_and_document_checks() {
        assert_eq!(
            discovery_url("https://idp.example/tenant/"),
            "https://idp.example/tenant/.well-known/openid-configuration"
        );
        let iss = "https://idp.example";
        let ok = br#"{"issuer": "https://idp.example", "jwks_uri": "https://idp.example/keys"}"#;
        assert_eq!(
            jwks_uri(ok, iss, false).map(|u| u.to_string()).ok(),
            Some("https://idp.example/keys".to_owned())
        );
        let cases: [&[u8]; 9] = [
            br#"{"issuer": "https://evil.example", "jwks_uri": "https://idp.example/keys"}"#,
            // Found by the remote_documents fuzz target: bytes that are not UTF-8 in a member
            // nobody reads were accepted.
            b"{\"issuer\": \"https://idp.example\", \"jwks_uri\": \"https://idp.example/keys\", \"x\": \"\xd0\xd0\"}",
            br#"["https://idp.example", "https://idp.example/keys"]"#,
            br#"{"issuer": "https://idp.example", "issuer": "https://idp.example", "jwks_uri": "https://idp.example/keys"}"#,
            br#"{"issuer": "https://idp.example/", "jwks_uri": "https://idp.example/keys"}"#,
            br#"{"issuer": "https://idp.example"}"#,
            br#"{"issuer": "https://idp.example", "jwks_uri": "http://idp.example/keys"}"#,
            br#"{"issuer": "https://idp.example", "jwks_uri": "http://keys.localhost/keys"}"#,
            b"<html>",
        ];
        for body in cases {
            assert!(
                matches!(jwks_uri(body, iss, false), Err(FetchError::Discovery(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
