//! Signed tokens: CSRF tokens bound to a session (or cookie) id and a purpose, and
//! comment form tokens that also carry the time the form was rendered.
//!
//! A token is `v1.<issued ms>.<expires ms>.<HMAC-SHA256, base64url>`; the MAC covers
//! the kind (CSRF or form), the purpose, the binding id and both times, each
//! length-prefixed. Verification recomputes the MAC and compares it in constant time.
//! Tokens are stateless: they can be replayed until they expire (the binding to the
//! session/cookie id and the duplicate check bound what a replay can do).

use crate::text::truncate_chars;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// How far in the future a token's issue time may be (clock differences between
/// nodes sharing a key).
const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// Longest token string accepted for parsing.
const MAX_TOKEN_LEN: usize = 200;

/// The operating system's random number generator failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomError(String);

/// Fills `buf` from the operating system's random number generator.
pub(crate) fn os_random(buf: &mut [u8]) -> Result<(), RandomError> {
    getrandom::getrandom(buf).map_err(|e| RandomError(e.to_string()))
}

/// A 256-bit secret for signing tokens. Generate it once, persist it (base64url,
/// e.g. in the data directory with mode 0600) and load it at start-up, so tokens
/// survive restarts; every node behind one site must share it. `Debug` never shows
/// it; serde reads and writes the base64url form.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

/// A persisted key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a secret key is 32 bytes written as 43 base64url characters")]
pub struct KeyError;

impl SecretKey {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Result<Self, RandomError> {
        let mut k = [0u8; 32];
        os_random(&mut k)?;
        Ok(Self(k))
    }

    /// A key from given bytes (tests, or a key derived elsewhere).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 43 base64url characters (no padding), for persisting.
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Reads [`to_base64`](Self::to_base64)'s form (surrounding whitespace ignored).
    pub fn from_base64(s: &str) -> Result<Self, KeyError> {
        let bytes = URL_SAFE_NO_PAD.decode(s.trim()).map_err(|_| KeyError)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError)?;
        Ok(Self(arr))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        match HmacSha256::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl Serialize for SecretKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for SecretKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SecretKey::from_base64(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a token was refused. `Display` is addressed to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Missing, truncated or not a token.
    #[error("This form could not be checked. Please send it again.")]
    Malformed,
    /// Signed with another key, or for another session, purpose or form.
    #[error("This form could not be checked; it may have been opened in another browser. Please send it again.")]
    BadSignature,
    /// Past its expiry time.
    #[error("This form has expired. Please send it again.")]
    Expired,
    /// Issued further in the future than clock differences explain.
    #[error("This form could not be checked. Please send it again.")]
    NotYetValid,
}

/// The verified contents of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenClaims {
    /// When the token was issued (for a form token: when the form was rendered).
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Copy)]
enum Kind {
    Csrf,
    Form,
}

impl Kind {
    fn label(self) -> &'static [u8] {
        match self {
            Kind::Csrf => b"herald-csrf",
            Kind::Form => b"herald-form",
        }
    }
}

/// Issues and verifies tokens with one [`SecretKey`].
#[derive(Clone, Debug)]
pub struct Signer {
    key: SecretKey,
}

impl Signer {
    pub fn new(key: SecretKey) -> Self {
        Self { key }
    }

    /// A CSRF token for a form posted from session (or cookie) `binding` for
    /// `purpose` (e.g. `"admin:moderate"`, `"logout"`), valid for `ttl` from `now`.
    pub fn csrf(&self, binding: &str, purpose: &str, now: DateTime<Utc>, ttl: Duration) -> String {
        self.issue(Kind::Csrf, binding, purpose, now, ttl)
    }

    /// Verifies a CSRF token for this binding and purpose.
    pub fn verify_csrf(
        &self,
        token: &str,
        binding: &str,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenClaims, TokenError> {
        self.verify(Kind::Csrf, token, binding, purpose, now)
    }

    fn issue(
        &self,
        kind: Kind,
        binding: &str,
        purpose: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> String {
        let issued = now.timestamp_millis();
        let expires = issued.saturating_add(ttl.num_milliseconds().max(0));
        let mac = self.sign(kind, binding, purpose, issued, expires);
        format!("v1.{issued}.{expires}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    fn sign(
        &self,
        kind: Kind,
        binding: &str,
        purpose: &str,
        issued: i64,
        expires: i64,
    ) -> [u8; 32] {
        let mut m = self.key.mac();
        feed(
            &mut m,
            kind.label(),
            binding.as_bytes(),
            purpose.as_bytes(),
            issued,
            expires,
        );
        m.finalize().into_bytes().into()
    }

    fn verify(
        &self,
        kind: Kind,
        token: &str,
        binding: &str,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenClaims, TokenError> {
        if token.len() > MAX_TOKEN_LEN || binding.is_empty() {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.trim().split('.');
        let (Some("v1"), Some(issued), Some(expires), Some(mac), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        let issued: i64 = issued.parse().map_err(|_| TokenError::Malformed)?;
        let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| TokenError::Malformed)?;
        let mut m = self.key.mac();
        feed(
            &mut m,
            kind.label(),
            binding.as_bytes(),
            purpose.as_bytes(),
            issued,
            expires,
        );
        m.verify_slice(&mac).map_err(|_| TokenError::BadSignature)?;
        let now_ms = now.timestamp_millis();
        if now_ms > expires {
            return Err(TokenError::Expired);
        }
        if issued > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
            return Err(TokenError::NotYetValid);
        }
        let at = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).ok_or(TokenError::Malformed);
        Ok(TokenClaims {
            issued_at: at(issued)?,
            expires_at: at(expires)?,
        })
    }
}

fn feed(
    m: &mut HmacSha256,
    label: &[u8],
    binding: &[u8],
    purpose: &[u8],
    issued: i64,
    expires: i64,
) {
    for part in [label, purpose, binding] {
        m.update(&(part.len() as u64).to_be_bytes());
        m.update(part);
    }
    m.update(&issued.to_be_bytes());
    m.update(&expires.to_be_bytes());
}

/// The comment form's token: CSRF protection bound to the reader's cookie id and the
/// article, plus the time the form was rendered (for the minimum fill-in time).
///
/// Readers have no session: give each browser a random cookie id
/// ([`crate::new_session_id`]) in an HttpOnly, SameSite=Lax cookie when the form is
/// first shown, and bind the token to it. Put the token in a hidden field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormToken {
    /// When the form was rendered.
    pub rendered_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl FormToken {
    /// A token for the comment form of `article` (any stable id, e.g. the article id
    /// as a string), shown now to the browser with cookie id `binding`.
    pub fn issue(
        signer: &Signer,
        binding: &str,
        article: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> String {
        signer.issue(Kind::Form, binding, &form_purpose(article), now, ttl)
    }

    /// Verifies a form token. The fill-in time is checked separately (by
    /// [`crate::Moderator::decide`] through [`crate::Context::form_rendered_at`], or
    /// [`crate::check_fill_time`]): a reader who was too quick can send the same form
    /// again, token included, a moment later.
    pub fn verify(
        signer: &Signer,
        token: &str,
        binding: &str,
        article: &str,
        now: DateTime<Utc>,
    ) -> Result<FormToken, TokenError> {
        let claims = signer.verify(Kind::Form, token, binding, &form_purpose(article), now)?;
        Ok(FormToken {
            rendered_at: claims.issued_at,
            expires_at: claims.expires_at,
        })
    }

    /// How long the reader took (zero if the clocks disagree).
    pub fn fill_time(&self, now: DateTime<Utc>) -> Duration {
        now.signed_duration_since(self.rendered_at)
            .max(Duration::zero())
    }
}

fn form_purpose(article: &str) -> String {
    format!("comment:{}", truncate_chars(article, 100))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn signer() -> Signer {
        Signer::new(SecretKey::from_bytes([7; 32]))
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn csrf_round_trip() {
        let s = signer();
        let tok = s.csrf("sess-1", "admin:moderate", t0(), Duration::hours(2));
        let c = s
            .verify_csrf(
                &tok,
                "sess-1",
                "admin:moderate",
                t0() + Duration::minutes(5),
            )
            .unwrap();
        assert_eq!(c.issued_at, t0());
        assert_eq!(c.expires_at, t0() + Duration::hours(2));
    }

    #[test]
    fn csrf_is_bound_to_session_purpose_and_key() {
        let s = signer();
        let tok = s.csrf("sess-1", "logout", t0(), Duration::hours(1));
        assert_eq!(
            s.verify_csrf(&tok, "sess-2", "logout", t0()),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            s.verify_csrf(&tok, "sess-1", "admin", t0()),
            Err(TokenError::BadSignature)
        );
        let other = Signer::new(SecretKey::from_bytes([8; 32]));
        assert_eq!(
            other.verify_csrf(&tok, "sess-1", "logout", t0()),
            Err(TokenError::BadSignature)
        );
        // Without a binding nothing verifies.
        let unbound = s.csrf("", "logout", t0(), Duration::hours(1));
        assert_eq!(
            s.verify_csrf(&unbound, "", "logout", t0()),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let s = signer();
        let tok = s.csrf("ab", "c", t0(), Duration::hours(1));
        assert_eq!(
            s.verify_csrf(&tok, "a", "bc", t0()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn expiry_and_future_tokens() {
        let s = signer();
        let tok = s.csrf("s", "p", t0(), Duration::minutes(10));
        assert!(s
            .verify_csrf(&tok, "s", "p", t0() + Duration::minutes(10))
            .is_ok());
        assert_eq!(
            s.verify_csrf(
                &tok,
                "s",
                "p",
                t0() + Duration::minutes(10) + Duration::milliseconds(1)
            ),
            Err(TokenError::Expired)
        );
        assert!(s
            .verify_csrf(&tok, "s", "p", t0() - Duration::minutes(4))
            .is_ok());
        assert_eq!(
            s.verify_csrf(&tok, "s", "p", t0() - Duration::minutes(6)),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn tampering_is_detected() {
        let s = signer();
        let tok = s.csrf("s", "p", t0(), Duration::minutes(10));
        let parts: Vec<&str> = tok.split('.').collect();
        let longer = format!(
            "v1.{}.{}.{}",
            parts[1],
            parts[2].parse::<i64>().unwrap() + 1_000_000,
            parts[3]
        );
        assert_eq!(
            s.verify_csrf(&longer, "s", "p", t0()),
            Err(TokenError::BadSignature)
        );
        let mut flipped = tok.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(s.verify_csrf(&flipped, "s", "p", t0()).is_err());
        for junk in [
            "",
            "v1",
            "v1.1.2",
            "v2.1.2.abc",
            "v1.x.2.abc",
            "v1.1.2.!!!",
            "v1.1.2.abc.d",
            &"a".repeat(500),
        ] {
            assert_eq!(
                s.verify_csrf(junk, "s", "p", t0()),
                Err(TokenError::Malformed),
                "{junk}"
            );
        }
    }

    #[test]
    fn form_tokens_carry_render_time_and_differ_from_csrf() {
        let s = signer();
        let tok = FormToken::issue(&s, "cookie", "42", t0(), Duration::hours(24));
        let ft = FormToken::verify(&s, &tok, "cookie", "42", t0() + Duration::seconds(8)).unwrap();
        assert_eq!(ft.rendered_at, t0());
        assert_eq!(
            ft.fill_time(t0() + Duration::seconds(8)),
            Duration::seconds(8)
        );
        assert_eq!(
            FormToken::verify(&s, &tok, "cookie", "43", t0()),
            Err(TokenError::BadSignature),
            "bound to the article"
        );
        assert_eq!(
            s.verify_csrf(&tok, "cookie", "comment:42", t0()),
            Err(TokenError::BadSignature),
            "a form token is no CSRF token"
        );
        let csrf = s.csrf("cookie", "comment:42", t0(), Duration::hours(1));
        assert_eq!(
            FormToken::verify(&s, &csrf, "cookie", "42", t0()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn keys_round_trip_and_stay_secret() {
        let k = SecretKey::generate().unwrap();
        assert_ne!(k, SecretKey::generate().unwrap());
        let b = k.to_base64();
        assert_eq!(b.len(), 43);
        assert_eq!(SecretKey::from_base64(&format!(" {b}\n")).unwrap(), k);
        assert_eq!(SecretKey::from_base64("short"), Err(KeyError));
        assert_eq!(format!("{k:?}"), "SecretKey(…)");
        let json = serde_json_like(&k);
        assert_eq!(json, b);
        #[derive(serde::Deserialize)]
        struct Cfg {
            key: SecretKey,
        }
        let cfg: Cfg = toml::from_str(&format!("key = \"{b}\"")).unwrap();
        assert_eq!(cfg.key, k);
    }

    fn serde_json_like(k: &SecretKey) -> String {
        #[derive(serde::Serialize)]
        struct Cfg<'a> {
            key: &'a SecretKey,
        }
        let s = toml::to_string(&Cfg { key: k }).unwrap();
        s.trim()
            .trim_start_matches("key = \"")
            .trim_end_matches('"')
            .to_string()
    }
}
