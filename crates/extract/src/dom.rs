//! A compact arena tree built straight from html5gum's tokenizer events.
//!
//! Why not an html5ever DOM: measured on the dev pages, a full tree builder caps near 650
//! pages/s before any extraction work, while the tokenizer alone runs at ~1,000 pages/s. The
//! extractor needs only a forgiving element tree (which element holds which text), so this
//! module implements the few tree-construction rules that matter for real pages: void
//! elements, raw-text elements (script/style/…, via html5gum's naive state switching), implied
//! end tags for `p`, `li`, `dt`/`dd`, table rows and cells, `option`, headings, and end tags
//! that close everything opened after their start tag. Misnested formatting elements are not
//! re-opened (the adoption agency algorithm), which changes no text.
//!
//! Hostile input stays bounded: the open-element stack is capped at [`MAX_DEPTH`] (deeper
//! elements become flat siblings), the arena at [`MAX_NODES`] (further tags are ignored but
//! their text is kept), and every stack search is bounded by [`SCOPE_SEARCH`].

use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, Error, ForwardingEmitter, Span, Tokenizer};

/// Wraps an emitter and turns off parse-error reporting: html5gum's per-byte character
/// validation exists only to report errors, and took a fifth of the parse time.
struct Quiet<E>(E);

impl<E: Emitter> ForwardingEmitter for Quiet<E> {
    type Token = E::Token;
    fn inner(&mut self) -> &mut impl Emitter<Token = Self::Token> {
        &mut self.0
    }
    fn should_emit_errors(&mut self) -> bool {
        false
    }
    fn emit_error(&mut self, _error: Error) {}
}

/// Sentinel for "no node".
pub const NONE: u32 = u32::MAX;
/// Deeper nesting is flattened: no real page nests this deep, and every walk stays shallow.
pub const MAX_DEPTH: usize = 256;
/// Beyond this many nodes (~100 MB of tree), further tags are dropped and their text kept.
pub const MAX_NODES: usize = 3_000_000;
/// How far down the open-element stack implied-end-tag searches look.
const SCOPE_SEARCH: usize = 48;

/// Tag ids. Known tags get fixed small ids; unknown tags are interned per document.
/// (Every known tag has a constant even where no rule names it yet.)
#[allow(dead_code)]
pub mod tag {
    pub const TEXT: u16 = 0;
    macro_rules! tags {
        ($($name:ident = $n:expr, $s:expr;)*) => {
            $(pub const $name: u16 = $n;)*
            pub fn known(name: &[u8]) -> Option<u16> {
                match name { $($s => Some($n),)* _ => None }
            }
            #[allow(dead_code)]
            pub fn name(id: u16) -> &'static str {
                match id { $($n => std::str::from_utf8($s).unwrap_or("?"),)* _ => "x-unknown" }
            }
        };
    }
    tags! {
        HTML = 1, b"html"; HEAD = 2, b"head"; BODY = 3, b"body"; TITLE = 4, b"title";
        META = 5, b"meta"; LINK = 6, b"link"; SCRIPT = 7, b"script"; STYLE = 8, b"style";
        NOSCRIPT = 9, b"noscript"; TEMPLATE = 10, b"template"; IFRAME = 11, b"iframe";
        SVG = 12, b"svg"; MATH = 13, b"math"; CANVAS = 14, b"canvas"; OBJECT = 15, b"object";
        EMBED = 16, b"embed"; FORM = 17, b"form"; BUTTON = 18, b"button"; INPUT = 19, b"input";
        SELECT = 20, b"select"; TEXTAREA = 21, b"textarea"; NAV = 22, b"nav"; ASIDE = 23, b"aside";
        FOOTER = 24, b"footer"; HEADER = 25, b"header"; DIALOG = 26, b"dialog"; AUDIO = 27, b"audio";
        VIDEO = 28, b"video"; LABEL = 29, b"label"; OPTION = 30, b"option"; P = 31, b"p";
        DIV = 32, b"div"; SPAN = 33, b"span"; A = 34, b"a"; H1 = 35, b"h1"; H2 = 36, b"h2";
        H3 = 37, b"h3"; H4 = 38, b"h4"; H5 = 39, b"h5"; H6 = 40, b"h6"; UL = 41, b"ul";
        OL = 42, b"ol"; LI = 43, b"li"; DL = 44, b"dl"; DT = 45, b"dt"; DD = 46, b"dd";
        BLOCKQUOTE = 47, b"blockquote"; PRE = 48, b"pre"; CODE = 49, b"code"; TABLE = 50, b"table";
        THEAD = 51, b"thead"; TBODY = 52, b"tbody"; TFOOT = 53, b"tfoot"; TR = 54, b"tr";
        TD = 55, b"td"; TH = 56, b"th"; CAPTION = 57, b"caption"; FIGURE = 58, b"figure";
        FIGCAPTION = 59, b"figcaption"; IMG = 60, b"img"; PICTURE = 61, b"picture";
        SOURCE = 62, b"source"; BR = 63, b"br"; HR = 64, b"hr"; EM = 65, b"em"; I = 66, b"i";
        STRONG = 67, b"strong"; B = 68, b"b"; U = 69, b"u"; SMALL = 70, b"small"; SUB = 71, b"sub";
        SUP = 72, b"sup"; ARTICLE = 73, b"article"; SECTION = 74, b"section"; MAIN = 75, b"main";
        TIME = 76, b"time"; ADDRESS = 77, b"address"; AREA = 78, b"area"; BASE = 79, b"base";
        COL = 80, b"col"; WBR = 81, b"wbr"; TRACK = 82, b"track"; PARAM = 83, b"param";
        KEYGEN = 84, b"keygen"; MENU = 85, b"menu"; FIELDSET = 86, b"fieldset"; DETAILS = 87, b"details";
        SUMMARY = 88, b"summary"; MARK = 89, b"mark"; Q = 90, b"q"; CITE = 91, b"cite";
        ABBR = 92, b"abbr"; S = 93, b"s"; DEL = 94, b"del"; INS = 95, b"ins"; KBD = 96, b"kbd";
        SAMP = 97, b"samp"; VAR = 98, b"var"; XMP = 99, b"xmp"; NOEMBED = 100, b"noembed";
        NOFRAMES = 101, b"noframes"; PLAINTEXT = 102, b"plaintext"; CENTER = 103, b"center";
        FONT = 104, b"font"; HGROUP = 105, b"hgroup"; COLGROUP = 106, b"colgroup";
        OPTGROUP = 107, b"optgroup"; DATALIST = 108, b"datalist"; OUTPUT = 109, b"output";
        PROGRESS = 110, b"progress"; METER = 111, b"meter"; LEGEND = 112, b"legend";
        FRAMESET = 113, b"frameset"; FRAME = 114, b"frame"; PORTAL = 115, b"portal";
        SEARCH = 116, b"search"; TT = 117, b"tt"; BIG = 118, b"big"; STRIKE = 119, b"strike";
    }
    /// First id handed to unknown (custom) tag names.
    pub const FIRST_UNKNOWN: u16 = 1000;
}

/// Attributes the extractor reads; all others are dropped at parse time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Attr {
    Class,
    Id,
    Href,
    Src,
    DataSrc,
    Alt,
    Content,
    Name,
    Property,
    Itemprop,
    Rel,
    Datetime,
    Type,
    Charset,
    HttpEquiv,
    Lang,
    Role,
    Hidden,
    Style,
    AriaHidden,
    Title,
    Itemtype,
    Srcset,
    DataLazySrc,
    Value,
}

fn attr_id(name: &[u8]) -> Option<Attr> {
    Some(match name {
        b"class" => Attr::Class,
        b"id" => Attr::Id,
        b"href" => Attr::Href,
        b"src" => Attr::Src,
        b"data-src" | b"data-original" => Attr::DataSrc,
        b"data-lazy-src" => Attr::DataLazySrc,
        b"alt" => Attr::Alt,
        b"content" => Attr::Content,
        b"name" => Attr::Name,
        b"property" => Attr::Property,
        b"itemprop" => Attr::Itemprop,
        b"rel" => Attr::Rel,
        b"datetime" => Attr::Datetime,
        b"type" => Attr::Type,
        b"charset" => Attr::Charset,
        b"http-equiv" => Attr::HttpEquiv,
        b"lang" | b"xml:lang" => Attr::Lang,
        b"role" => Attr::Role,
        b"hidden" => Attr::Hidden,
        b"style" => Attr::Style,
        b"aria-hidden" => Attr::AriaHidden,
        b"title" => Attr::Title,
        b"itemtype" => Attr::Itemtype,
        b"srcset" => Attr::Srcset,
        b"value" => Attr::Value,
        _ => return None,
    })
}

/// One node of the arena. Children of a node always have larger indices than the node
/// (nodes are created in document order), so a reverse index scan is a bottom-up walk.
#[derive(Clone, Debug)]
pub struct Node {
    /// Tag id; [`tag::TEXT`] for text nodes.
    pub tag: u16,
    pub parent: u32,
    pub first_child: u32,
    pub last_child: u32,
    pub next: u32,
    /// Text nodes: byte range in [`Dom::text`]. Elements: range in [`Dom::attrs`].
    pub start: u32,
    pub end: u32,
}

/// The parsed document.
pub struct Dom {
    pub nodes: Vec<Node>,
    pub text: Vec<u8>,
    /// (attribute, value start, value end) into [`Dom::attr_text`].
    pub attrs: Vec<(Attr, u32, u32)>,
    pub attr_text: Vec<u8>,
}

impl Dom {
    pub fn attr(&self, node: u32, a: Attr) -> Option<&str> {
        let n = &self.nodes[node as usize];
        if n.tag == tag::TEXT {
            return None;
        }
        self.attrs[n.start as usize..n.end as usize]
            .iter()
            .find(|(k, _, _)| *k == a)
            .and_then(|&(_, s, e)| {
                std::str::from_utf8(&self.attr_text[s as usize..e as usize]).ok()
            })
    }

    pub fn has_attr(&self, node: u32, a: Attr) -> bool {
        let n = &self.nodes[node as usize];
        n.tag != tag::TEXT
            && self.attrs[n.start as usize..n.end as usize]
                .iter()
                .any(|(k, _, _)| *k == a)
    }

    pub fn text_of(&self, node: u32) -> &[u8] {
        let n = &self.nodes[node as usize];
        &self.text[n.start as usize..n.end as usize]
    }

    pub fn tag(&self, node: u32) -> u16 {
        self.nodes[node as usize].tag
    }

    /// Iterator over the children of `node`.
    pub fn children(&self, node: u32) -> Children<'_> {
        Children {
            dom: self,
            cur: self.nodes[node as usize].first_child,
        }
    }

    /// All text below `node` (raw, whitespace not collapsed), bounded by `limit` bytes.
    pub fn inner_text(&self, node: u32, limit: usize) -> String {
        let mut out = Vec::new();
        let end = self.subtree_end(node);
        for i in node as usize..end {
            if self.nodes[i].tag == tag::TEXT {
                let t = self.text_of(i as u32);
                out.extend_from_slice(t);
                if out.len() > limit {
                    break;
                }
            }
        }
        collapse_ws(&String::from_utf8_lossy(&out))
    }

    /// One past the last index of `node`'s subtree (subtrees are contiguous index ranges).
    pub fn subtree_end(&self, node: u32) -> usize {
        let mut cur = node;
        loop {
            let n = &self.nodes[cur as usize];
            if n.next != NONE {
                return n.next as usize;
            }
            if n.parent == NONE {
                return self.nodes.len();
            }
            cur = n.parent;
        }
    }
}

pub struct Children<'a> {
    dom: &'a Dom,
    cur: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.cur == NONE {
            return None;
        }
        let c = self.cur;
        self.cur = self.dom.nodes[c as usize].next;
        Some(c)
    }
}

/// Collapse runs of whitespace into single spaces and trim.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Pushing whole words (not characters) keeps this cheap; ASCII text takes the byte path.
    let mut push = |w: &str| {
        if !w.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    };
    if s.is_ascii() {
        s.split(|c: char| c.is_ascii_whitespace() || c == '\x0b')
            .for_each(&mut push);
    } else {
        s.split(char::is_whitespace).for_each(&mut push);
    }
    out
}

fn is_void(t: u16) -> bool {
    use tag::*;
    matches!(
        t,
        AREA | BASE
            | BR
            | COL
            | EMBED
            | HR
            | IMG
            | INPUT
            | LINK
            | META
            | SOURCE
            | TRACK
            | WBR
            | PARAM
            | KEYGEN
            | FRAME
    )
}

/// Elements whose start tag closes an open `p` (HTML's "close a p element" rule).
fn closes_p(t: u16) -> bool {
    use tag::*;
    matches!(
        t,
        ADDRESS
            | ARTICLE
            | ASIDE
            | BLOCKQUOTE
            | CENTER
            | DETAILS
            | DIALOG
            | DIV
            | DL
            | FIELDSET
            | FIGCAPTION
            | FIGURE
            | FOOTER
            | HEADER
            | HGROUP
            | MAIN
            | MENU
            | NAV
            | OL
            | P
            | SEARCH
            | SECTION
            | SUMMARY
            | UL
            | H1
            | H2
            | H3
            | H4
            | H5
            | H6
            | PRE
            | TABLE
            | HR
            | FORM
            | PLAINTEXT
            | XMP
            | LI
            | DD
            | DT
    )
}

fn is_heading(t: u16) -> bool {
    (tag::H1..=tag::H6).contains(&t)
}

/// Elements that bound implied-end-tag searches (roughly the spec's "scope" markers).
fn is_scope_boundary(t: u16) -> bool {
    use tag::*;
    matches!(
        t,
        TABLE | TD | TH | CAPTION | HTML | BUTTON | OBJECT | TEMPLATE | SVG | MATH
    )
}

struct Builder {
    dom: Dom,
    stack: Vec<u32>,
    /// How many elements of each tag id are on the stack (index = tag id).
    open_count: Vec<u32>,
    unknown: std::collections::HashMap<Vec<u8>, u16>,
    next_unknown: u16,
    // Tag under construction.
    cur_tag: Option<u16>,
    cur_is_start: bool,
    cur_attr: Option<Attr>,
    pending_attrs_start: usize,
    cur_type_ldjson: bool,
    /// Depth inside svg/math, where `/>` self-closes.
    foreign_depth: u32,
    saw_body: bool,
    saw_html: bool,
    saw_head: bool,
}

impl Builder {
    fn new(cap: usize) -> Self {
        let mut dom = Dom {
            nodes: Vec::with_capacity(cap / 40 + 16),
            text: Vec::with_capacity(cap / 3 + 16),
            attrs: Vec::with_capacity(cap / 60 + 16),
            attr_text: Vec::with_capacity(cap / 8 + 16),
        };
        // Node 0 is the document root.
        dom.nodes.push(Node {
            tag: tag::FIRST_UNKNOWN - 1,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            start: 0,
            end: 0,
        });
        Builder {
            dom,
            stack: vec![0],
            open_count: vec![0; tag::FIRST_UNKNOWN as usize + 64],
            unknown: Default::default(),
            next_unknown: tag::FIRST_UNKNOWN,
            cur_tag: None,
            cur_is_start: false,
            cur_attr: None,
            pending_attrs_start: 0,
            cur_type_ldjson: false,
            foreign_depth: 0,
            saw_body: false,
            saw_html: false,
            saw_head: false,
        }
    }

    fn intern(&mut self, name: &[u8]) -> u16 {
        if let Some(t) = tag::known(name) {
            return t;
        }
        if let Some(&t) = self.unknown.get(name) {
            return t;
        }
        if self.next_unknown == u16::MAX - 1 || name.len() > 64 {
            return u16::MAX - 1;
        }
        let t = self.next_unknown;
        self.next_unknown += 1;
        self.unknown.insert(name.to_vec(), t);
        if self.open_count.len() <= t as usize {
            self.open_count.resize(t as usize + 64, 0);
        }
        t
    }

    fn current(&self) -> u32 {
        *self.stack.last().unwrap_or(&0)
    }

    fn append(&mut self, parent: u32, mut node: Node) -> Option<u32> {
        if self.dom.nodes.len() >= MAX_NODES {
            return None;
        }
        let id = self.dom.nodes.len() as u32;
        node.parent = parent;
        let p = &mut self.dom.nodes[parent as usize];
        let last = p.last_child;
        if last == NONE {
            p.first_child = id;
        }
        p.last_child = id;
        if last != NONE {
            self.dom.nodes[last as usize].next = id;
        }
        self.dom.nodes.push(node);
        Some(id)
    }

    fn pop(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        if let Some(n) = self.stack.pop() {
            let t = self.dom.nodes[n as usize].tag as usize;
            if let Some(c) = self.open_count.get_mut(t) {
                *c = c.saturating_sub(1);
            }
            if t as u16 == tag::SVG || t as u16 == tag::MATH {
                self.foreign_depth = self.foreign_depth.saturating_sub(1);
            }
        }
    }

    /// Pop up to and including the nearest open `t`, if one is within `SCOPE_SEARCH` levels
    /// and no scope boundary lies in between. `any_of` widens the match to a tag group.
    fn close_implied(&mut self, matches: impl Fn(u16) -> bool, boundary: impl Fn(u16) -> bool) {
        let len = self.stack.len();
        for k in 1..=SCOPE_SEARCH.min(len.saturating_sub(1)) {
            let n = self.stack[len - k];
            let t = self.dom.nodes[n as usize].tag;
            if matches(t) {
                for _ in 0..k {
                    self.pop();
                }
                return;
            }
            if boundary(t) {
                return;
            }
        }
    }

    fn start_tag_done(&mut self, t: u16, self_closing: bool) {
        let attrs_end = self.dom.attrs.len();
        let attrs_start = self.pending_attrs_start;
        // html/head/body may appear at most once; repeats only lend their attributes.
        match t {
            tag::HTML if self.saw_html => return,
            tag::BODY if self.saw_body => return,
            tag::HEAD if self.saw_head => return,
            tag::HTML => self.saw_html = true,
            tag::BODY => {
                self.saw_body = true;
                // Whatever was left open in <head> (a stray <div> in <noscript>, an unclosed
                // element) must not swallow the body.
                while self.open_count[tag::HEAD as usize] > 0 && self.stack.len() > 1 {
                    self.pop();
                }
            }
            tag::HEAD => self.saw_head = true,
            _ => {}
        }
        if self.open_count[tag::HEAD as usize] > 0
            && !matches!(
                t,
                tag::META
                    | tag::LINK
                    | tag::TITLE
                    | tag::STYLE
                    | tag::SCRIPT
                    | tag::NOSCRIPT
                    | tag::BASE
                    | tag::TEMPLATE
            )
        {
            // Content in <head> implies its end, as in the HTML spec's "in head" mode.
            while self.open_count[tag::HEAD as usize] > 0 && self.stack.len() > 1 {
                self.pop();
            }
        }
        if self.foreign_depth == 0 {
            if closes_p(t) && self.open_count[tag::P as usize] > 0 {
                self.close_implied(|x| x == tag::P, is_scope_boundary);
            }
            match t {
                tag::LI if self.open_count[tag::LI as usize] > 0 => self.close_implied(
                    |x| x == tag::LI,
                    |x| is_scope_boundary(x) || x == tag::UL || x == tag::OL,
                ),
                tag::DT | tag::DD => self.close_implied(
                    |x| x == tag::DT || x == tag::DD,
                    |x| is_scope_boundary(x) || x == tag::DL,
                ),
                tag::TR => self.close_implied(
                    |x| x == tag::TR,
                    |x| x == tag::TABLE || x == tag::TBODY || x == tag::THEAD || x == tag::TFOOT,
                ),
                tag::TD | tag::TH => self.close_implied(
                    |x| x == tag::TD || x == tag::TH,
                    |x| x == tag::TR || x == tag::TABLE,
                ),
                tag::OPTION if self.dom.nodes[self.current() as usize].tag == tag::OPTION => {
                    self.pop();
                }
                _ if is_heading(t) && is_heading(self.dom.nodes[self.current() as usize].tag) => {
                    self.pop();
                }
                _ => {}
            }
        }
        let parent = self.current();
        let node = Node {
            tag: t,
            parent,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            start: attrs_start as u32,
            end: attrs_end as u32,
        };
        let Some(id) = self.append(parent, node) else {
            return;
        };
        let foreign_self_close = self_closing && (self.foreign_depth > 0 || t == tag::SVG);
        if is_void(t) || foreign_self_close || self.stack.len() >= MAX_DEPTH {
            return;
        }
        self.stack.push(id);
        if let Some(c) = self.open_count.get_mut(t as usize) {
            *c += 1;
        }
        if t == tag::SVG || t == tag::MATH {
            self.foreign_depth += 1;
        }
    }

    fn end_tag(&mut self, t: u16) {
        if t == tag::HTML || t == tag::BODY {
            // `</body>` and `</html>` are routinely followed by more content; ignore them.
            return;
        }
        if self.open_count.get(t as usize).copied().unwrap_or(0) == 0 {
            return;
        }
        while self.stack.len() > 1 {
            let n = self.current();
            let nt = self.dom.nodes[n as usize].tag;
            self.pop();
            if nt == t {
                break;
            }
        }
    }

    fn text(&mut self, value: &[u8]) {
        let cur = self.current();
        let ct = self.dom.nodes[cur as usize].tag;
        // Raw text of scripts (except JSON-LD), styles and similar never reaches the output.
        let keep = match ct {
            tag::STYLE | tag::NOSCRIPT | tag::IFRAME | tag::XMP | tag::NOEMBED | tag::NOFRAMES => {
                false
            }
            tag::SCRIPT => self.is_ldjson(cur),
            tag::TEXTAREA | tag::SELECT | tag::OPTION => false,
            _ => true,
        };
        if !keep {
            return;
        }
        // Merge with a directly preceding text sibling (comments split text runs).
        let last = self.dom.nodes[cur as usize].last_child;
        if last != NONE && self.dom.nodes[last as usize].tag == tag::TEXT {
            let n = &self.dom.nodes[last as usize];
            if n.end as usize == self.dom.text.len() {
                self.dom.text.extend_from_slice(value);
                self.dom.nodes[last as usize].end = self.dom.text.len() as u32;
                return;
            }
        }
        let start = self.dom.text.len() as u32;
        self.dom.text.extend_from_slice(value);
        let node = Node {
            tag: tag::TEXT,
            parent: cur,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            start,
            end: self.dom.text.len() as u32,
        };
        if self.append(cur, node).is_none() {
            // Arena full: keep the text on the current element's last text node if any.
            if last != NONE && self.dom.nodes[last as usize].tag == tag::TEXT {
                self.dom.nodes[last as usize].end = self.dom.text.len() as u32;
            } else {
                self.dom.text.truncate(start as usize);
            }
        }
    }

    fn is_ldjson(&self, node: u32) -> bool {
        self.dom
            .attr(node, Attr::Type)
            .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"))
    }

    fn event(&mut self, ev: CallbackEvent<'_>) {
        match ev {
            CallbackEvent::OpenStartTag { name } => {
                let t = self.intern(name);
                self.cur_tag = Some(t);
                self.cur_is_start = true;
                self.cur_attr = None;
                self.pending_attrs_start = self.dom.attrs.len();
                self.cur_type_ldjson = false;
            }
            CallbackEvent::AttributeName { name } => {
                self.cur_attr = if self.cur_is_start {
                    attr_id(name)
                } else {
                    None
                };
                if let Some(a) = self.cur_attr {
                    // Duplicate attributes: the first one wins, as in HTML.
                    if self.dom.attrs[self.pending_attrs_start..]
                        .iter()
                        .any(|(k, _, _)| *k == a)
                    {
                        self.cur_attr = None;
                    } else if a == Attr::Hidden {
                        // Boolean attribute: record it even without a value.
                        let s = self.dom.attr_text.len() as u32;
                        self.dom.attrs.push((a, s, s));
                        self.cur_attr = None;
                    }
                }
            }
            CallbackEvent::AttributeValue { value } => {
                if let Some(a) = self.cur_attr.take() {
                    let s = self.dom.attr_text.len() as u32;
                    // Attribute values longer than this are never useful (data URIs, blobs).
                    let v = &value[..value.len().min(4096)];
                    self.dom.attr_text.extend_from_slice(v);
                    self.dom.attrs.push((a, s, self.dom.attr_text.len() as u32));
                }
            }
            CallbackEvent::CloseStartTag { self_closing } => {
                if let Some(t) = self.cur_tag.take() {
                    if self.cur_is_start {
                        self.start_tag_done(t, self_closing);
                    }
                }
                self.pending_attrs_start = self.dom.attrs.len();
            }
            CallbackEvent::EndTag { name } => {
                // Attributes seen on an end tag are discarded.
                self.dom.attrs.truncate(self.pending_attrs_start);
                self.cur_tag = None;
                self.cur_is_start = false;
                let t = self.intern(name);
                self.end_tag(t);
            }
            CallbackEvent::String { value } => self.text(value),
            _ => {}
        }
    }
}

/// Parse an HTML document (already decoded to UTF-8).
pub fn parse(html: &str) -> Dom {
    let mut b = Builder::new(html.len());
    {
        let b_ref = &mut b;
        let mut emitter = CallbackEmitter::new(
            move |ev: CallbackEvent<'_>, _span: Span<()>| -> Option<()> {
                b_ref.event(ev);
                None
            },
        );
        emitter.naively_switch_states(true);
        let tok = Tokenizer::new_with_emitter(html, Quiet(emitter));
        for _ in tok {}
    }
    b.dom
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(d: &Dom, n: u32, out: &mut String) {
        for c in d.children(n) {
            let t = d.tag(c);
            if t == tag::TEXT {
                out.push_str(&String::from_utf8_lossy(d.text_of(c)));
            } else {
                out.push('<');
                out.push_str(tag::name(t));
                out.push('>');
                shape(d, c, out);
                out.push_str("</>");
            }
        }
    }

    fn s(html: &str) -> String {
        let d = parse(html);
        let mut o = String::new();
        shape(&d, 0, &mut o);
        o
    }

    #[test]
    fn implied_p_and_li() {
        assert_eq!(s("<p>a<p>b<div>c</div>"), "<p>a</><p>b</><div>c</>");
        assert_eq!(s("<ul><li>a<li>b</ul>"), "<ul><li>a</><li>b</></>");
    }

    #[test]
    fn raw_text_and_entities() {
        assert_eq!(s("<script>a<b>c</script>x&amp;y"), "<script></>x&y");
        assert_eq!(
            s("<script type=application/ld+json>{\"a\":1}</script>"),
            "<script>{\"a\":1}</>"
        );
    }

    #[test]
    fn stray_end_tags_and_voids() {
        assert_eq!(s("a</div>b<br>c<img>d"), "ab<br></>c<img></>d");
    }

    #[test]
    fn whitespace_collapses() {
        assert_eq!(collapse_ws("  a \n\t b\u{a0}\u{a0}c  "), "a b c");
        assert_eq!(collapse_ws(" x  y "), "x y");
        assert_eq!(collapse_ws("   "), "");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let html = "<div>".repeat(100_000) + "x";
        let d = parse(&html);
        assert!(d.nodes.len() > 1000);
    }
}
