//! The neutral JSON model of `feeds-dev/README.md` (feedparser's field names).
use crate::model::{Author, Category, Content, Enclosure, Entry, FeedMeta, Link, MediaObject};
use crate::ParsedFeed;
use serde_json::{Map, Value};

fn put(m: &mut Map<String, Value>, k: &str, v: &Option<String>) {
    if let Some(v) = v {
        m.insert(k.to_string(), Value::String(v.clone()));
    }
}

fn links(v: &[Link]) -> Value {
    Value::Array(
        v.iter()
            .map(|l| {
                let mut m = Map::new();
                m.insert("href".into(), Value::String(l.href.clone()));
                m.insert("rel".into(), Value::String(l.rel.clone()));
                put(&mut m, "type", &l.r#type);
                put(&mut m, "title", &l.title);
                put(&mut m, "length", &l.length);
                put(&mut m, "hreflang", &l.hreflang);
                Value::Object(m)
            })
            .collect(),
    )
}

fn authors(v: &[Author]) -> Value {
    Value::Array(
        v.iter()
            .map(|a| {
                let mut m = Map::new();
                put(&mut m, "name", &a.name);
                put(&mut m, "email", &a.email);
                put(&mut m, "uri", &a.uri);
                Value::Object(m)
            })
            .collect(),
    )
}

fn categories(v: &[Category]) -> Value {
    Value::Array(
        v.iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("term".into(), Value::String(c.term.clone()));
                put(&mut m, "scheme", &c.scheme);
                put(&mut m, "label", &c.label);
                Value::Object(m)
            })
            .collect(),
    )
}

fn contents(v: &[Content]) -> Value {
    Value::Array(
        v.iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("value".into(), Value::String(c.value.clone()));
                m.insert("type".into(), Value::String(c.r#type.clone()));
                Value::Object(m)
            })
            .collect(),
    )
}

fn enclosures(v: &[Enclosure]) -> Value {
    Value::Array(
        v.iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("href".into(), Value::String(e.href.clone()));
                put(&mut m, "type", &e.r#type);
                put(&mut m, "length", &e.length);
                Value::Object(m)
            })
            .collect(),
    )
}

fn media(v: &[MediaObject]) -> Value {
    Value::Array(
        v.iter()
            .map(|o| {
                let mut m = Map::new();
                m.insert("url".into(), Value::String(o.url.clone()));
                put(&mut m, "type", &o.r#type);
                put(&mut m, "medium", &o.medium);
                put(&mut m, "width", &o.width);
                put(&mut m, "height", &o.height);
                put(&mut m, "filesize", &o.filesize);
                for (k, v) in &o.extra {
                    m.entry(k.clone())
                        .or_insert_with(|| Value::String(v.clone()));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

fn feed_meta(f: &FeedMeta) -> Value {
    let mut m = Map::new();
    put(&mut m, "title", &f.title);
    put(&mut m, "title_type", &f.title_type);
    put(&mut m, "subtitle", &f.subtitle);
    put(&mut m, "subtitle_type", &f.subtitle_type);
    put(&mut m, "rights", &f.rights);
    put(&mut m, "rights_type", &f.rights_type);
    put(&mut m, "link", &f.link);
    m.insert("links".into(), links(&f.links));
    put(&mut m, "id", &f.id);
    put(&mut m, "updated", &f.updated);
    put(&mut m, "published", &f.published);
    put(&mut m, "author", &f.author);
    m.insert("authors".into(), authors(&f.authors));
    m.insert("categories".into(), categories(&f.categories));
    put(&mut m, "image", &f.image);
    put(&mut m, "icon", &f.icon);
    put(&mut m, "language", &f.language);
    put(&mut m, "generator", &f.generator);
    Value::Object(m)
}

fn entry(e: &Entry) -> Value {
    let mut m = Map::new();
    put(&mut m, "id", &e.id);
    put(&mut m, "title", &e.title);
    put(&mut m, "title_type", &e.title_type);
    put(&mut m, "subtitle", &e.subtitle);
    put(&mut m, "link", &e.link);
    m.insert("links".into(), links(&e.links));
    put(&mut m, "published", &e.published);
    put(&mut m, "updated", &e.updated);
    put(&mut m, "author", &e.author);
    m.insert("authors".into(), authors(&e.authors));
    put(&mut m, "summary", &e.summary);
    put(&mut m, "summary_type", &e.summary_type);
    m.insert("content".into(), contents(&e.content));
    put(&mut m, "rights", &e.rights);
    put(&mut m, "rights_type", &e.rights_type);
    m.insert("categories".into(), categories(&e.categories));
    m.insert("enclosures".into(), enclosures(&e.enclosures));
    m.insert("media_content".into(), media(&e.media_content));
    m.insert("media_thumbnail".into(), media(&e.media_thumbnail));
    put(&mut m, "comments", &e.comments);
    Value::Object(m)
}

impl ParsedFeed {
    /// The neutral JSON model of `feeds-dev/README.md`: top-level `version`, `encoding`,
    /// `bozo` (and `bozo_exception` when set), `feed{…}` and `entries[…]`, with feedparser's
    /// field names. Absent values are omitted.
    pub fn to_neutral_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("version".into(), Value::String(self.version.clone()));
        m.insert("encoding".into(), Value::String(self.encoding.clone()));
        m.insert("bozo".into(), Value::Bool(self.bozo));
        put(&mut m, "bozo_exception", &self.bozo_reason);
        m.insert("feed".into(), feed_meta(&self.feed));
        m.insert(
            "entries".into(),
            Value::Array(self.entries.iter().map(entry).collect()),
        );
        Value::Object(m)
    }
}
