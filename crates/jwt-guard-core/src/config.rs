//! [`VerifierConfig`]: a serde-deserializable description of a [`Verifier`] (use TOML, JSON,
//! YAML, ...), with errors that name the field at fault.
//!
//! Keys come from one of: `[[keys]]` (fixed keys), `jwks_url` (a remote JWK Set) or
//! `oidc_issuer` (OpenID Connect discovery of the issuer's JWK Set); the last two need the
//! `remote` cargo feature and take their fetch and cache settings from the `[remote]` table
//! ([`RemoteConfig`]). Several issuers: one `[[providers]]` entry each ([`ProviderConfig`]), a
//! token being routed by its `iss` to exactly one of them.
//!
//! ```toml
//! # One identity provider: the short form.
//! oidc_issuer = "https://login.example.com"   # accepted issuer + discovery of its jwks_uri
//! audiences = ["https://api.example.com"]
//! # algorithms default to every asymmetric one for remote keys; narrow them if you like:
//! algorithms = ["RS256"]
//!
//! [remote]             # optional; defaults shown
//! timeout_secs = 5
//! max_body_bytes = 1048576
//! ttl_secs = 600       # without Cache-Control: max-age
//! min_ttl_secs = 60    # bounds for max-age
//! max_ttl_secs = 86400
//! cooldown_secs = 30   # minimum time between two fetches (unknown kid, refresh, retry)
//! max_stale_secs = 86400
//! allow_http = false   # plain http is accepted only to loopback addresses unless true
//! redirects = "none"   # or "same-origin": follow redirects that keep scheme, host and port
//! ```
//!
//! ```toml
//! # Several issuers: each token goes to the provider its (unverified) iss names.
//! [[providers]]
//! oidc_issuer = "https://login.example.com"
//! audiences = ["https://api.example.com"]
//!
//! [[providers]]
//! issuer = "https://partner.example"
//! jwks_url = "https://partner.example/keys.json"
//! algorithms = ["ES256"]
//! audiences = ["api"]
//!
//! [[providers]]
//! issuer = "internal"
//! algorithms = ["HS256"]
//! keys = [{ secret_env = "INTERNAL_JWT_SECRET" }]
//! ```
//!
//! Read a config text with [`VerifierConfig::from_toml`] or [`VerifierConfig::from_json`]
//! (or [`VerifierConfig::from_text`] with a [`ConfigFormat`]): their errors
//! ([`ErrorKind::ConfigText`](crate::ErrorKind::ConfigText)) give the line, the column, the
//! field and what was expected, and never quote the text, which holds secrets. Errors of
//! `toml::from_str` and `serde_json::from_str` quote it (the source line, the value at fault).
//!
//! [`VerifierConfig::build`] never touches the network: remote key sets are fetched by the first
//! verification that needs them. `VerifierConfig::load` (with the `remote` feature) fetches
//! them all before returning and fails fast when one cannot be loaded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::algorithm::Algorithm;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::http::TokenLocations;
use crate::rules::{ClaimRule, RoleSource};
use crate::verifier::{Validation, Verifier, VerifierBuilder};

mod keys;
pub(crate) mod parse;
mod remote;
mod revocation;
mod sessions;
mod shared;

pub use keys::KeyConfig;
pub use remote::RemoteConfig;
use remote::*;
pub use revocation::RevocationConfig;
pub use sessions::SessionsConfig;

use shared::provider_fields;

pub use parse::{ConfigFormat, ConfigProblem};

provider_fields! {
    rules {
        /// Allowed algorithms (required with `keys`; `none` is refused). For a remote key set,
        /// every asymmetric algorithm when empty.
        algorithms: Vec<Algorithm>,
        /// Accepted audiences.
        audiences: Vec<String>,
        /// Explicit opt-out of the audience check.
        skip_audience_check: bool,
        /// Required exact `sub`.
        subject: Option<String>,
        /// Leeway in seconds (default 60).
        leeway_secs: Option<u64>,
        /// Whether `exp` is required (default `true`).
        require_exp: Option<bool>,
        /// Claims that must be present.
        required_claims: Vec<String>,
        /// Required header `typ`.
        typ: Option<String>,
        /// Maximum age from `iat`, in seconds.
        max_age_secs: Option<u64>,
        /// Maximum token length in bytes (default 16384).
        max_token_bytes: Option<usize>,
        /// Maximum header segment length in bytes (default 2048).
        max_header_bytes: Option<usize>,
        /// How many keys a token without `kid` may be tried against (default 4).
        max_keys_without_kid: Option<usize>,
        /// Whether tokens must carry `kid` (default `false`).
        require_kid: Option<bool>,
        /// `crit` header names the application understands.
        critical_extensions: Vec<String>,
        /// Claim rules (the `[[claims]]` tables, [`ClaimRule`]): a token failing one is
        /// `claim_rejected`.
        claims: Vec<ClaimRule>,
    }
    keys {
        /// Fixed keys (the `[[keys]]` tables).
        keys: Vec<KeyConfig>,
        /// URL of a remote JWK Set (instead of `keys`; needs the `remote` feature).
        jwks_url: Option<String>,
        /// An OpenID Connect issuer: accepted as issuer, and its discovery document names the
        /// JWK Set (instead of `keys`; needs the `remote` feature).
        oidc_issuer: Option<String>,
    }

    /// Verifier settings as a config file gives them. Read one with [`VerifierConfig::from_toml`]
    /// or [`VerifierConfig::from_json`], whose errors never quote the text.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = jwt_guard_core::VerifierConfig::from_json(r#"{
    ///     "algorithms": ["HS256"],
    ///     "issuers": ["https://issuer.example"],
    ///     "keys": [{"kid": "k1", "secret": "an example secret of 32 bytes..!"}]
    /// }"#)?;
    /// let verifier = config.build()?;
    /// # let _ = verifier; Ok(()) }
    /// ```
    ///
    /// The rule and key fields are those of a [`ProviderConfig`] (the `[[providers]]` entries),
    /// declared once for both.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[non_exhaustive]
    pub struct VerifierConfig {
        /// Accepted issuers.
        pub issuers: Vec<String>,
        ..,
        /// Fetch and cache settings of `jwks_url` / `oidc_issuer` (the `[remote]` table); with
        /// `[[providers]]`, the settings of every provider that has no `remote` table of its own.
        pub remote: Option<RemoteConfig>,
        /// Several issuers, one entry each (the `[[providers]]` tables). With providers, the
        /// top-level rule and key fields must stay unset: each provider carries its own.
        pub providers: Vec<ProviderConfig>,
        /// Where HTTP requests carry the token (the `[token]` table; default: the
        /// `Authorization: Bearer` header). Read by the HTTP adapters, not by [`Verifier`].
        pub token: TokenLocations,
        /// The revocation store HTTP requests are checked against (the `[revocation]` table;
        /// default: none). Read by the HTTP adapters, not by [`Verifier`].
        pub revocation: Option<RevocationConfig>,
        /// How this service issues its own tokens (the `[sessions]` table; default: none).
        /// Read by [`VerifierConfig::token_issuer`], not by [`Verifier`].
        pub sessions: Option<SessionsConfig>,
        /// Where tokens carry their roles or groups ([`RoleSource`]s: `roles = [{ pointer =
        /// "/realm_access/roles" }]`), for the `RequireRoles` guards; with `[[providers]]`, for
        /// every provider. Read by the HTTP adapters, not by [`Verifier`].
        pub roles: Vec<RoleSource>,
        /// RFC 9728 protected resource metadata (the `[resource_metadata]` table,
        /// [`ResourceMetadata`](crate::http::ResourceMetadata)): served by the adapters'
        /// helper at `/.well-known/oauth-protected-resource`, its URL in every challenge. Read by
        /// the HTTP adapters, not by [`Verifier`].
        pub resource_metadata: Option<crate::http::ResourceMetadata>,
        /// The verified-token cache of the HTTP adapters (the `[cache]` table,
        /// [`CacheConfig`](crate::cache::CacheConfig); default: on). Read by the HTTP adapters,
        /// not by [`Verifier`].
        pub cache: crate::cache::CacheConfig,
        /// What the HTTP adapters measure beyond counting (the `[metrics]` table,
        /// [`MetricsConfig`](crate::metrics::MetricsConfig); default: no verification timing).
        /// Read by the HTTP adapters, not by [`Verifier`].
        pub metrics: crate::metrics::MetricsConfig,
        /// The directory relative paths in this config (`pem_file`, `jwks_file`) resolve
        /// against: the file's directory when read by [`VerifierConfig::from_file`], else `None`
        /// (the current directory). Not a config key.
        #[serde(skip)]
        pub base_dir: Option<PathBuf>,
    }

    /// One `[[providers]]` entry: an issuer with its own keys and rules. A token whose `iss`
    /// equals `issuer` is verified by this provider alone.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[non_exhaustive]
    pub struct ProviderConfig {
        /// The issuer (`iss`) this provider verifies tokens of (required unless `oidc_issuer`
        /// is given, which then is the issuer).
        pub issuer: Option<String>,
        ..,
        /// Fetch and cache settings for this provider (replaces the top-level `[remote]`
        /// table).
        pub remote: Option<RemoteConfig>,
    }
}

pub(super) fn field(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

impl VerifierConfig {
    /// Reads a TOML config text.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigText`](crate::ErrorKind::ConfigText): the line, column and field at
    /// fault and what is wrong, never a value of the text.
    pub fn from_toml(text: &str) -> Result<VerifierConfig> {
        VerifierConfig::from_text(text, ConfigFormat::Toml)
    }

    /// Reads a config file: JSON when its name ends in `.json`, TOML otherwise
    /// ([`ConfigFormat::for_path`]). Relative paths in it (`pem_file`, `jwks_file`) then resolve
    /// against the file's directory wherever the config is built ([`VerifierConfig::build`],
    /// `JwtLayer::from_config`, `JwtMiddleware::from_config`, the CLI), not against the current
    /// directory.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidConfig`] (field `config`) if the file cannot be read or is not
    /// UTF-8 (naming the path); as [`VerifierConfig::from_text`] for its content.
    pub fn from_file(path: impl AsRef<Path>) -> Result<VerifierConfig> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config("config", format!("cannot read {}: {e}", path.display())))?;
        let mut config = VerifierConfig::from_text(&text, ConfigFormat::for_path(path))?;
        config.base_dir = Some(match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        });
        Ok(config)
    }

    /// The directory relative paths resolve against ([`VerifierConfig::base_dir`], or the
    /// current directory).
    pub fn resolve_dir(&self) -> &Path {
        self.base_dir.as_deref().unwrap_or(Path::new("."))
    }

    /// Reads a JSON config text.
    ///
    /// # Errors
    /// As [`VerifierConfig::from_toml`].
    pub fn from_json(text: &str) -> Result<VerifierConfig> {
        VerifierConfig::from_text(text, ConfigFormat::Json)
    }

    /// Reads a config text in `format` (for a file: [`ConfigFormat::for_path`]). Accepts
    /// exactly what `toml::from_str` / `serde_json::from_str` accept.
    ///
    /// ```
    /// use jwt_guard_core::{ConfigFormat, ConfigProblem, ErrorKind, VerifierConfig};
    ///
    /// let text = "algorithms = [\"HS256\"]\n[[keys]]\nsecret = 1234567890\n";
    /// let err = VerifierConfig::from_text(text, ConfigFormat::Toml).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid configuration at `keys[0].secret` (line 3, column 10): \
    ///      expected a string, found an integer"
    /// );
    /// assert!(matches!(
    ///     err.kind(),
    ///     ErrorKind::ConfigText { line: 3, problem: ConfigProblem::InvalidType { .. }, .. }
    /// ));
    /// ```
    ///
    /// # Errors
    /// As [`VerifierConfig::from_toml`].
    pub fn from_text(text: &str, format: ConfigFormat) -> Result<VerifierConfig> {
        parse::from_text(text, format).map_err(|e| {
            Error::new(crate::ErrorKind::ConfigText {
                format,
                line: e.line,
                column: e.column,
                field: e.field.into(),
                problem: e.problem,
            })
        })
    }

    /// Builds the verifier, resolving relative paths against [`VerifierConfig::resolve_dir`] (the
    /// config file's directory after [`VerifierConfig::from_file`], else the current directory). Makes no
    /// network request: remote key sets are fetched by the first verification that needs them
    /// (use `VerifierConfig::load` to fetch them now).
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidConfig`] naming the field at fault (`algorithms`,
    /// `keys[1].pem_file`, `jwks_url`, `remote.ttl_secs`, `providers[0].issuer`, ...).
    pub fn build(&self) -> Result<Verifier> {
        self.build_in(self.resolve_dir())
    }

    /// Builds the verifier, resolving relative paths against `base_dir` (for example the
    /// directory of the config file).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`].
    pub fn build_in(&self, base_dir: &Path) -> Result<Verifier> {
        self.assemble(base_dir, None).map(|(verifier, _)| verifier)
    }

    /// As [`VerifierConfig::build_in`], with `clock` instead of the system clock for every
    /// provider: the verifier a server builds from this config, checking tokens as of another
    /// time (`jwt-guard verify --now`, tests).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`].
    pub fn build_in_with_clock(&self, base_dir: &Path, clock: impl Clock) -> Result<Verifier> {
        self.assemble(base_dir, Some(Arc::new(clock)))
            .map(|(verifier, _)| verifier)
    }

    /// Builds the verifier and fetches every remote key set before returning: fails fast when
    /// a provider cannot be reached at startup. Relative paths against the current directory.
    ///
    /// # Errors
    /// As [`VerifierConfig::build`]; [`crate::ErrorKind::KeyUnavailable`] when a remote key
    /// set cannot be loaded, its source naming the field (`oidc_issuer`,
    /// `providers[1].jwks_url`, ...) and the reason.
    #[cfg(feature = "remote")]
    #[cfg_attr(docsrs, doc(cfg(feature = "remote")))]
    pub async fn load(&self) -> Result<Verifier> {
        self.load_in(self.resolve_dir()).await
    }

    /// As [`VerifierConfig::load`], resolving relative paths against `base_dir`.
    ///
    /// # Errors
    /// As [`VerifierConfig::load`].
    #[cfg(feature = "remote")]
    #[cfg_attr(docsrs, doc(cfg(feature = "remote")))]
    pub async fn load_in(&self, base_dir: &Path) -> Result<Verifier> {
        let (verifier, remotes) = self.assemble(base_dir, None)?;
        for (field, jwks) in remotes {
            if let Err(e) = jwks.load().await {
                return Err(Error::with_source(
                    crate::ErrorKind::KeyUnavailable,
                    LoadError { field, source: e },
                ));
            }
        }
        Ok(verifier)
    }

    /// A [`VerifierBuilder`] with everything this config says, to add to in code (a clock, ...).
    /// Single-provider configs only (a `[[providers]]` config builds a routed verifier: use
    /// [`VerifierConfig::build_in`], or [`VerifierConfig::build_in_with_clock`] for a clock).
    ///
    /// # Errors
    /// As [`VerifierConfig::build`], for the keys; `providers` for a config with providers.
    pub fn builder_in(&self, base_dir: &Path) -> Result<VerifierBuilder> {
        if !self.providers.is_empty() {
            return Err(Error::config(
                "providers",
                "a config with [[providers]] builds a routed verifier: use build or build_in",
            ));
        }
        self.single().builder(base_dir, None, &mut Vec::new())
    }

    /// The top level as one provider: `issuers`, plus `oidc_issuer` if given.
    fn single(&self) -> Provider<'_> {
        let mut issuers = self.issuers.clone();
        if let Some(oidc) = &self.oidc_issuer
            && !issuers.contains(oidc)
        {
            issuers.push(oidc.clone());
        }
        Provider {
            prefix: String::new(),
            issuers,
            fields: self.fields(),
            remote: self.remote.as_ref(),
        }
    }

    /// The verifier (each provider on `clock`, else the system clock) and its remote sources.
    fn assemble(
        &self,
        base_dir: &Path,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<(Verifier, Remotes)> {
        let with_clock = |builder: VerifierBuilder| match &clock {
            Some(clock) => builder.shared_clock(clock.clone()),
            None => builder,
        };
        let mut remotes = Vec::new();
        if self.providers.is_empty() {
            let builder = self.single().builder(base_dir, None, &mut remotes)?;
            return Ok((with_clock(builder).build()?, remotes));
        }
        self.check_no_top_level_rules()?;
        let mut verifiers = Vec::with_capacity(self.providers.len());
        for (i, provider) in self.providers.iter().enumerate() {
            let provider = provider.provider(format!("providers[{i}]"))?;
            let builder = provider.builder(base_dir, self.remote.as_ref(), &mut remotes)?;
            verifiers.push(
                with_clock(builder)
                    .build()
                    .map_err(|e| e.in_field(&provider.prefix))?,
            );
        }
        Ok((Verifier::routed(verifiers)?, remotes))
    }

    /// With `[[providers]]`, a top-level rule or key field would be ambiguous: refuse it.
    fn check_no_top_level_rules(&self) -> Result<()> {
        let set = match self.fields().first_set() {
            _ if !self.issuers.is_empty() => "issuers",
            Some(name) => name,
            None => return Ok(()),
        };
        Err(Error::config(
            set,
            "with [[providers]], set it in each provider instead (only [token] and [remote] \
             apply to all)",
        ))
    }
}

impl ProviderConfig {
    /// This entry as the provider at `prefix` (`providers[1]`), or an error naming its issuer.
    fn provider(&self, prefix: String) -> Result<Provider<'_>> {
        let issuer = match (&self.issuer, &self.oidc_issuer) {
            (Some(issuer), Some(oidc)) if issuer != oidc => {
                return Err(Error::config(
                    field(&prefix, "issuer"),
                    "differs from oidc_issuer (the discovered issuer is the one tokens carry)",
                ));
            }
            (Some(issuer), _) | (None, Some(issuer)) if !issuer.is_empty() => issuer,
            _ => {
                return Err(Error::config(
                    field(&prefix, "issuer"),
                    "every provider needs the issuer its tokens carry in iss (or an oidc_issuer)",
                ));
            }
        };
        Ok(Provider {
            issuers: vec![issuer.clone()],
            fields: self.fields(),
            remote: self.remote.as_ref(),
            prefix,
        })
    }
}

/// One verifier to build: the top level, or the `[[providers]]` entry at `prefix`.
struct Provider<'a> {
    /// Where its fields are (`providers[1]`; empty for the top level).
    prefix: String,
    /// The accepted issuers.
    issuers: Vec<String>,
    fields: ProviderFields<'a>,
    /// Its own `[remote]` table.
    remote: Option<&'a RemoteConfig>,
}

impl Provider<'_> {
    /// A builder for this provider; remote sources it creates are added to `remotes`.
    fn builder(
        &self,
        base_dir: &Path,
        default_remote: Option<&RemoteConfig>,
        remotes: &mut Remotes,
    ) -> Result<VerifierBuilder> {
        let (prefix, f) = (self.prefix.as_str(), &self.fields);
        let is_remote = f.jwks_url.is_some() || f.oidc_issuer.is_some();
        if f.jwks_url.is_some() && f.oidc_issuer.is_some() {
            return Err(Error::config(
                field(prefix, "oidc_issuer"),
                "give either jwks_url or oidc_issuer, not both",
            ));
        }
        if is_remote && !f.keys.is_empty() {
            return Err(Error::config(
                field(prefix, "keys"),
                "give either keys or a remote key set (jwks_url / oidc_issuer), not both",
            ));
        }
        if !is_remote && self.remote.is_some() {
            return Err(Error::config(
                field(prefix, "remote"),
                "only with jwks_url or oidc_issuer",
            ));
        }

        let mut validation = Validation {
            issuers: self.issuers.clone(),
            ..Validation::default()
        };
        f.apply_rules(&mut validation);
        if validation.algorithms.is_empty() && is_remote {
            validation.algorithms = remote_default_algorithms();
        }
        let mut builder = Verifier::builder().validation(validation);
        for (i, key) in f.keys.iter().enumerate() {
            let keys = key
                .load(base_dir)
                .map_err(|e| e.in_field(&field(prefix, &format!("keys[{i}]"))))?;
            builder = builder.keys(keys);
        }
        if is_remote {
            // A provider's own [remote] table replaces the top-level one as a whole.
            let (settings, settings_prefix) = match self.remote {
                Some(own) => (own, field(prefix, "remote")),
                None => (
                    default_remote.unwrap_or(&NO_REMOTE_SETTINGS),
                    "remote".to_owned(),
                ),
            };
            let (location_field, location) = match (f.jwks_url, f.oidc_issuer) {
                (Some(url), _) => (field(prefix, "jwks_url"), RemoteLocation::Jwks(url)),
                (None, Some(issuer)) => {
                    (field(prefix, "oidc_issuer"), RemoteLocation::Issuer(issuer))
                }
                (None, None) => return Ok(builder),
            };
            let source = remote_source(location, &location_field, settings, &settings_prefix)?;
            builder = builder.key_source(remote_key_source(&source));
            remotes.push((location_field, source));
        }
        Ok(builder)
    }
}

static NO_REMOTE_SETTINGS: RemoteConfig = RemoteConfig {
    allow_http: None,
    redirects: None,
    timeout_secs: None,
    max_body_bytes: None,
    ttl_secs: None,
    min_ttl_secs: None,
    max_ttl_secs: None,
    cooldown_secs: None,
    max_stale_secs: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Key};

    fn parse(text: &str) -> VerifierConfig {
        toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    fn field_of(text: &str) -> String {
        match parse(text).build().map_err(Error::into_kind) {
            Err(ErrorKind::InvalidConfig { field, .. }) => field.into_owned(),
            other => panic!("expected InvalidConfig, got {other:?}\n{text}"),
        }
    }

    const SECRET: &str = "config-test-secret-of-at-least-32-bytes!";

    #[test]
    fn provider_and_source_errors_name_the_field() {
        let hs = format!("algorithms = [\"HS256\"]\nkeys = [{{ secret = \"{SECRET}\" }}]");
        assert_eq!(
            field_of(&format!("jwks_url = \"https://idp.example/jwks\"\n{hs}")),
            "keys"
        );
        assert_eq!(
            field_of(
                "jwks_url = \"https://idp.example/jwks\"\noidc_issuer = \"https://idp.example\""
            ),
            "oidc_issuer"
        );
        assert_eq!(field_of(&format!("{hs}\n[remote]\nttl_secs = 5")), "remote");
        assert_eq!(
            field_of(&format!(
                "audiences = [\"api\"]\n[[providers]]\nissuer = \"a\"\n{hs}"
            )),
            "audiences"
        );
        assert_eq!(
            field_of(&format!("[[providers]]\n{hs}")),
            "providers[0].issuer"
        );
        assert_eq!(
            field_of(&format!(
                "[[providers]]\nissuer = \"a\"\n{hs}\n[[providers]]\nissuer = \"b\"\nalgorithms = []\nkeys = [{{ secret = \"{SECRET}\" }}]"
            )),
            "providers[1].algorithms"
        );
        assert_eq!(
            field_of(
                "[[providers]]\nissuer = \"a\"\nalgorithms = [\"HS256\"]\n[[providers.keys]]\npem_file = \"missing.pem\""
            ),
            "providers[0].keys[0].pem_file"
        );
        assert_eq!(
            field_of("[[providers]]\nissuer = \"a\"\noidc_issuer = \"https://b.example\""),
            "providers[0].issuer"
        );
        assert_eq!(
            field_of(&format!(
                "[[providers]]\nissuer = \"a\"\n{hs}\n[[providers]]\nissuer = \"a\"\n{hs}"
            )),
            "providers[1].issuer"
        );
        assert_eq!(
            field_of(&format!(
                "[[providers]]\nissuer = \"a\"\n{hs}\n[providers.remote]\nallow_http = true"
            )),
            "providers[0].remote"
        );
        let err = parse(&format!("[[providers]]\nissuer = \"a\"\n{hs}"))
            .builder_in(Path::new("."))
            .err()
            .map(Error::into_kind);
        assert!(
            matches!(err, Some(ErrorKind::InvalidConfig { ref field, .. }) if field == "providers"),
            "{err:?}"
        );
    }

    #[test]
    fn static_providers_route_by_issuer() {
        let text = format!(
            "[[providers]]\nissuer = \"a\"\nalgorithms = [\"HS256\"]\naudiences = [\"api\"]\nkeys = [{{ secret = \"{SECRET}\" }}]\n\
             [[providers]]\nissuer = \"b\"\nalgorithms = [\"HS384\"]\nskip_audience_check = true\nkeys = [{{ secret = \"{SECRET}{SECRET}\" }}]"
        );
        let verifier = parse(&text).build().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(verifier.validation().issuers, ["a", "b"]);
    }

    #[test]
    fn build_in_with_clock_puts_every_provider_on_that_clock() {
        use crate::{ManualClock, Signer};
        let text = format!(
            "[[providers]]\nissuer = \"a\"\nalgorithms = [\"HS256\"]\nskip_audience_check = true\nkeys = [{{ secret = \"{SECRET}\" }}]\n\
             [[providers]]\nissuer = \"b\"\nalgorithms = [\"HS256\"]\nskip_audience_check = true\nkeys = [{{ secret = \"{SECRET}\" }}]"
        );
        let clock = ManualClock::new(1_000);
        let verifier = parse(&text)
            .build_in_with_clock(Path::new("."), clock.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        let key = Key::hmac(SECRET.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let signer = Signer::new(key, Algorithm::HS256).unwrap_or_else(|e| panic!("{e}"));
        for iss in ["a", "b"] {
            let token = signer
                .encode(&serde_json::json!({"iss": iss, "exp": 1_100}))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(verifier.verify_token(&token).is_ok(), "{iss} at 1000");
            clock.set(1_160); // exp + the default 60 s leeway: expired
            let err = verifier.verify_token(&token).err().map(Error::into_kind);
            assert_eq!(err, Some(ErrorKind::Expired), "{iss} at 1160");
            clock.set(1_000);
        }
        // A single-provider config too.
        let single = parse(&format!(
            "algorithms = [\"HS256\"]\nskip_audience_check = true\nkeys = [{{ secret = \"{SECRET}\" }}]"
        ))
        .build_in_with_clock(Path::new("."), ManualClock::new(1_200))
        .unwrap_or_else(|e| panic!("{e}"));
        let token = signer
            .encode(&serde_json::json!({"exp": 1_100}))
            .unwrap_or_else(|e| panic!("{e}"));
        let err = single.verify_token(&token).err().map(Error::into_kind);
        assert_eq!(err, Some(ErrorKind::Expired));
    }

    #[cfg(not(feature = "remote"))]
    #[test]
    fn remote_sources_need_the_feature() {
        assert_eq!(
            field_of("jwks_url = \"https://idp.example/jwks\""),
            "jwks_url"
        );
        assert_eq!(
            field_of("[[providers]]\noidc_issuer = \"https://idp.example\""),
            "providers[0].oidc_issuer"
        );
    }

    #[cfg(feature = "remote")]
    #[test]
    fn remote_sources_build_without_network() {
        let verifier = parse(
            "oidc_issuer = \"https://idp.example\"\naudiences = [\"api\"]\n[remote]\ncooldown_secs = 10",
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
        let v = verifier.validation();
        assert_eq!(v.issuers, ["https://idp.example"]);
        assert_eq!(v.algorithms.iter().count(), 10);
        assert!(!v.algorithms.contains(Algorithm::HS256));
        assert!(verifier.keys().is_empty());

        assert_eq!(
            field_of("jwks_url = \"http://idp.example/jwks\""),
            "jwks_url"
        );
        assert_eq!(field_of("jwks_url = \"not a url\""), "jwks_url");
        assert!(
            parse("jwks_url = \"http://idp.example/jwks\"\n[remote]\nallow_http = true")
                .build()
                .is_ok()
        );
        assert_eq!(
            field_of("jwks_url = \"https://idp.example/jwks\"\n[remote]\nttl_secs = 5"),
            "remote.ttl_secs"
        );
        assert_eq!(
            field_of("jwks_url = \"https://idp.example/jwks\"\n[remote]\ncooldown_secs = 0"),
            "remote.cooldown_secs"
        );
        assert_eq!(
            field_of("jwks_url = \"https://idp.example/jwks\"\n[remote]\nmax_body_bytes = 0"),
            "remote.max_body_bytes"
        );
        assert_eq!(
            field_of(
                "[remote]\ntimeout_secs = 0\n[[providers]]\nissuer = \"a\"\njwks_url = \"https://a.example/jwks\""
            ),
            "remote.timeout_secs"
        );
        assert_eq!(
            field_of(
                "[[providers]]\nissuer = \"a\"\njwks_url = \"https://a.example/jwks\"\n[providers.remote]\nmin_ttl_secs = 90000"
            ),
            "providers[0].remote.min_ttl_secs"
        );
        assert_eq!(
            field_of("[[providers]]\noidc_issuer = \"ftp://a.example\""),
            "providers[0].oidc_issuer"
        );
    }
}
