//! Moderation policy, like WordPress's discussion settings: what is published at once,
//! held for a moderator, treated as spam or refused.

use crate::render::{Renderer, DEFAULT_MAX_CHARS};
use crate::spam::RateLimit;
use crate::text::{fold, thousands};
use crate::validate::{email_key, Limits, NewComment};
use chrono::{DateTime, Duration, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// The comment settings an operator configures (`[comments]`). Every field has a
/// default; unknown keys are errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Comments are open on the site at all. Default true.
    pub enabled: bool,
    /// Hold every comment for approval. Default false.
    pub hold_all: bool,
    /// Hold a comment when its email address has no approved comment yet. Default true.
    pub hold_first_comment: bool,
    /// Hold a comment with more than this many links. Default 2.
    pub max_links: usize,
    /// Hold a comment whose name, email, website or text contains one of these
    /// (case-insensitive substring, like WordPress). Default none.
    pub moderation_words: Vec<String>,
    /// Treat as spam a comment whose name, email, website or text contains one of
    /// these (case-insensitive substring). Default none.
    pub blocked_words: Vec<String>,
    /// Treat as spam comments from these addresses: single IPs (`203.0.113.7`) or
    /// CIDR ranges (`198.51.100.0/24`, `2001:db8::/32`). Default none.
    pub blocked_ips: Vec<String>,
    /// Treat as spam comments from these emails: a full address
    /// (`spammer@example.com`) or a whole domain (`@example.com`, also matching its
    /// subdomains). Case-insensitive. Default none.
    pub blocked_emails: Vec<String>,
    /// Close comments on articles published more than this many days ago; 0 = never.
    /// Default 30.
    pub close_after_days: u32,
    /// Deepest reply nesting (a top-level comment has depth 1). Default 5.
    pub max_depth: u32,
    /// Longest comment, in characters. Default 5,000.
    pub max_comment_chars: usize,
    /// Refuse a form sent sooner than this many seconds after it was shown (people
    /// take longer; bots don't). Default 3.
    pub min_fill_seconds: u64,
    /// How long a rendered comment form stays valid, in hours. Default 24.
    pub form_ttl_hours: u64,
    /// Refuse the same text from the same email again within this many minutes.
    /// Default 1440 (a day).
    pub duplicate_window_minutes: u64,
    /// Comments per client address (IPv6 by /64). Default 5 per 10 minutes.
    pub rate_per_ip: RateLimit,
    /// Comments per email address. Default 3 per 10 minutes.
    pub rate_per_email: RateLimit,
    /// Most keys each rate limiter remembers. Default 10,000.
    pub rate_limiter_max_keys: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            enabled: true,
            hold_all: false,
            hold_first_comment: true,
            max_links: 2,
            moderation_words: Vec::new(),
            blocked_words: Vec::new(),
            blocked_ips: Vec::new(),
            blocked_emails: Vec::new(),
            close_after_days: 30,
            max_depth: 5,
            max_comment_chars: DEFAULT_MAX_CHARS,
            min_fill_seconds: 3,
            form_ttl_hours: 24,
            duplicate_window_minutes: 1440,
            rate_per_ip: RateLimit {
                burst: 5,
                period_seconds: 600,
            },
            rate_per_email: RateLimit {
                burst: 3,
                period_seconds: 600,
            },
            rate_limiter_max_keys: 10_000,
        }
    }
}

impl Policy {
    /// The field limits for [`crate::validate()`].
    pub fn limits(&self) -> Limits {
        Limits {
            max_body_chars: self.max_comment_chars,
            ..Limits::default()
        }
    }

    /// The renderer options matching this policy.
    pub fn render_options(&self) -> crate::render::RenderOptions {
        crate::render::RenderOptions {
            max_chars: self.max_comment_chars,
            ..Default::default()
        }
    }

    /// The minimum fill-in time.
    pub fn min_fill_time(&self) -> Duration {
        Duration::seconds(i64::try_from(self.min_fill_seconds).unwrap_or(i64::MAX / 1000))
    }

    /// How long a comment form token lives.
    pub fn form_ttl(&self) -> Duration {
        Duration::hours(
            i64::try_from(self.form_ttl_hours)
                .unwrap_or(24 * 365)
                .min(24 * 365),
        )
    }

    /// The duplicate-detection window: a comment is a duplicate when the store has a
    /// comment with the same [`crate::duplicate_key`] created after `now - window`.
    pub fn duplicate_window(&self) -> Duration {
        Duration::minutes(
            i64::try_from(self.duplicate_window_minutes)
                .unwrap_or(i64::MAX)
                .min(60 * 24 * 3650),
        )
    }

    /// Whether comments are open on an article published at `published` (articles
    /// without a date stay open).
    pub fn is_open(&self, published: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        if !self.enabled {
            return false;
        }
        match published {
            Some(p) if self.close_after_days > 0 => {
                now.signed_duration_since(p) <= Duration::days(i64::from(self.close_after_days))
            }
            _ => true,
        }
    }
}

/// A configuration problem found when compiling a [`Policy`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("blocked_ips: `{0}` is neither an IP address nor a CIDR range (like 198.51.100.0/24)")]
    BadIp(String),
    #[error("blocked_emails: `{0}` is neither an email address nor a domain (like @example.com)")]
    BadEmail(String),
    #[error("max_depth must be at least 1")]
    ZeroDepth,
    #[error("{0}: the burst and the period must both be at least 1")]
    BadRate(&'static str),
}

/// Where a new comment sits in its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    /// A top-level comment.
    None,
    /// A reply to an existing comment on the same article, whose depth is given
    /// (a top-level comment has depth 1).
    Found { depth: u32 },
    /// The submission names a parent that does not exist, is on another article or
    /// is not approved.
    Missing,
}

/// What the caller knows about the request, looked up before [`Moderator::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context<'a> {
    /// Now.
    pub now: DateTime<Utc>,
    /// The client address.
    pub ip: IpAddr,
    /// When the article was published (`None`: unknown, never auto-closed).
    pub article_published: Option<DateTime<Utc>>,
    /// Comments are open on this article (the admin can close one article).
    pub article_open: bool,
    /// The reply target.
    pub parent: Parent,
    /// The store has an approved comment with this [`email_key`] already.
    pub has_approved_comment: bool,
    /// The store has a comment with this [`crate::duplicate_key`] within
    /// [`Policy::duplicate_window`].
    pub is_duplicate: bool,
    /// The value of the honeypot field (empty for people: it is hidden).
    pub honeypot: &'a str,
    /// When the form was shown, from a verified [`crate::FormToken`]; `None` when the
    /// comment did not come through the form (the JSON API), which skips the check.
    pub form_rendered_at: Option<DateTime<Utc>>,
}

/// Why a comment was held, marked as spam or refused. `Display` gives the reason in
/// words: for [`Decision::Reject`] they are addressed to the reader; for `Hold` and
/// `Spam` to the moderator (show the reader [`Decision::reader_message`] instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    // Reject: addressed to the reader.
    CommentsDisabled,
    ArticleClosed,
    ClosedAfterDays { days: u32 },
    ParentMissing,
    TooDeep { max_depth: u32 },
    TooLong { chars: usize, max: usize },
    TooFast { wait_seconds: u64 },
    Duplicate,
    RateLimited { retry_after_seconds: u64 },
    // Spam: addressed to the moderator.
    Honeypot,
    BlockedIp { rule: String },
    BlockedEmail { rule: String },
    BlockedWord { word: String, field: &'static str },
    // Hold: addressed to the moderator.
    HoldAll,
    ModerationWord { word: String, field: &'static str },
    TooManyLinks { links: usize, max: usize },
    FirstComment,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::CommentsDisabled => write!(f, "Comments are turned off on this site."),
            Reason::ArticleClosed => write!(f, "Comments are closed on this article."),
            Reason::ClosedAfterDays { days } => write!(
                f,
                "Comments are closed: they close {days} days after an article is published."
            ),
            Reason::ParentMissing => write!(
                f,
                "The comment you are replying to is no longer available. \
                 You can post your comment as a new comment instead."
            ),
            Reason::TooDeep { max_depth } => write!(
                f,
                "Replies can only be nested {max_depth} levels deep. \
                 Please reply to a comment further up the thread."
            ),
            Reason::TooLong { chars, max } => write!(
                f,
                "Your comment is {} characters long; the limit is {}.",
                thousands(*chars),
                thousands(*max)
            ),
            Reason::TooFast { wait_seconds } => write!(
                f,
                "That was quick! Please wait {wait_seconds} second{} and send your comment again.",
                if *wait_seconds == 1 { "" } else { "s" }
            ),
            Reason::Duplicate => write!(
                f,
                "It looks as though you've already said that: the same comment was posted \
                 from your email address a short while ago."
            ),
            Reason::RateLimited {
                retry_after_seconds,
            } => write!(
                f,
                "You are posting comments too quickly. Please wait {} and try again.",
                human_wait(*retry_after_seconds)
            ),
            Reason::Honeypot => write!(f, "a hidden field that people leave empty was filled in"),
            Reason::BlockedIp { rule } => write!(f, "the address is blocked ({rule})"),
            Reason::BlockedEmail { rule } => write!(f, "the email is blocked ({rule})"),
            Reason::BlockedWord { word, field } => {
                write!(f, "the {field} contains the blocked word “{word}”")
            }
            Reason::HoldAll => write!(f, "every comment is held for approval"),
            Reason::ModerationWord { word, field } => {
                write!(f, "the {field} contains the moderation word “{word}”")
            }
            Reason::TooManyLinks { links, max } => {
                write!(f, "it contains {links} links (more than {max})")
            }
            Reason::FirstComment => write!(
                f,
                "first comment from this email address (approving it lets their later \
                 comments through)"
            ),
        }
    }
}

/// `90` → `2 minutes`, `1` → `1 second`.
pub(crate) fn human_wait(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if secs < 60 {
        plural(secs.max(1), "second")
    } else if secs < 3600 {
        plural(secs.div_ceil(60), "minute")
    } else {
        plural(secs.div_ceil(3600), "hour")
    }
}

/// What to do with a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", content = "reason", rename_all = "snake_case")]
pub enum Decision {
    /// Publish it.
    Approve,
    /// Store it for a moderator to approve.
    Hold(Reason),
    /// Store it as spam (or drop it); tell the reader the same as for `Hold`.
    Spam(Reason),
    /// Don't store it: show the form again with the reason and everything typed.
    Reject(Reason),
}

impl Decision {
    /// The reason, unless approved.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Decision::Approve => None,
            Decision::Hold(r) | Decision::Spam(r) | Decision::Reject(r) => Some(r),
        }
    }

    /// What to tell the reader who sent the comment. Spam gets the same words as a
    /// held comment, so that a spammer learns nothing.
    pub fn reader_message(&self) -> String {
        match self {
            Decision::Approve => "Thank you! Your comment has been published.".into(),
            Decision::Hold(_) | Decision::Spam(_) => {
                "Thank you! Your comment is awaiting moderation and will appear once it \
                 has been approved."
                    .into()
            }
            Decision::Reject(r) => r.to_string(),
        }
    }
}

/// A compiled [`Policy`]: word lists folded, addresses parsed. Build once at start-up
/// (configuration errors surface there) and share.
#[derive(Debug)]
pub struct Moderator {
    policy: Policy,
    moderation_words: Vec<(String, String)>,
    blocked_words: Vec<(String, String)>,
    blocked_nets: Vec<(IpNet, String)>,
    blocked_emails: Vec<EmailRule>,
    renderer: Renderer,
}

#[derive(Debug)]
enum EmailRule {
    Address(String),
    Domain(String),
}

impl Moderator {
    /// Compiles a policy; reports the first bad entry.
    pub fn new(policy: Policy) -> Result<Self, PolicyError> {
        if policy.max_depth == 0 {
            return Err(PolicyError::ZeroDepth);
        }
        for (name, r) in [
            ("rate_per_ip", policy.rate_per_ip),
            ("rate_per_email", policy.rate_per_email),
        ] {
            if r.burst == 0 || r.period_seconds == 0 {
                return Err(PolicyError::BadRate(name));
            }
        }
        let words = |list: &[String]| {
            list.iter()
                .map(|w| (fold(w), w.trim().to_string()))
                .filter(|(f, _)| !f.is_empty())
                .collect::<Vec<_>>()
        };
        let mut blocked_nets = Vec::new();
        for entry in &policy.blocked_ips {
            let e = entry.trim();
            if e.is_empty() {
                continue;
            }
            let net = match e.parse::<IpNet>() {
                Ok(n) => n.trunc(),
                Err(_) => match e.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(canonical_ip(ip)),
                    Err(_) => return Err(PolicyError::BadIp(entry.clone())),
                },
            };
            blocked_nets.push((net, e.to_string()));
        }
        let mut blocked_emails = Vec::new();
        for entry in &policy.blocked_emails {
            let e = email_key(entry);
            if e.is_empty() {
                continue;
            }
            let rule = if let Some(domain) = e.strip_prefix("*@").or_else(|| e.strip_prefix('@')) {
                if domain.is_empty() || domain.contains('@') {
                    return Err(PolicyError::BadEmail(entry.clone()));
                }
                EmailRule::Domain(domain.to_string())
            } else if e.contains('@') {
                EmailRule::Address(e)
            } else {
                return Err(PolicyError::BadEmail(entry.clone()));
            };
            blocked_emails.push(rule);
        }
        Ok(Self {
            moderation_words: words(&policy.moderation_words),
            blocked_words: words(&policy.blocked_words),
            blocked_nets,
            blocked_emails,
            renderer: Renderer::new(policy.render_options()),
            policy,
        })
    }

    /// The policy this was compiled from.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Decides what happens to a validated comment. Checks in this order, first match
    /// wins: honeypot (spam); comments closed, missing parent, depth, length (reject);
    /// too fast, duplicate (reject); blocked IP, email, word (spam); hold-all,
    /// moderation word, too many links, first comment (hold); else approve.
    ///
    /// Rate limits are separate and stateful: apply [`crate::CommentLimiter`] to
    /// decisions other than `Reject`.
    pub fn decide(&self, ctx: &Context<'_>, c: &NewComment) -> Decision {
        let p = &self.policy;
        if !ctx.honeypot.trim().is_empty() {
            return Decision::Spam(Reason::Honeypot);
        }
        if !p.enabled {
            return Decision::Reject(Reason::CommentsDisabled);
        }
        if !ctx.article_open {
            return Decision::Reject(Reason::ArticleClosed);
        }
        if !p.is_open(ctx.article_published, ctx.now) {
            return Decision::Reject(Reason::ClosedAfterDays {
                days: p.close_after_days,
            });
        }
        match ctx.parent {
            Parent::Missing => return Decision::Reject(Reason::ParentMissing),
            Parent::Found { depth } if depth >= p.max_depth => {
                return Decision::Reject(Reason::TooDeep {
                    max_depth: p.max_depth,
                })
            }
            _ => {}
        }
        let chars = c.body.chars().count();
        if chars > p.max_comment_chars {
            return Decision::Reject(Reason::TooLong {
                chars,
                max: p.max_comment_chars,
            });
        }
        if let Some(rendered) = ctx.form_rendered_at {
            if let Some(r) = crate::spam::check_fill_time(rendered, ctx.now, p.min_fill_time()) {
                return Decision::Reject(r);
            }
        }
        if ctx.is_duplicate {
            return Decision::Reject(Reason::Duplicate);
        }
        let ip = canonical_ip(ctx.ip);
        if let Some((_, rule)) = self.blocked_nets.iter().find(|(n, _)| n.contains(&ip)) {
            return Decision::Spam(Reason::BlockedIp { rule: rule.clone() });
        }
        if let Some(rule) = self.blocked_email(&c.email_key) {
            return Decision::Spam(Reason::BlockedEmail { rule });
        }
        let fields = [
            ("name", fold(&c.name)),
            ("email", c.email_key.clone()),
            ("website", fold(c.website.as_deref().unwrap_or(""))),
            ("comment", fold(&c.body)),
        ];
        if let Some((word, field)) = find_word(&self.blocked_words, &fields) {
            return Decision::Spam(Reason::BlockedWord { word, field });
        }
        if p.hold_all {
            return Decision::Hold(Reason::HoldAll);
        }
        if let Some((word, field)) = find_word(&self.moderation_words, &fields) {
            return Decision::Hold(Reason::ModerationWord { word, field });
        }
        let links = self.renderer.count_links(&c.body);
        if links > p.max_links {
            return Decision::Hold(Reason::TooManyLinks {
                links,
                max: p.max_links,
            });
        }
        if p.hold_first_comment && !ctx.has_approved_comment {
            return Decision::Hold(Reason::FirstComment);
        }
        Decision::Approve
    }

    /// Whether an address is blocked (for the admin's "ban IP" preview, say).
    pub fn is_ip_blocked(&self, ip: IpAddr) -> bool {
        let ip = canonical_ip(ip);
        self.blocked_nets.iter().any(|(n, _)| n.contains(&ip))
    }

    fn blocked_email(&self, key: &str) -> Option<String> {
        let domain = key.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        self.blocked_emails.iter().find_map(|r| match r {
            EmailRule::Address(a) if a == key => Some(a.clone()),
            EmailRule::Domain(d)
                if domain == d
                    || (domain.len() > d.len()
                        && domain.ends_with(d.as_str())
                        && domain[..domain.len() - d.len()].ends_with('.')) =>
            {
                Some(format!("@{d}"))
            }
            _ => None,
        })
    }
}

fn find_word(
    words: &[(String, String)],
    fields: &[(&'static str, String)],
) -> Option<(String, &'static str)> {
    fields.iter().find_map(|(field, text)| {
        words
            .iter()
            .find(|(folded, _)| text.contains(folded.as_str()))
            .map(|(_, typed)| (typed.clone(), *field))
    })
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) as IPv4.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn ctx() -> Context<'static> {
        Context {
            now: now(),
            ip: "203.0.113.9".parse().unwrap(),
            article_published: Some(now() - Duration::days(1)),
            article_open: true,
            parent: Parent::None,
            has_approved_comment: true,
            is_duplicate: false,
            honeypot: "",
            form_rendered_at: Some(now() - Duration::seconds(30)),
        }
    }

    fn comment(body: &str) -> NewComment {
        NewComment {
            name: "Ada".into(),
            email: "ada@example.com".into(),
            email_key: "ada@example.com".into(),
            website: None,
            body: body.into(),
            parent: None,
        }
    }

    fn m(p: Policy) -> Moderator {
        Moderator::new(p).unwrap()
    }

    #[test]
    fn ordinary_comment_from_known_commenter_is_approved() {
        assert_eq!(
            m(Policy::default()).decide(&ctx(), &comment("Nice piece.")),
            Decision::Approve
        );
    }

    #[test]
    fn first_comment_is_held_unless_disabled() {
        let c = Context {
            has_approved_comment: false,
            ..ctx()
        };
        assert_eq!(
            m(Policy::default()).decide(&c, &comment("hi")),
            Decision::Hold(Reason::FirstComment)
        );
        let p = Policy {
            hold_first_comment: false,
            ..Policy::default()
        };
        assert_eq!(m(p).decide(&c, &comment("hi")), Decision::Approve);
    }

    #[test]
    fn hold_all() {
        let p = Policy {
            hold_all: true,
            ..Policy::default()
        };
        assert_eq!(
            m(p).decide(&ctx(), &comment("hi")),
            Decision::Hold(Reason::HoldAll)
        );
    }

    #[test]
    fn more_than_max_links_is_held() {
        let md = m(Policy::default());
        let two = comment("https://a.example and [b](https://b.example)");
        assert_eq!(md.decide(&ctx(), &two), Decision::Approve);
        let three = comment("https://a.example [b](https://b.example) <https://c.example>");
        assert_eq!(
            md.decide(&ctx(), &three),
            Decision::Hold(Reason::TooManyLinks { links: 3, max: 2 })
        );
    }

    #[test]
    fn moderation_words_hold_in_any_field() {
        let md = m(Policy {
            moderation_words: vec!["Casino".into(), "  ".into()],
            ..Policy::default()
        });
        assert_eq!(
            md.decide(&ctx(), &comment("best CASINO in town")),
            Decision::Hold(Reason::ModerationWord {
                word: "Casino".into(),
                field: "comment"
            })
        );
        let mut c = comment("hello");
        c.website = Some("https://casino.example/".into());
        assert_eq!(
            md.decide(&ctx(), &c),
            Decision::Hold(Reason::ModerationWord {
                word: "Casino".into(),
                field: "website"
            })
        );
        // Zero-width characters don't hide a word.
        assert!(matches!(
            md.decide(&ctx(), &comment("cas\u{200B}ino")),
            Decision::Hold(_)
        ));
        assert_eq!(md.decide(&ctx(), &comment("cards")), Decision::Approve);
    }

    #[test]
    fn blocked_words_are_spam() {
        let md = m(Policy {
            blocked_words: vec!["viagra".into()],
            moderation_words: vec!["pills".into()],
            ..Policy::default()
        });
        let mut c = comment("cheap pills");
        c.name = "VIAGRA shop".into();
        assert_eq!(
            md.decide(&ctx(), &c),
            Decision::Spam(Reason::BlockedWord {
                word: "viagra".into(),
                field: "name"
            })
        );
    }

    #[test]
    fn blocked_ips_and_ranges() {
        let md = m(Policy {
            blocked_ips: vec![
                "198.51.100.0/24".into(),
                "203.0.113.7".into(),
                "2001:db8::/32".into(),
                "10.1.2.3/8".into(),
            ],
            ..Policy::default()
        });
        let with_ip = |ip: &str| Context {
            ip: ip.parse().unwrap(),
            ..ctx()
        };
        for blocked in [
            "198.51.100.77",
            "203.0.113.7",
            "2001:db8:1::5",
            "::ffff:198.51.100.1",
            "10.200.0.1",
        ] {
            assert!(
                matches!(
                    md.decide(&with_ip(blocked), &comment("hi")),
                    Decision::Spam(Reason::BlockedIp { .. })
                ),
                "{blocked}"
            );
        }
        for ok in ["198.51.101.1", "203.0.113.8", "2001:db9::1"] {
            assert_eq!(
                md.decide(&with_ip(ok), &comment("hi")),
                Decision::Approve,
                "{ok}"
            );
        }
        assert!(md.is_ip_blocked("198.51.100.1".parse().unwrap()));
        assert_eq!(
            Moderator::new(Policy {
                blocked_ips: vec!["300.1.1.1".into()],
                ..Policy::default()
            })
            .unwrap_err(),
            PolicyError::BadIp("300.1.1.1".into())
        );
    }

    #[test]
    fn blocked_emails_and_domains() {
        let md = m(Policy {
            blocked_emails: vec![
                "Spammer@Example.com".into(),
                "@spam.example".into(),
                "*@junk.example".into(),
            ],
            ..Policy::default()
        });
        let from = |e: &str| {
            let mut c = comment("hi");
            c.email_key = e.into();
            c
        };
        for blocked in [
            "spammer@example.com",
            "x@spam.example",
            "x@mail.spam.example",
            "y@junk.example",
        ] {
            assert!(
                matches!(
                    md.decide(&ctx(), &from(blocked)),
                    Decision::Spam(Reason::BlockedEmail { .. })
                ),
                "{blocked}"
            );
        }
        for ok in [
            "other@example.com",
            "x@notspam.example",
            "x@spam.example.org",
        ] {
            assert_eq!(md.decide(&ctx(), &from(ok)), Decision::Approve, "{ok}");
        }
        assert!(Moderator::new(Policy {
            blocked_emails: vec!["nodomain".into()],
            ..Policy::default()
        })
        .is_err());
    }

    #[test]
    fn closing_after_days() {
        let md = m(Policy::default());
        let old = Context {
            article_published: Some(now() - Duration::days(31)),
            ..ctx()
        };
        assert_eq!(
            md.decide(&old, &comment("hi")),
            Decision::Reject(Reason::ClosedAfterDays { days: 30 })
        );
        let edge = Context {
            article_published: Some(now() - Duration::days(30)),
            ..ctx()
        };
        assert_eq!(md.decide(&edge, &comment("hi")), Decision::Approve);
        let undated = Context {
            article_published: None,
            ..ctx()
        };
        assert_eq!(md.decide(&undated, &comment("hi")), Decision::Approve);
        let never = m(Policy {
            close_after_days: 0,
            ..Policy::default()
        });
        assert_eq!(never.decide(&old, &comment("hi")), Decision::Approve);
    }

    #[test]
    fn closed_article_and_disabled_site() {
        let closed = Context {
            article_open: false,
            ..ctx()
        };
        assert_eq!(
            m(Policy::default()).decide(&closed, &comment("hi")),
            Decision::Reject(Reason::ArticleClosed)
        );
        let off = m(Policy {
            enabled: false,
            ..Policy::default()
        });
        assert_eq!(
            off.decide(&ctx(), &comment("hi")),
            Decision::Reject(Reason::CommentsDisabled)
        );
    }

    #[test]
    fn thread_depth() {
        let md = m(Policy::default());
        let reply_to = |depth| Context {
            parent: Parent::Found { depth },
            ..ctx()
        };
        assert_eq!(md.decide(&reply_to(4), &comment("hi")), Decision::Approve);
        assert_eq!(
            md.decide(&reply_to(5), &comment("hi")),
            Decision::Reject(Reason::TooDeep { max_depth: 5 })
        );
        let missing = Context {
            parent: Parent::Missing,
            ..ctx()
        };
        assert_eq!(
            md.decide(&missing, &comment("hi")),
            Decision::Reject(Reason::ParentMissing)
        );
        assert_eq!(
            Moderator::new(Policy {
                max_depth: 0,
                ..Policy::default()
            })
            .unwrap_err(),
            PolicyError::ZeroDepth
        );
    }

    #[test]
    fn honeypot_fill_time_duplicate_length() {
        let md = m(Policy::default());
        let bot = Context {
            honeypot: "http://spam.example",
            ..ctx()
        };
        assert_eq!(
            md.decide(&bot, &comment("hi")),
            Decision::Spam(Reason::Honeypot)
        );
        let fast = Context {
            form_rendered_at: Some(now() - Duration::milliseconds(1200)),
            ..ctx()
        };
        assert_eq!(
            md.decide(&fast, &comment("hi")),
            Decision::Reject(Reason::TooFast { wait_seconds: 2 })
        );
        let api = Context {
            form_rendered_at: None,
            ..ctx()
        };
        assert_eq!(md.decide(&api, &comment("hi")), Decision::Approve);
        let dup = Context {
            is_duplicate: true,
            ..ctx()
        };
        assert_eq!(
            md.decide(&dup, &comment("hi")),
            Decision::Reject(Reason::Duplicate)
        );
        let long = comment(&"x".repeat(5001));
        assert_eq!(
            md.decide(&ctx(), &long),
            Decision::Reject(Reason::TooLong {
                chars: 5001,
                max: 5000
            })
        );
    }

    #[test]
    fn precedence_spam_before_hold_reject_before_spam() {
        let md = m(Policy {
            blocked_ips: vec!["203.0.113.0/24".into()],
            moderation_words: vec!["hi".into()],
            ..Policy::default()
        });
        assert!(matches!(
            md.decide(&ctx(), &comment("hi")),
            Decision::Spam(_)
        ));
        let closed = Context {
            article_open: false,
            ..ctx()
        };
        assert!(matches!(
            md.decide(&closed, &comment("hi")),
            Decision::Reject(_)
        ));
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(
            Reason::TooFast { wait_seconds: 1 }.to_string(),
            "That was quick! Please wait 1 second and send your comment again."
        );
        assert_eq!(
            Reason::RateLimited {
                retry_after_seconds: 90
            }
            .to_string(),
            "You are posting comments too quickly. Please wait 2 minutes and try again."
        );
        assert_eq!(
            Reason::TooManyLinks { links: 3, max: 2 }.to_string(),
            "it contains 3 links (more than 2)"
        );
        assert_eq!(
            Decision::Spam(Reason::Honeypot).reader_message(),
            Decision::Hold(Reason::FirstComment).reader_message()
        );
        assert_eq!(
            Decision::Reject(Reason::ArticleClosed).reader_message(),
            "Comments are closed on this article."
        );
        assert_eq!(human_wait(3600), "1 hour");
        assert_eq!(human_wait(0), "1 second");
    }

    #[test]
    fn policy_from_toml_with_defaults_and_unknown_keys_refused() {
        let p: Policy = toml::from_str(
            "max_links = 5\nblocked_ips = [\"192.0.2.0/24\"]\n[rate_per_ip]\nburst = 2\nperiod_seconds = 60\n",
        )
        .unwrap();
        assert_eq!(p.max_links, 5);
        assert_eq!(p.rate_per_ip.burst, 2);
        assert_eq!(p.close_after_days, 30);
        assert!(p.hold_first_comment);
        assert!(toml::from_str::<Policy>("max_linkz = 5").is_err());
        assert!(toml::from_str::<Policy>("[rate_per_ip]\nbursts = 1").is_err());
        let round: Policy = toml::from_str(&toml::to_string(&Policy::default()).unwrap()).unwrap();
        assert_eq!(round, Policy::default());
    }

    #[test]
    fn bad_rates_are_refused() {
        let p = Policy {
            rate_per_email: RateLimit {
                burst: 0,
                period_seconds: 60,
            },
            ..Policy::default()
        };
        assert_eq!(
            Moderator::new(p).unwrap_err(),
            PolicyError::BadRate("rate_per_email")
        );
    }
}
