//! Date parsing: RFC 822/2822 (with the real web's variants), RFC 3339 / ISO 8601, W3C-DTF
//! and common malformed forms, normalised to RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`).
//!
//! Hand-written (no date crate) because feeds need the lenient forms feedparser accepts
//! (two-digit years, missing seconds, named and military zones, `T`-less ISO, asctime) and
//! because the only output we need is a UTC instant.

/// Parses a feed date and returns it as RFC 3339 UTC, or None if it is not a date.
pub fn parse_date(s: &str) -> Option<String> {
    parse_timestamp(s).map(format_rfc3339)
}

/// Parses a feed date into seconds since the Unix epoch (UTC).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    parse_iso(s)
        .or_else(|| parse_rfc822(s))
        .or_else(|| parse_asctime(s))
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_rfc3339(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn build(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, offset_secs: i64) -> Option<i64> {
    if !(1..=9999).contains(&y) || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    // 24:00:00 is allowed (end of day); leap second 60 is clamped.
    if !(0..=24).contains(&h) || !(0..=59).contains(&mi) || !(0..=60).contains(&s) {
        return None;
    }
    let s = s.min(59);
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_secs)
}

fn month_from_name(m: &str) -> Option<i64> {
    let m = m.to_ascii_lowercase();
    let m = m.trim_end_matches('.');
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if m.len() < 3 {
        return None;
    }
    NAMES
        .iter()
        .position(|n| m.starts_with(n))
        .map(|i| i as i64 + 1)
}

/// Offset in seconds for a zone: `+0100`, `-05:00`, `+01`, `Z`, `GMT`, `EST`, military letters.
fn zone_offset(z: &str) -> Option<i64> {
    let z = z.trim();
    if z.is_empty() {
        return Some(0);
    }
    let up = z.to_ascii_uppercase();
    let named = match up.as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "WET" => Some(0),
        "EST" | "ET" => Some(-5),
        "CT" => Some(-6),
        "MT" => Some(-7),
        "PT" => Some(-8),
        "EDT" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        "AST" => Some(-4),
        "ADT" => Some(-3),
        "CET" | "MET" | "MEZ" | "BST" | "WEST" => Some(1),
        "CEST" | "MEST" | "MESZ" | "EET" => Some(2),
        "EEST" | "MSK" => Some(3),
        "JST" | "KST" => Some(9),
        "IST" => Some(5),
        "HST" => Some(-10),
        "AKST" => Some(-9),
        "AKDT" => Some(-8),
        "NZST" => Some(12),
        "NZDT" => Some(13),
        "AEST" => Some(10),
        "AEDT" => Some(11),
        _ => None,
    };
    if let Some(h) = named {
        return Some(h * 3600);
    }
    // Military single letters (RFC 822): A-I = -1..-9, K-M = -10..-12, N-Y = +1..+12.
    if up.len() == 1 {
        let c = up.as_bytes()[0];
        let h = match c {
            b'A'..=b'I' => -((c - b'A' + 1) as i64),
            b'K'..=b'M' => -((c - b'K' + 10) as i64),
            b'N'..=b'Y' => (c - b'N' + 1) as i64,
            _ => return None,
        };
        return Some(h * 3600);
    }
    // "GMT+1", "UTC-05:00"
    let z = if up.starts_with("GMT") || up.starts_with("UTC") {
        &z[3..]
    } else {
        z
    };
    let (sign, digits) = match z.as_bytes().first()? {
        b'+' => (1, &z[1..]),
        b'-' => (-1, &z[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i64>().ok()?, 0),
        3 => (
            digits[..1].parse::<i64>().ok()?,
            digits[1..].parse::<i64>().ok()?,
        ),
        4 => (
            digits[..2].parse::<i64>().ok()?,
            digits[2..].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 9 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn fix_year(y: i64, digits: usize) -> i64 {
    if digits <= 2 {
        // RFC 2822 section 4.3: 00-49 => 20xx, 50-99 => 19xx.
        if y < 50 {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    }
}

/// `HH:MM[:SS[.frac]]` -> (h, m, s).
fn parse_hms(t: &str) -> Option<(i64, i64, i64)> {
    let mut parts = t.split(':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let s = match parts.next() {
        Some(sec) => {
            let sec = sec.split(['.', ',']).next().unwrap_or("");
            num(sec)?
        }
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((h, m, s))
}

/// ISO 8601 / RFC 3339 / W3C-DTF, including `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, compact
/// `YYYYMMDD`, a space instead of `T`, missing seconds, and `YYYY-MM-DDTHH:MM:SS` without zone
/// (taken as UTC).
fn parse_iso(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 4 || !b[..4].iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let (y, mo, d) = if parts.len() == 2 && parts[1].len() == 3 {
        // Ordinal date: YYYY-DDD.
        let y = num(parts[0])?;
        let doy = num(parts[1])?;
        let leap = days_in_month(y, 2) == 29;
        if doy < 1 || doy > if leap { 366 } else { 365 } {
            return None;
        }
        let (yy, mm, dd) = civil_from_days(days_from_civil(y, 1, 1) + doy - 1);
        (yy, mm, dd)
    } else if date.contains('-') {
        let mut it = date.split('-');
        let y = num(it.next()?)?;
        let mo = match it.next() {
            Some(m) => num(m)?,
            None => 1,
        };
        let d = match it.next() {
            Some(d) => num(d)?,
            None => 1,
        };
        if it.next().is_some() {
            return None;
        }
        (y, mo, d)
    } else if date.len() == 8 && date.is_ascii() {
        (num(&date[..4])?, num(&date[4..6])?, num(&date[6..])?)
    } else if date.len() == 4 {
        (num(date)?, 1, 1)
    } else {
        return None;
    };
    if rest.is_empty() {
        return build(y, mo, d, 0, 0, 0, 0);
    }
    // Split time and zone.
    let zi = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '+' | '-' | 'Z' | 'z') || c.is_ascii_alphabetic() || *c == ' ')
        .map(|(i, _)| i);
    let (time, zone) = match zi {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (h, mi, sec) = if time.contains(':') {
        parse_hms(time)?
    } else if time.len() >= 4 && time.is_ascii() && time.chars().take(4).all(|c| c.is_ascii_digit())
    {
        let t = time.split('.').next().unwrap_or("");
        match t.len() {
            4 => (num(&t[..2])?, num(&t[2..])?, 0),
            6 => (num(&t[..2])?, num(&t[2..4])?, num(&t[4..])?),
            _ => return None,
        }
    } else {
        return None;
    };
    let off = zone_offset(zone)?;
    build(y, mo, d, h, mi, sec, off)
}

/// RFC 822 / 2822 and the usual variants: optional weekday (also full names, with or without
/// comma), 2- or 4-digit years, missing seconds, named / numeric / military zones, missing
/// zone (UTC), `Month DD, YYYY` order, dashes between the date parts.
fn parse_rfc822(s: &str) -> Option<i64> {
    let cleaned: String = s.chars().map(|c| if c == ',' { ' ' } else { c }).collect();
    let mut toks: Vec<&str> = cleaned.split_whitespace().collect();
    if toks.is_empty() {
        return None;
    }
    // Drop a leading weekday.
    if toks[0].chars().all(|c| c.is_ascii_alphabetic() || c == '.')
        && month_from_name(toks[0]).is_none()
    {
        toks.remove(0);
    }
    // "07-Sep-2002" style.
    if toks.len() == 1 || (toks.len() >= 2 && toks[0].matches('-').count() == 2) {
        let parts: Vec<&str> = toks[0].split('-').collect();
        if parts.len() == 3 {
            let mut v: Vec<&str> = parts;
            v.extend_from_slice(&toks[1..]);
            return rfc822_tokens(&v);
        }
    }
    rfc822_tokens(&toks)
}

fn rfc822_tokens(toks: &[&str]) -> Option<i64> {
    if toks.len() < 3 {
        return None;
    }
    // Day Month Year or Month Day Year.
    let (d, mo, y_tok) = if let Some(m) = month_from_name(toks[1]) {
        (num(toks[0])?, m, toks[2])
    } else if let Some(m) = month_from_name(toks[0]) {
        (num(toks[1])?, m, toks[2])
    } else {
        return None;
    };
    let y = fix_year(num(y_tok)?, y_tok.len());
    let mut rest = &toks[3..];
    let (mut h, mut mi, mut sec) = (0, 0, 0);
    if let Some(t) = rest.first() {
        if t.contains(':') {
            let (a, b, c) = parse_hms(t)?;
            h = a;
            mi = b;
            sec = c;
            rest = &rest[1..];
        }
    }
    // AM / PM
    if let Some(t) = rest.first() {
        if t.eq_ignore_ascii_case("pm") || t.eq_ignore_ascii_case("am") {
            if t.eq_ignore_ascii_case("pm") && h < 12 {
                h += 12;
            } else if t.eq_ignore_ascii_case("am") && h == 12 {
                h = 0;
            }
            rest = &rest[1..];
        }
    }
    let off = match rest.first() {
        Some(z) => {
            let z = z.trim_matches(|c| c == '(' || c == ')');
            zone_offset(z).unwrap_or(0)
        }
        None => 0,
    };
    build(y, mo, d, h, mi, sec, off)
}

/// asctime: `Sun Jan  4 16:29:06 2004` (optionally with a zone before the year).
fn parse_asctime(s: &str) -> Option<i64> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    if toks.len() < 5 {
        return None;
    }
    let mo = month_from_name(toks[1])?;
    let d = num(toks[2])?;
    let (h, mi, sec) = parse_hms(toks[3])?;
    let (y_tok, off) = if toks.len() >= 6 {
        (toks[5], zone_offset(toks[4]).unwrap_or(0))
    } else {
        (toks[4], 0)
    };
    let y = fix_year(num(y_tok)?, y_tok.len());
    build(y, mo, d, h, mi, sec, off)
}

#[cfg(test)]
mod tests {
    use super::parse_date as p;

    #[test]
    fn rfc822_variants() {
        assert_eq!(
            p("Sat, 07 Sep 2002 00:00:01 GMT").as_deref(),
            Some("2002-09-07T00:00:01Z")
        );
        assert_eq!(
            p("Thu, 01 Jan 2004 19:48:21 GMT").as_deref(),
            Some("2004-01-01T19:48:21Z")
        );
        assert_eq!(
            p("Sat, 7 Sep 02 00:00:01 +0100").as_deref(),
            Some("2002-09-06T23:00:01Z")
        );
        assert_eq!(
            p("07 Sep 2002 00:00 EST").as_deref(),
            Some("2002-09-07T05:00:00Z")
        );
        assert_eq!(
            p("Saturday, 07 Sep 2002 00:00:01 -05:00").as_deref(),
            Some("2002-09-07T05:00:01Z")
        );
        assert_eq!(
            p("Sat, 07 Sep 2002 00:00:01").as_deref(),
            Some("2002-09-07T00:00:01Z")
        );
        assert_eq!(
            p("Sat, 07 September 2002 00:00:01 Z").as_deref(),
            Some("2002-09-07T00:00:01Z")
        );
        assert_eq!(
            p("Sep 07, 2002 10:00 PM PDT").as_deref(),
            Some("2002-09-08T05:00:00Z")
        );
        assert_eq!(
            p("Tue, 10-Jun-2003 04:00:00 GMT").as_deref(),
            Some("2003-06-10T04:00:00Z")
        );
        assert_eq!(
            p("Sun, 31 Dec 2000 23:59:59 N").as_deref(),
            Some("2000-12-31T22:59:59Z")
        );
    }

    #[test]
    fn iso_and_w3cdtf() {
        assert_eq!(
            p("2003-12-31T10:14:55Z").as_deref(),
            Some("2003-12-31T10:14:55Z")
        );
        assert_eq!(
            p("2003-12-31T10:14:55-08:00").as_deref(),
            Some("2003-12-31T18:14:55Z")
        );
        assert_eq!(
            p("2003-12-31T10:14:55.123+01:00").as_deref(),
            Some("2003-12-31T09:14:55Z")
        );
        assert_eq!(
            p("2003-12-31T10:14Z").as_deref(),
            Some("2003-12-31T10:14:00Z")
        );
        assert_eq!(p("2003-12-31").as_deref(), Some("2003-12-31T00:00:00Z"));
        assert_eq!(p("2003-12").as_deref(), Some("2003-12-01T00:00:00Z"));
        assert_eq!(p("2003").as_deref(), Some("2003-01-01T00:00:00Z"));
        assert_eq!(
            p("20031231T101455Z").as_deref(),
            Some("2003-12-31T10:14:55Z")
        );
        assert_eq!(
            p("2003-12-31 10:14:55").as_deref(),
            Some("2003-12-31T10:14:55Z")
        );
        assert_eq!(
            p("2004-02-29T00:00:00+0000").as_deref(),
            Some("2004-02-29T00:00:00Z")
        );
    }

    #[test]
    fn web_variants() {
        assert_eq!(
            p("Mon, 26 Jan 2004 16:31:00 ET").as_deref(),
            Some("2004-01-26T21:31:00Z")
        );
        assert_eq!(
            p("Wed, 08 Nov 2006 14:04:09 -0500 (EST)").as_deref(),
            Some("2006-11-08T19:04:09Z")
        );
        assert_eq!(
            p("Thu 01 Jan 2004 19:48:21 GMT").as_deref(),
            Some("2004-01-01T19:48:21Z")
        );
        assert_eq!(
            p("Thu,01 Jan 2004 19:48:21 GMT").as_deref(),
            Some("2004-01-01T19:48:21Z")
        );
        assert_eq!(
            p("Thu, 1 Jan 2004").as_deref(),
            Some("2004-01-01T00:00:00Z")
        );
        assert_eq!(
            p("Tue, 10 Jun 2003 04:00:00 -0000").as_deref(),
            Some("2003-06-10T04:00:00Z")
        );
        assert_eq!(
            p("2003-12-31 10:14:55 GMT").as_deref(),
            Some("2003-12-31T10:14:55Z")
        );
        assert_eq!(
            p("2003-12-31T10:14:55 -08:00").as_deref(),
            Some("2003-12-31T18:14:55Z")
        );
        assert_eq!(
            p("Mon, 26 Jan 2004 16:31:00 GMT+1").as_deref(),
            Some("2004-01-26T15:31:00Z")
        );
        assert_eq!(
            p("Sun Jan  4 16:29:06 PST 2004").as_deref(),
            Some("2004-01-05T00:29:06Z")
        );
        assert_eq!(p("Thu, 31 Jun 2004 19:48:21 GMT"), None);
        assert_eq!(
            p("2004-06-30T24:00:00Z").as_deref(),
            Some("2004-07-01T00:00:00Z")
        );
    }

    #[test]
    fn asctime() {
        assert_eq!(
            p("Sun Jan  4 16:29:06 2004").as_deref(),
            Some("2004-01-04T16:29:06Z")
        );
    }

    #[test]
    fn malformed() {
        for s in [
            "",
            "yesterday",
            "2003-13-01",
            "2003-02-30T00:00:00Z",
            "Sat, 32 Sep 2002 00:00:01 GMT",
            "99999999999999999999",
            "2003-12-31T25:00:00Z",
            "Mon, 1 Foo 2002",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }
}
