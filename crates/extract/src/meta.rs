//! Metadata: JSON-LD, Open Graph / `article:*`, Twitter and Dublin Core meta tags,
//! microdata `itemprop`, `<time>`, `<link rel=canonical>`, `<html lang>`, and the URL.
//!
//! Trust order for each field follows the issue: structured data (JSON-LD) first, then
//! Open Graph / `article:*`, then `<time>` and generic meta tags, then the URL, then the
//! visible page.

use crate::dom::{collapse_ws, tag, Attr, Dom};
use serde_json::Value;

/// Article-like schema.org types whose JSON-LD describes the page's article.
const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicnewsarticle",
    "satiricalarticle",
    "techarticle",
    "scholarlyarticle",
    "liveblogposting",
    "report",
    "socialmediaposting",
    "posting",
    "review",
    "recipe",
    "howto",
];

/// Raw metadata gathered from the document.
#[derive(Default, Debug)]
pub struct Meta {
    pub ld: LdArticle,
    /// (key, content) from `<meta name|property|itemprop>`, keys lowercased.
    pub metas: Vec<(String, String)>,
    pub title_tag: Option<String>,
    pub h1: Vec<String>,
    pub canonical: Option<String>,
    pub html_lang: Option<String>,
    pub time_datetimes: Vec<String>,
    /// Text of elements whose itemprop/class/rel say "author".
    pub author_nodes: Vec<String>,
    /// `itemprop=datePublished` on non-meta elements (`<time itemprop=datePublished>`).
    pub itemprop_published: Option<String>,
}

/// Fields of the page's article-like JSON-LD object(s).
#[derive(Default, Debug, Clone)]
pub struct LdArticle {
    pub headline: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub image: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub publisher: Option<String>,
    pub description: Option<String>,
    pub body: Option<String>,
    pub lang: Option<String>,
    pub url: Option<String>,
    /// From a `WebSite`/`Organization` node, when no publisher is named.
    pub site_name: Option<String>,
}

impl Meta {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.metas
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.metas
            .iter()
            .filter(move |(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn first_of(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.get(k))
    }
}

pub fn gather(dom: &Dom) -> Meta {
    let mut m = Meta::default();
    let n = dom.nodes.len();
    let mut ld_texts = Vec::new();
    for i in 0..n as u32 {
        let t = dom.tag(i);
        match t {
            tag::META => {
                let key = dom
                    .attr(i, Attr::Property)
                    .or_else(|| dom.attr(i, Attr::Name))
                    .or_else(|| dom.attr(i, Attr::Itemprop))
                    .or_else(|| dom.attr(i, Attr::HttpEquiv));
                if let (Some(k), Some(v)) = (key, dom.attr(i, Attr::Content)) {
                    if m.metas.len() < 512 {
                        m.metas
                            .push((k.trim().to_ascii_lowercase(), collapse_ws(v)));
                    }
                }
            }
            tag::TITLE if m.title_tag.is_none() => {
                // Only the document title, not an SVG <title>.
                let in_svg = {
                    let mut p = dom.nodes[i as usize].parent;
                    let mut found = false;
                    while p != crate::dom::NONE {
                        if dom.tag(p) == tag::SVG {
                            found = true;
                            break;
                        }
                        p = dom.nodes[p as usize].parent;
                    }
                    found
                };
                if !in_svg {
                    let s = dom.inner_text(i, 2000);
                    if !s.is_empty() {
                        m.title_tag = Some(s);
                    }
                }
            }
            tag::H1 if m.h1.len() < 8 => {
                let s = dom.inner_text(i, 2000);
                if !s.is_empty() {
                    m.h1.push(s);
                }
            }
            tag::LINK => {
                if let Some(rel) = dom.attr(i, Attr::Rel) {
                    if rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                        && m.canonical.is_none()
                    {
                        m.canonical = dom.attr(i, Attr::Href).map(|s| s.trim().to_string());
                    }
                }
            }
            tag::HTML if m.html_lang.is_none() => {
                m.html_lang = dom.attr(i, Attr::Lang).map(|s| s.trim().to_string());
            }
            tag::SCRIPT => {
                let b = dom.inner_text_raw(i, 2_000_000);
                if !b.trim().is_empty() && ld_texts.len() < 32 {
                    ld_texts.push(b);
                }
            }
            tag::TIME if m.time_datetimes.len() < 16 => {
                if let Some(d) = dom.attr(i, Attr::Datetime) {
                    m.time_datetimes.push(d.trim().to_string());
                }
            }
            _ => {}
        }
        if t != tag::TEXT && t != tag::META {
            if let Some(ip) = dom.attr(i, Attr::Itemprop) {
                let ip = ip.to_ascii_lowercase();
                if ip.contains("datepublished") && m.itemprop_published.is_none() {
                    m.itemprop_published = dom
                        .attr(i, Attr::Datetime)
                        .or_else(|| dom.attr(i, Attr::Content))
                        .map(str::to_string)
                        .or_else(|| Some(dom.inner_text(i, 200)));
                }
                if ip == "author" && m.author_nodes.len() < 8 {
                    let name_child = dom.children(i).find(|&c| {
                        dom.attr(c, Attr::Itemprop)
                            .is_some_and(|v| v.eq_ignore_ascii_case("name"))
                    });
                    let s = match name_child {
                        Some(c) => dom
                            .attr(c, Attr::Content)
                            .map(collapse_ws)
                            .unwrap_or_else(|| dom.inner_text(c, 200)),
                        None => dom.inner_text(i, 200),
                    };
                    if !s.is_empty() {
                        m.author_nodes.push(s);
                    }
                }
            }
            if t == tag::A && m.author_nodes.len() < 8 {
                if let Some(rel) = dom.attr(i, Attr::Rel) {
                    if rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("author"))
                    {
                        let s = dom.inner_text(i, 200);
                        if !s.is_empty() {
                            m.author_nodes.push(s);
                        }
                    }
                }
            }
        }
    }
    let values: Vec<Value> = ld_texts.iter().filter_map(|t| parse_ld(t)).collect();
    let mut objs = Vec::new();
    for v in &values {
        flatten(v, &mut objs, 0);
    }
    m.ld = ld_article(&objs);
    m
}

impl Dom {
    /// Concatenated raw text below `node` (no whitespace collapsing), bounded.
    pub fn inner_text_raw(&self, node: u32, limit: usize) -> String {
        let mut out = Vec::new();
        let end = self.subtree_end(node);
        for i in node as usize..end {
            if self.nodes[i].tag == tag::TEXT {
                out.extend_from_slice(self.text_of(i as u32));
                if out.len() > limit {
                    break;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Parse one JSON-LD script, tolerating CDATA wrappers, HTML comments and trailing junk.
pub fn parse_ld(text: &str) -> Option<Value> {
    let mut t = text.trim();
    for (a, b) in [
        ("<![CDATA[", "]]>"),
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
    ] {
        if let Some(r) = t.strip_prefix(a) {
            t = r.strip_suffix(b).unwrap_or(r).trim();
        }
    }
    if let Ok(v) = serde_json::from_str(t) {
        return Some(v);
    }
    // Raw control characters (literal newlines inside strings) are common; escape them.
    let cleaned: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if let Ok(v) = serde_json::from_str(&cleaned) {
        return Some(v);
    }
    // Trailing semicolons or a second object: take the first complete value.
    let mut de = serde_json::Deserializer::from_str(&cleaned).into_iter::<Value>();
    de.next().and_then(Result::ok)
}

/// Collect every object of a JSON-LD document: top-level arrays, `@graph`, and `mainEntity`.
pub fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 6 || out.len() > 256 {
        return;
    }
    match v {
        Value::Array(a) => {
            for x in a {
                flatten(x, out, depth + 1);
            }
        }
        Value::Object(o) => {
            out.push(v);
            if let Some(g) = o.get("@graph") {
                flatten(g, out, depth + 1);
            }
            for k in ["mainEntity", "mainEntityOfPage", "itemListElement"] {
                if let Some(x) = o.get(k) {
                    if x.is_object() || x.is_array() {
                        flatten(x, out, depth + 1);
                    }
                }
            }
        }
        _ => {}
    }
}

fn types_of(v: &Value) -> Vec<String> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_article(v: &Value) -> bool {
    types_of(v).iter().any(|t| {
        ARTICLE_TYPES.contains(
            &t.trim_start_matches("schema:")
                .trim_start_matches("http://schema.org/")
                .trim_start_matches("https://schema.org/"),
        )
    })
}

/// A string value, or the `name`/`@value`/`url` of an object, or the first of an array.
pub fn as_text(v: &Value, keys: &[&str]) -> Option<String> {
    match v {
        Value::String(s) => {
            let s = collapse_ws(&decode_entities(s));
            (!s.is_empty()).then_some(s)
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Array(a) => a.iter().find_map(|x| as_text(x, keys)),
        Value::Object(o) => keys
            .iter()
            .find_map(|k| o.get(*k).and_then(|x| as_text(x, &[]))),
        _ => None,
    }
}

fn all_texts(v: &Value, keys: &[&str], out: &mut Vec<String>) {
    match v {
        Value::Array(a) => {
            for x in a.iter().take(32) {
                all_texts(x, keys, out);
            }
        }
        other => {
            if let Some(s) = as_text(other, keys) {
                out.push(s);
            }
        }
    }
}

/// JSON strings sometimes carry HTML entities (`&amp;`, `&#8217;`); decode the common ones.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        // Byte search: a ';' found this way is always a char boundary.
        let end = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|&b| b == b';');
        let Some(e) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..e];
        let rep = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            "ndash" => Some('\u{2013}'),
            "mdash" => Some('\u{2014}'),
            "lsquo" => Some('\u{2018}'),
            "rsquo" => Some('\u{2019}'),
            "ldquo" => Some('\u{201c}'),
            "rdquo" => Some('\u{201d}'),
            "hellip" => Some('\u{2026}'),
            "copy" => Some('\u{a9}'),
            "reg" => Some('\u{ae}'),
            "trade" => Some('\u{2122}'),
            "eacute" => Some('\u{e9}'),
            "egrave" => Some('\u{e8}'),
            "aacute" => Some('\u{e1}'),
            "agrave" => Some('\u{e0}'),
            "oacute" => Some('\u{f3}'),
            "uacute" => Some('\u{fa}'),
            "iacute" => Some('\u{ed}'),
            "ntilde" => Some('\u{f1}'),
            "ccedil" => Some('\u{e7}'),
            "uuml" => Some('\u{fc}'),
            "ouml" => Some('\u{f6}'),
            "auml" => Some('\u{e4}'),
            "szlig" => Some('\u{df}'),
            "laquo" => Some('\u{ab}'),
            "raquo" => Some('\u{bb}'),
            "bull" => Some('\u{2022}'),
            "middot" => Some('\u{b7}'),
            "deg" => Some('\u{b0}'),
            "euro" => Some('\u{20ac}'),
            "pound" => Some('\u{a3}'),
            "times" => Some('\u{d7}'),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse::<u32>().ok().and_then(char::from_u32),
            _ => None,
        };
        match rep {
            Some(c) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An image value: a URL string, an `ImageObject`, an array of either, or an `{"@id": …}`
/// reference to an `ImageObject` elsewhere in the graph (Yoast's `#primaryimage`), which
/// is resolved rather than mistaken for the image URL.
fn image_url(v: &Value, objs: &[&Value]) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(|x| image_url(x, objs)),
        Value::Object(o) => {
            if let Some(u) = ["url", "contentUrl"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|x| as_text(x, &[])))
            {
                return Some(u);
            }
            let id = o.get("@id")?.as_str()?;
            objs.iter()
                .filter(|x| x.get("@id").and_then(Value::as_str) == Some(id))
                .find_map(|x| {
                    ["url", "contentUrl"]
                        .iter()
                        .find_map(|k| x.get(*k).and_then(|y| as_text(y, &[])))
                })
        }
        other => as_text(other, &[]),
    }
}

fn ld_article(objs: &[&Value]) -> LdArticle {
    let mut a = LdArticle::default();
    for o in objs {
        let types = types_of(o);
        if a.site_name.is_none()
            && types
                .iter()
                .any(|t| t == "website" || t == "organization" || t == "newsmediaorganization")
        {
            a.site_name = o.get("name").and_then(|v| as_text(v, &[]));
        }
    }
    // Prefer the article object with the longest body (pages embed teasers of others too).
    let mut arts: Vec<&&Value> = objs.iter().filter(|o| is_article(o)).collect();
    arts.sort_by_key(|o| {
        std::cmp::Reverse(
            o.get("articleBody")
                .and_then(Value::as_str)
                .map_or(0, str::len),
        )
    });
    let Some(o) = arts.first() else {
        return a;
    };
    a.headline = o
        .get("headline")
        .or_else(|| o.get("name"))
        .and_then(|v| as_text(v, &[]));
    if let Some(v) = o.get("author").or_else(|| o.get("creator")) {
        let mut names = Vec::new();
        all_texts(v, &["name"], &mut names);
        a.authors = names;
    }
    a.published = o
        .get("datePublished")
        .or_else(|| o.get("dateCreated"))
        .and_then(|v| as_text(v, &["@value"]));
    a.modified = o.get("dateModified").and_then(|v| as_text(v, &["@value"]));
    a.image = o
        .get("image")
        .or_else(|| o.get("thumbnailUrl"))
        .and_then(|v| image_url(v, objs));
    a.section = o.get("articleSection").and_then(|v| as_text(v, &["name"]));
    if let Some(k) = o.get("keywords") {
        match k {
            Value::String(s) => {
                a.tags = s
                    .split(',')
                    .map(collapse_ws)
                    .filter(|s| !s.is_empty())
                    .collect()
            }
            other => all_texts(other, &["name"], &mut a.tags),
        }
    }
    a.publisher = o.get("publisher").and_then(|v| as_text(v, &["name"]));
    a.description = o.get("description").and_then(|v| as_text(v, &[]));
    a.body = o
        .get("articleBody")
        .and_then(Value::as_str)
        .map(decode_entities);
    a.lang = o
        .get("inLanguage")
        .and_then(|v| as_text(v, &["alternateName", "name"]));
    a.url = o.get("url").and_then(|v| as_text(v, &["@id"]));
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(json: &str) -> LdArticle {
        let v = parse_ld(json).unwrap();
        let mut objs = Vec::new();
        flatten(&v, &mut objs, 0);
        ld_article(&objs)
    }

    #[test]
    fn jsonld_graph() {
        let a = ld(r#"{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Daily Planet"},
            {"@type":["NewsArticle"],"headline":"Big news &amp; more","author":[{"@type":"Person","name":"Lois Lane"},{"name":"Clark Kent"}],
             "datePublished":"2025-11-25T10:00:00+01:00","image":{"@type":"ImageObject","url":"https://x.com/a.jpg"},
             "keywords":"a, b ,c","articleSection":["World"]}]}"#);
        assert_eq!(a.headline.as_deref(), Some("Big news & more"));
        assert_eq!(a.authors, vec!["Lois Lane", "Clark Kent"]);
        assert_eq!(a.image.as_deref(), Some("https://x.com/a.jpg"));
        assert_eq!(a.tags, vec!["a", "b", "c"]);
        assert_eq!(a.section.as_deref(), Some("World"));
        assert_eq!(a.site_name.as_deref(), Some("Daily Planet"));
    }

    #[test]
    fn jsonld_image_reference() {
        let a = ld(
            r#"{"@graph":[{"@type":"Article","image":{"@id":"https://x.com/p#primaryimage"}},
            {"@type":"ImageObject","@id":"https://x.com/p#primaryimage","url":"https://x.com/a.jpg"}]}"#,
        );
        assert_eq!(a.image.as_deref(), Some("https://x.com/a.jpg"));
    }

    #[test]
    fn jsonld_array_and_junk() {
        let a = ld("<!--\n[{\"@type\":\"BreadcrumbList\"},{\"@type\":\"BlogPosting\",\"author\":\"Jane\",\"articleBody\":\"line\nbreak\"}]\n-->");
        assert_eq!(a.authors, vec!["Jane"]);
        assert_eq!(a.body.as_deref(), Some("line break"));
    }

    #[test]
    fn entities_near_multibyte_text() {
        assert_eq!(
            decode_entities("&A Experts.\u{201d} x"),
            "&A Experts.\u{201d} x"
        );
        assert_eq!(decode_entities("&日本語日本語&amp;"), "&日本語日本語&");
        assert_eq!(decode_entities("&"), "&");
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a &amp; b &#8217; &#x41; &bogus; &"),
            "a & b \u{2019} A &bogus; &"
        );
    }
}
