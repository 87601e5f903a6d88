//! Durations (`10m`, `1h30m`, `-5m`) and human-readable times (`2023-11-14T22:13:20Z`).

use jwt_guard_core::{Clock as _, SystemClock};

/// Seconds since the epoch: `now` if given, else the system clock.
pub(crate) fn now_or_system(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| SystemClock.now())
}

/// Parses a signed duration into seconds: an optional `+`/`-`, then either a bare number of
/// seconds (`90`) or one or more `<number><unit>` groups with units `s`, `m`, `h`, `d`, `w`
/// (`30s`, `10m`, `1h30m`, `2d`, `-5m`).
///
/// # Errors
/// A message for clap if the text is empty, has an unknown unit or overflows.
pub(crate) fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("invalid duration `{text}` (examples: 30s, 10m, 1h30m, 2d, 90, -5m)");
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body.is_empty() {
        return Err(invalid());
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    let mut groups = 0;
    for c in body.chars() {
        if let Some(digit) = c.to_digit(10) {
            let n = number.unwrap_or(0);
            number = Some(
                n.checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(digit)))
                    .ok_or_else(invalid)?,
            );
            continue;
        }
        let unit: i64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(invalid()),
        };
        let n = number.take().ok_or_else(invalid)?;
        total = n
            .checked_mul(unit)
            .and_then(|secs| total.checked_add(secs))
            .ok_or_else(invalid)?;
        groups += 1;
    }
    match number {
        // A bare number is seconds, but `1h30` (a number after a unit) is ambiguous.
        Some(n) if groups == 0 => total = n,
        Some(_) => return Err(invalid()),
        None => {}
    }
    Ok(if negative { -total } else { total })
}

/// RFC 3339 UTC time, `YYYY-MM-DDTHH:MM:SSZ`, for any second in years 0000..=9999 (others are
/// shown as plain seconds).
pub(crate) fn rfc3339(secs: i64) -> String {
    const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    if !(MIN..=MAX).contains(&secs) {
        return format!("{secs} seconds since the epoch");
    }
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A length of time as `2d 3h 4m 5s`, leaving out zero parts (`0s` for zero).
pub(crate) fn span(secs: u64) -> String {
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3_600, "h"),
        (secs % 3_600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if text.is_empty() {
        "0s".to_owned()
    } else {
        text.join(" ")
    }
}

/// `at` relative to `now`: `in 5m`, `5m ago` or `now`.
pub(crate) fn relative(at: i64, now: i64) -> String {
    let diff = i128::from(at) - i128::from(now);
    let magnitude = u64::try_from(diff.unsigned_abs()).unwrap_or(u64::MAX);
    match diff {
        0 => "now".to_owned(),
        d if d > 0 => format!("in {}", span(magnitude)),
        _ => format!("{} ago", span(magnitude)),
    }
}

/// `2023-11-14T22:13:20Z (5m ago)`.
pub(crate) fn describe(at: i64, now: i64) -> String {
    format!("{} ({})", rfc3339(at), relative(at, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("10m"), Ok(600));
        assert_eq!(parse_duration("1h"), Ok(3_600));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("1w"), Ok(604_800));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        assert_eq!(parse_duration("1d2h3m4s"), Ok(93_784));
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("+5m"), Ok(300));
        assert_eq!(parse_duration("-5m"), Ok(-300));
        assert_eq!(parse_duration("-90"), Ok(-90));
        for bad in [
            "",
            "-",
            "+",
            "m",
            "10x",
            "1.5h",
            "1h30",
            "h1",
            "10 m",
            "1H",
            "99999999999999999999",
            "9999999999999999w",
            "--5m",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.starts_with("invalid duration"), "{bad}: {err}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(-62_167_219_200), "0000-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(253_402_300_800),
            "253402300800 seconds since the epoch"
        );
    }

    #[test]
    fn spans_and_relative_times() {
        assert_eq!(span(0), "0s");
        assert_eq!(span(59), "59s");
        assert_eq!(span(3_605), "1h 5s");
        assert_eq!(span(93_784), "1d 2h 3m 4s");
        assert_eq!(relative(100, 100), "now");
        assert_eq!(relative(700, 100), "in 10m");
        assert_eq!(relative(100, 3_700), "1h ago");
        assert_eq!(
            relative(i64::MIN, i64::MAX),
            format!("{} ago", span(u64::MAX))
        );
        assert_eq!(
            describe(1_700_000_000, 1_700_000_090),
            "2023-11-14T22:13:20Z (1m 30s ago)"
        );
    }
}
