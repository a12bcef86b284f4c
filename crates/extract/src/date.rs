//! Date parsing for page metadata, normalised to RFC 3339 UTC (`2025-11-25T10:00:00Z`).
//!
//! Hand-written rather than a date library because pages use every format at once (ISO 8601
//! with or without zone, RFC 2822, "November 25, 2025 10:30 AM EST", "25.11.2025",
//! `/2025/11/25/` in URLs) and a lenient scanner over tokens covers them in ~150 lines with
//! no allocation-heavy dependency. Dates without a zone are taken as UTC.

/// Parse a date string; `None` when no plausible date is found.
pub fn parse(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    parse_iso(s).or_else(|| parse_loose(s))
}

/// Seconds-resolution civil time with an offset in minutes.
#[derive(Debug, Clone, Copy)]
struct Dt {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    off_min: i64,
}

fn valid(dt: &Dt) -> bool {
    (1970..=2100).contains(&dt.y)
        && (1..=12).contains(&dt.mo)
        && dt.d >= 1
        && dt.d <= days_in_month(dt.y, dt.mo)
        && dt.h < 24
        && dt.mi < 60
        && dt.s < 61
        && dt.off_min.abs() <= 14 * 60
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn format_utc(dt: Dt) -> Option<String> {
    if !valid(&dt) {
        return None;
    }
    let secs = days_from_civil(dt.y, dt.mo, dt.d) * 86400
        + dt.h as i64 * 3600
        + dt.mi as i64 * 60
        + dt.s.min(59) as i64
        - dt.off_min * 60;
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, &c| a * 10 + (c - b'0') as u32))
}

/// ISO 8601 / RFC 3339 and close relatives (`2025-11-25`, `2025-11-25 10:00`,
/// `2025-11-25T10:00:00.123+0100`, `20251125`, `2025/11/25`).
fn parse_iso(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 8 {
        return None;
    }
    let (y, mo, d, mut i) = if b.len() >= 10 && (b[4] == b'-' || b[4] == b'/') && b[7] == b[4] {
        (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?, 10)
    } else if b.len() == 8 || (b.len() > 8 && b[8] == b'T') {
        (num(&b[0..4])?, num(&b[4..6])?, num(&b[6..8])?, 8)
    } else {
        return None;
    };
    let mut dt = Dt {
        y: y as i64,
        mo,
        d,
        h: 0,
        mi: 0,
        s: 0,
        off_min: 0,
    };
    if i < b.len() && (b[i] == b'T' || b[i] == b't' || b[i] == b' ') && b.len() >= i + 6 {
        let t = &b[i + 1..];
        if t.len() >= 5 && t[2] == b':' {
            dt.h = num(&t[0..2])?;
            dt.mi = num(&t[3..5])?;
            i += 6;
            if b.len() >= i + 3 && b[i] == b':' {
                dt.s = num(&b[i + 1..i + 3])?;
                i += 3;
            }
            if i < b.len() && (b[i] == b'.' || b[i] == b',') {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let rest = s[i..].trim();
            dt.off_min = parse_offset(rest)?;
        }
    }
    format_utc(dt)
}

/// `Z`, `+01:00`, `-0500`, `+01`, `UTC`, `GMT`, empty (UTC) or a few common US zones.
fn parse_offset(rest: &str) -> Option<i64> {
    let r = rest.trim();
    if r.is_empty() {
        return Some(0);
    }
    let b = r.as_bytes();
    match b[0] {
        b'Z' | b'z' => return Some(0),
        b'+' | b'-' => {
            let sign = if b[0] == b'-' { -1 } else { 1 };
            let digits: Vec<u8> = b[1..]
                .iter()
                .copied()
                .take_while(|c| c.is_ascii_digit() || *c == b':')
                .filter(u8::is_ascii_digit)
                .collect();
            let (h, m) = match digits.len() {
                1 | 2 => (num(&digits)?, 0),
                4 => (num(&digits[0..2])?, num(&digits[2..4])?),
                _ => return None,
            };
            return Some(sign * (h as i64 * 60 + m as i64));
        }
        _ => {}
    }
    zone_offset(&r.to_ascii_uppercase())
}

fn zone_offset(z: &str) -> Option<i64> {
    Some(match z {
        "UTC" | "GMT" | "UT" | "Z" => 0,
        "EST" => -5 * 60,
        "EDT" => -4 * 60,
        "CST" => -6 * 60,
        "CDT" => -5 * 60,
        "MST" => -7 * 60,
        "MDT" => -6 * 60,
        "PST" => -8 * 60,
        "PDT" => -7 * 60,
        "BST" => 60,
        "CET" => 60,
        "CEST" => 120,
        "IST" => 330,
        "JST" => 540,
        "AEST" => 600,
        "AEDT" => 660,
        _ => return None,
    })
}

fn month_name(w: &str) -> Option<u32> {
    let w = w.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    const M: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    for (i, m) in M.iter().enumerate() {
        if m.starts_with(w) || (w == "sept" && i == 8) {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// Token scanner for human formats: "Tue, 25 Nov 2025 10:00:00 GMT", "November 25, 2025 at
/// 3:04 pm EST", "25.11.2025 14:30", "11/25/2025".
fn parse_loose(s: &str) -> Option<String> {
    let mut year = None;
    let mut month = None;
    let mut day = None;
    let mut numbers: Vec<u32> = Vec::new();
    let mut time: Option<(u32, u32, u32)> = None;
    let mut pm = None;
    let mut off = None;
    let toks: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '|')
        .filter(|t| !t.is_empty())
        .take(24)
        .collect();
    for tok in toks {
        let lower = tok.to_ascii_lowercase();
        if tok.contains(':') && tok.as_bytes()[0].is_ascii_digit() {
            // 10:00, 10:00:00, 10:00pm, 10:00:00+01:00
            let (clock, zone) = match tok.find(['+', '-', 'Z']) {
                Some(p) if p > 0 => (&tok[..p], Some(&tok[p..])),
                _ => (tok, None),
            };
            let clock_l = clock.to_ascii_lowercase();
            let (clock_n, ampm) = if let Some(c) = clock_l.strip_suffix("pm") {
                (c.to_string(), Some(true))
            } else if let Some(c) = clock_l.strip_suffix("am") {
                (c.to_string(), Some(false))
            } else {
                (clock_l.clone(), None)
            };
            let parts: Vec<&str> = clock_n.split(':').collect();
            if parts.len() >= 2 {
                let h = num(parts[0].as_bytes());
                let m = num(parts[1].as_bytes());
                let sec = parts
                    .get(2)
                    .and_then(|p| num(p.split('.').next().unwrap_or("").as_bytes()))
                    .unwrap_or(0);
                if let (Some(h), Some(m)) = (h, m) {
                    time = Some((h, m, sec));
                }
            }
            if ampm.is_some() {
                pm = ampm;
            }
            if let Some(z) = zone {
                off = parse_offset(z);
            }
            continue;
        }
        if lower == "pm" || lower == "p.m." {
            pm = Some(true);
            continue;
        }
        if lower == "am" || lower == "a.m." {
            pm = Some(false);
            continue;
        }
        if tok.starts_with('+') || (tok.starts_with('-') && tok.len() == 5) {
            off = parse_offset(tok).or(off);
            continue;
        }
        if let Some(z) = zone_offset(&tok.to_ascii_uppercase()) {
            off = Some(z);
            continue;
        }
        if let Some(m) = month_name(tok) {
            month = Some(m);
            continue;
        }
        // 25.11.2025, 11/25/2025, 2025.11.25
        let parts: Vec<&str> = tok
            .split(['.', '/', '-'])
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() == 3 {
            let n: Vec<Option<u32>> = parts.iter().map(|p| num(p.as_bytes())).collect();
            if let [Some(a), Some(b), Some(c)] = n[..] {
                if parts[0].len() == 4 {
                    year = Some(a);
                    month = Some(b);
                    day = Some(c);
                } else if parts[2].len() == 4 {
                    year = Some(c);
                    // Dots or a first number above 12 mean day-first; slashes mean US order.
                    if tok.contains('/') && a <= 12 {
                        month = Some(a);
                        day = Some(b);
                    } else {
                        day = Some(a);
                        month = Some(b);
                    }
                }
                continue;
            }
        }
        let digits = tok.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '.');
        if let Some(n) = num(digits.as_bytes()) {
            if digits.len() == 4 && (1970..=2100).contains(&n) {
                year = Some(n);
            } else if digits.len() <= 2 {
                numbers.push(n);
            }
        }
    }
    let year = year?;
    let month = month?;
    let day = day.or_else(|| numbers.iter().copied().find(|&n| (1..=31).contains(&n)))?;
    let (mut h, mi, sec) = time.unwrap_or((0, 0, 0));
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    format_utc(Dt {
        y: year as i64,
        mo: month,
        d: day,
        h,
        mi,
        s: sec,
        off_min: off.unwrap_or(0),
    })
}

/// A date in a URL path: `/2025/11/25/`, `/2025-11-25/`, `/20251125/`.
pub fn from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let segs: Vec<&str> = path.split('/').collect();
    for w in segs.windows(3) {
        if w[0].len() == 4 && w[1].len() <= 2 && !w[1].is_empty() {
            let d = w[2]
                .get(..2)
                .filter(|d| d.bytes().all(|c| c.is_ascii_digit()));
            if let (Some(y), Some(m), Some(d)) = (num(w[0].as_bytes()), num(w[1].as_bytes()), d) {
                if let Some(d) = num(d.as_bytes()) {
                    let out = format_utc(Dt {
                        y: y as i64,
                        mo: m,
                        d,
                        h: 0,
                        mi: 0,
                        s: 0,
                        off_min: 0,
                    });
                    if out.is_some() {
                        return out;
                    }
                }
            }
        }
    }
    for seg in segs {
        for part in seg.split(['-', '_', '.']) {
            if part.len() == 8 && part.starts_with("20") {
                if let Some(d) = parse_iso(part) {
                    return Some(d);
                }
            }
        }
        if seg.len() >= 10 && seg.as_bytes()[4] == b'-' {
            if let Some(d) = seg.get(..10).and_then(parse_iso) {
                return Some(d);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        assert_eq!(parse("2025-11-25").as_deref(), Some("2025-11-25T00:00:00Z"));
        assert_eq!(
            parse("2025-11-25T10:30:00+02:00").as_deref(),
            Some("2025-11-25T08:30:00Z")
        );
        assert_eq!(
            parse("2025-11-25T23:30:00.123-0500").as_deref(),
            Some("2025-11-26T04:30:00Z")
        );
        assert_eq!(
            parse("2025-11-25 10:30").as_deref(),
            Some("2025-11-25T10:30:00Z")
        );
        assert_eq!(parse("20251125").as_deref(), Some("2025-11-25T00:00:00Z"));
        assert_eq!(parse("2024-02-30"), None);
    }

    #[test]
    fn human_forms() {
        assert_eq!(
            parse("Tue, 25 Nov 2025 10:00:00 GMT").as_deref(),
            Some("2025-11-25T10:00:00Z")
        );
        assert_eq!(
            parse("November 25, 2025 3:04 pm EST").as_deref(),
            Some("2025-11-25T20:04:00Z")
        );
        assert_eq!(
            parse("25.11.2025 14:30").as_deref(),
            Some("2025-11-25T14:30:00Z")
        );
        assert_eq!(parse("11/25/2025").as_deref(), Some("2025-11-25T00:00:00Z"));
        assert_eq!(
            parse("Published Sept. 3, 2024").as_deref(),
            Some("2024-09-03T00:00:00Z")
        );
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("12 comments"), None);
    }

    #[test]
    fn url_dates() {
        assert_eq!(
            from_url("https://x.com/2025/11/25/story-slug").as_deref(),
            Some("2025-11-25T00:00:00Z")
        );
        assert_eq!(
            from_url("https://x.com/news/2025-11-25-story").as_deref(),
            Some("2025-11-25T00:00:00Z")
        );
        assert_eq!(from_url("https://x.com/about"), None);
    }
}
