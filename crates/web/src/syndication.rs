//! Feeds out: one model, written as RSS 2.0, Atom 1.0 or JSON Feed 1.1.

use crate::xml::{escape, one_line, rfc3339, rfc822};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The three formats, each at `<listing>/feed.<ext>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub(crate) const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    /// The file name a listing's feed has in this format.
    pub(crate) fn file(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.rss",
            FeedFormat::Atom => "feed.atom",
            FeedFormat::Json => "feed.json",
        }
    }

    pub(crate) fn from_file(file: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.file() == file)
    }

    /// The media type (also what `<link rel="alternate" type>` names).
    pub(crate) fn mime(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            FeedFormat::Rss => "RSS",
            FeedFormat::Atom => "Atom",
            FeedFormat::Json => "JSON Feed",
        }
    }
}

/// A feed, with every URL absolute.
pub(crate) struct Feed {
    pub title: String,
    pub description: String,
    pub lang: String,
    /// The HTML page the feed follows.
    pub home_url: String,
    /// This feed's own URL.
    pub self_url: String,
    /// Newest change among the entries; the feed's own time when it is empty.
    pub updated: DateTime<Utc>,
    /// Used as the author of entries that name none (Atom requires one).
    pub site_name: String,
    pub entries: Vec<FeedEntry>,
}

pub(crate) struct FeedEntry {
    /// The article's page on this portal: its link and its permanent id.
    pub url: String,
    pub title: String,
    /// Plain text.
    pub summary: Option<String>,
    /// Sanitised HTML.
    pub content_html: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub author: Option<String>,
    /// Section name.
    pub category: Option<String>,
    /// The publisher's own page.
    pub original_url: Option<String>,
    pub lang: Option<String>,
}

impl Feed {
    pub(crate) fn render(&self, format: FeedFormat) -> String {
        match format {
            FeedFormat::Rss => self.rss(),
            FeedFormat::Atom => self.atom(),
            FeedFormat::Json => self.json(),
        }
    }

    fn rss(&self) -> String {
        let mut x = String::with_capacity(4096 + self.entries.len() * 2048);
        x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        x.push_str(concat!(
            "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"",
            " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
            " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n"
        ));
        x.push_str(&format!(
            "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n",
            escape(&one_line(&self.title)),
            escape(&self.home_url),
            escape(&one_line(&self.description)),
            escape(&self.lang),
        ));
        x.push_str(&format!(
            "<lastBuildDate>{}</lastBuildDate>\n<generator>Herald</generator>\n",
            rfc822(self.updated)
        ));
        x.push_str(&format!(
            "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
            escape(&self.self_url)
        ));
        for e in &self.entries {
            x.push_str("<item>\n");
            x.push_str(&format!(
                "<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n<pubDate>{}</pubDate>\n",
                escape(&one_line(&e.title)),
                escape(&e.url),
                escape(&e.url),
                rfc822(e.published)
            ));
            if let Some(author) = &e.author {
                x.push_str(&format!(
                    "<dc:creator>{}</dc:creator>\n",
                    escape(&one_line(author))
                ));
            }
            if let Some(category) = &e.category {
                x.push_str(&format!(
                    "<category>{}</category>\n",
                    escape(&one_line(category))
                ));
            }
            if let Some(summary) = &e.summary {
                x.push_str(&format!("<description>{}</description>\n", escape(summary)));
            }
            x.push_str(&format!(
                "<content:encoded>{}</content:encoded>\n</item>\n",
                escape(&e.content_html)
            ));
        }
        x.push_str("</channel>\n</rss>\n");
        x
    }

    fn atom(&self) -> String {
        let mut x = String::with_capacity(4096 + self.entries.len() * 2048);
        x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        x.push_str(&format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
            escape(&self.lang)
        ));
        x.push_str(&format!(
            "<id>{}</id>\n<title type=\"text\">{}</title>\n<subtitle type=\"text\">{}</subtitle>\n<updated>{}</updated>\n",
            escape(&self.self_url),
            escape(&one_line(&self.title)),
            escape(&one_line(&self.description)),
            rfc3339(self.updated)
        ));
        x.push_str(&format!(
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&self.self_url),
            escape(&self.home_url)
        ));
        x.push_str(&format!(
            "<author><name>{}</name></author>\n<generator>Herald</generator>\n",
            escape(&one_line(&self.site_name))
        ));
        for e in &self.entries {
            x.push_str("<entry");
            if let Some(lang) = &e.lang {
                x.push_str(&format!(" xml:lang=\"{}\"", escape(lang)));
            }
            x.push_str(">\n");
            x.push_str(&format!(
                "<id>{}</id>\n<title type=\"text\">{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                escape(&e.url),
                escape(&one_line(&e.title)),
                escape(&e.url)
            ));
            if let Some(original) = &e.original_url {
                x.push_str(&format!(
                    "<link rel=\"via\" type=\"text/html\" href=\"{}\"/>\n",
                    escape(original)
                ));
            }
            x.push_str(&format!(
                "<published>{}</published>\n<updated>{}</updated>\n",
                rfc3339(e.published),
                rfc3339(e.updated)
            ));
            if let Some(author) = &e.author {
                x.push_str(&format!(
                    "<author><name>{}</name></author>\n",
                    escape(&one_line(author))
                ));
            }
            if let Some(category) = &e.category {
                x.push_str(&format!(
                    "<category term=\"{}\"/>\n",
                    escape(&one_line(category))
                ));
            }
            if let Some(summary) = &e.summary {
                x.push_str(&format!(
                    "<summary type=\"text\">{}</summary>\n",
                    escape(summary)
                ));
            }
            x.push_str(&format!(
                "<content type=\"html\">{}</content>\n</entry>\n",
                escape(&e.content_html)
            ));
        }
        x.push_str("</feed>\n");
        x
    }

    fn json(&self) -> String {
        let items: Vec<_> = self
            .entries
            .iter()
            .map(|e| {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), json!(e.url));
                o.insert("url".into(), json!(e.url));
                o.insert("title".into(), json!(one_line(&e.title)));
                o.insert("content_html".into(), json!(e.content_html));
                o.insert("date_published".into(), json!(rfc3339(e.published)));
                o.insert("date_modified".into(), json!(rfc3339(e.updated)));
                if let Some(original) = &e.original_url {
                    o.insert("external_url".into(), json!(original));
                }
                if let Some(summary) = &e.summary {
                    o.insert("summary".into(), json!(summary));
                }
                if let Some(author) = &e.author {
                    o.insert("authors".into(), json!([{ "name": one_line(author) }]));
                }
                if let Some(category) = &e.category {
                    o.insert("tags".into(), json!([one_line(category)]));
                }
                if let Some(lang) = &e.lang {
                    o.insert("language".into(), json!(lang));
                }
                serde_json::Value::Object(o)
            })
            .collect();
        let feed = json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": one_line(&self.title),
            "home_page_url": self.home_url,
            "feed_url": self.self_url,
            "description": one_line(&self.description),
            "language": self.lang,
            "authors": [{ "name": one_line(&self.site_name) }],
            "items": items,
        });
        let mut text = feed.to_string();
        text.push('\n');
        text
    }
}

/// A plain-text excerpt of about `max` bytes, cut at a word boundary.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let flat = one_line(text);
    if flat.len() <= max {
        return flat;
    }
    let mut cut = max;
    while !flat.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &flat[..cut];
    let head = head.rfind(' ').map_or(head, |i| &head[..i]);
    format!("{}…", head.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short", 100), "short");
        assert_eq!(excerpt("one two three four", 10), "one two…");
        assert_eq!(excerpt("ééééé", 3), "é…");
    }
}
