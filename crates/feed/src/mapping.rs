//! Maps the lenient XML tree of an RSS / RDF / Atom document onto the feed model.
// "First value wins" checks read better inside each arm than as match guards, which would
// let a second element of the same name fall through to the catch-all arm silently.
#![allow(clippy::collapsible_match)]
use crate::date::parse_date;
use crate::html::{looks_like_html, sanitize};
use crate::model::{Author, Category, Content, Enclosure, Entry, FeedMeta, Link, MediaObject};
use crate::urls::{join_base, resolve, resolve_safe};
use crate::xml::{self, inner_xml, Element};
use crate::ParsedFeed;

const ATOM10_NS: &str = "http://www.w3.org/2005/Atom";
const ATOM03_NS: &str = "http://purl.org/atom/ns#";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const RSS090_NS: &str = "http://my.netscape.com/rdf/simple/0.9/";
/// Upper bound on entries kept from one document.
const MAX_ENTRIES: usize = 20_000;

/// Canonical prefix for a namespace URI ("" for the core RSS / Atom namespaces).
fn ns_prefix(uri: &str) -> Option<&'static str> {
    let u = uri.trim().to_ascii_lowercase();
    let u = u.as_str();
    Some(match u {
        "http://backend.userland.com/rss"
        | "http://backend.userland.com/rss2"
        | "http://blogs.law.harvard.edu/tech/rss"
        | "http://purl.org/rss/1.0/"
        | "http://my.netscape.com/rdf/simple/0.9/"
        | "http://example.com/newformat#"
        | "http://example.com/necho"
        | "http://purl.org/echo/"
        | "uri/of/echo/namespace#"
        | "http://purl.org/pie/"
        | "http://purl.org/atom/ns#"
        | "http://www.w3.org/2005/atom"
        | "http://purl.org/net/rss1.1#" => "",
        "http://purl.org/dc/elements/1.1/" => "dc",
        "http://purl.org/dc/terms/" => "dcterms",
        "http://purl.org/rss/1.0/modules/content/" => "content",
        "http://search.yahoo.com/mrss/" | "http://search.yahoo.com/mrss" => "media",
        "http://www.itunes.com/dtds/podcast-1.0.dtd"
        | "http://example.com/dtds/podcast-1.0.dtd" => "itunes",
        "http://www.w3.org/1999/xhtml" => "xhtml",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#" => "rdf",
        "http://rssnamespace.org/feedburner/ext/1.0" => "feedburner",
        "http://web.resource.org/cc/" => "cc",
        "http://backend.userland.com/creativecommonsrssmodule" => "creativecommons",
        _ => return None,
    })
}

/// The canonical, lower-case name used to dispatch on an element.
fn canon(el: &Element) -> String {
    let local = el.local.to_ascii_lowercase();
    match (&el.ns, &el.prefix) {
        (Some(uri), prefix) => match ns_prefix(uri) {
            Some("") => local,
            Some(p) => format!("{p}:{local}"),
            None => match prefix {
                Some(p) => format!("{}:{local}", p.to_ascii_lowercase()),
                None => local,
            },
        },
        (None, Some(p)) => format!("{}:{local}", p.to_ascii_lowercase()),
        (None, None) => local,
    }
}

fn is_atom_ns(el: &Element) -> bool {
    matches!(el.ns.as_deref(), Some(ATOM10_NS) | Some(ATOM03_NS))
}

/// The base URL in force inside `el`.
fn elem_base(el: &Element, parent: Option<&str>) -> Option<String> {
    match el.attr_ns(xml::XML_NS, "base") {
        Some(b) => join_base(parent, b.trim()),
        None => parent.map(str::to_string),
    }
}

struct Ctx {
    version: String,
}

impl Ctx {
    fn is_atom(&self) -> bool {
        self.version.starts_with("atom")
    }
}

/// Parses an XML feed document.
pub fn parse_xml(text: &str, base: Option<&str>) -> ParsedFeed {
    let doc = xml::parse(text);
    let mut feed = ParsedFeed {
        bozo: doc.bozo_reason.is_some(),
        bozo_reason: doc.bozo_reason.clone(),
        ..ParsedFeed::default()
    };
    let Some(root) = doc.root else {
        return feed;
    };
    let root_base = elem_base(&root, base);
    let rb = root_base.as_deref();
    let name = canon(&root);
    let mut ctx = Ctx {
        version: String::new(),
    };
    match name.as_str() {
        "rss" => {
            let v = root.attr("version").unwrap_or("").trim().to_string();
            let netscape = doc
                .doctype
                .as_deref()
                .is_some_and(|d| d.to_ascii_lowercase().contains("netscape"));
            ctx.version = match v.as_str() {
                "" => "rss".into(),
                "0.90" | "0.9" => "rss090".into(),
                "0.91" if netscape => "rss091n".into(),
                "0.91" => "rss091u".into(),
                "0.92" => "rss092".into(),
                "0.93" => "rss093".into(),
                "0.94" => "rss094".into(),
                "1.0" => "rss10".into(),
                v if v.starts_with('2') => "rss20".into(),
                _ => "rss".into(),
            };
            rss_like(&root, rb, &ctx, &mut feed);
        }
        "rdf:rdf" | "rdf" => {
            let is090 = root.elements().any(|e| e.ns.as_deref() == Some(RSS090_NS))
                || root
                    .ns_decls
                    .iter()
                    .any(|(p, u)| p.is_empty() && u == RSS090_NS);
            ctx.version = if is090 {
                "rss090".into()
            } else {
                "rss10".into()
            };
            rss_like(&root, rb, &ctx, &mut feed);
        }
        "channel" => {
            ctx.version = "rss".into();
            let mut wrapper = Element::default();
            wrapper
                .children
                .push(xml::Node::Element(Box::new(root.clone())));
            rss_like(&wrapper, rb, &ctx, &mut feed);
        }
        "feed" => {
            ctx.version = match root.ns.as_deref() {
                Some(ATOM10_NS) => "atom10".into(),
                Some(ATOM03_NS) => "atom03".into(),
                _ => match root.attr("version").map(str::trim) {
                    Some("0.3") => "atom03".into(),
                    Some("1.0") => "atom10".into(),
                    Some(v) if v.starts_with("0.") => format!("atom0{}", &v[2..]),
                    _ => "atom".into(),
                },
            };
            channel(&root, rb, &ctx, &mut feed.feed, &mut feed.entries);
        }
        _ => {
            feed.bozo = true;
            if feed.bozo_reason.is_none() {
                feed.bozo_reason = Some(format!("document element <{}> is not a feed", root.qname));
            }
        }
    }
    feed.version = ctx.version;
    feed
}

fn rss_like(root: &Element, base: Option<&str>, ctx: &Ctx, feed: &mut ParsedFeed) {
    let mut saw_channel = false;
    for child in root.elements() {
        let cb = elem_base(child, base);
        match canon(child).as_str() {
            "channel" if !saw_channel => {
                saw_channel = true;
                channel(child, cb.as_deref(), ctx, &mut feed.feed, &mut feed.entries);
            }
            "item" | "entry" => {
                if feed.entries.len() < MAX_ENTRIES {
                    feed.entries.push(entry(child, cb.as_deref(), ctx));
                }
            }
            _ => {}
        }
    }
}

/// A text construct's value and media type.
struct Text {
    value: String,
    ty: String,
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Reads a text construct (title, subtitle, summary, content, rights).
fn text_construct(el: &Element, base: Option<&str>, ctx: &Ctx, default_type: &str) -> Text {
    let atom = is_atom_ns(el) || ctx.is_atom();
    let type_attr = el.attr("type").map(|t| t.trim().to_ascii_lowercase());
    let mode = el.attr("mode").map(|m| m.trim().to_ascii_lowercase());
    let mut ty = if atom {
        match type_attr.as_deref() {
            None | Some("") | Some("text") => "text/plain".to_string(),
            Some("html") => "text/html".to_string(),
            Some("xhtml") => "application/xhtml+xml".to_string(),
            Some(t) => t.to_string(),
        }
    } else {
        default_type.to_string()
    };
    let is_atom10 = el.ns.as_deref() == Some(ATOM10_NS) || ctx.version == "atom10";
    let binary_mime = atom && !ty.starts_with("text/") && !ty.contains("xml") && ty.contains('/');
    let htmlish = |t: &str| t.contains("html") || t.contains("xml");
    let mut from_markup = false;
    let mut value = if mode.as_deref() == Some("base64") || (is_atom10 && binary_mime) {
        let t = el.text();
        match base64_decode(t.trim()) {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => t,
        }
    } else if el.has_element_children() && mode.as_deref() != Some("escaped") {
        let mut src = el;
        if is_atom10 && ty == "application/xhtml+xml" {
            let kids: Vec<&Element> = el.elements().collect();
            if kids.len() == 1
                && kids[0].local.eq_ignore_ascii_case("div")
                && kids[0].ns.as_deref() == Some(XHTML_NS)
            {
                src = kids[0];
            }
        }
        from_markup = true;
        let src_base = elem_base(src, base);
        inner_xml(src, src_base.as_deref())
    } else {
        el.text()
    };
    value = value.trim().to_string();
    if from_markup && !htmlish(&ty) {
        // Markup inside a construct declared as something else: treat it as HTML, so it is
        // sanitised rather than passed through.
        ty = "text/html".into();
    }
    if !atom && ty == "text/plain" && looks_like_html(&value) {
        ty = "text/html".into();
    }
    if !htmlish(&ty) && crate::html::has_dangerous_markup(&value) {
        // Text that carries script-capable markup is treated as HTML and sanitised, so a
        // consumer that mistakes the field for HTML is still safe.
        ty = "text/html".into();
    }
    if htmlish(&ty) {
        value = sanitize(&value, base).trim().to_string();
    }
    Text { value, ty }
}

fn set_text(slot: &mut Option<String>, ty_slot: &mut Option<String>, t: Text) {
    if slot.is_none() {
        *slot = Some(t.value);
        *ty_slot = Some(t.ty);
    }
}

fn plain(el: &Element) -> Option<String> {
    let t = el.text();
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Parses "name (email)", "email (name)", "name <email>" or a bare address.
fn person_from_string(s: &str) -> Author {
    let s = s.trim();
    let mut email = None;
    let mut rest = s.to_string();
    if let Some(tok) = s
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '<' || c == '>')
        .find(|t| t.contains('@') && t.len() > 2)
    {
        let e = tok
            .trim_start_matches("mailto:")
            .trim_matches(|c| c == '"' || c == '\'');
        email = Some(e.to_string());
        rest = s.replacen(tok, "", 1);
    }
    let name: String = rest
        .replace("()", "")
        .replace("<>", "")
        .trim()
        .trim_matches(|c| c == '(' || c == ')' || c == '<' || c == '>')
        .trim()
        .to_string();
    Author {
        name: (!name.is_empty()).then_some(name),
        email,
        uri: None,
    }
}

fn atom_person(el: &Element, base: Option<&str>) -> Author {
    let mut a = Author::default();
    for c in el.elements() {
        match canon(c).as_str() {
            "name" => a.name = plain(c),
            "email" => a.email = plain(c),
            "uri" | "url" => {
                if let Some(u) = plain(c) {
                    let cb = elem_base(c, base);
                    a.uri = Some(resolve_safe(cb.as_deref(), &u));
                }
            }
            _ => {}
        }
    }
    if a.name.is_none() && a.email.is_none() && a.uri.is_none() {
        if let Some(t) = plain(el) {
            return person_from_string(&t);
        }
    }
    a
}

/// A person element, plus the raw string when it was a plain-text one (RSS keeps the
/// publisher's own spelling, e.g. "me@example.com (Me)", as the display string).
fn person(el: &Element, base: Option<&str>) -> Option<(Author, Option<String>)> {
    let (a, raw) = if el.has_element_children() {
        (atom_person(el, base), None)
    } else {
        let raw = plain(el)?;
        (person_from_string(&raw), Some(raw))
    };
    (a.name.is_some() || a.email.is_some() || a.uri.is_some()).then_some((a, raw))
}

fn add_category(list: &mut Vec<Category>, term: &str, scheme: Option<&str>, label: Option<&str>) {
    let term = term.trim();
    if term.is_empty() && label.is_none_or(|l| l.trim().is_empty()) {
        return;
    }
    let c = Category {
        term: term.to_string(),
        scheme: scheme
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        label: label
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    };
    if !list.contains(&c) {
        list.push(c);
    }
}

fn categories_from(el: &Element, name: &str, list: &mut Vec<Category>) {
    match name {
        "category" => {
            if let Some(term) = el.attr("term") {
                add_category(list, term, el.attr("scheme"), el.attr("label"));
            } else if let Some(t) = plain(el) {
                add_category(list, &t, el.attr("domain"), None);
            }
        }
        "dc:subject" => {
            if let Some(t) = plain(el) {
                add_category(list, &t, None, None);
            }
        }
        "itunes:category" => {
            if let Some(t) = el.attr("text") {
                add_category(list, t, Some("http://www.itunes.com/"), None);
            }
            for c in el.elements() {
                if canon(c) == "itunes:category" {
                    categories_from(c, "itunes:category", list);
                }
            }
        }
        "itunes:keywords" => {
            if let Some(t) = plain(el) {
                for term in t.split(',') {
                    add_category(list, term, Some("http://www.itunes.com/"), None);
                }
            }
        }
        "media:category" => {
            if let Some(t) = plain(el) {
                add_category(
                    list,
                    &t,
                    Some(
                        el.attr("scheme")
                            .unwrap_or("http://search.yahoo.com/mrss/category_schema"),
                    ),
                    el.attr("label"),
                );
            }
        }
        "tags" | "media:keywords" => {
            if let Some(t) = plain(el) {
                for term in t.split(',') {
                    add_category(list, term, None, None);
                }
            }
        }
        _ => {}
    }
}

fn atom_link(el: &Element, base: Option<&str>) -> Link {
    let text = el.text();
    let href = el
        .attr("href")
        .or_else(|| el.attr("url"))
        .or_else(|| el.attr_ns("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "resource"))
        .unwrap_or(text.trim());
    let rel = el
        .attr("rel")
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "alternate".into());
    // feedparser's defaults: a self link is a feed, anything else a web page.
    let ty = el
        .attr("type")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .or_else(|| {
            Some(
                if rel == "self" {
                    "application/atom+xml"
                } else {
                    "text/html"
                }
                .to_string(),
            )
        });
    Link {
        href: resolve_safe(base, href),
        rel,
        r#type: ty,
        title: el.attr("title").map(str::to_string),
        length: el.attr("length").map(|l| l.trim().to_string()),
        hreflang: el.attr("hreflang").map(|l| l.trim().to_string()),
    }
}

fn pick_link(links: &[Link]) -> Option<String> {
    let html = |l: &&Link| {
        l.rel == "alternate"
            && l.r#type
                .as_deref()
                .is_none_or(|t| t == "text/html" || t == "application/xhtml+xml")
    };
    links
        .iter()
        .find(html)
        .or_else(|| links.iter().find(|l| l.rel == "alternate"))
        .map(|l| l.href.clone())
}

fn media_object(el: &Element, base: Option<&str>) -> Option<MediaObject> {
    let url = el.attr("url")?;
    Some(MediaObject {
        url: resolve_safe(base, url),
        r#type: el.attr("type").map(str::to_string),
        medium: el.attr("medium").map(str::to_string),
        width: el.attr("width").map(str::to_string),
        height: el.attr("height").map(str::to_string),
        filesize: el.attr("fileSize").map(str::to_string),
        extra: el
            .attrs
            .iter()
            .filter(|a| {
                !a.qname.contains(':')
                    && ![
                        "url", "type", "medium", "width", "height", "filesize", "xmlns",
                    ]
                    .contains(&a.local.to_ascii_lowercase().as_str())
            })
            .take(32)
            .map(|a| (a.local.to_ascii_lowercase(), a.value.clone()))
            .collect(),
    })
}

fn set_date(slot: &mut Option<String>, el: &Element) {
    if slot.is_none() {
        if let Some(t) = plain(el) {
            *slot = parse_date(&t);
        }
    }
}

/// Channel / Atom feed level. Entries found inside are appended to `entries`.
fn channel(
    ch: &Element,
    base: Option<&str>,
    ctx: &Ctx,
    f: &mut FeedMeta,
    entries: &mut Vec<Entry>,
) {
    let mut rss_link: Option<Link> = None;
    let mut first_raw_author: Option<String> = None;
    for c in ch.elements() {
        let cb_owned = elem_base(c, base);
        let cb = cb_owned.as_deref();
        let name = canon(c);
        match name.as_str() {
            "title" | "dc:title" => {
                let t = text_construct(c, cb, ctx, "text/plain");
                set_text(&mut f.title, &mut f.title_type, t);
            }
            "description" | "subtitle" | "tagline" | "itunes:subtitle" | "dc:description" => {
                let t = text_construct(c, cb, ctx, "text/html");
                set_text(&mut f.subtitle, &mut f.subtitle_type, t);
            }
            "copyright" | "rights" | "dc:rights" => {
                let t = text_construct(c, cb, ctx, "text/plain");
                set_text(&mut f.rights, &mut f.rights_type, t);
            }
            "link" => {
                if c.attr("href").is_some() || ctx.is_atom() {
                    f.links.push(atom_link(c, cb));
                } else if let Some(t) = plain(c) {
                    if rss_link.is_none() {
                        rss_link = Some(Link {
                            href: resolve_safe(cb, &t),
                            rel: "alternate".into(),
                            r#type: Some("text/html".into()),
                            ..Link::default()
                        });
                    }
                }
            }
            "id" => {
                if f.id.is_none() {
                    f.id = plain(c).map(|t| resolve(cb, &t));
                }
            }
            "lastbuilddate" | "updated" | "modified" | "dc:date" | "dcterms:modified" => {
                set_date(&mut f.updated, c)
            }
            "pubdate" | "published" | "issued" | "dcterms:issued" | "dcterms:created" => {
                set_date(&mut f.published, c)
            }
            "managingeditor" | "author" | "dc:creator" | "dc:author" | "itunes:author" => {
                if let Some((a, raw)) = person(c, cb) {
                    if f.authors.is_empty() {
                        first_raw_author = raw;
                    }
                    f.authors.push(a);
                }
            }
            "category" | "dc:subject" | "itunes:category" | "itunes:keywords"
            | "media:category" => categories_from(c, &name, &mut f.categories),
            "image" | "logo" => {
                if f.image.is_none() {
                    let url = c
                        .elements()
                        .find(|e| canon(e) == "url")
                        .and_then(plain)
                        .or_else(|| {
                            if c.has_element_children() {
                                None
                            } else {
                                plain(c)
                            }
                        })
                        .or_else(|| {
                            c.attr_ns("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "resource")
                                .map(str::to_string)
                        });
                    f.image = url.map(|u| resolve_safe(cb, &u));
                }
            }
            "itunes:image" => {
                if f.image.is_none() {
                    f.image = c.attr("href").map(|u| resolve_safe(cb, u));
                }
            }
            "icon" => {
                if f.icon.is_none() {
                    f.icon = plain(c).map(|u| resolve_safe(cb, &u));
                }
            }
            "language" | "dc:language" => {
                if f.language.is_none() {
                    f.language = plain(c);
                }
            }
            "generator" => {
                if f.generator.is_none() {
                    f.generator = plain(c);
                }
            }
            "item" | "entry" => {
                if entries.len() < MAX_ENTRIES {
                    entries.push(entry(c, cb, ctx));
                }
            }
            _ => {}
        }
    }
    if let Some(l) = rss_link {
        f.links.insert(0, l);
    }
    f.links.retain(|l| !l.href.is_empty());
    f.image = f.image.take().filter(|u| !u.is_empty());
    f.icon = f.icon.take().filter(|u| !u.is_empty());
    for a in &mut f.authors {
        a.uri = a.uri.take().filter(|u| !u.is_empty());
    }
    f.link = pick_link(&f.links);
    f.author = first_raw_author.or_else(|| f.authors.first().and_then(Author::display));
}

fn entry(it: &Element, base: Option<&str>, ctx: &Ctx) -> Entry {
    let mut e = Entry {
        // RSS 1.0 items carry their identity in rdf:about; a guid / id child overrides it.
        id: it
            .attr_ns("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "about")
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty()),
        ..Entry::default()
    };
    let mut id_from_child = false;
    let mut first_raw_author: Option<String> = None;
    let mut media_description: Option<Text> = None;
    let mut has_rss_link = false;
    let mut guid_link: Option<String> = None;
    let mut media_title: Option<Text> = None;
    let mut summary_set = false;
    let mut children: Vec<&Element> = it.elements().collect();
    // Media RSS groups: treat their children as the item's own.
    let mut k = 0;
    while k < children.len() && children.len() < 10_000 {
        if canon(children[k]) == "media:group" {
            let g = children.remove(k);
            for (j, gc) in g.elements().enumerate() {
                children.insert(k + j, gc);
            }
        } else {
            k += 1;
        }
    }
    for c in children {
        let cb_owned = elem_base(c, base);
        let cb = cb_owned.as_deref();
        let name = canon(c);
        match name.as_str() {
            "title" | "dc:title" => {
                let t = text_construct(c, cb, ctx, "text/plain");
                set_text(&mut e.title, &mut e.title_type, t);
            }
            "media:title" => {
                if media_title.is_none() {
                    media_title = Some(text_construct(c, cb, ctx, "text/plain"));
                }
            }
            "media:description" => {
                if media_description.is_none() {
                    media_description = Some(text_construct(c, cb, ctx, "text/plain"));
                }
            }
            "itunes:subtitle" => {
                if e.subtitle.is_none() {
                    e.subtitle = Some(text_construct(c, cb, ctx, "text/plain").value);
                }
            }
            "description" | "summary" | "abstract" => {
                // RSS descriptions are HTML by definition; other summaries are text unless
                // they look like HTML (feedparser's defaults).
                let default = if name == "description" {
                    "text/html"
                } else {
                    "text/plain"
                };
                let t = text_construct(c, cb, ctx, default);
                if !summary_set {
                    summary_set = true;
                    e.summary = Some(t.value);
                    e.summary_type = Some(t.ty);
                } else {
                    e.content.push(Content {
                        value: t.value,
                        r#type: t.ty,
                    });
                }
            }
            "itunes:summary" | "dc:description" => {
                if !summary_set {
                    summary_set = true;
                    let default = if name == "dc:description" {
                        "text/html"
                    } else {
                        "text/plain"
                    };
                    let t = text_construct(c, cb, ctx, default);
                    e.summary = Some(t.value);
                    e.summary_type = Some(t.ty);
                }
            }
            "content" | "content:encoded" | "fullitem" | "xhtml:body" | "body" => {
                let default = match name.as_str() {
                    "xhtml:body" | "body" => "application/xhtml+xml",
                    _ => "text/html",
                };
                let t = if name == "xhtml:body" || name == "body" {
                    let mut v = inner_xml(c, cb);
                    v = sanitize(v.trim(), cb);
                    Text {
                        value: v,
                        ty: default.into(),
                    }
                } else {
                    text_construct(c, cb, ctx, default)
                };
                e.content.push(Content {
                    value: t.value,
                    r#type: t.ty,
                });
            }
            "copyright" | "rights" | "dc:rights" => {
                let t = text_construct(c, cb, ctx, "text/plain");
                set_text(&mut e.rights, &mut e.rights_type, t);
            }
            "link" => {
                if c.attr("href").is_some()
                    || ctx.is_atom()
                    || is_atom_ns(c) && c.attr("rel").is_some()
                {
                    let l = atom_link(c, cb);
                    if l.rel == "enclosure" {
                        e.enclosures.push(Enclosure {
                            href: l.href.clone(),
                            r#type: l.r#type.clone(),
                            length: l.length.clone(),
                        });
                    }
                    e.links.push(l);
                } else if let Some(t) = plain(c) {
                    if !has_rss_link {
                        has_rss_link = true;
                        e.links.push(Link {
                            href: resolve_safe(cb, &t),
                            rel: "alternate".into(),
                            r#type: Some("text/html".into()),
                            ..Link::default()
                        });
                    }
                }
            }
            "feedburner:origlink" => {}
            "cc:license" | "creativecommons:license" => {
                let href = c
                    .attr_ns("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "resource")
                    .map(str::to_string)
                    .or_else(|| plain(c));
                if let Some(h) = href {
                    e.links.push(Link {
                        href: resolve_safe(cb, &h),
                        rel: "license".into(),
                        ..Link::default()
                    });
                }
            }
            "guid" | "id" => {
                if !id_from_child {
                    id_from_child = true;
                    if let Some(t) = plain(c) {
                        let is_atom = name == "id";
                        e.id = Some(if is_atom { resolve(cb, &t) } else { t.clone() });
                        let permalink = c
                            .attr("isPermaLink")
                            .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                        if !is_atom && permalink && crate::urls::has_scheme(&t) {
                            guid_link = Some(resolve_safe(None, &t)).filter(|g| !g.is_empty());
                        }
                    }
                }
            }
            "pubdate" | "published" | "issued" | "dcterms:issued" | "dcterms:created" => {
                set_date(&mut e.published, c)
            }
            "updated" | "modified" | "dc:date" | "dcterms:modified" | "lastbuilddate" => {
                set_date(&mut e.updated, c)
            }
            "author" | "dc:creator" | "dc:author" | "itunes:author" => {
                if let Some((a, raw)) = person(c, cb) {
                    if e.authors.is_empty() {
                        first_raw_author = raw;
                    }
                    if !e.authors.contains(&a) {
                        e.authors.push(a);
                    }
                }
            }
            "category" | "dc:subject" | "itunes:category" | "itunes:keywords"
            | "media:category" | "tags" | "media:keywords" => {
                categories_from(c, &name, &mut e.categories)
            }
            "enclosure" => {
                if let Some(u) = c.attr("url").or_else(|| c.attr("href")) {
                    let href = resolve_safe(cb, u);
                    let ty = c.attr("type").map(|t| t.trim().to_string());
                    let length = c.attr("length").map(|t| t.trim().to_string());
                    e.enclosures.push(Enclosure {
                        href: href.clone(),
                        r#type: ty.clone(),
                        length: length.clone(),
                    });
                    e.links.push(Link {
                        href,
                        rel: "enclosure".into(),
                        r#type: ty,
                        title: None,
                        length,
                        hreflang: None,
                    });
                }
            }
            "media:content" => {
                if let Some(m) = media_object(c, cb) {
                    e.media_content.push(m);
                }
                for t in c.elements() {
                    if canon(t) == "media:thumbnail" {
                        if let Some(m) = media_object(t, cb) {
                            e.media_thumbnail.push(m);
                        }
                    }
                }
            }
            "media:thumbnail" => {
                if let Some(m) = media_object(c, cb) {
                    e.media_thumbnail.push(m);
                }
            }
            "comments" => {
                if e.comments.is_none() {
                    e.comments = plain(c).map(|u| resolve_safe(cb, &u));
                }
            }
            _ => {}
        }
    }
    if let Some(g) = guid_link {
        if !e.links.iter().any(|l| l.rel == "alternate") {
            e.links.push(Link {
                href: g,
                rel: "alternate".into(),
                r#type: Some("text/html".into()),
                ..Link::default()
            });
        }
    }
    if e.title.is_none() {
        if let Some(t) = media_title {
            e.title = Some(t.value);
            e.title_type = Some(t.ty);
        }
    }
    e.links.retain(|l| !l.href.is_empty());
    e.enclosures.retain(|l| !l.href.is_empty());
    e.media_content.retain(|m| !m.url.is_empty());
    e.media_thumbnail.retain(|m| !m.url.is_empty());
    e.comments = e.comments.filter(|c| !c.is_empty());
    for a in &mut e.authors {
        a.uri = a.uri.take().filter(|u| !u.is_empty());
    }
    e.link = pick_link(&e.links);
    e.author = first_raw_author.or_else(|| e.authors.first().and_then(Author::display));
    if e.summary.is_none() && e.content.is_empty() {
        if let Some(t) = media_description {
            e.summary = Some(t.value);
            e.summary_type = Some(t.ty);
        }
    }
    if e.summary.is_none() {
        if let Some(c) = e.content.first() {
            e.summary = Some(c.value.clone());
            e.summary_type = Some(c.r#type.clone());
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_strings() {
        let a = person_from_string("Example editor (me@example.com)");
        assert_eq!(a.name.as_deref(), Some("Example editor"));
        assert_eq!(a.email.as_deref(), Some("me@example.com"));
        let a = person_from_string("me@example.com (Example editor)");
        assert_eq!(
            a.display().as_deref(),
            Some("Example editor (me@example.com)")
        );
    }

    #[test]
    fn xml_base_inside_xhtml_content() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://e.com/a/"><entry>
            <content type="xhtml" xml:base="b/"><div xmlns="http://www.w3.org/1999/xhtml" xml:base="c/">
            <a href="d">1</a><p xml:base="/x/"><img src="y.png"/></p></div></content></entry></feed>"#;
        let f = crate::parse(doc, None, None);
        assert_eq!(
            f.entries[0].content[0].value,
            "<a href=\"http://e.com/a/b/c/d\">1</a><p><img src=\"http://e.com/x/y.png\" /></p>"
        );
    }

    #[test]
    fn rss_author_string_is_kept() {
        let doc = b"<rss version='2.0'><channel><item><author>me@example.com (Me)</author></item></channel></rss>";
        let f = crate::parse(doc, None, None);
        assert_eq!(f.entries[0].author.as_deref(), Some("me@example.com (Me)"));
        assert_eq!(f.entries[0].authors[0].name.as_deref(), Some("Me"));
    }

    #[test]
    fn rdf_about_is_the_id() {
        let doc = br#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item rdf:about="http://e.com/1"><title>t</title></item></rdf:RDF>"#;
        let f = crate::parse(doc, None, None);
        assert_eq!(f.version, "rss10");
        assert_eq!(f.entries[0].id.as_deref(), Some("http://e.com/1"));
    }

    #[test]
    fn base64() {
        assert_eq!(
            base64_decode("RXhhbXBsZQ==").as_deref(),
            Some(&b"Example"[..])
        );
    }
}
