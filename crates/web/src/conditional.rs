//! Responses for machine-read documents (feeds, sitemaps, API): a validator (ETag from
//! the body, Last-Modified when the content has a time), conditional GET answered with
//! 304, and an explicit cache policy.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

/// HTTP date (`Wed, 25 Nov 2026 12:00:00 GMT`).
pub(crate) fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A body with its validators, answered with 304 when the client's copy is current.
pub(crate) struct Document {
    pub content_type: &'static str,
    pub body: String,
    /// Newest change of what the document shows.
    pub last_modified: Option<DateTime<Utc>>,
    pub cache_control: String,
}

impl Document {
    /// The response to a request with `headers`. The ETag is a hash of the body
    /// (weak: compression may change the bytes, not the meaning), so it changes
    /// exactly when the document does. If-None-Match wins over If-Modified-Since.
    pub(crate) fn respond(self, headers: &HeaderMap) -> Response {
        let etag = format!("W/\"{:016x}\"", herald_types::content_hash(&[&self.body]));
        let last_modified = self.last_modified.map(http_date);
        let fresh = match headers.get(header::IF_NONE_MATCH) {
            Some(inm) => inm.to_str().is_ok_and(|v| etag_matches(v, &etag)),
            None => match (headers.get(header::IF_MODIFIED_SINCE), self.last_modified) {
                (Some(ims), Some(lm)) => ims
                    .to_str()
                    .ok()
                    .and_then(|v| DateTime::parse_from_rfc2822(v.trim()).ok())
                    .is_some_and(|since| lm.timestamp() <= since.timestamp()),
                _ => false,
            },
        };
        let mut response = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut r = Response::new(Body::from(self.body));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            r
        };
        let h = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        if let Some(v) = last_modified.and_then(|lm| HeaderValue::from_str(&lm).ok()) {
            h.insert(header::LAST_MODIFIED, v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.cache_control) {
            h.insert(header::CACHE_CONTROL, v);
        }
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

/// Weak comparison of an If-None-Match list with our tag.
fn etag_matches(list: &str, ours: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(ours);
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || opaque(t) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_compare_weakly_in_lists() {
        assert!(etag_matches("\"a\", W/\"b\"", "W/\"b\""));
        assert!(etag_matches("\"b\"", "W/\"b\""));
        assert!(etag_matches("*", "W/\"b\""));
        assert!(!etag_matches("\"c\"", "W/\"b\""));
    }

    #[test]
    fn http_dates_round_trip() {
        let t = DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
        let text = http_date(t);
        assert!(text.ends_with(" GMT"));
        let back = DateTime::parse_from_rfc2822(&text).map(|d| d.timestamp());
        assert_eq!(back.ok(), Some(t.timestamp()));
    }
}
