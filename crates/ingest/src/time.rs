//! Lenient date parsing for import files, which carry whatever their exporter wrote.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Parses RFC 3339, ISO 8601 without an offset (taken as UTC), `YYYY-MM-DD HH:MM:SS`,
/// a bare date, or RFC 2822. Returns `None` for anything else.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Unix time: seconds (up to 10 digits) or milliseconds (13 digits).
        let n: i64 = text.parse().ok()?;
        return match text.len() {
            1..=10 => DateTime::from_timestamp(n, 0),
            13 => DateTime::from_timestamp_millis(n),
            _ => None,
        };
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|n| n.and_utc());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(text) {
        return Some(dt.with_timezone(&Utc));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Option<String> {
        parse_datetime(text).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    #[test]
    fn accepts_the_common_forms() {
        assert_eq!(
            iso("2026-11-20T14:05:00Z").as_deref(),
            Some("2026-11-20T14:05:00Z")
        );
        assert_eq!(
            iso("2026-11-20T14:05:00+02:00").as_deref(),
            Some("2026-11-20T12:05:00Z")
        );
        assert_eq!(
            iso("1987-02-26T15:01:01").as_deref(),
            Some("1987-02-26T15:01:01Z")
        );
        assert_eq!(
            iso("1987-02-26T15:01:01.79").as_deref(),
            Some("1987-02-26T15:01:01Z")
        );
        assert_eq!(
            iso("2024-01-02 03:04:05").as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
        assert_eq!(iso("2024-01-02").as_deref(), Some("2024-01-02T00:00:00Z"));
        assert_eq!(
            iso("Tue, 02 Jan 2024 03:04:05 GMT").as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2024-13-45",
            "9999999999999999999",
            &"1".repeat(100),
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }
}
