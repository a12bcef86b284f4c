//! JSON Feed 1.0 / 1.1 (<https://jsonfeed.org/version/1.1>).
use crate::date::parse_date;
use crate::html::sanitize;
use crate::model::{Author, Category, Content, Enclosure, Entry, Link, MediaObject};
use crate::urls::resolve_safe;
use crate::ParsedFeed;
use serde_json::Value;

fn s(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn authors(v: &Value, base: Option<&str>) -> Vec<Author> {
    let mut out = Vec::new();
    let mut push = |a: &Value| {
        let au = Author {
            name: s(a, "name"),
            email: None,
            uri: s(a, "url").map(|u| resolve_safe(base, &u)),
        };
        if au.name.is_some() || au.uri.is_some() {
            out.push(au);
        }
    };
    if let Some(Value::Array(list)) = v.get("authors") {
        list.iter().take(100).for_each(&mut push);
    } else if let Some(a @ Value::Object(_)) = v.get("author") {
        push(a);
    }
    out
}

/// A plain-text field and its type; text carrying script-capable markup is sanitised and
/// typed as HTML instead.
fn text(v: Option<String>, base: Option<&str>) -> (Option<String>, Option<String>) {
    match v {
        Some(t) if crate::html::has_dangerous_markup(&t) => {
            (Some(sanitize(&t, base)), Some("text/html".into()))
        }
        Some(t) => (Some(t), Some("text/plain".into())),
        None => (None, None),
    }
}

pub fn parse(doc: &str, base: Option<&str>) -> ParsedFeed {
    let mut feed = ParsedFeed::default();
    // serde_json limits recursion depth (128) itself, so hostile nesting cannot overflow.
    let v: Value = match serde_json::from_str(doc) {
        Ok(v) => v,
        Err(e) => {
            feed.bozo = true;
            feed.bozo_reason = Some(format!("invalid JSON: {e}"));
            return feed;
        }
    };
    let version = s(&v, "version").unwrap_or_default();
    feed.version = if version.contains("jsonfeed.org/version/1.1") {
        "json11".into()
    } else if version.contains("jsonfeed.org/version/1") {
        "json1".into()
    } else {
        feed.bozo = true;
        feed.bozo_reason = Some("JSON document is not a JSON Feed".into());
        String::new()
    };
    let f = &mut feed.feed;
    (f.title, f.title_type) = text(s(&v, "title"), base);
    (f.subtitle, f.subtitle_type) = text(s(&v, "description"), base);
    if let Some(home) = s(&v, "home_page_url") {
        let href = resolve_safe(base, &home);
        f.link = Some(href.clone());
        f.links.push(Link {
            href,
            rel: "alternate".into(),
            r#type: Some("text/html".into()),
            ..Link::default()
        });
    }
    if let Some(u) = s(&v, "feed_url") {
        let href = resolve_safe(base, &u);
        f.id = Some(href.clone());
        f.links.push(Link {
            href,
            rel: "self".into(),
            r#type: Some("application/feed+json".into()),
            ..Link::default()
        });
    }
    f.image = s(&v, "icon").map(|u| resolve_safe(base, &u));
    f.icon = s(&v, "favicon").map(|u| resolve_safe(base, &u));
    f.language = s(&v, "language");
    f.authors = authors(&v, base);
    f.author = f.authors.first().and_then(Author::display);
    let items = match v.get("items") {
        Some(Value::Array(a)) => a.as_slice(),
        _ => &[],
    };
    for it in items.iter().take(20_000) {
        if !it.is_object() {
            continue;
        }
        let mut e = Entry {
            id: s(it, "id"),
            ..Entry::default()
        };
        (e.title, e.title_type) = text(s(it, "title"), base);
        if let Some(u) = s(it, "url") {
            let href = resolve_safe(base, &u);
            e.link = Some(href.clone());
            e.links.push(Link {
                href,
                rel: "alternate".into(),
                r#type: Some("text/html".into()),
                ..Link::default()
            });
        }
        if let Some(u) = s(it, "external_url") {
            e.links.push(Link {
                href: resolve_safe(base, &u),
                rel: "related".into(),
                ..Link::default()
            });
        }
        e.published = s(it, "date_published").and_then(|d| parse_date(&d));
        e.updated = s(it, "date_modified").and_then(|d| parse_date(&d));
        e.authors = authors(it, base);
        e.author = e.authors.first().and_then(Author::display);
        if let Some(h) = s(it, "content_html") {
            e.content.push(Content {
                value: sanitize(&h, base),
                r#type: "text/html".into(),
            });
        }
        if let (Some(value), Some(ty)) = text(s(it, "content_text"), base) {
            e.content.push(Content { value, r#type: ty });
        }
        if let (Some(sm), ty) = text(s(it, "summary"), base) {
            e.summary = Some(sm);
            e.summary_type = ty;
        } else if let Some(c) = e.content.first() {
            e.summary = Some(c.value.clone());
            e.summary_type = Some(c.r#type.clone());
        }
        if let Some(Value::Array(tags)) = it.get("tags") {
            for t in tags.iter().take(1000) {
                if let Value::String(t) = t {
                    let c = Category {
                        term: t.trim().to_string(),
                        ..Category::default()
                    };
                    if !c.term.is_empty() && !e.categories.contains(&c) {
                        e.categories.push(c);
                    }
                }
            }
        }
        if let Some(img) = s(it, "image").or_else(|| s(it, "banner_image")) {
            e.media_thumbnail.push(MediaObject {
                url: resolve_safe(base, &img),
                ..MediaObject::default()
            });
        }
        if let Some(Value::Array(atts)) = it.get("attachments") {
            for a in atts.iter().take(1000) {
                if let Some(u) = s(a, "url") {
                    let href = resolve_safe(base, &u);
                    let ty = s(a, "mime_type");
                    let length = s(a, "size_in_bytes");
                    e.enclosures.push(Enclosure {
                        href: href.clone(),
                        r#type: ty.clone(),
                        length: length.clone(),
                    });
                    e.links.push(Link {
                        href,
                        rel: "enclosure".into(),
                        r#type: ty,
                        title: s(a, "title"),
                        length,
                        hreflang: None,
                    });
                }
            }
        }
        feed.entries.push(e);
    }
    feed
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_feed() {
        let doc = br#"{"version":"https://jsonfeed.org/version/1.1","title":"T",
            "home_page_url":"https://e.com/","items":[{"id":"1","url":"/a",
            "content_html":"<p onclick='x'>Hi</p>","date_published":"2020-01-02T03:04:05+01:00",
            "tags":["a","a","b"],"attachments":[{"url":"/m.mp3","mime_type":"audio/mpeg"}]}]}"#;
        let f = crate::parse(doc, Some("https://e.com/feed.json"), None);
        assert_eq!(f.version, "json11");
        assert!(!f.bozo);
        let e = &f.entries[0];
        assert_eq!(e.link.as_deref(), Some("https://e.com/a"));
        assert_eq!(e.content[0].value, "<p>Hi</p>");
        assert_eq!(e.published.as_deref(), Some("2020-01-02T02:04:05Z"));
        assert_eq!(e.categories.len(), 2);
        assert_eq!(e.enclosures[0].href, "https://e.com/m.mp3");
    }
}
