//! Top-level usage: help, version, unknown commands.

use crate::support::jwt_guard;

#[test]
fn help_and_version_exit_0() {
    let run = jwt_guard(["--help"]).run();
    let help = run.ok();
    for command in ["verify", "decode", "encode", "keygen", "jwks"] {
        assert!(help.contains(command), "{help}");
    }
    assert!(
        help.contains("Exit codes: 0 success, 1 token rejected"),
        "{help}"
    );
    let run = jwt_guard(["--version"]).run();
    assert_eq!(
        run.ok(),
        format!("jwt-guard {}\n", env!("CARGO_PKG_VERSION"))
    );
    for command in ["verify", "decode", "encode", "keygen", "jwks"] {
        let run = jwt_guard([command, "--help"]).run();
        assert!(run.ok().contains("Usage: jwt-guard"), "{run:?}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["keygen", "--alg", "none", "--out", "x"],
        vec!["verify", "--config", "x.toml", "--now", "yesterday"],
    ] {
        let run = jwt_guard(&args).run();
        let stderr = run.fails(2);
        assert!(
            stderr.contains("Usage:") || stderr.contains("error:"),
            "{args:?}: {stderr}"
        );
    }
    let run = jwt_guard(["keygen", "--alg", "none", "--out", "x"]).run();
    assert!(
        run.fails(2)
            .contains("unknown algorithm `none` (expected one of HS256, HS384"),
        "{run:?}"
    );
}
