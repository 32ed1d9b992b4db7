//! Time arguments: instants in the past or the future, durations, and list windows.

use std::borrow::Cow;

use jiff::{SignedDuration, Timestamp};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use super::ArgError;

/// `since` / `until`: RFC 3339 with any offset, or a duration ago (`90m`, `6h`, `7d`).
/// Resolved to a UTC instant when parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PastTime(pub Timestamp);

impl<'de> Deserialize<'de> for PastTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_past_time(&text, Timestamp::now())
            .map(PastTime)
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for PastTime {
    fn schema_name() -> Cow<'static, str> {
        "PastTime".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

fn parse_past_time(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Some(instant) = parse_rfc3339(text) {
        return Ok(instant);
    }
    let relative = text.strip_suffix("ago").map(str::trim_end).unwrap_or(text);
    if let Some(duration) = parse_duration(relative) {
        return now.checked_sub(duration).map_err(|e| e.to_string());
    }
    Err(format!(
        "expected RFC 3339 with an offset (2026-05-19T09:00:00Z) or a duration ago (90m, 6h, 7d), got {:?}",
        crate::text::preview(text)
    ))
}

/// An RFC 3339 instant. Stricter than jiff's parser, which also takes offsets up to
/// ±25:59, offsets with seconds and six-digit years: none of them is RFC 3339, and each is
/// more likely a typo than meant.
fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    let four_digit_year =
        bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
    let offset_ok = if text.ends_with(['Z', 'z']) {
        true
    } else {
        let offset = &bytes[bytes.len().checked_sub(6)?..];
        let two = |at: usize| {
            std::str::from_utf8(&offset[at..at + 2])
                .ok()?
                .parse::<u8>()
                .ok()
        };
        matches!(offset[0], b'+' | b'-')
            && offset[3] == b':'
            && two(1).is_some_and(|h| h <= 23)
            && two(4).is_some_and(|m| m <= 59)
    };
    if !(four_digit_year && offset_ok) {
        return None;
    }
    text.parse().ok()
}

/// `30s`, `90m`, `6h`, `7d`, `2w`: a whole number and one unit.
fn parse_duration(text: &str) -> Option<SignedDuration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let amount: i64 = digits.parse().ok()?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    // Ten years is far beyond any retention window; larger numbers are typos.
    let total = amount
        .checked_mul(seconds)
        .filter(|s| *s <= 10 * 366 * 86_400)?;
    Some(SignedDuration::from_secs(total))
}

/// How far back a window reaches when `since` is not given.
pub const DEFAULT_WINDOW_HOURS: i64 = 24;

/// The window of a list or a bulk filter: `since` defaults to [`DEFAULT_WINDOW_HOURS`]
/// before `until` (or before now), and must precede `until`.
pub fn time_window(
    since: Option<PastTime>,
    until: Option<PastTime>,
) -> Result<(Timestamp, Option<Timestamp>), ArgError> {
    let until = until.map(|t| t.0);
    let since = match since {
        Some(since) => since.0,
        None => until
            .unwrap_or_else(Timestamp::now)
            .checked_sub(SignedDuration::from_hours(DEFAULT_WINDOW_HOURS))
            .map_err(|_| {
                ArgError::new(
                    "Invalid argument `until`: too early to reach back 24h from; give a later time or `since` as well.",
                )
            })?,
    };
    if until.is_some_and(|until| until <= since) {
        return Err(ArgError::new(
            "Invalid arguments: `since` must be earlier than `until`.",
        ));
    }
    Ok((since, until))
}

/// `trigger_at`: RFC 3339 with any offset, or a duration from now (`+10m`, `+2h`). A time
/// that is not in the future is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FutureTime(pub Timestamp);

impl<'de> Deserialize<'de> for FutureTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_future_time(&text, Timestamp::now())
            .map(FutureTime)
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for FutureTime {
    fn schema_name() -> Cow<'static, str> {
        "FutureTime".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

fn parse_future_time(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    let when = if let Some(relative) = text.strip_prefix('+') {
        parse_duration(relative).and_then(|d| now.checked_add(d).ok())
    } else {
        parse_rfc3339(text)
    };
    match when {
        Some(when) if when > now => Ok(when),
        Some(when) => Err(format!(
            "{when} is not in the future (now is {now}); give a later time or a duration such as +10m"
        )),
        None => Err(format!(
            "expected RFC 3339 with an offset (2026-05-19T09:00:00Z) or a duration from now (+10m, +2h), got {:?}",
            crate::text::preview(text)
        )),
    }
}

/// A duration such as `24h`, `90m` or `7d`, sent in Go's notation (Go has no day unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoDuration(pub String);

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let seconds = parse_duration(&text)
            .map(|d| d.as_secs())
            .filter(|s| *s > 0)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "expected a duration such as 30m, 24h or 7d, got {:?}",
                    crate::text::preview(&text)
                ))
            })?;
        let go = match seconds {
            s if s % 3600 == 0 => format!("{}h", s / 3600),
            s if s % 60 == 0 => format!("{}m", s / 60),
            s => format!("{s}s"),
        };
        Ok(GoDuration(go))
    }
}

impl JsonSchema for GoDuration {
    fn schema_name() -> Cow<'static, str> {
        "GoDuration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn times_are_utc_and_relative_forms_count_back_from_now() {
        let now: Timestamp = "2026-05-19T12:00:00Z".parse().unwrap();
        let parse = |s| parse_past_time(s, now).unwrap().to_string();
        assert_eq!(parse("2026-05-19T09:00:00+09:00"), "2026-05-19T00:00:00Z");
        assert_eq!(parse("90m"), "2026-05-19T10:30:00Z");
        assert_eq!(parse("6h ago"), "2026-05-19T06:00:00Z");
        assert_eq!(parse("7d"), "2026-05-12T12:00:00Z");
        assert!(
            parse_past_time("2026-05-19T09:00:00", now).is_err(),
            "an offset is required"
        );
        assert!(parse_past_time("6x", now).is_err());
        assert!(parse_past_time("99999999999d", now).is_err());
    }

    #[test]
    fn only_rfc3339_offsets_and_years_are_accepted() {
        let now: Timestamp = "2026-05-19T12:00:00Z".parse().unwrap();
        for bad in [
            "2026-05-19T09:00:00+25:00",
            "2026-05-19T09:00:00+24:00",
            "2026-05-19T09:00:00+05:60",
            "2026-05-19T09:00:00+05:30:15",
            "-009999-01-01T00:00:00Z",
            "+002026-05-19T09:00:00Z",
        ] {
            assert!(parse_past_time(bad, now).is_err(), "{bad}");
            assert!(parse_future_time(bad, now).is_err(), "{bad}");
        }
        assert!(parse_past_time("2026-05-19T09:00:00-23:59", now).is_ok());
        assert!(parse_past_time("0000-01-01T00:00:00Z", now).is_ok());
    }

    #[test]
    fn a_window_ending_at_the_earliest_instant_is_an_error_not_a_panic() {
        let earliest = Some(PastTime(Timestamp::MIN));
        let err = time_window(None, earliest).unwrap_err();
        assert!(err.0.contains("`until`"), "{err}");
        // `since` defaults to a day before `until`, when `until` is given.
        let until: Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        let (since, _) = time_window(None, Some(PastTime(until))).unwrap();
        assert_eq!(since.to_string(), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn trigger_times_must_be_in_the_future() {
        let now: Timestamp = "2026-05-19T12:00:00Z".parse().unwrap();
        assert_eq!(
            parse_future_time("+10m", now).unwrap().to_string(),
            "2026-05-19T12:10:00Z"
        );
        assert_eq!(
            parse_future_time("2026-05-20T09:00:00+09:00", now)
                .unwrap()
                .to_string(),
            "2026-05-20T00:00:00Z"
        );
        assert!(
            parse_future_time("2026-05-19T11:00:00Z", now)
                .unwrap_err()
                .contains("not in the future")
        );
        assert!(
            parse_future_time("tomorrow", now)
                .unwrap_err()
                .contains("+10m")
        );
    }

    #[test]
    fn time_window_defaults_to_a_day_and_orders_its_ends() {
        let (since, until) = time_window(None, None).unwrap();
        let expected = Timestamp::now() - SignedDuration::from_hours(24);
        assert!((since - expected).get_seconds().abs() < 5);
        assert_eq!(until, None);
        let t = |s: &str| Some(PastTime(s.parse().unwrap()));
        assert!(time_window(t("2026-01-02T00:00:00Z"), t("2026-01-01T00:00:00Z")).is_err());
    }

    #[test]
    fn durations_are_sent_in_go_notation() {
        let go = |s: &str| {
            serde_json::from_value::<GoDuration>(json!(s))
                .map(|d| d.0)
                .map_err(|e| e.to_string())
        };
        assert_eq!(go("24h").unwrap(), "24h");
        assert_eq!(go("7d").unwrap(), "168h");
        assert_eq!(go("90m").unwrap(), "90m");
        assert_eq!(go("45s").unwrap(), "45s");
        assert!(go("0m").is_err() && go("soon").is_err());
    }
}
