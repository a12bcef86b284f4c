//! JSONL import records: one article per line,
//! `{"id","url","title","body","published","source","section","author","lang","summary"}`.
//! Only a title or a body is needed; unknown keys are ignored so that other tools'
//! dumps import as they are.

use crate::body;
use crate::identity::article_identity;
use crate::time::parse_datetime;
use herald_store::NewArticle;
use herald_types::{CanonicalUrl, Section};
use serde::Deserialize;

/// Bounds that keep a hostile or broken file from bloating the store.
pub const MAX_TITLE_CHARS: usize = 1_000;
/// Largest body accepted (bytes); real articles are far below this.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Longest short field (author, source, summary...) kept, in characters.
pub const MAX_FIELD_CHARS: usize = 2_000;
/// Derived titles are cut at this many characters.
const DERIVED_TITLE_CHARS: usize = 120;

/// A line as written in the file. Every field is optional at this level; checks come
/// in [`ImportRecord::into_article`] so that errors can say what is wrong.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImportRecord {
    /// The exporter's id (string or number).
    #[serde(default, deserialize_with = "string_or_number")]
    pub id: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Body, plain text or HTML.
    pub body: Option<String>,
    /// Publication time (text, or Unix seconds/milliseconds as a number).
    #[serde(default, deserialize_with = "string_or_number")]
    pub published: Option<String>,
    /// Source name.
    #[serde(default, deserialize_with = "string_or_number")]
    pub source: Option<String>,
    /// Section name or slug.
    pub section: Option<String>,
    /// The source's own category.
    pub category: Option<String>,
    /// Byline.
    pub author: Option<String>,
    /// Language tag.
    pub lang: Option<String>,
    /// Dek.
    pub summary: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Value {
        S(String),
        N(serde_json::Number),
    }
    Ok(Option::<Value>::deserialize(d)?.map(|v| match v {
        Value::S(s) => s,
        Value::N(n) => n.to_string(),
    }))
}

/// What the importer knows beyond the line itself.
#[derive(Debug, Clone)]
pub struct ImportContext {
    /// Slugs of the configured sections.
    pub sections: Vec<String>,
    /// Section for records whose section is absent or unknown.
    pub default_section: Option<String>,
    /// Source for records that name none.
    pub default_source: Option<String>,
}

/// A record turned into an article, with what was dropped on the way.
#[derive(Debug)]
pub struct Converted {
    /// The article to upsert.
    pub article: NewArticle,
    /// Problems that did not stop the import of this record ("url ignored: ...").
    pub warnings: Vec<String>,
}

fn clip(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn clean_field(value: Option<String>) -> Option<String> {
    value
        .map(|v| clip(&body::inline_text(&v), MAX_FIELD_CHARS))
        .filter(|v| !v.is_empty())
}

/// Whether `title` is the headline the importer gives a record that has none: the
/// first sentence of `body_text`. Story clustering counts a headline's words several
/// times over, as the article's own summary; a derived one says nothing the body
/// does not, so clustering reads it as no headline at all.
pub fn is_derived_title(title: &str, body_text: &str) -> bool {
    let stem = title.trim_end_matches('…');
    !stem.is_empty() && body_text.starts_with(stem) && derive_title(body_text) == title
}

/// A headline from the body's first sentence, for records that have none (wire
/// items often do not).
fn derive_title(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or("");
    let sentence_end = first_line
        .char_indices()
        .find(|&(i, c)| matches!(c, '.' | '!' | '?') && first_line[i + 1..].starts_with(' '))
        .map_or(first_line.len(), |(i, _)| i + 1);
    let sentence = &first_line[..sentence_end];
    if sentence.chars().count() <= DERIVED_TITLE_CHARS {
        return sentence.to_string();
    }
    let clipped = clip(sentence, DERIVED_TITLE_CHARS);
    let cut = clipped.rfind(' ').unwrap_or(clipped.len());
    format!("{}…", &clipped[..cut])
}

impl ImportRecord {
    /// Parses one line. The error is a short reason for the import report.
    pub fn parse(line: &str) -> Result<ImportRecord, String> {
        serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))
    }

    /// Checks and normalises the record into an article.
    pub fn into_article(self, ctx: &ImportContext) -> Result<Converted, String> {
        let mut warnings = Vec::new();
        let raw_body = self.body.unwrap_or_default();
        if raw_body.len() > MAX_BODY_BYTES {
            return Err(format!(
                "body is {} bytes, more than the {MAX_BODY_BYTES} allowed",
                raw_body.len()
            ));
        }
        let body = body::from_import(&raw_body);
        let mut title = self
            .title
            .as_deref()
            .map(body::inline_text)
            .unwrap_or_default();
        if title.is_empty() {
            if body.text.is_empty() {
                return Err("no title and no body".into());
            }
            title = derive_title(&body.text);
            warnings.push("no title; derived one from the body".into());
        }
        let title = clip(&title, MAX_TITLE_CHARS);

        let url = match self.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(raw) => match CanonicalUrl::parse(raw) {
                Ok(url) => Some(url),
                Err(e) => {
                    warnings.push(format!("url ignored: {e}"));
                    None
                }
            },
        };
        let published = match self
            .published
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(raw) => {
                let parsed = parse_datetime(raw);
                if parsed.is_none() {
                    warnings.push(format!(
                        "published ignored: cannot read {:?} as a date",
                        clip(raw, 40)
                    ));
                }
                parsed
            }
        };
        let source = clean_field(self.source).or_else(|| ctx.default_source.clone());
        let named_section = self
            .section
            .as_deref()
            .map(Section::slugify)
            .filter(|s| !s.is_empty());
        let (section, category) = match named_section {
            Some(slug) if ctx.sections.contains(&slug) => (Some(slug), clean_field(self.category)),
            // An unknown section name is still information: keep it as the category.
            _ => (
                ctx.default_section.clone(),
                clean_field(self.category).or_else(|| clean_field(self.section)),
            ),
        };
        let identity = article_identity(
            url.as_ref(),
            source.as_deref(),
            self.id.as_deref(),
            &title,
            &body.text,
        );
        let lang = clean_field(self.lang).map(|l| clip(&l, 35));
        Ok(Converted {
            article: NewArticle {
                identity,
                url: url.map(String::from),
                source,
                section,
                category,
                title,
                author: clean_field(self.author),
                published,
                lang,
                summary: clean_field(self.summary),
                body_text: body.text,
                body_html: body.html,
            },
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ImportContext {
        ImportContext {
            sections: vec!["news".into(), "books".into()],
            default_section: Some("news".into()),
            default_source: None,
        }
    }

    fn convert(line: &str) -> Result<Converted, String> {
        ImportRecord::parse(line)?.into_article(&ctx())
    }

    #[test]
    fn derived_headlines_are_recognised() {
        let body = "Shares of Acme rose 4% on Monday. The company said sales grew.";
        let a = convert(&format!(r#"{{"body": "{body}"}}"#))
            .unwrap()
            .article;
        assert_eq!(a.title, "Shares of Acme rose 4% on Monday.");
        assert!(is_derived_title(&a.title, &a.body_text));
        let long = format!("{} ends here. Then more.", "word ".repeat(40));
        let a = convert(&format!(r#"{{"body": "{long}"}}"#))
            .unwrap()
            .article;
        assert!(a.title.ends_with('…'), "{}", a.title);
        assert!(is_derived_title(&a.title, &a.body_text));
        // A real headline, even one the body begins with, is not derived.
        assert!(!is_derived_title("Shares of Acme rose", body));
        assert!(!is_derived_title("Acme sales grow", body));
        assert!(!is_derived_title("", body));
    }

    #[test]
    fn minimal_record_imports() {
        let c = convert(r#"{"title":"Hello","body":"World"}"#).unwrap();
        assert_eq!(c.article.title, "Hello");
        assert_eq!(c.article.body_text, "World");
        assert_eq!(c.article.section.as_deref(), Some("news"));
        assert!(c.article.identity.starts_with("hash:"));
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn full_record_maps_every_field() {
        let c = convert(
            r#"{"id":42,"url":"https://Example.com/a/?utm_source=x","title":"T","body":"B","published":"2024-05-01T10:00:00Z",
                "source":"Wire","section":"Books","author":"A. Writer","lang":"en","summary":"S","extra":"ignored"}"#,
        )
        .unwrap();
        let a = c.article;
        assert_eq!(a.identity, "url:https://example.com/a");
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.section.as_deref(), Some("books"));
        assert_eq!(a.source.as_deref(), Some("Wire"));
        assert_eq!(a.author.as_deref(), Some("A. Writer"));
        assert_eq!(
            a.published.unwrap().to_rfc3339(),
            "2024-05-01T10:00:00+00:00"
        );
        assert_eq!(a.summary.as_deref(), Some("S"));
    }

    #[test]
    fn unknown_section_becomes_category() {
        let a = convert(r#"{"id":"x","title":"T","body":"B","section":"Sci/Tech"}"#)
            .unwrap()
            .article;
        assert_eq!(a.section.as_deref(), Some("news"));
        assert_eq!(a.category.as_deref(), Some("Sci/Tech"), "kept verbatim");
        assert_eq!(a.identity, "guid::x");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(convert("{not json")
            .unwrap_err()
            .starts_with("invalid JSON"));
        assert!(convert(r#"["a"]"#).unwrap_err().starts_with("invalid JSON"));
        assert!(convert(r#"{"title":5,"body":"x"}"#)
            .unwrap_err()
            .starts_with("invalid JSON"));
        assert_eq!(
            convert(r#"{"title":"","body":"  "}"#).unwrap_err(),
            "no title and no body"
        );
        let huge = format!(
            r#"{{"title":"t","body":"{}"}}"#,
            "a".repeat(MAX_BODY_BYTES + 1)
        );
        assert!(convert(&huge).unwrap_err().contains("more than"));
    }

    #[test]
    fn bad_optional_fields_warn_but_import() {
        let c =
            convert(r#"{"title":"T","body":"B","url":"not a url","published":"someday"}"#).unwrap();
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.article.url.is_none());
        assert!(c.article.published.is_none());
    }

    #[test]
    fn missing_title_is_derived_from_body() {
        let c = convert(r#"{"body":"Oil prices rose sharply today. Traders said more."}"#).unwrap();
        assert_eq!(c.article.title, "Oil prices rose sharply today.");
        assert_eq!(c.warnings.len(), 1);
    }
}
