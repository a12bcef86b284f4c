//! A lenient XML tokeniser and tree builder.
//!
//! Written by hand rather than on top of a strict XML reader because feeds on the real web are
//! routinely not well-formed: undeclared HTML entities, bare `&`, unclosed or mismatched tags,
//! truncated CDATA, garbage after the root. Every such problem is recovered from the way
//! feedparser's loose parser does (keep the text, close what is open) and recorded as the
//! document's bozo reason. Work is linear in the input; depth, element count and attribute
//! count are bounded.
use std::collections::HashMap;

/// Maximum element nesting kept in the tree; deeper elements are dropped (their text kept).
pub const MAX_DEPTH: usize = 256;
/// Maximum number of elements kept.
pub const MAX_ELEMENTS: usize = 400_000;
/// Maximum attributes kept per element.
pub const MAX_ATTRS: usize = 128;
/// Maximum number of entities declared in an internal DTD subset.
const MAX_DECLARED_ENTITIES: usize = 256;

pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Debug, Clone, Default)]
pub struct Attr {
    /// Name as written (`xml:base`, `href`, `rdf:resource`).
    pub qname: String,
    /// Local part.
    pub local: String,
    /// Namespace URI when prefixed and declared.
    pub ns: Option<String>,
    /// Decoded value.
    pub value: String,
}

#[derive(Debug, Clone, Default)]
pub struct Element {
    /// Name as written.
    pub qname: String,
    /// Prefix as written.
    pub prefix: Option<String>,
    /// Local part as written.
    pub local: String,
    /// Resolved namespace URI.
    pub ns: Option<String>,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    /// Namespace declarations made on this element (prefix "" for the default).
    pub ns_decls: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum Node {
    /// Boxed: elements are large and children vectors grow often.
    Element(Box<Element>),
    Text(String),
}

impl Element {
    /// Value of the first attribute whose local name matches (case-insensitive), any namespace
    /// except where `ns` is given.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.local.eq_ignore_ascii_case(local) && a.qname.find(':').is_none())
            .or_else(|| {
                self.attrs
                    .iter()
                    .find(|a| a.local.eq_ignore_ascii_case(local))
            })
            .map(|a| a.value.as_str())
    }

    /// Attribute by namespace URI and local name.
    pub fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.local == local && a.ns.as_deref() == Some(ns))
            .map(|a| a.value.as_str())
    }

    /// Concatenated text of all descendants.
    pub fn text(&self) -> String {
        let mut s = String::new();
        collect_text(self, &mut s);
        s
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e.as_ref()),
            Node::Text(_) => None,
        })
    }

    pub fn has_element_children(&self) -> bool {
        self.elements().next().is_some()
    }
}

fn collect_text(e: &Element, out: &mut String) {
    for c in &e.children {
        match c {
            Node::Text(t) => out.push_str(t),
            Node::Element(el) => collect_text(el, out),
        }
    }
}

#[derive(Debug, Default)]
pub struct Document {
    pub root: Option<Element>,
    pub bozo_reason: Option<String>,
    /// The DOCTYPE text, if any (used to tell Netscape RSS 0.91 from UserLand's).
    pub doctype: Option<String>,
}

struct Builder<'a> {
    src: &'a str,
    pos: usize,
    stack: Vec<Element>,
    /// Elements beyond MAX_DEPTH currently open (dropped).
    skipped_depth: usize,
    elements: usize,
    root: Option<Element>,
    bozo: Option<String>,
    entities: HashMap<String, String>,
    doctype: Option<String>,
    /// In-scope namespace bindings: prefix -> stack of URIs (innermost last).
    scopes: HashMap<String, Vec<String>>,
}

/// Parses `src` into a tree. Never fails.
pub fn parse(src: &str) -> Document {
    let mut b = Builder {
        src,
        pos: 0,
        stack: Vec::new(),
        skipped_depth: 0,
        elements: 0,
        root: None,
        bozo: None,
        entities: HashMap::new(),
        doctype: None,
        scopes: HashMap::new(),
    };
    b.run();
    Document {
        root: b.root,
        bozo_reason: b.bozo,
        doctype: b.doctype,
    }
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80
}

fn is_name_char(c: u8) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == b'-' || c == b'.'
}

impl Builder<'_> {
    fn flag(&mut self, reason: impl Into<String>) {
        if self.bozo.is_none() {
            let at = self.pos;
            self.bozo = Some(format!("{} (at byte {at})", reason.into()));
        }
    }

    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn run(&mut self) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            if bytes[self.pos] == b'<' {
                let r = self.rest();
                if let Some(body) = r.strip_prefix("<!--") {
                    match body.find("-->") {
                        Some(e) => self.pos += 4 + e + 3,
                        None => {
                            self.flag("unterminated comment");
                            self.pos = bytes.len();
                        }
                    }
                } else if let Some(cdata) = r.strip_prefix("<![CDATA[") {
                    let body_start = self.pos + 9;
                    match cdata.find("]]>") {
                        Some(e) => {
                            let t = self.src[body_start..body_start + e].to_string();
                            self.text(t);
                            self.pos = body_start + e + 3;
                        }
                        None => {
                            self.flag("unterminated CDATA section");
                            let t = self.src[body_start..].to_string();
                            self.text(t);
                            self.pos = bytes.len();
                        }
                    }
                } else if r.len() >= 9 && r.as_bytes()[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
                    self.doctype_decl();
                } else if r.starts_with("<?") {
                    match r.find("?>") {
                        Some(e) => self.pos += e + 2,
                        None => {
                            self.flag("unterminated processing instruction");
                            self.pos = bytes.len();
                        }
                    }
                } else if r.starts_with("</") {
                    self.end_tag();
                } else if r.len() > 1 && is_name_start(r.as_bytes()[1]) {
                    self.start_tag();
                } else {
                    self.flag("bare '<' in text");
                    self.text("<".to_string());
                    self.pos += 1;
                }
            } else {
                let start = self.pos;
                let end = self.src[start..]
                    .find('<')
                    .map(|i| start + i)
                    .unwrap_or(bytes.len());
                let raw = &self.src[start..end];
                let t = self.decode_entities(raw);
                self.pos = end;
                self.text(t);
            }
        }
        if !self.stack.is_empty() {
            self.flag("unclosed elements at end of document");
            while !self.stack.is_empty() {
                self.close_top();
            }
        }
        if self.root.is_none() {
            self.flag("no root element");
        }
    }

    fn text(&mut self, t: String) {
        if t.is_empty() {
            return;
        }
        match self.stack.last_mut() {
            Some(top) => {
                if let Some(Node::Text(prev)) = top.children.last_mut() {
                    prev.push_str(&t);
                } else {
                    top.children.push(Node::Text(t));
                }
            }
            None => {
                if !t.trim().is_empty() {
                    self.flag("text outside the root element");
                }
            }
        }
    }

    fn doctype_decl(&mut self) {
        // Find the end, honouring an internal subset in [...].
        let r = self.rest();
        let bytes = r.as_bytes();
        let mut i = 9;
        let mut in_subset = false;
        let mut quote: Option<u8> = None;
        let mut end = None;
        while i < bytes.len() {
            let c = bytes[i];
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
            } else if c == b'"' || c == b'\'' {
                quote = Some(c);
            } else if c == b'[' {
                in_subset = true;
            } else if c == b']' {
                in_subset = false;
            } else if c == b'>' && !in_subset {
                end = Some(i);
                break;
            }
            i += 1;
        }
        let end = match end {
            Some(e) => e,
            None => {
                self.flag("unterminated DOCTYPE");
                self.pos = self.src.len();
                return;
            }
        };
        let decl = r[..end].to_string();
        self.pos += end + 1;
        if let Some(s) = decl.find('[') {
            self.read_entity_decls(&decl[s..]);
        }
        self.doctype = Some(decl);
    }

    fn read_entity_decls(&mut self, subset: &str) {
        let mut rest = subset;
        while let Some(i) = rest.find("<!ENTITY") {
            rest = &rest[i + 8..];
            let t = rest.trim_start();
            if t.starts_with('%') {
                continue; // parameter entities are not expanded
            }
            let name_end = t.find(|c: char| c.is_whitespace()).unwrap_or(t.len());
            let name = t[..name_end].to_string();
            let after = t[name_end..].trim_start();
            let q = match after.chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => continue,
            };
            let body = &after[1..];
            if let Some(e) = body.find(q) {
                if self.entities.len() < MAX_DECLARED_ENTITIES {
                    // One level of character references only: no recursive expansion, so no
                    // entity-expansion bombs.
                    let v = decode_char_refs_only(&body[..e]);
                    if v.len() <= 4096 {
                        self.entities.insert(name, v);
                    }
                }
            }
        }
    }

    fn start_tag(&mut self) {
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 1;
        let name_start = i;
        while i < bytes.len() && is_name_char(bytes[i]) {
            i += 1;
        }
        let qname = self.src[name_start..i].to_string();
        let mut attrs: Vec<(String, String)> = Vec::new();
        let mut self_closing = false;
        let mut closed = false;
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            match bytes[i] {
                b'>' => {
                    i += 1;
                    closed = true;
                    break;
                }
                b'/' if bytes.get(i + 1) == Some(&b'>') => {
                    i += 2;
                    self_closing = true;
                    closed = true;
                    break;
                }
                b'<' => {
                    // Recover: a new tag starts before this one was closed.
                    break;
                }
                c if is_name_start(c) => {
                    let an_start = i;
                    while i < bytes.len() && is_name_char(bytes[i]) {
                        i += 1;
                    }
                    let an = self.src[an_start..i].to_string();
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    let mut value = String::new();
                    if bytes.get(i) == Some(&b'=') {
                        i += 1;
                        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                            i += 1;
                        }
                        match bytes.get(i) {
                            Some(&q @ (b'"' | b'\'')) => {
                                let vs = i + 1;
                                let ve = self.src[vs..]
                                    .find(q as char)
                                    .map(|e| vs + e)
                                    .unwrap_or(bytes.len());
                                let raw = self.src[vs..ve].to_string();
                                value = self.decode_entities(&raw);
                                i = (ve + 1).min(bytes.len());
                                if ve == bytes.len() {
                                    self.flag("unterminated attribute value");
                                }
                            }
                            _ => {
                                let vs = i;
                                while i < bytes.len()
                                    && !bytes[i].is_ascii_whitespace()
                                    && bytes[i] != b'>'
                                {
                                    i += 1;
                                }
                                let raw = self.src[vs..i].to_string();
                                value = self.decode_entities(&raw);
                                self.flag("unquoted attribute value");
                            }
                        }
                    } else {
                        self.flag("attribute without value");
                    }
                    if attrs.len() < MAX_ATTRS && !attrs.iter().any(|(n, _)| *n == an) {
                        attrs.push((an, value));
                    }
                }
                _ => {
                    self.flag("junk in start tag");
                    i += 1;
                }
            }
        }
        if !closed {
            self.flag("unterminated start tag");
        }
        self.pos = i;
        if self.root.is_some() && self.stack.is_empty() {
            self.flag("content after the root element");
            // Keep parsing into the existing root so nothing is lost.
            if let Some(root) = self.root.take() {
                self.bind(&root.ns_decls);
                self.stack.push(root);
            }
        }
        if self.stack.len() >= MAX_DEPTH || self.elements >= MAX_ELEMENTS {
            self.flag("document too deep or too large");
            if !self_closing {
                self.skipped_depth += 1;
            }
            return;
        }
        self.elements += 1;
        let el = self.make_element(qname, attrs);
        self.bind(&el.ns_decls);
        self.stack.push(el);
        if self_closing {
            self.close_top();
        }
    }

    fn lookup_ns(&self, prefix: &str, own: &[(String, String)]) -> Option<String> {
        if prefix == "xml" {
            return Some(XML_NS.to_string());
        }
        if let Some((_, u)) = own.iter().find(|(p, _)| p == prefix) {
            return Some(u.clone()).filter(|u| !u.is_empty());
        }
        self.scopes
            .get(prefix)
            .and_then(|v| v.last())
            .filter(|u| !u.is_empty())
            .cloned()
    }

    fn make_element(&mut self, qname: String, raw_attrs: Vec<(String, String)>) -> Element {
        let mut ns_decls = Vec::new();
        for (n, v) in &raw_attrs {
            if ns_decls.len() >= 32 {
                break;
            }
            if n == "xmlns" {
                ns_decls.push((String::new(), v.trim().to_string()));
            } else if let Some(p) = n.strip_prefix("xmlns:") {
                ns_decls.push((p.to_string(), v.trim().to_string()));
            }
        }
        let (prefix, local) = split_qname(&qname);
        let ns = self.lookup_ns(prefix.as_deref().unwrap_or(""), &ns_decls);
        let attrs = raw_attrs
            .into_iter()
            .map(|(n, value)| {
                let (p, l) = split_qname(&n);
                let ns = match &p {
                    Some(p) if p != "xmlns" => self.lookup_ns(p, &ns_decls),
                    _ => None,
                };
                Attr {
                    qname: n,
                    local: l,
                    ns,
                    value,
                }
            })
            .collect();
        Element {
            qname,
            prefix,
            local,
            ns,
            attrs,
            children: Vec::new(),
            ns_decls,
        }
    }

    fn bind(&mut self, decls: &[(String, String)]) {
        for (p, u) in decls {
            self.scopes.entry(p.clone()).or_default().push(u.clone());
        }
    }

    fn close_top(&mut self) {
        if let Some(el) = self.stack.pop() {
            for (p, _) in &el.ns_decls {
                if let Some(v) = self.scopes.get_mut(p) {
                    v.pop();
                }
            }
            match self.stack.last_mut() {
                Some(parent) => parent.children.push(Node::Element(Box::new(el))),
                None => self.root = Some(el),
            }
        }
    }

    fn end_tag(&mut self) {
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 2;
        let ns = i;
        while i < bytes.len() && is_name_char(bytes[i]) {
            i += 1;
        }
        let name = self.src[ns..i].to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) == Some(&b'>') {
            i += 1;
        } else {
            self.flag("malformed end tag");
            // Skip to the next '>' or '<'.
            while i < bytes.len() && bytes[i] != b'>' && bytes[i] != b'<' {
                i += 1;
            }
            if bytes.get(i) == Some(&b'>') {
                i += 1;
            }
        }
        self.pos = i;
        if self.skipped_depth > 0 {
            self.skipped_depth -= 1;
            return;
        }
        if let Some(depth) = self.stack.iter().rposition(|e| e.qname == name) {
            if depth + 1 != self.stack.len() {
                self.flag(format!("mismatched end tag </{name}>"));
            }
            while self.stack.len() > depth {
                self.close_top();
            }
        } else if let Some(depth) = self
            .stack
            .iter()
            .rposition(|e| e.qname.eq_ignore_ascii_case(&name))
        {
            self.flag(format!("mismatched end tag </{name}>"));
            while self.stack.len() > depth {
                self.close_top();
            }
        } else {
            self.flag(format!("end tag </{name}> without start tag"));
        }
    }

    /// Decodes entity and character references in text or an attribute value.
    fn decode_entities(&mut self, raw: &str) -> String {
        if !raw.contains('&') {
            return raw.to_string();
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            match parse_ref(rest) {
                Some((Ref::Char(c), len)) => {
                    match c {
                        Some(c) => out.push(c),
                        None => {
                            self.flag("invalid character reference");
                            out.push('\u{fffd}');
                        }
                    }
                    rest = &rest[len..];
                }
                Some((Ref::Named(name), len)) => {
                    if let Some(v) = xml_predefined(name) {
                        out.push(v);
                    } else if let Some(v) = self.entities.get(name) {
                        out.push_str(v);
                    } else if let Some(v) = html_entity(name) {
                        self.flag(format!("undefined entity &{name};"));
                        out.push_str(&v);
                    } else {
                        self.flag(format!("undefined entity &{name};"));
                        out.push_str(&rest[..len]);
                    }
                    rest = &rest[len..];
                }
                None => {
                    self.flag("bare '&' in text");
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

fn split_qname(q: &str) -> (Option<String>, String) {
    match q.split_once(':') {
        Some((p, l)) if !p.is_empty() && !l.is_empty() => (Some(p.to_string()), l.to_string()),
        _ => (None, q.to_string()),
    }
}

pub enum Ref<'a> {
    Char(Option<char>),
    Named(&'a str),
}

/// Parses a reference at the start of `s` (which starts with '&'). Returns the reference and
/// its length including `&` and `;`.
pub fn parse_ref(s: &str) -> Option<(Ref<'_>, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let (hex, start) = match b.get(2) {
            Some(b'x') | Some(b'X') => (true, 3),
            _ => (false, 2),
        };
        let mut i = start;
        while i < b.len()
            && i - start < 10
            && (if hex {
                b[i].is_ascii_hexdigit()
            } else {
                b[i].is_ascii_digit()
            })
        {
            i += 1;
        }
        if i == start || b.get(i) != Some(&b';') {
            return None;
        }
        let v = u32::from_str_radix(&s[start..i], if hex { 16 } else { 10 }).ok();
        let c = v
            .map(cp1252_fixup)
            .and_then(char::from_u32)
            .filter(|&c| c != '\0');
        return Some((Ref::Char(c), i + 1));
    }
    let mut i = 1;
    while i < b.len()
        && i < 40
        && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-' || b[i] == b'.')
    {
        i += 1;
    }
    if i == 1 || b.get(i) != Some(&b';') || !b[1].is_ascii_alphabetic() {
        return None;
    }
    Some((Ref::Named(&s[1..i]), i + 1))
}

/// Character references to 128-159 are almost always meant as windows-1252 (feedparser
/// "demoronises" them the same way).
pub fn cp1252_fixup(v: u32) -> u32 {
    const MAP: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    if (0x80..0xA0).contains(&v) {
        MAP[(v - 0x80) as usize]
    } else {
        v
    }
}

pub fn xml_predefined(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// The expansion of an HTML named entity, if `name` is one.
pub fn html_entity(name: &str) -> Option<String> {
    // HTML 4 values where HTML5 changed them (feeds were written against HTML 4).
    match name {
        "lang" => return Some("\u{2329}".into()),
        "rang" => return Some("\u{232A}".into()),
        _ => {}
    }
    let r = format!("&{name};");
    let d = html_escape::decode_html_entities(&r);
    if d != r {
        Some(d.into_owned())
    } else {
        None
    }
}

fn decode_char_refs_only(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match parse_ref(rest) {
            Some((Ref::Char(Some(c)), len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            Some((Ref::Named(n), len)) if xml_predefined(n).is_some() => {
                if let Some(c) = xml_predefined(n) {
                    out.push(c);
                }
                rest = &rest[len..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for XML / HTML output.
pub fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Serialises the children of `el` back to markup (for inline XHTML / XML content).
/// Relative URLs in `href` / `src` attributes are resolved here, against `base` and any
/// `xml:base` inside the content, because `xml:base` does not survive as HTML.
pub fn inner_xml(el: &Element, base: Option<&str>) -> String {
    let mut out = String::new();
    for c in &el.children {
        serialize(c, &mut out, 0, base);
    }
    out
}

const INLINE_URL_ATTRS: &[&str] = &["href", "src", "cite", "poster", "background", "longdesc"];

fn serialize(n: &Node, out: &mut String, depth: usize, base: Option<&str>) {
    match n {
        Node::Text(t) => escape_text(t, out),
        Node::Element(e) => {
            if depth > MAX_DEPTH {
                return;
            }
            let own_base = e
                .attr_ns(XML_NS, "base")
                .map(|b| crate::urls::resolve(base, b.trim()));
            let base = own_base.as_deref().or(base);
            out.push('<');
            out.push_str(&e.local);
            let mut attrs: Vec<&Attr> = e.attrs.iter().collect();
            let xlink_decl = Attr {
                qname: "xmlns:xlink".into(),
                local: "xlink".into(),
                ns: None,
                value: "http://www.w3.org/1999/xlink".into(),
            };
            if attrs.iter().any(|a| a.qname.starts_with("xlink:"))
                && !attrs.iter().any(|a| a.qname == "xmlns:xlink")
            {
                attrs.push(&xlink_decl);
            }
            attrs.sort_by(|a, b| a.qname.cmp(&b.qname));
            for a in attrs {
                if a.qname.starts_with("xmlns")
                    && a.qname != "xmlns"
                    && !a.qname.starts_with("xmlns:xlink")
                {
                    continue;
                }
                if a.qname == "xml:base" {
                    continue;
                }
                out.push(' ');
                out.push_str(&a.qname);
                out.push_str("=\"");
                let resolved;
                let value = if base.is_some()
                    && INLINE_URL_ATTRS.contains(&a.local.to_ascii_lowercase().as_str())
                    && !crate::urls::has_scheme(a.value.trim())
                {
                    resolved = crate::urls::resolve(base, &a.value);
                    resolved.as_str()
                } else {
                    a.value.as_str()
                };
                for c in value.chars() {
                    match c {
                        '&' => out.push_str("&amp;"),
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        '"' => out.push_str("&quot;"),
                        _ => out.push(c),
                    }
                }
                out.push('"');
            }
            out.push('>');
            for c in &e.children {
                serialize(c, out, depth + 1, base);
            }
            out.push_str("</");
            out.push_str(&e.local);
            out.push('>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers() {
        let d = parse("<a><b>x &eacute; &bogus; & y</a>");
        assert!(d.bozo_reason.is_some());
        let root = d.root.unwrap();
        assert_eq!(root.text(), "x é &bogus; & y");
    }

    #[test]
    fn wellformed_is_not_bozo() {
        let d =
            parse("<?xml version='1.0'?><!-- c --><a x='1'><b>&amp;&#233;<![CDATA[<i>]]></b></a>");
        assert!(d.bozo_reason.is_none(), "{:?}", d.bozo_reason);
        assert_eq!(d.root.unwrap().text(), "&é<i>");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let s = "<a>".repeat(100_000);
        let d = parse(&s);
        assert!(d.bozo_reason.is_some());
    }
}
