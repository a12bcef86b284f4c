//! Admin accounts: argon2id password hashes, password strength, session ids and
//! login rate limiting.

use crate::spam::{evict_oldest, lock};
use crate::token::{os_random, RandomError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shortest acceptable admin password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest accepted password, in characters (bounds the hashing work per attempt).
pub const MAX_PASSWORD_CHARS: usize = 1_024;

/// argon2id cost parameters. The default is OWASP's first recommendation:
/// 19 MiB of memory, 2 passes, 1 lane (tens of milliseconds per hash on a server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordParams {
    /// Memory in KiB. Default 19,456.
    pub memory_kib: u32,
    /// Passes. Default 2.
    pub iterations: u32,
    /// Lanes. Default 1.
    pub parallelism: u32,
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl PasswordParams {
    fn argon2(&self) -> Result<Argon2<'static>, PasswordError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Hashing or reading a stored hash failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid argon2 parameters: {0}")]
    Params(String),
    #[error("the stored password hash is not a valid PHC string: {0}")]
    BadHash(String),
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// A password that is not good enough, with the reason for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("The password must be at least {MIN_PASSWORD_CHARS} characters long.")]
    TooShort,
    #[error("The password must be at most {MAX_PASSWORD_CHARS} characters long.")]
    TooLong,
    #[error("The password must not contain the user name.")]
    ContainsUsername,
    #[error("The password is too common or too repetitive; please choose another.")]
    TooCommon,
}

/// A few of the most common passwords of 10+ characters (the length rule removes
/// the shorter ones), compared case-insensitively.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "0987654321",
    "1q2w3e4r5t",
    "qwertyuiop",
    "asdfghjkl;",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou123",
    "qwerty12345",
    "qwerty123456",
    "abcdefghij",
    "abc1234567",
    "letmein123",
    "welcome123",
    "administrator",
    "admin12345",
    "admin123456",
    "changeme123",
    "football123",
    "baseball123",
    "sunshine123",
    "princess123",
    "trustno1trustno1",
];

/// Checks an admin password: at least [`MIN_PASSWORD_CHARS`] characters, not the
/// user name (or containing it), not a well-known password, not a single repeated
/// character or a run of consecutive characters.
pub fn check_password_strength(password: &str, username: &str) -> Result<(), WeakPassword> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort);
    }
    if chars.len() > MAX_PASSWORD_CHARS {
        return Err(WeakPassword::TooLong);
    }
    let lower = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if user.chars().count() >= 3 && lower.contains(&user) {
        return Err(WeakPassword::ContainsUsername);
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(WeakPassword::TooCommon);
    }
    let distinct = {
        let mut d = chars.clone();
        d.sort_unstable();
        d.dedup();
        d.len()
    };
    let sequential = chars.windows(2).all(|w| {
        let (a, b) = (w[0] as i64, w[1] as i64);
        b - a == 1
    }) || chars.windows(2).all(|w| (w[0] as i64) - (w[1] as i64) == 1);
    if distinct <= 2 || sequential {
        return Err(WeakPassword::TooCommon);
    }
    Ok(())
}

/// An argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for the password, with
/// a random 16-byte salt and default parameters.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    os_random(&mut salt)?;
    hash_password_with(password, &salt, &PasswordParams::default())
}

/// [`hash_password`] with a given salt (at least 8 bytes) and parameters.
pub fn hash_password_with(
    password: &str,
    salt: &[u8],
    params: &PasswordParams,
) -> Result<String, PasswordError> {
    let salt = SaltString::encode_b64(salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    let hash = params
        .argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string (constant-time comparison; the
/// parameters are read from the string). `Err` only when the stored string is bad.
pub fn verify_password(phc: &str, password: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(|e| PasswordError::BadHash(e.to_string()))?;
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return Err(PasswordError::BadHash(format!(
            "algorithm {} is not argon2id",
            parsed.algorithm
        )));
    }
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Ok(false);
    }
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(PasswordError::BadHash(e.to_string())),
    }
}

/// For login: verifies against the account's hash, or, when there is no such account
/// (`None`) or its hash is unreadable, does the same amount of hashing work and
/// returns false, so response times don't reveal which user names exist.
pub fn verify_login(phc: Option<&str>, password: &str) -> bool {
    match phc.map(|h| verify_password(h, password)) {
        Some(Ok(ok)) => ok,
        _ => {
            let _ = hash_password_with(password, b"herald-dummy-salt", &PasswordParams::default());
            false
        }
    }
}

/// Whether a stored hash should be replaced (after a successful login) because it
/// is not argon2id with `params`.
pub fn needs_rehash(phc: &str, params: &PasswordParams) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT || parsed.version != Some(0x13) {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => {
            p.m_cost() != params.memory_kib
                || p.t_cost() != params.iterations
                || p.p_cost() != params.parallelism
        }
        Err(_) => true,
    }
}

/// A user name problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A user name is 1 to 64 characters: letters, digits, '.', '_' or '-'.")]
pub struct BadUsername;

/// A user name trimmed and checked: 1 to 64 ASCII letters, digits, `.`, `_`, `-`.
/// Compare user names with [`account_key`].
pub fn validate_username(name: &str) -> Result<String, BadUsername> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name.to_string())
    } else {
        Err(BadUsername)
    }
}

/// The case-insensitive key of a user name (for lookups and login limits).
pub fn account_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A new session id: 256 random bits as 43 URL-safe characters.
pub fn new_session_id() -> Result<String, RandomError> {
    let mut b = [0u8; 32];
    os_random(&mut b)?;
    Ok(session_id_from_bytes(b))
}

/// The session id for given random bytes (for tests or another randomness source).
pub fn session_id_from_bytes(bytes: [u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What to store for a session id: its SHA-256 in hex, so that a copy of the
/// database does not hand out live sessions. Look sessions up by this.
pub fn session_key(session_id: &str) -> String {
    crate::spam::hex(&Sha256::digest(session_id.as_bytes()))
}

/// Login rate limits. Defaults: 5 free failures per account and 20 per address,
/// then a lockout of 1 s doubling with each further failure up to 15 minutes;
/// failures are forgotten after a day without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginLimits {
    pub account_free_failures: u32,
    pub ip_free_failures: u32,
    pub base_lockout_seconds: u64,
    pub max_lockout_seconds: u64,
    pub forget_after_seconds: u64,
    /// Most accounts and most addresses remembered (each). Default 10,000.
    pub max_entries: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            account_free_failures: 5,
            ip_free_failures: 20,
            base_lockout_seconds: 1,
            max_lockout_seconds: 900,
            forget_after_seconds: 86_400,
            max_entries: 10_000,
        }
    }
}

impl LoginLimits {
    /// The lockout after `failures` failures with `free` free ones.
    fn lockout(&self, failures: u32, free: u32) -> Option<Duration> {
        let over = failures.checked_sub(free).filter(|n| *n > 0)?;
        let factor = 1u64.checked_shl(over - 1).unwrap_or(u64::MAX);
        let secs = self
            .base_lockout_seconds
            .max(1)
            .saturating_mul(factor)
            .min(self.max_lockout_seconds.max(1));
        Some(Duration::from_secs(secs))
    }
}

/// Login attempts refused until `retry_after` has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedOut {
    pub retry_after: Duration,
}

impl std::fmt::Display for LockedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        write!(
            f,
            "Too many failed sign-in attempts. Please try again in {}.",
            crate::policy::human_wait(secs)
        )
    }
}

impl std::error::Error for LockedOut {}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Per-address and per-account login throttling with exponential lockout, in memory
/// (per node; bounded by [`LoginLimits::max_entries`]). Thread-safe.
///
/// Use: [`check`](Self::check) before verifying the password (refuse without
/// hashing when locked out), then [`record_failure`](Self::record_failure) or
/// [`record_success`](Self::record_success).
#[derive(Debug)]
pub struct LoginLimiter {
    limits: LoginLimits,
    accounts: Mutex<HashMap<String, Failures>>,
    ips: Mutex<HashMap<String, Failures>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            limits,
            accounts: Mutex::new(HashMap::new()),
            ips: Mutex::new(HashMap::new()),
        }
    }

    /// `Err` while the address or the account is locked out.
    pub fn check(&self, ip: IpAddr, account: &str, now: Instant) -> Result<(), LockedOut> {
        let wait = |map: &Mutex<HashMap<String, Failures>>, key: &str| {
            lock(map)
                .get(key)
                .and_then(|f| f.locked_until)
                .and_then(|until| until.checked_duration_since(now))
                .filter(|d| !d.is_zero())
        };
        let a = wait(&self.ips, &crate::spam::ip_key(ip));
        let b = wait(&self.accounts, &account_key(account));
        match a.max(b) {
            Some(retry_after) => Err(LockedOut { retry_after }),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt; returns the lockout it starts, if any.
    pub fn record_failure(&self, ip: IpAddr, account: &str, now: Instant) -> Option<LockedOut> {
        let a = self.fail(
            &self.ips,
            crate::spam::ip_key(ip),
            self.limits.ip_free_failures,
            now,
        );
        let b = self.fail(
            &self.accounts,
            account_key(account),
            self.limits.account_free_failures,
            now,
        );
        a.max(b).map(|retry_after| LockedOut { retry_after })
    }

    /// Clears the account's failures (the address's decay on their own: one valid
    /// account must not reset an address that is guessing others).
    pub fn record_success(&self, _ip: IpAddr, account: &str) {
        lock(&self.accounts).remove(&account_key(account));
    }

    fn fail(
        &self,
        map: &Mutex<HashMap<String, Failures>>,
        key: String,
        free: u32,
        now: Instant,
    ) -> Option<Duration> {
        let forget = Duration::from_secs(self.limits.forget_after_seconds);
        let mut map = lock(map);
        if !map.contains_key(&key) && map.len() >= self.limits.max_entries.max(1) {
            map.retain(|_, f| {
                now.saturating_duration_since(f.last) < forget
                    || f.locked_until.is_some_and(|u| u > now)
            });
            // Entries still locked out are kept as long as others can go.
            let max = self.limits.max_entries.max(1);
            evict_oldest(&mut map, max, |f| {
                if f.locked_until.is_some_and(|u| u > now) {
                    now
                } else {
                    f.last
                }
            });
        }
        let entry = map.entry(key).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
        });
        if now.saturating_duration_since(entry.last) >= forget {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        let lockout = self.limits.lockout(entry.count, free);
        entry.locked_until = lockout.map(|d| now + d);
        lockout
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Cheap parameters so tests run fast; the default ones are tested once.
    fn cheap() -> PasswordParams {
        PasswordParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn hash_and_verify_with_default_params() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password(&h, "correct horse battery").unwrap());
        assert!(!verify_password(&h, "correct horse batterx").unwrap());
        assert!(!needs_rehash(&h, &PasswordParams::default()));
        assert!(verify_login(Some(&h), "correct horse battery"));
        assert!(!verify_login(None, "correct horse battery"));
    }

    #[test]
    fn salts_differ_and_given_salts_are_deterministic() {
        let a = hash_password_with("pw-123456789", b"saltsalt1", &cheap()).unwrap();
        let b = hash_password_with("pw-123456789", b"saltsalt1", &cheap()).unwrap();
        let c = hash_password_with("pw-123456789", b"saltsalt2", &cheap()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(verify_password(&a, "pw-123456789").unwrap());
        assert!(verify_password(&c, "pw-123456789").unwrap());
        assert!(needs_rehash(&a, &PasswordParams::default()));
        assert!(!needs_rehash(&a, &cheap()));
    }

    #[test]
    fn bad_hashes_are_errors_not_matches() {
        assert!(verify_password("not a hash", "x").is_err());
        assert!(verify_password("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x").is_err());
        assert!(!verify_login(Some("garbage"), "x"));
        assert!(needs_rehash("garbage", &PasswordParams::default()));
    }

    #[test]
    fn strength_rules() {
        assert_eq!(
            check_password_strength("short", "ada"),
            Err(WeakPassword::TooShort)
        );
        assert_eq!(
            check_password_strength("nine char", "ada"),
            Err(WeakPassword::TooShort)
        );
        assert_eq!(
            check_password_strength("my-ADA-password", "ada"),
            Err(WeakPassword::ContainsUsername)
        );
        assert_eq!(
            check_password_strength("Password123", "x"),
            Err(WeakPassword::TooCommon)
        );
        assert_eq!(
            check_password_strength("aaaaaaaaaaaa", "x"),
            Err(WeakPassword::TooCommon)
        );
        assert_eq!(
            check_password_strength("abababababab", "x"),
            Err(WeakPassword::TooCommon)
        );
        assert_eq!(
            check_password_strength("abcdefghijkl", "x"),
            Err(WeakPassword::TooCommon)
        );
        assert_eq!(
            check_password_strength("9876543210", "x"),
            Err(WeakPassword::TooCommon)
        );
        assert_eq!(
            check_password_strength(&"x1".repeat(600), "x"),
            Err(WeakPassword::TooLong)
        );
        assert_eq!(check_password_strength("tulip-orbit-42", "ada"), Ok(()));
        assert_eq!(check_password_strength("çàé€ñøßüîê", "ada"), Ok(()));
        assert_eq!(
            WeakPassword::TooShort.to_string(),
            "The password must be at least 10 characters long."
        );
    }

    #[test]
    fn usernames() {
        assert_eq!(validate_username("  admin "), Ok("admin".into()));
        assert_eq!(validate_username("ada.l_ove-1"), Ok("ada.l_ove-1".into()));
        assert!(validate_username("").is_err());
        assert!(validate_username("a b").is_err());
        assert!(validate_username("<script>").is_err());
        assert!(validate_username(&"a".repeat(65)).is_err());
        assert_eq!(account_key(" Admin "), "admin");
    }

    #[test]
    fn session_ids() {
        let a = new_session_id().unwrap();
        let b = new_session_id().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(session_id_from_bytes([0; 32]), "A".repeat(43));
        assert_eq!(session_key("x").len(), 64);
        assert_ne!(session_key(&a), session_key(&b));
    }

    #[test]
    fn lockout_grows_exponentially_and_is_capped() {
        let l = LoginLimits::default();
        assert_eq!(l.lockout(5, 5), None);
        assert_eq!(l.lockout(6, 5), Some(Duration::from_secs(1)));
        assert_eq!(l.lockout(7, 5), Some(Duration::from_secs(2)));
        assert_eq!(l.lockout(10, 5), Some(Duration::from_secs(16)));
        assert_eq!(l.lockout(20, 5), Some(Duration::from_secs(900)));
        assert_eq!(l.lockout(u32::MAX, 5), Some(Duration::from_secs(900)));
    }

    #[test]
    fn account_lockout() {
        let l = LoginLimiter::new(LoginLimits::default());
        let t0 = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for i in 0..5 {
            assert!(l.check(ip, "admin", t0).is_ok());
            assert_eq!(
                l.record_failure(ip, "Admin", t0 + Duration::from_secs(i)),
                None
            );
        }
        let t = t0 + Duration::from_secs(10);
        let locked = l.record_failure(ip, "admin", t).unwrap();
        assert_eq!(locked.retry_after, Duration::from_secs(1));
        assert!(l.check(ip, "ADMIN", t).is_err());
        // Another address is refused too: the account itself is locked.
        assert!(l
            .check("198.51.100.1".parse().unwrap(), "admin", t)
            .is_err());
        assert!(l.check(ip, "other", t).is_ok());
        let t = t + Duration::from_secs(1);
        assert!(l.check(ip, "admin", t).is_ok());
        assert_eq!(
            l.record_failure(ip, "admin", t).unwrap().retry_after,
            Duration::from_secs(2)
        );
        l.record_success(ip, "admin");
        assert!(l.check(ip, "admin", t).is_ok());
        assert_eq!(
            l.record_failure(ip, "admin", t),
            None,
            "success resets the account"
        );
    }

    #[test]
    fn address_lockout_across_accounts() {
        let l = LoginLimiter::new(LoginLimits::default());
        let t0 = Instant::now();
        let ip: IpAddr = "2001:db8::7".parse().unwrap();
        for i in 0..20 {
            assert_eq!(l.record_failure(ip, &format!("user{i}"), t0), None);
        }
        assert!(l.record_failure(ip, "user20", t0).is_some());
        assert!(l.check(ip, "anyone", t0).is_err());
        // The same /64.
        assert!(l
            .check("2001:db8::8".parse().unwrap(), "anyone", t0)
            .is_err());
        assert!(l.check("192.0.2.9".parse().unwrap(), "anyone", t0).is_ok());
        assert_eq!(
            LockedOut {
                retry_after: Duration::from_millis(300)
            }
            .to_string(),
            "Too many failed sign-in attempts. Please try again in 1 second."
        );
    }

    #[test]
    fn failures_are_forgotten_after_quiet_period() {
        let limits = LoginLimits {
            account_free_failures: 1,
            forget_after_seconds: 60,
            ..LoginLimits::default()
        };
        let l = LoginLimiter::new(limits);
        let t0 = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(l.record_failure(ip, "a", t0), None);
        assert!(l
            .record_failure(ip, "a", t0 + Duration::from_secs(1))
            .is_some());
        assert_eq!(
            l.record_failure(ip, "a", t0 + Duration::from_secs(200)),
            None
        );
    }

    #[test]
    fn memory_is_bounded_and_locked_entries_survive() {
        let limits = LoginLimits {
            account_free_failures: 3,
            ip_free_failures: 1_000_000,
            max_entries: 16,
            base_lockout_seconds: 3600,
            max_lockout_seconds: 3600,
            ..LoginLimits::default()
        };
        let l = LoginLimiter::new(limits);
        let t0 = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..4 {
            l.record_failure(ip, "victim", t0);
        }
        for i in 0..1000u64 {
            l.record_failure(ip, &format!("u{i}"), t0 + Duration::from_millis(i));
            assert!(lock(&l.accounts).len() <= 16);
        }
        let later = t0 + Duration::from_secs(2);
        assert!(l
            .check("192.0.2.3".parse().unwrap(), "victim", later)
            .is_err());
    }
}
