//! Redirects and the loopback rule: no redirect is followed by default; `SameOrigin` follows
//! only redirects that keep scheme, host and port; a refused redirect is a failed fetch whose
//! error names the status and never the target; `http` only to `localhost` and loopback IPs.
//! Every redirect target is a real server that counts its requests (another loopback port is
//! another origin), so "not followed" means "the target got no request".

use jwt_guard_core::remote::{RedirectPolicy, RemoteJwks};
use jwt_guard_core::{ErrorKind, KeySource, VerifierConfig};
use serde_json::json;

use crate::remote::support::{
    Behaviour, Server, builder, chain, check, check_sync, jwks, signing_key, verifier,
};

const NOT_FOLLOWED: &str = "redirects are not followed (redirects = \"none\")";
const OTHER_ORIGIN: &str = "redirects to another origin are not followed";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_origin_is_never_followed() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::Status(500)).await;
    let other = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    // A token in the query of the target must not end up in an error or a log.
    let target = format!("{}?access_token=sekrit-token", other.jwks_url());
    for status in [301, 302, 303, 307, 308] {
        server.set(Behaviour::redirect(status, target.clone()));
        for (policy, why) in [
            (RedirectPolicy::None, NOT_FOLLOWED),
            (RedirectPolicy::SameOrigin, OTHER_ORIGIN),
        ] {
            let source = builder(&server.jwks_url())
                .redirects(policy)
                .build()
                .unwrap();
            let err = source.load().await.unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::KeyUnavailable);
            let expected = format!("key set unavailable: HTTP status {status}: {why}");
            assert_eq!(chain(&err), expected, "{policy:?}");
            let last_error = source.status().last_error.unwrap();
            assert_eq!(format!("key set unavailable: {last_error}"), expected);
            // A verification gets key_unavailable, as for any failed fetch.
            assert_eq!(
                check_sync(&verifier(&source), &k1.token()),
                Err(ErrorKind::KeyUnavailable)
            );
        }
    }
    assert_eq!(server.jwks_hits(), 10);
    assert_eq!(other.jwks_hits(), 0, "the target never got a request");

    // The same host by another name is another origin too.
    let port = server.addr.port();
    server.set(Behaviour::redirect(
        302,
        format!("http://localhost:{port}/moved"),
    ));
    server.set_moved(Behaviour::serve(jwks(&[&k1.jwk])));
    let err = builder(&server.jwks_url())
        .redirects(RedirectPolicy::SameOrigin)
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        chain(&err),
        format!("key set unavailable: HTTP status 302: {OTHER_ORIGIN}")
    );
    assert_eq!(server.moved_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_redirect_is_an_outage_the_last_good_keys_ride_out() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let other = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let source = builder(&server.jwks_url()).load().await.unwrap();
    let v = verifier(&source);
    server.set(Behaviour::redirect(302, other.jwks_url()));
    let err = source.load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        format!("key set unavailable: HTTP status 302: {NOT_FOLLOWED}")
    );
    assert_eq!(
        check_sync(&v, &k1.token()),
        Ok(()),
        "the last good keys stay"
    );
    assert_eq!(check(&v, &k1.token()).await, Ok(()));
    let status = source.status();
    assert_eq!((status.fetches, status.failures, status.keys), (2, 1, 1));
    assert_eq!(
        status.last_error.as_deref(),
        Some(format!("HTTP status 302: {NOT_FOLLOWED}").as_str())
    );
    assert_eq!((server.jwks_hits(), other.jwks_hits()), (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_same_origin_redirect_is_refused_by_default_and_followed_under_same_origin() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::Status(500)).await;
    server.set_moved(Behaviour::serve(jwks(&[&k1.jwk])));
    // A relative Location and an absolute one on the same origin.
    for (status, location) in [(302, "/moved".to_owned()), (308, server.moved_url())] {
        server.set(Behaviour::redirect(status, location.clone()));
        let moved_before = server.moved_hits();
        let err = builder(&server.jwks_url()).load().await.unwrap_err();
        assert_eq!(
            chain(&err),
            format!("key set unavailable: HTTP status {status}: {NOT_FOLLOWED}"),
            "{location}"
        );
        assert_eq!(
            server.moved_hits(),
            moved_before,
            "not followed: {location}"
        );

        let source = builder(&server.jwks_url())
            .redirects(RedirectPolicy::SameOrigin)
            .load()
            .await
            .unwrap();
        assert_eq!(server.moved_hits(), moved_before + 1, "{location}");
        assert_eq!(check_sync(&verifier(&source), &k1.token()), Ok(()));
        let status = source.status();
        assert_eq!(status.keys, 1);
        assert_eq!(
            status.jwks_uri.as_deref(),
            Some(server.jwks_url().as_str()),
            "the configured URL stays the one asked next time"
        );
    }
    assert_eq!(server.jwks_hits(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_that_leaves_the_origin_or_loops_is_refused_under_same_origin() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::redirect(301, "/moved")).await;
    let other = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    server.set_moved(Behaviour::redirect(307, other.jwks_url()));
    let same_origin = || builder(&server.jwks_url()).redirects(RedirectPolicy::SameOrigin);
    let err = same_origin().load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        format!("key set unavailable: HTTP status 307: {OTHER_ORIGIN}")
    );
    assert_eq!(
        (server.jwks_hits(), server.moved_hits(), other.jwks_hits()),
        (1, 1, 0)
    );

    // A loop on the origin: at most 5 redirects are followed (6 requests).
    server.set_moved(Behaviour::redirect(302, server.jwks_url()));
    let err = same_origin().load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "key set unavailable: HTTP status 302: more than 5 redirects are not followed"
    );
    assert_eq!((server.jwks_hits(), server.moved_hits()), (4, 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_and_the_jwks_uri_it_names_keep_to_the_policy() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let other = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let issuer = server.base_url();
    let document = json!({"issuer": issuer, "jwks_uri": server.jwks_url()});
    other.set_discovery(document.clone());

    // The discovery document redirects to another origin: refused under either policy.
    server.redirect_discovery(
        302,
        format!("{}/.well-known/openid-configuration", other.base_url()),
    );
    for (policy, why) in [
        (RedirectPolicy::None, NOT_FOLLOWED),
        (RedirectPolicy::SameOrigin, OTHER_ORIGIN),
    ] {
        let err = RemoteJwks::discover(&issuer)
            .redirects(policy)
            .load()
            .await
            .unwrap_err();
        assert_eq!(
            chain(&err),
            format!("key set unavailable: HTTP status 302: {why}")
        );
    }
    assert_eq!((server.discovery_hits(), other.discovery_hits()), (2, 0));

    // Within the origin: followed only under SameOrigin.
    server.redirect_discovery(302, "/moved");
    server.set_moved(Behaviour::serve(document.to_string()));
    let err = RemoteJwks::discover(&issuer).load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        format!("key set unavailable: HTTP status 302: {NOT_FOLLOWED}")
    );
    assert_eq!(server.moved_hits(), 0);
    let source = RemoteJwks::discover(&issuer)
        .redirects(RedirectPolicy::SameOrigin)
        .load()
        .await
        .unwrap();
    assert_eq!(source.status().keys, 1);
    assert_eq!(
        (
            server.discovery_hits(),
            server.moved_hits(),
            server.jwks_hits()
        ),
        (4, 1, 1)
    );

    // The jwks_uri it names redirects to another origin: refused, and the next fetch
    // discovers again (as after an error status).
    server.set(Behaviour::redirect(302, other.jwks_url()));
    let err = source.load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        format!("key set unavailable: HTTP status 302: {OTHER_ORIGIN}")
    );
    assert_eq!(
        check_sync(
            &verifier_for(&source, &issuer),
            &k1.token_for(&issuer, "api")
        ),
        Ok(())
    );
    server.set(Behaviour::serve(jwks(&[&k1.jwk])));
    source.load().await.unwrap();
    assert_eq!(
        (
            server.discovery_hits(),
            server.moved_hits(),
            server.jwks_hits()
        ),
        (5, 2, 3),
        "discovered again"
    );
    assert_eq!(other.jwks_hits(), 0);
}

fn verifier_for(source: &RemoteJwks, issuer: &str) -> jwt_guard_core::Verifier {
    jwt_guard_core::Verifier::builder()
        .algorithms([jwt_guard_core::Algorithm::ES256])
        .issuer(issuer)
        .audience("api")
        .key_source(std::sync::Arc::new(source.clone()))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_follows_redirects_itself_gets_its_answer_refused() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::Status(500)).await;
    let other = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    server.set(Behaviour::redirect(302, other.jwks_url()));
    // reqwest's default policy follows up to 10 redirects anywhere: the request to `other` is
    // made by the client before jwt-guard sees an answer, but its keys are never used.
    let err = builder(&server.jwks_url())
        .client(reqwest::Client::new())
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        chain(&err),
        "key set unavailable: the HTTP client followed a redirect by itself and its answer is \
         not used (build it with reqwest::redirect::Policy::none())"
    );
    assert_eq!(other.jwks_hits(), 1);

    // Built as documented, jwt-guard's policy applies to it.
    let client = || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    };
    let err = builder(&server.jwks_url())
        .client(client())
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        chain(&err),
        format!("key set unavailable: HTTP status 302: {NOT_FOLLOWED}")
    );
    server.set(Behaviour::redirect(307, "/moved"));
    server.set_moved(Behaviour::serve(jwks(&[&k1.jwk])));
    let source = builder(&server.jwks_url())
        .client(client())
        .redirects(RedirectPolicy::SameOrigin)
        .load()
        .await
        .unwrap();
    assert_eq!(source.status().keys, 1);
    assert_eq!(other.jwks_hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_only_to_localhost_and_loopback_addresses() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::serve(jwks(&[&k1.jwk]))).await;
    let port = server.addr.port();
    let https_required = "plain http is refused except to loopback addresses (set allow_http to \
                          opt out)";
    // Refused when built: no name is resolved, no connection is made.
    for url in [
        format!("http://foo.localhost:{port}/jwks"),
        format!("http://FOO.LOCALHOST.:{port}/jwks"),
        format!("http://localhost.localhost:{port}/jwks"),
        format!("http://localhost.example:{port}/jwks"),
        format!("http://127.0.0.1.example:{port}/jwks"),
        format!("http://0.0.0.0:{port}/jwks"),
        format!("http://[::]:{port}/jwks"),
        format!("http://[::ffff:10.0.0.1]:{port}/jwks"),
    ] {
        let err = builder(&url)
            .build()
            .map(|_| ())
            .map_err(jwt_guard_core::Error::into_kind);
        assert_eq!(
            err,
            Err(ErrorKind::InvalidConfig {
                field: "jwks_url".into(),
                reason: https_required.into()
            }),
            "{url}"
        );
    }
    let err = RemoteJwks::discover(format!("http://idp.localhost:{port}"))
        .build()
        .map(|_| ())
        .map_err(jwt_guard_core::Error::into_kind);
    assert_eq!(
        err,
        Err(ErrorKind::InvalidConfig {
            field: "oidc_issuer".into(),
            reason: https_required.into()
        })
    );
    // A discovered jwks_uri on such a name is refused before it is fetched.
    let issuer = server.base_url();
    server.set_discovery(
        json!({"issuer": issuer, "jwks_uri": format!("http://keys.localhost:{port}/jwks")}),
    );
    let err = RemoteJwks::discover(&issuer).load().await.unwrap_err();
    assert_eq!(
        chain(&err),
        format!("key set unavailable: OpenID Connect discovery failed: jwks_uri: {https_required}")
    );
    assert_eq!(server.jwks_hits(), 0);

    // Accepted: localhost (any case, one trailing dot) and loopback addresses.
    for url in [
        format!("http://localhost:{port}/jwks"),
        format!("http://LocalHost.:{port}/jwks"),
        format!("http://127.0.0.1:{port}/jwks"),
        format!("http://127.45.6.7:{port}/jwks"),
        format!("http://[::1]:{port}/jwks"),
        format!("http://[::ffff:127.0.0.1]:{port}/jwks"),
    ] {
        assert!(builder(&url).build().is_ok(), "{url}");
    }
    for url in [
        format!("http://127.0.0.1:{port}/jwks"),
        format!("http://localhost:{port}/jwks"),
    ] {
        let source = builder(&url).load().await.unwrap();
        assert_eq!(source.current().map(|keys| keys.len()), Some(1), "{url}");
    }
    assert_eq!(server.jwks_hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_from_the_remote_table() {
    let k1 = signing_key("k1");
    let server = Server::start(Behaviour::redirect(302, "/moved")).await;
    server.set_moved(Behaviour::serve(jwks(&[&k1.jwk])));
    let config = |redirects: &str| -> VerifierConfig {
        let text = format!(
            "jwks_url = \"{}\"\nissuers = [\"https://issuer.test\"]\naudiences = [\"api\"]\n\
             [remote]\n{redirects}",
            server.jwks_url()
        );
        toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    };
    let verifier = config("redirects = \"same-origin\"").load().await.unwrap();
    assert_eq!(
        verifier
            .verify_token(&k1.token())
            .map(|_| ())
            .map_err(|e| e.code()),
        Ok(())
    );
    assert_eq!(server.moved_hits(), 1);
    for default in ["", "redirects = \"none\""] {
        let err = config(default).load().await.unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::KeyUnavailable, "{default}");
        assert_eq!(
            chain(&err),
            format!(
                "key set unavailable: cannot load the key set of `jwks_url`: HTTP status 302: \
                 {NOT_FOLLOWED}"
            ),
            "{default}"
        );
    }
    assert_eq!(server.moved_hits(), 1);
}
