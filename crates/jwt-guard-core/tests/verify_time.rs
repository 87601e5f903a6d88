//! `jwt_guard_verify_seconds` is recorded only with `[metrics] verify_time = true`
//! (`MetricsConfig`): the two clock reads it needs are not free, so it is opt-in. A counting
//! recorder, installed for the current thread, sees which histograms `BearerAuth` registers and
//! how often each is recorded.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use jwt_guard_core::http::BearerAuth;
use jwt_guard_core::metrics::{MetricsConfig, VERIFY_SECONDS};
use jwt_guard_core::{Algorithm, Key, Signer, VerifierConfig};
use metrics::{
    Counter, Gauge, Histogram, HistogramFn, Key as MetricKey, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use serde_json::json;

const CONFIG: &str = r#"
algorithms = ["HS256"]
issuers = ["https://metrics.test"]
audiences = ["api"]

[[keys]]
secret = "an example secret of 32 bytes..!"
"#;

/// Histogram records by name and labels (`name{label=value,...}`).
#[derive(Default)]
struct Counting(Mutex<BTreeMap<String, Arc<Records>>>);

#[derive(Default)]
struct Records(AtomicU64);

impl HistogramFn for Records {
    fn record(&self, value: f64) {
        assert!(
            (0.0..10.0).contains(&value),
            "a verification's time in seconds: {value}"
        );
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

impl Recorder for Counting {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, _: &MetricKey, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }
    fn register_gauge(&self, _: &MetricKey, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &MetricKey, _: &Metadata<'_>) -> Histogram {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        let records = Arc::clone(self.0.lock().unwrap().entry(name).or_default());
        Histogram::from_arc(records)
    }
}

impl Counting {
    fn counts(&self) -> BTreeMap<String, u64> {
        let map = self.0.lock().unwrap();
        map.iter()
            .map(|(name, r)| (name.clone(), r.0.load(Ordering::Relaxed)))
            .collect()
    }
}

use crate::support::block_on;

fn token() -> String {
    let key = Key::hmac(b"an example secret of 32 bytes..!").unwrap();
    Signer::new(key, Algorithm::HS256)
        .unwrap()
        .encode(&json!({"iss": "https://metrics.test", "aud": "api", "exp": 4_102_444_800_i64}))
        .unwrap()
}

/// Three requests with one token through `auth`, under a fresh counting recorder.
fn three_requests(auth: &BearerAuth) -> BTreeMap<String, u64> {
    let recorder = Counting::default();
    let token = token();
    metrics::with_local_recorder(&recorder, || {
        for _ in 0..3 {
            assert!(block_on(auth.verify(&token)).is_ok());
        }
    });
    recorder.counts()
}

#[test]
fn verification_time_is_recorded_only_when_asked_for() {
    let config = VerifierConfig::from_toml(CONFIG).unwrap();
    assert_eq!(config.metrics, MetricsConfig::default());
    assert!(!config.metrics.verify_time);
    let auth = BearerAuth::from_config(&config).unwrap();
    assert_eq!(three_requests(&auth), BTreeMap::new());

    let timed = format!("{CONFIG}\n[metrics]\nverify_time = true\n");
    let config = VerifierConfig::from_toml(&timed).unwrap();
    assert_eq!(config.metrics, MetricsConfig::with_verify_time());
    let auth = BearerAuth::from_config(&config).unwrap();
    // Two misses (the cache keeps a token at its second verification), then a hit.
    let expected = BTreeMap::from([
        (format!("{VERIFY_SECONDS}{{cache=hit}}"), 1),
        (format!("{VERIFY_SECONDS}{{cache=miss}}"), 2),
    ]);
    assert_eq!(three_requests(&auth), expected);

    let off = format!("{timed}\n[cache]\nmax_entries = 0\n");
    let auth = BearerAuth::from_config(&VerifierConfig::from_toml(&off).unwrap()).unwrap();
    let expected = BTreeMap::from([(format!("{VERIFY_SECONDS}{{cache=off}}"), 3)]);
    assert_eq!(three_requests(&auth), expected);

    // The builder says the same.
    let config = VerifierConfig::from_toml(CONFIG).unwrap();
    let auth = BearerAuth::from_config(&config)
        .unwrap()
        .with_metrics(&MetricsConfig::with_verify_time());
    assert_eq!(three_requests(&auth).values().sum::<u64>(), 3);
}

#[test]
fn the_metrics_table_refuses_unknown_keys() {
    let typo = format!("{CONFIG}\n[metrics]\nverify_times = true\n");
    let err = VerifierConfig::from_toml(&typo).unwrap_err();
    assert_eq!(err.code(), "invalid_config", "{err}");
    assert!(err.to_string().contains("verify_time"), "{err}");
}
