//! The typed feed model.

/// A parsed feed document. Every text value is already decoded; HTML values are sanitised.
///
/// Text fields come with a `*_type`: `text/html` and `application/xhtml+xml` values are
/// sanitised HTML, ready to embed; `text/plain` values are raw text and must be escaped by
/// whoever renders them. URL fields are resolved and never carry an unsafe scheme.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedFeed {
    /// Detected format: `rss090`, `rss091n`, `rss091u`, `rss092`, `rss093`, `rss094`, `rss10`,
    /// `rss20`, `rss` (an `<rss>` without a version), `atom03`, `atom10`, `atom`, `json1`,
    /// `json11`, or empty when the format was not recognised.
    pub version: String,
    /// The character encoding the document was decoded with (lower case, e.g. `utf-8`).
    pub encoding: String,
    /// True when the document was ill-formed (and recovered as far as possible).
    pub bozo: bool,
    /// Why the document was flagged, in words (the first problem found).
    pub bozo_reason: Option<String>,
    /// Channel-level metadata.
    pub feed: FeedMeta,
    /// The items / entries, in document order.
    pub entries: Vec<Entry>,
}

fn as_text(value: &Option<String>, ty: &Option<String>) -> Option<String> {
    let v = value.as_ref()?;
    match ty.as_deref() {
        Some(t) if t.contains("html") || t.contains("xml") => Some(crate::html::to_text(v)),
        _ => Some(v.clone()),
    }
}

impl FeedMeta {
    /// The title as plain text (markup removed when the title is HTML).
    pub fn title_text(&self) -> Option<String> {
        as_text(&self.title, &self.title_type)
    }
}

impl Entry {
    /// The title as plain text (markup removed when the title is HTML).
    pub fn title_text(&self) -> Option<String> {
        as_text(&self.title, &self.title_type)
    }

    /// The summary as plain text.
    pub fn summary_text(&self) -> Option<String> {
        as_text(&self.summary, &self.summary_type)
    }

    /// The best HTML body: the first HTML content, else the summary (both sanitised).
    pub fn body_html(&self) -> Option<&str> {
        self.content
            .iter()
            .find(|c| c.r#type.contains("html"))
            .map(|c| c.value.as_str())
            .or(self.summary.as_deref())
    }

    /// Publication date, falling back to the update date (RFC 3339 UTC).
    pub fn date(&self) -> Option<&str> {
        self.published.as_deref().or(self.updated.as_deref())
    }
}

/// Channel-level metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedMeta {
    /// Title.
    pub title: Option<String>,
    /// Media type of the title: `text/plain`, `text/html` or `application/xhtml+xml`.
    pub title_type: Option<String>,
    /// Subtitle / description / tagline.
    pub subtitle: Option<String>,
    /// Media type of the subtitle.
    pub subtitle_type: Option<String>,
    /// Copyright / rights.
    pub rights: Option<String>,
    /// Media type of the rights.
    pub rights_type: Option<String>,
    /// The first alternate link.
    pub link: Option<String>,
    /// All links.
    pub links: Vec<Link>,
    /// Feed id (Atom id, JSON Feed `feed_url`).
    pub id: Option<String>,
    /// Last update, RFC 3339 UTC.
    pub updated: Option<String>,
    /// Publication date, RFC 3339 UTC.
    pub published: Option<String>,
    /// Display string of the first author: "name (email)", "name" or "email".
    pub author: Option<String>,
    /// Authors.
    pub authors: Vec<Author>,
    /// Categories / tags.
    pub categories: Vec<Category>,
    /// Feed image or logo URL.
    pub image: Option<String>,
    /// Icon URL.
    pub icon: Option<String>,
    /// Language tag, as given.
    pub language: Option<String>,
    /// Generator, as given.
    pub generator: Option<String>,
}

/// One item / entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    /// guid / id.
    pub id: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Media type of the title.
    pub title_type: Option<String>,
    /// Subtitle (iTunes).
    pub subtitle: Option<String>,
    /// The first alternate link.
    pub link: Option<String>,
    /// All links (alternate, enclosure, related, ...).
    pub links: Vec<Link>,
    /// Publication date, RFC 3339 UTC.
    pub published: Option<String>,
    /// Last update, RFC 3339 UTC.
    pub updated: Option<String>,
    /// Display string of the first author.
    pub author: Option<String>,
    /// Authors.
    pub authors: Vec<Author>,
    /// Summary; falls back to the first content body when there is no summary element.
    pub summary: Option<String>,
    /// Media type of the summary.
    pub summary_type: Option<String>,
    /// Full content bodies.
    pub content: Vec<Content>,
    /// Rights.
    pub rights: Option<String>,
    /// Media type of the rights.
    pub rights_type: Option<String>,
    /// Categories / tags.
    pub categories: Vec<Category>,
    /// Enclosures (podcast audio, images, ...).
    pub enclosures: Vec<Enclosure>,
    /// `media:content` objects.
    pub media_content: Vec<MediaObject>,
    /// `media:thumbnail` objects (and JSON Feed `image`).
    pub media_thumbnail: Vec<MediaObject>,
    /// Comments page URL.
    pub comments: Option<String>,
}

/// A link.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    /// Target URL (resolved).
    pub href: String,
    /// Relation (`alternate` when absent).
    pub rel: String,
    /// Media type.
    pub r#type: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Length in bytes, as given.
    pub length: Option<String>,
    /// Language of the target (`hreflang`).
    pub hreflang: Option<String>,
}

/// A person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Author {
    /// Name.
    pub name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Home page.
    pub uri: Option<String>,
}

impl Author {
    /// "name (email)", "name" or "email".
    pub fn display(&self) -> Option<String> {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) => Some(format!("{n} ({e})")),
            (Some(n), None) => Some(n.clone()),
            (None, Some(e)) => Some(e.clone()),
            (None, None) => None,
        }
    }
}

/// A category / tag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Category {
    /// The term.
    pub term: String,
    /// Scheme / domain.
    pub scheme: Option<String>,
    /// Human label.
    pub label: Option<String>,
}

/// A content body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    /// The value (sanitised when HTML).
    pub value: String,
    /// Media type.
    pub r#type: String,
}

/// An enclosure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Enclosure {
    /// URL (resolved).
    pub href: String,
    /// Media type.
    pub r#type: Option<String>,
    /// Length in bytes, as given.
    pub length: Option<String>,
}

/// A Media RSS object (`media:content` / `media:thumbnail`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaObject {
    /// URL (resolved).
    pub url: String,
    /// Media type.
    pub r#type: Option<String>,
    /// Medium (`image`, `video`, ...).
    pub medium: Option<String>,
    /// Width, as given.
    pub width: Option<String>,
    /// Height, as given.
    pub height: Option<String>,
    /// File size, as given.
    pub filesize: Option<String>,
    /// Every other attribute as given (`duration`, `time`, `bitrate`, `lang`, ...).
    pub extra: Vec<(String, String)>,
}
