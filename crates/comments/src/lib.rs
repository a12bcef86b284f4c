//! Reader comments and admin accounts for Herald: the policy core, with no database,
//! no HTTP and no global state. Time and randomness are passed in (or have an
//! injectable variant) so every rule is testable deterministically.
//!
//! The flow of a comment submitted through the form:
//!
//! 1. [`FormToken::verify`] the hidden token against the reader's cookie id and the
//!    article (on error, show the form again with [`TokenError`]'s message and a
//!    fresh token).
//! 2. [`validate()`] the fields (on errors, show the form again with
//!    [`Checked::form`] and [`Checked::errors`]).
//! 3. Look up what the store knows (parent depth, "has an approved comment",
//!    duplicate by [`duplicate_key`]) and [`Moderator::decide`]; a
//!    [`Decision::Reject`] re-shows the form with its reason.
//! 4. Otherwise [`CommentLimiter::check`] the address and email (refused attempts
//!    don't count), then store per [`Decision`] and render the text with
//!    [`Renderer::render`] for display.
//!
//! See the crate's README for the details and the renderer's allowlist.

pub mod admin;
pub mod policy;
pub mod render;
pub mod spam;
mod text;
pub mod token;
pub mod validate;

pub use admin::{
    account_key, check_password_strength, hash_password, hash_password_with, needs_rehash,
    new_session_id, session_id_from_bytes, session_key, validate_username, verify_login,
    verify_password, BadUsername, LockedOut, LoginLimiter, LoginLimits, PasswordError,
    PasswordParams, WeakPassword, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};
pub use policy::{canonical_ip, Context, Decision, Moderator, Parent, Policy, PolicyError, Reason};
pub use render::{count_links, excerpt, render, RenderOptions, Rendered, Renderer, LINK_REL};
pub use spam::{check_fill_time, duplicate_key, ip_key, CommentLimiter, RateLimit, RateLimiter};
pub use token::{FormToken, KeyError, RandomError, SecretKey, Signer, TokenClaims, TokenError};
pub use validate::{
    email_key, normalise_body, validate, Checked, FieldErrors, Limits, NewComment, Submission,
};
