//! Checking a comment form: per-field errors in words a reader understands, and the
//! normalised values alongside them so the form can be shown again as typed.

use crate::render::DEFAULT_MAX_CHARS;
use crate::text::{clean_line, clean_multiline, fold, thousands};
use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// What the reader submitted, as typed. `website` is empty when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Submission {
    /// Shown with the comment. Required.
    pub name: String,
    /// Never shown. Required.
    pub email: String,
    /// Optional; linked from the name.
    pub website: String,
    /// The comment text (the Markdown subset of [`mod@crate::render`]).
    pub body: String,
    /// The comment this replies to.
    pub parent: Option<i64>,
}

/// Length limits of the form fields, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Default 100.
    pub max_name_chars: usize,
    /// Default 254 (the longest address mail systems accept).
    pub max_email_chars: usize,
    /// Default 200.
    pub max_website_chars: usize,
    /// Default 5,000.
    pub max_body_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_name_chars: 100,
            max_email_chars: 254,
            max_website_chars: 200,
            max_body_chars: DEFAULT_MAX_CHARS,
        }
    }
}

/// One message per field that has a problem, written for the reader.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: Option<String>,
    /// The reply target is not a comment id (a tampered or stale form).
    pub parent: Option<String>,
}

impl FieldErrors {
    /// No field has a problem.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// `(field name, message)` for each problem, in form order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("name", &self.name),
            ("email", &self.email),
            ("website", &self.website),
            ("body", &self.body),
            ("parent", &self.parent),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|m| (k, m)))
    }
}

/// A comment that passed validation, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewComment {
    /// Whitespace collapsed, invisible and control characters removed.
    pub name: String,
    /// Trimmed, domain lower-cased (and IDNA-encoded). Never shown to readers.
    pub email: String,
    /// Lower-cased email: the key for "approved before", blocks, rate limits and
    /// duplicates. See [`email_key`].
    pub email_key: String,
    /// An absolute `http(s)` URL, normalised (`https://example.com/`).
    pub website: Option<String>,
    /// Newlines normalised to `\n`, control and invisible characters removed, leading
    /// blank lines and trailing whitespace trimmed.
    pub body: String,
    pub parent: Option<i64>,
}

/// The outcome of [`validate`]: the normalised values (always, for re-showing the
/// form) and the problems (empty when valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The submission normalised but never emptied: re-show these values. A field
    /// that could not be normalised (an invalid website) keeps what was typed.
    pub form: Submission,
    pub errors: FieldErrors,
}

impl Checked {
    /// Every field is acceptable.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The comment to moderate and store, when valid.
    pub fn comment(&self) -> Option<NewComment> {
        if !self.is_valid() {
            return None;
        }
        Some(NewComment {
            name: self.form.name.clone(),
            email: self.form.email.clone(),
            email_key: email_key(&self.form.email),
            website: (!self.form.website.is_empty()).then(|| self.form.website.clone()),
            body: self.form.body.clone(),
            parent: self.form.parent,
        })
    }
}

/// Checks and normalises a submission. Never fails and never drops what the reader
/// typed: see [`Checked`].
pub fn validate(input: &Submission, limits: &Limits) -> Checked {
    let mut errors = FieldErrors::default();

    let name = clean_line(&input.name);
    let name_len = name.chars().count();
    if name.is_empty() {
        errors.name = Some("Please enter your name.".into());
    } else if name_len > limits.max_name_chars {
        errors.name = Some(format!(
            "Your name is too long: please use at most {} characters.",
            thousands(limits.max_name_chars)
        ));
    }

    let typed_email = clean_line(&input.email).replace(' ', "");
    let email = match normalise_email(&typed_email, limits.max_email_chars) {
        Ok(e) => e,
        Err(msg) => {
            errors.email = Some(msg.into());
            typed_email
        }
    };

    let typed_site = clean_line(&input.website);
    let website = match normalise_website(&typed_site, limits.max_website_chars) {
        Ok(Some(w)) => w,
        Ok(None) => String::new(),
        Err(msg) => {
            errors.website = Some(msg.into());
            typed_site
        }
    };

    let body = normalise_body(&input.body);
    let body_len = body.chars().count();
    if body.trim().is_empty() {
        errors.body = Some("Please write a comment.".into());
    } else if body_len > limits.max_body_chars {
        errors.body = Some(format!(
            "Your comment is {} characters long; the limit is {}. Please shorten it by {}.",
            thousands(body_len),
            thousands(limits.max_body_chars),
            thousands(body_len - limits.max_body_chars)
        ));
    }

    if matches!(input.parent, Some(id) if id <= 0) {
        errors.parent = Some("The comment you are replying to could not be found.".into());
    }

    Checked {
        form: Submission {
            name,
            email,
            website,
            body,
            parent: input.parent,
        },
        errors,
    }
}

/// The key under which an email address is compared: invisible characters removed,
/// trimmed, lower-cased.
pub fn email_key(email: &str) -> String {
    fold(email).replace(' ', "")
}

/// The comment text as stored: newlines normalised, control and invisible
/// characters removed, leading blank lines and trailing whitespace trimmed
/// (leading spaces of the first line are kept: they may start a code block).
pub fn normalise_body(body: &str) -> String {
    let clean = clean_multiline(body);
    let trimmed = clean.trim_end();
    let start = trimmed
        .split_inclusive('\n')
        .take_while(|l| l.trim().is_empty())
        .map(str::len)
        .sum::<usize>();
    trimmed[start..].to_string()
}

const EMAIL_HELP: &str =
    "That email address doesn't look right. It should look like name@example.com.";

/// A syntactically valid address, domain lower-cased and IDNA-encoded.
fn normalise_email(email: &str, max: usize) -> Result<String, &'static str> {
    if email.is_empty() {
        return Err("Please enter your email address. It is never shown.");
    }
    if email.chars().count() > max {
        return Err("That email address is too long.");
    }
    let (local, domain) = email.rsplit_once('@').ok_or(EMAIL_HELP)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+/=?^_`{|}~.-".contains(c)
                || (!c.is_ascii() && c.is_alphanumeric())
        });
    if !local_ok {
        return Err(EMAIL_HELP);
    }
    let domain = match Host::parse(domain) {
        Ok(Host::Domain(d)) => d,
        _ => return Err(EMAIL_HELP),
    };
    if !domain_ok(&domain) {
        return Err(EMAIL_HELP);
    }
    Ok(format!("{local}@{domain}"))
}

/// An ASCII (IDNA-encoded) host name with at least two labels, a TLD that is not
/// numeric, and labels of letters, digits and inner hyphens.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || domain.len() > 253 {
        return false;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(|l| label_ok(l)) && tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())
}

/// `Ok(None)` when empty; an absolute `http(s)` URL with a host name otherwise.
/// A missing scheme means `https://`.
fn normalise_website(site: &str, max: usize) -> Result<Option<String>, &'static str> {
    const HELP: &str =
        "That website address doesn't look right. It should look like https://example.com.";
    if site.is_empty() {
        return Ok(None);
    }
    if site.chars().count() > max {
        return Err("That website address is too long.");
    }
    let lower = site.to_ascii_lowercase();
    let with_scheme = if lower.starts_with("http://") || lower.starts_with("https://") {
        site.to_string()
    } else if lower.contains("://") || has_scheme(&lower) {
        return Err("Only web addresses starting with http:// or https:// can be linked.");
    } else {
        format!("https://{site}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| HELP)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("A website address can't contain a user name or password.");
    }
    match url.host() {
        Some(Host::Domain(d)) if domain_ok(d) => {}
        _ => return Err(HELP),
    }
    Ok(Some(url.to_string()))
}

/// Whether the text starts with `scheme:` other than a `host:port` form.
fn has_scheme(lower: &str) -> bool {
    let Some((scheme, rest)) = lower.split_once(':') else {
        return false;
    };
    let looks_like_scheme = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    // `example.com:8080/x` is a host and a port, not a scheme.
    let port_follows = rest.starts_with(|c: char| c.is_ascii_digit()) && scheme.contains('.');
    looks_like_scheme && !port_follows
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn sub(name: &str, email: &str, website: &str, body: &str) -> Submission {
        Submission {
            name: name.into(),
            email: email.into(),
            website: website.into(),
            body: body.into(),
            parent: None,
        }
    }

    #[test]
    fn valid_submission_is_normalised() {
        let c = validate(
            &sub(
                "  Ada \t Lovelace ",
                " Ada@Example.COM ",
                "Example.com/blog",
                "\n\nHello!  \n\n",
            ),
            &Limits::default(),
        );
        assert!(c.is_valid(), "{:?}", c.errors);
        assert_eq!(c.form.name, "Ada Lovelace");
        assert_eq!(c.form.email, "Ada@example.com");
        assert_eq!(c.form.website, "https://example.com/blog");
        assert_eq!(c.form.body, "Hello!");
        let n = c.comment().unwrap();
        assert_eq!(n.email_key, "ada@example.com");
        assert_eq!(n.website.as_deref(), Some("https://example.com/blog"));
    }

    #[test]
    fn empty_form_gives_every_required_message_and_keeps_values() {
        let c = validate(&sub("", "", "", "  "), &Limits::default());
        assert!(!c.is_valid());
        assert_eq!(c.errors.name.as_deref(), Some("Please enter your name."));
        assert_eq!(
            c.errors.email.as_deref(),
            Some("Please enter your email address. It is never shown.")
        );
        assert_eq!(c.errors.body.as_deref(), Some("Please write a comment."));
        assert_eq!(c.errors.website, None);
        assert!(c.comment().is_none());
        let fields: Vec<_> = c.errors.iter().map(|(k, _)| k).collect();
        assert_eq!(fields, ["name", "email", "body"]);
    }

    #[test]
    fn invalid_values_are_kept_for_the_form() {
        let c = validate(
            &sub("Ada", "not an email", "javascript:alert(1)", "text"),
            &Limits::default(),
        );
        assert_eq!(c.form.email, "notanemail");
        assert_eq!(c.form.website, "javascript:alert(1)");
        assert_eq!(c.form.body, "text");
        assert!(c.errors.email.is_some());
        assert_eq!(
            c.errors.website.as_deref(),
            Some("Only web addresses starting with http:// or https:// can be linked.")
        );
    }

    #[test]
    fn email_syntax() {
        let ok = |e: &str| normalise_email(e, 254).is_ok();
        assert!(ok("a@b.co"));
        assert!(ok("first.last+tag@sub.example.org"));
        assert!(ok("o'brien@example.ie"));
        assert!(ok("josé@exämple.com"));
        assert_eq!(
            normalise_email("x@EXÄMPLE.com", 254).unwrap(),
            "x@xn--exmple-cua.com"
        );
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@b.c",
            "a@.com",
            "a@b..com",
            ".a@b.com",
            "a.@b.com",
            "a..b@c.com",
            "a b@c.com",
            "a@-b.com",
            "a@b-.com",
            "a@[1.2.3.4]",
            "a@1.2.3.4",
            "a<b>@c.com",
            "a@b.com\"",
        ] {
            assert!(!ok(bad), "{bad} accepted");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(!ok(&long));
        assert_eq!(
            normalise_email(&"a".repeat(300), 254),
            Err("That email address is too long.")
        );
    }

    #[test]
    fn website_rules() {
        let w = |s: &str| normalise_website(s, 200);
        assert_eq!(w(""), Ok(None));
        assert_eq!(
            w("HTTP://Example.com").unwrap().as_deref(),
            Some("http://example.com/")
        );
        assert_eq!(
            w("example.com:8080/x").unwrap().as_deref(),
            Some("https://example.com:8080/x")
        );
        assert_eq!(
            w("www.example.com").unwrap().as_deref(),
            Some("https://www.example.com/")
        );
        assert!(w("javascript:alert(1)").is_err());
        assert!(w("data:text/html,x").is_err());
        assert!(w("ftp://example.com").is_err());
        assert!(w("mailto:a@b.com").is_err());
        assert!(w("https://user:pw@example.com").is_err());
        assert!(w("https://localhost").is_err());
        assert!(w("https://127.0.0.1/").is_err());
        assert!(w("not a url").is_err());
        assert!(w(&format!("https://example.com/{}", "a".repeat(300))).is_err());
    }

    #[test]
    fn too_long_fields_say_by_how_much() {
        let limits = Limits {
            max_body_chars: 10,
            max_name_chars: 3,
            ..Limits::default()
        };
        let c = validate(&sub("Adalbert", "a@b.co", "", "0123456789abcd"), &limits);
        assert_eq!(
            c.errors.body.as_deref(),
            Some("Your comment is 14 characters long; the limit is 10. Please shorten it by 4.")
        );
        assert_eq!(
            c.errors.name.as_deref(),
            Some("Your name is too long: please use at most 3 characters.")
        );
        assert_eq!(c.form.body, "0123456789abcd");
    }

    #[test]
    fn body_keeps_inner_formatting() {
        assert_eq!(
            normalise_body("\r\n   \r\n    code\r\n\r\nnext\t\r\n"),
            "    code\n\nnext"
        );
        assert_eq!(normalise_body("a\u{0}b\u{200B}c"), "abc");
    }

    #[test]
    fn parent_must_be_positive() {
        let mut s = sub("A", "a@b.co", "", "x");
        s.parent = Some(0);
        let c = validate(&s, &Limits::default());
        assert!(c.errors.parent.is_some());
        s.parent = Some(7);
        assert_eq!(
            validate(&s, &Limits::default()).comment().unwrap().parent,
            Some(7)
        );
    }

    #[test]
    fn email_key_folds() {
        assert_eq!(email_key(" Ada@Example.COM\u{200B}"), "ada@example.com");
    }
}
