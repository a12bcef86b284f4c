//! Everything the comment form and the admin area share at run time: the moderation
//! policy, the renderer, the signer of form tokens, and the in-memory limiters.
//!
//! Limiters are per node (documented in the configuration): a reader spread over n
//! nodes gets at most n times the allowance, which still stops floods, and keeping
//! them in memory keeps the comment path free of extra database writes.

use axum::http::{header, HeaderMap, HeaderValue};
use herald_comments::{
    CommentLimiter, LoginLimiter, LoginLimits, Moderator, Policy, PolicyError, Renderer, SecretKey,
    Signer,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The reader cookie that form tokens are bound to (a random id, no personal data).
pub(crate) const READER_COOKIE: &str = "herald_rid";
/// The "remember me" cookie: name, email and website for the next comment.
pub(crate) const COMMENTER_COOKIE: &str = "herald_commenter";
/// The admin session cookie.
pub(crate) const SESSION_COOKIE: &str = "herald_session";

/// Shared comment and admin machinery. Build once per process.
pub struct CommentsRuntime {
    pub(crate) policy: Policy,
    pub(crate) moderator: Moderator,
    pub(crate) renderer: Renderer,
    pub(crate) signer: Signer,
    pub(crate) limiter: CommentLimiter,
    pub(crate) logins: LoginLimiter,
    /// Mark cookies `Secure` (the portal is served over HTTPS).
    pub(crate) secure_cookies: bool,
}

impl CommentsRuntime {
    /// The runtime for `policy`, signing with `key` (shared by every node).
    pub fn new(policy: Policy, key: SecretKey, secure_cookies: bool) -> Result<Self, PolicyError> {
        Ok(CommentsRuntime {
            moderator: Moderator::new(policy.clone())?,
            renderer: Renderer::new(policy.render_options()),
            signer: Signer::new(key),
            limiter: CommentLimiter::new(&policy),
            logins: LoginLimiter::new(LoginLimits::default()),
            policy,
            secure_cookies,
        })
    }
}

/// A cookie's value from the request, if present and sane.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 4096)
}

/// A `Set-Cookie` header value. HttpOnly always: no script of ours needs them.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    same_site: &str,
    secure: bool,
) -> Option<HeaderValue> {
    let mut v =
        format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite={same_site}");
    if secure {
        v.push_str("; Secure");
    }
    HeaderValue::from_str(&v).ok()
}

/// The client's address as the socket saw it. Without connection info (in-process
/// tests) it is the loopback address.
pub(crate) fn client_ip(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip())
}

/// Percent-encodes a cookie value (the "remember me" fields).
pub(crate) fn encode_cookie_value(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Reads a value written by [`encode_cookie_value`].
pub(crate) fn decode_cookie_value(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
