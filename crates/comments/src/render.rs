//! Comment text (plain text with a small Markdown subset) to safe HTML.
//!
//! The text is parsed with pulldown-cmark (CommonMark, no extensions) and written out
//! by this module's own event writer, which emits only the allowlisted tags below and
//! escapes everything else; raw HTML in the text is shown as text, never passed
//! through. The result then goes through ammonia with the same tight allowlist
//! (belt and braces), which also sets `rel` on every link. Finally, scheme-like words
//! (`javascript:`…) and `on…=` sequences in *text* get their `:`/`=` written as
//! character references, so the markup a reader's comment produces never contains
//! those byte sequences at all (they display unchanged).
//!
//! Allowlist: `p`, `br`, `em`, `strong`, `blockquote`, `code`, `pre`, and `a` with
//! only `href` (absolute `http:`, `https:` or `mailto:`) and
//! `rel="nofollow ugc noopener"`. No other tag, attribute, class or style survives.
//!
//! Markdown constructs outside the subset degrade to text: headings become paragraphs
//! (keeping their `#`s), list items become paragraphs that keep their marker, images
//! become links to the image, thematic breaks stay as typed. Single newlines inside a
//! paragraph become `<br>` (comment authors expect their line breaks kept). Bare
//! `http(s)://` URLs in text are linked.

use crate::text::{clean_line, clean_multiline, escape_html, is_invisible, truncate_chars};
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use url::Url;

/// The `rel` every link in a rendered comment carries.
pub const LINK_REL: &str = "nofollow ugc noopener";

/// Default bound on the length of a comment, in characters.
pub const DEFAULT_MAX_CHARS: usize = 5_000;

/// Tags a rendered comment may contain.
pub const ALLOWED_TAGS: &[&str] = &["p", "br", "em", "strong", "a", "blockquote", "code", "pre"];

/// URL schemes a link in a rendered comment may use.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Longest link destination that is turned into a link (longer ones stay text).
const MAX_HREF_BYTES: usize = 2_048;

/// Limits of the renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Text beyond this many characters is cut off before rendering (validation should
    /// have refused it already; this is the renderer's own bound). Default 5,000.
    pub max_chars: usize,
    /// Deepest nesting of `<blockquote>`; deeper quotes are flattened. Default 4.
    pub max_quote_depth: usize,
    /// Deepest nesting of `<em>`/`<strong>`/`<a>`; deeper markup is dropped, its text
    /// kept. Default 6.
    pub max_inline_depth: usize,
    /// Link bare `http://`/`https://` URLs in text. Default true.
    pub linkify: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            max_chars: DEFAULT_MAX_CHARS,
            max_quote_depth: 4,
            max_inline_depth: 6,
            linkify: true,
        }
    }
}

/// Rendered HTML and the number of links in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Safe HTML, ready to insert into a page unescaped.
    pub html: String,
    /// How many `<a>` elements `html` contains (for the moderation link limit).
    pub links: usize,
}

/// A renderer with its options and a prepared sanitiser; cheap to share (`Sync`).
pub struct Renderer {
    opts: RenderOptions,
    sanitizer: ammonia::Builder<'static>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("opts", &self.opts)
            .finish()
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new(RenderOptions::default())
    }
}

impl Renderer {
    /// A renderer with these limits.
    pub fn new(opts: RenderOptions) -> Self {
        let mut b = ammonia::Builder::default();
        let mut tag_attributes = HashMap::new();
        tag_attributes.insert("a", HashSet::from(["href"]));
        b.tags(ALLOWED_TAGS.iter().copied().collect())
            .clean_content_tags(HashSet::from(["script", "style"]))
            .tag_attributes(tag_attributes)
            .generic_attributes(HashSet::new())
            .generic_attribute_prefixes(HashSet::new())
            .allowed_classes(HashMap::new())
            .url_schemes(ALLOWED_SCHEMES.iter().copied().collect())
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some(LINK_REL))
            .strip_comments(true)
            .id_prefix(None);
        Self { opts, sanitizer: b }
    }

    /// The limits in force.
    pub fn options(&self) -> &RenderOptions {
        &self.opts
    }

    /// Comment text to safe HTML.
    pub fn render(&self, text: &str) -> String {
        self.render_counting_links(text).html
    }

    /// Comment text to safe HTML, with the number of links it contains.
    pub fn render_counting_links(&self, text: &str) -> Rendered {
        let clean = clean_multiline(text);
        let src = truncate_chars(&clean, self.opts.max_chars);
        let (html, links) = Writer::new(&self.opts, src).run();
        let sanitized = self.sanitizer.clean(&html).to_string();
        Rendered {
            html: neutralise_text(sanitized.trim_end()),
            links,
        }
    }

    /// How many links the rendered text would contain.
    pub fn count_links(&self, text: &str) -> usize {
        let clean = clean_multiline(text);
        let src = truncate_chars(&clean, self.opts.max_chars);
        Writer::new(&self.opts, src).run().1
    }
}

/// Comment text to safe HTML with the default options. Prefer a shared [`Renderer`]
/// when rendering many comments (this builds one per call).
pub fn render(text: &str) -> String {
    Renderer::default().render(text)
}

/// How many links [`render`] would produce for this text.
pub fn count_links(text: &str) -> usize {
    Renderer::default().count_links(text)
}

/// A plain-text excerpt of comment text for feeds, titles and the admin: Markdown
/// markers and link destinations removed, whitespace collapsed to single spaces, cut at
/// a word boundary to at most `max_chars` characters (with `…` when cut).
///
/// The result is plain text, not HTML: escape it like any other text.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    if max_chars == 0 {
        return String::new();
    }
    let clean = clean_multiline(text);
    // Enough source for the excerpt; the bound keeps the work small for huge input.
    let src = truncate_chars(&clean, max_chars.saturating_mul(4).max(DEFAULT_MAX_CHARS));
    let mut plain = String::with_capacity(src.len().min(max_chars * 4));
    for ev in Parser::new_ext(src, Options::empty()) {
        match ev {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                plain.push_str(&t)
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::Rule
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock,
            ) => plain.push(' '),
            _ => {}
        }
    }
    shorten(&clean_line(&plain), max_chars)
}

/// `s` cut to at most `max` characters at a word boundary, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut = truncate_chars(s, max.saturating_sub(1));
    let at_word = match cut.rfind(' ') {
        Some(i) if cut[..i].chars().count() * 10 >= max * 6 => &cut[..i],
        _ => cut,
    };
    let mut out = at_word
        .trim_end_matches(|c: char| c.is_whitespace() || ",.;:-–—".contains(c))
        .to_string();
    out.push('…');
    out
}

/// An absolute `http`, `https` or `mailto` URL, normalised, for a link destination;
/// `None` for anything else (other schemes, relative URLs, unparsable text).
pub(crate) fn safe_href(dest: &str, email: bool) -> Option<String> {
    let dest: String = dest.chars().filter(|c| !is_invisible(*c)).collect();
    let dest = dest.trim();
    if dest.is_empty() || dest.len() > MAX_HREF_BYTES {
        return None;
    }
    let candidate = if email {
        format!("mailto:{dest}")
    } else {
        dest.to_string()
    };
    let url = Url::parse(&candidate).ok()?;
    match url.scheme() {
        "http" | "https" => {
            url.host()?;
        }
        "mailto" => {
            if url.path().is_empty() && url.query().is_none() {
                return None;
            }
        }
        _ => return None,
    }
    let mut href = String::with_capacity(url.as_str().len());
    for c in url.as_str().chars() {
        if c.is_whitespace() || c.is_control() {
            href.push_str("%20");
        } else {
            href.push(c);
        }
    }
    let href = defuse_scheme_words(&href, "%3A");
    // The changes above must leave a URL that still parses the same way (a `%3A` in
    // a host name would not): the sanitiser would drop the href otherwise.
    match Url::parse(&href) {
        Ok(again) if again.scheme() == url.scheme() && again.host() == url.host() => Some(href),
        _ => None,
    }
}

/// Scheme names that run script when they start a URL: defused wherever they stand
/// before a `:`, even glued to other letters (`xjavascript:`).
const SCRIPT_SCHEMES: &[&str] = &["javascript", "vbscript", "livescript"];

/// Scheme names that embed content: defused only as whole words (`metadata:` stays).
const EMBED_SCHEMES: &[&str] = &["data"];

/// Replaces the `:` after a [`SCRIPT_SCHEMES`] name, or an [`EMBED_SCHEMES`] word at
/// a word boundary, with `colon`.
fn defuse_scheme_words(s: &str, colon: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b':' {
            continue;
        }
        let word_start = s[..i]
            .bytes()
            .rposition(|c| !c.is_ascii_alphabetic())
            .map_or(0, |p| p + 1);
        let word = &s[word_start..i];
        let boundary = word_start == 0 || !s[..word_start].ends_with(|c: char| c.is_alphanumeric());
        let script = SCRIPT_SCHEMES
            .iter()
            .any(|d| word.len() >= d.len() && word[word.len() - d.len()..].eq_ignore_ascii_case(d));
        let embed = boundary && EMBED_SCHEMES.iter().any(|d| word.eq_ignore_ascii_case(d));
        if script || embed {
            out.push_str(&s[last..i]);
            out.push_str(colon);
            last = i + 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Replaces the `=` of `on…=` sequences (an `on`-word at a word boundary, optional
/// spaces, `=`) with `&#61;`.
fn defuse_handler_words(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'=' {
            continue;
        }
        let before = s[..i].trim_end_matches(|c: char| c.is_ascii_whitespace());
        let word_start = before
            .bytes()
            .rposition(|c| !c.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1);
        let word = &before[word_start..];
        let boundary =
            word_start == 0 || !before[..word_start].ends_with(|c: char| c.is_alphanumeric());
        if boundary && word.len() >= 2 && word[..2].eq_ignore_ascii_case("on") {
            out.push_str(&s[last..i]);
            out.push_str("&#61;");
            last = i + 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Applies [`defuse_scheme_words`] and [`defuse_handler_words`] to the text between
/// tags of serialised HTML (tags and their attribute values are copied unchanged).
fn neutralise_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut text_start = 0;
    let mut chars = html.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '<' {
            continue;
        }
        let text = &html[text_start..i];
        out.push_str(&defuse_handler_words(&defuse_scheme_words(text, "&#58;")));
        // Copy the tag through its closing `>`, honouring quoted attribute values.
        let mut quote: Option<char> = None;
        let mut end = html.len();
        for (j, d) in chars.by_ref() {
            match (quote, d) {
                (None, '"' | '\'') => quote = Some(d),
                (Some(q), d) if d == q => quote = None,
                (None, '>') => {
                    end = j + 1;
                    break;
                }
                _ => {}
            }
        }
        out.push_str(&html[i..end]);
        text_start = end;
    }
    if text_start < html.len() {
        let text = &html[text_start..];
        out.push_str(&defuse_handler_words(&defuse_scheme_words(text, "&#58;")));
    }
    out
}

/// An open inline element.
enum Frame {
    /// `<em>`/`<strong>`, or `None` when dropped for depth.
    Tag(Option<&'static str>),
    /// A link or image: whether an `<a>` was opened, its href (to show as the text of
    /// a link that has none), and whether any text was written inside.
    Link {
        open: bool,
        href: Option<String>,
        had_text: bool,
    },
}

/// Writes the allowlisted HTML for pulldown-cmark's events.
struct Writer<'a> {
    opts: &'a RenderOptions,
    src: &'a str,
    out: String,
    p_open: bool,
    marker_pending: bool,
    quotes: Vec<bool>,
    frames: Vec<Frame>,
    link_depth: usize,
    in_code_block: bool,
    in_html_block: bool,
    pending_text: String,
    links: usize,
}

impl<'a> Writer<'a> {
    fn new(opts: &'a RenderOptions, src: &'a str) -> Self {
        Self {
            opts,
            src,
            out: String::with_capacity(src.len() + src.len() / 4 + 16),
            p_open: false,
            marker_pending: false,
            quotes: Vec::new(),
            frames: Vec::new(),
            link_depth: 0,
            in_code_block: false,
            in_html_block: false,
            pending_text: String::new(),
            links: 0,
        }
    }

    fn run(mut self) -> (String, usize) {
        let src = self.src;
        for (ev, range) in Parser::new_ext(src, Options::empty()).into_offset_iter() {
            if let Event::Text(t) = &ev {
                if !self.in_code_block && !self.in_html_block {
                    self.inline_start();
                    self.mark_link_text();
                    self.pending_text.push_str(t);
                    continue;
                }
            }
            self.flush_text();
            self.event(ev, range);
        }
        self.flush_text();
        self.close_p();
        while let Some(open) = self.quotes.pop() {
            if open {
                self.out.push_str("</blockquote>");
            }
        }
        (self.out, self.links)
    }

    fn event(&mut self, ev: Event<'_>, range: Range<usize>) {
        match ev {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => {
                if self.in_code_block {
                    escape_html(&t, &mut self.out);
                } else {
                    // Inside an HTML block: shown as text, lines kept.
                    self.inline_start();
                    self.push_text_with_breaks(&t);
                }
            }
            Event::Code(t) => {
                self.inline_start();
                self.mark_link_text();
                self.out.push_str("<code>");
                escape_html(&t, &mut self.out);
                self.out.push_str("</code>");
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                self.inline_start();
                self.mark_link_text();
                self.push_text_with_breaks(&t);
            }
            Event::InlineMath(t) | Event::DisplayMath(t) | Event::FootnoteReference(t) => {
                self.inline_start();
                self.mark_link_text();
                escape_html(&t, &mut self.out);
            }
            Event::SoftBreak | Event::HardBreak => {
                if self.in_code_block {
                    self.out.push('\n');
                } else {
                    self.inline_start();
                    self.out.push_str("<br>\n");
                }
            }
            Event::Rule => {
                self.close_p();
                self.open_p();
                let typed = self.src.get(range).unwrap_or("---").trim();
                escape_html(typed, &mut self.out);
                self.close_p();
            }
            Event::TaskListMarker(done) => {
                self.inline_start();
                self.out.push_str(if done { "[x] " } else { "[ ] " });
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => {
                if self.marker_pending {
                    // The first paragraph of a list item continues the item's line.
                    self.marker_pending = false;
                } else {
                    self.close_p();
                    self.open_p();
                }
            }
            Tag::Heading { .. } => {
                self.close_p();
                self.open_p();
                let typed = self.src.get(range.start..).unwrap_or("").trim_start();
                let hashes = typed.len() - typed.trim_start_matches('#').len();
                if hashes > 0 {
                    self.out.push_str(&typed[..hashes]);
                    self.out.push(' ');
                }
            }
            Tag::BlockQuote(_) => {
                self.close_p();
                self.marker_pending = false;
                let open = self.quotes.iter().filter(|q| **q).count() < self.opts.max_quote_depth;
                if open {
                    self.out.push_str("<blockquote>\n");
                }
                self.quotes.push(open);
            }
            Tag::CodeBlock(_) => {
                self.close_p();
                self.marker_pending = false;
                self.out.push_str("<pre><code>");
                self.in_code_block = true;
            }
            Tag::HtmlBlock => {
                if !self.marker_pending {
                    self.close_p();
                    self.open_p();
                }
                self.marker_pending = false;
                self.in_html_block = true;
            }
            Tag::List(_) => {
                self.close_p();
                self.marker_pending = false;
            }
            Tag::Item => {
                self.close_p();
                self.open_p();
                let typed = self.src.get(range.start..).unwrap_or("").trim_start();
                let marker: String = typed
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .take(10)
                    .collect();
                escape_html(if marker.is_empty() { "-" } else { &marker }, &mut self.out);
                self.out.push(' ');
                self.marker_pending = true;
            }
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript => {
                self.inline_start();
                let name = match tag {
                    Tag::Emphasis => Some("em"),
                    Tag::Strong => Some("strong"),
                    _ => None,
                };
                let name = name.filter(|_| self.inline_depth() < self.opts.max_inline_depth);
                if let Some(n) = name {
                    self.out.push('<');
                    self.out.push_str(n);
                    self.out.push('>');
                }
                self.frames.push(Frame::Tag(name));
            }
            Tag::Link {
                link_type,
                dest_url,
                ..
            }
            | Tag::Image {
                link_type,
                dest_url,
                ..
            } => {
                self.inline_start();
                let href =
                    if self.link_depth == 0 && self.inline_depth() < self.opts.max_inline_depth {
                        safe_href(&dest_url, link_type == LinkType::Email)
                    } else {
                        None
                    };
                if let Some(h) = &href {
                    self.out.push_str("<a href=\"");
                    escape_html(h, &mut self.out);
                    self.out.push_str("\">");
                    self.links += 1;
                }
                self.frames.push(Frame::Link {
                    open: href.is_some(),
                    href,
                    had_text: false,
                });
                self.link_depth += 1;
            }
            // Not enabled in the parser options; their content flows as text.
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::List(_) => {
                self.close_p();
                self.marker_pending = false;
            }
            TagEnd::BlockQuote(_) => {
                self.close_p();
                if self.quotes.pop() == Some(true) {
                    self.out.push_str("</blockquote>\n");
                }
            }
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                self.out.push_str("</code></pre>\n");
            }
            TagEnd::HtmlBlock => {
                self.in_html_block = false;
                // Drop the `<br>` of the block's last line break.
                if self.out.ends_with("<br>\n") {
                    self.out.truncate(self.out.len() - "<br>\n".len());
                }
                self.close_p();
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image => match self.frames.pop() {
                Some(Frame::Tag(Some(name))) => {
                    self.out.push_str("</");
                    self.out.push_str(name);
                    self.out.push('>');
                }
                Some(Frame::Link {
                    open,
                    href,
                    had_text,
                }) => {
                    self.link_depth = self.link_depth.saturating_sub(1);
                    if open {
                        if !had_text {
                            if let Some(h) = href {
                                let shown = h.strip_prefix("mailto:").unwrap_or(&h);
                                escape_html(shown, &mut self.out);
                            }
                        }
                        self.out.push_str("</a>");
                    }
                }
                Some(Frame::Tag(None)) | None => {}
            },
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    fn inline_depth(&self) -> usize {
        self.frames
            .iter()
            .filter(|f| matches!(f, Frame::Tag(Some(_)) | Frame::Link { open: true, .. }))
            .count()
    }

    /// Before inline output: a paragraph is open (outside code blocks).
    fn inline_start(&mut self) {
        self.marker_pending = false;
        if !self.p_open && !self.in_code_block {
            self.open_p();
        }
    }

    fn mark_link_text(&mut self) {
        for f in &mut self.frames {
            if let Frame::Link { had_text, .. } = f {
                *had_text = true;
            }
        }
    }

    fn open_p(&mut self) {
        self.out.push_str("<p>");
        self.p_open = true;
    }

    fn close_p(&mut self) {
        if self.p_open {
            self.out.push_str("</p>\n");
            self.p_open = false;
        }
    }

    fn push_text_with_breaks(&mut self, t: &str) {
        let mut lines = t.split('\n').peekable();
        while let Some(line) = lines.next() {
            escape_html(line, &mut self.out);
            if lines.peek().is_some() {
                self.out.push_str("<br>\n");
            }
        }
    }

    fn flush_text(&mut self) {
        if self.pending_text.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending_text);
        if self.opts.linkify && self.link_depth == 0 {
            self.push_linkified(&text);
        } else {
            escape_html(&text, &mut self.out);
        }
    }

    /// Text with bare `http(s)://` URLs linked.
    fn push_linkified(&mut self, t: &str) {
        let lower = t.to_ascii_lowercase();
        let mut written = 0;
        let mut search = 0;
        while let Some(found) = find_url_start(&lower, search) {
            let end = url_end(t, found);
            let cand = &t[found..end];
            let can_open = self.inline_depth() < self.opts.max_inline_depth;
            match safe_href(cand, false).filter(|_| can_open) {
                Some(href) => {
                    escape_html(&t[written..found], &mut self.out);
                    self.out.push_str("<a href=\"");
                    escape_html(&href, &mut self.out);
                    self.out.push_str("\">");
                    escape_html(cand, &mut self.out);
                    self.out.push_str("</a>");
                    self.links += 1;
                    written = end;
                    search = end;
                }
                None => search = found + 1,
            }
        }
        escape_html(&t[written..], &mut self.out);
    }
}

/// The byte offset of the next `http://` or `https://` at a word boundary in
/// `lower` (ASCII-lower-cased text) at or after `from`.
fn find_url_start(lower: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(rel) = lower.get(at..)?.find("http") {
        let i = at + rel;
        let rest = &lower[i..];
        let boundary = !lower[..i].ends_with(|c: char| c.is_alphanumeric());
        if boundary && (rest.starts_with("http://") || rest.starts_with("https://")) {
            return Some(i);
        }
        at = i + 4;
    }
    None
}

/// Where a bare URL starting at `start` ends: at whitespace or a character that
/// cannot be part of one, less trailing punctuation and unbalanced closing brackets.
fn url_end(t: &str, start: usize) -> usize {
    let mut end = t[start..]
        .find(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\'')
        })
        .map_or(t.len(), |e| start + e);
    loop {
        let cand = &t[start..end];
        let Some(last) = cand.chars().next_back() else {
            break;
        };
        let trim = match last {
            '.' | ',' | ':' | ';' | '!' | '?' | '*' | '_' | '~' => true,
            ')' => cand.matches('(').count() < cand.matches(')').count(),
            ']' => cand.matches('[').count() < cand.matches(']').count(),
            '}' => cand.matches('{').count() < cand.matches('}').count(),
            _ => false,
        };
        if !trim {
            break;
        }
        end -= last.len_utf8();
    }
    end
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        render(s)
    }

    #[test]
    fn paragraphs_and_line_breaks() {
        assert_eq!(
            r("Hello\nworld\n\nSecond"),
            "<p>Hello<br>\nworld</p>\n<p>Second</p>"
        );
        assert_eq!(r(""), "");
        assert_eq!(r("   \n\n "), "");
    }

    #[test]
    fn emphasis_and_strong() {
        assert_eq!(
            r("*a* **b** _c_ __d__"),
            "<p><em>a</em> <strong>b</strong> <em>c</em> <strong>d</strong></p>"
        );
    }

    #[test]
    fn inline_and_block_code_are_escaped() {
        assert_eq!(
            r("use `<b>` here"),
            "<p>use <code>&lt;b&gt;</code> here</p>"
        );
        assert_eq!(
            r("```html\n<script>x</script>\n```"),
            "<pre><code>&lt;script&gt;x&lt;/script&gt;\n</code></pre>"
        );
        assert_eq!(
            r("    indented <i>\n"),
            "<pre><code>indented &lt;i&gt;\n</code></pre>"
        );
    }

    #[test]
    fn quotes_nest_up_to_the_limit() {
        assert_eq!(
            r("> quoted\n\nreply"),
            "<blockquote>\n<p>quoted</p>\n</blockquote>\n<p>reply</p>"
        );
        let deep = r(&format!("{} deep", ">".repeat(50)));
        assert_eq!(deep.matches("<blockquote>").count(), 4);
        assert_eq!(deep.matches("</blockquote>").count(), 4);
        assert!(deep.contains("<p>deep</p>"));
    }

    #[test]
    fn inline_nesting_is_bounded() {
        let deep = r(&format!("{}x{}", "*".repeat(40), "*".repeat(40)));
        let opened = deep.matches("<em>").count() + deep.matches("<strong>").count();
        assert!(opened <= 6, "{deep}");
        assert_eq!(deep.matches("<em>").count(), deep.matches("</em>").count());
        assert_eq!(
            deep.matches("<strong>").count(),
            deep.matches("</strong>").count()
        );
    }

    #[test]
    fn links_get_rel_and_only_safe_schemes() {
        assert_eq!(
            r("[Herald](https://example.com/a?b=1&c=2)"),
            "<p><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">Herald</a></p>"
        );
        assert_eq!(
            r("<https://example.com>"),
            "<p><a href=\"https://example.com/\" rel=\"nofollow ugc noopener\">https://example.com</a></p>"
        );
        assert_eq!(
            r("<ada@example.com>"),
            "<p><a href=\"mailto:ada@example.com\" rel=\"nofollow ugc noopener\">ada@example.com</a></p>"
        );
        assert_eq!(r("[x](javascript:alert(1))"), "<p>x</p>");
        assert_eq!(r("[x](/relative)"), "<p>x</p>");
        assert_eq!(r("[x](ftp://example.com)"), "<p>x</p>");
    }

    #[test]
    fn bare_urls_are_linked_without_trailing_punctuation() {
        assert_eq!(
            r("See https://example.com/a_b_c. Or (http://example.org/x)!"),
            "<p>See <a href=\"https://example.com/a_b_c\" rel=\"nofollow ugc noopener\">https://example.com/a_b_c</a>. \
             Or (<a href=\"http://example.org/x\" rel=\"nofollow ugc noopener\">http://example.org/x</a>)!</p>"
        );
        assert_eq!(
            r("wiki https://en.wikipedia.org/wiki/Rust_(language) ok"),
            "<p>wiki <a href=\"https://en.wikipedia.org/wiki/Rust_(language)\" rel=\"nofollow ugc noopener\">https://en.wikipedia.org/wiki/Rust_(language)</a> ok</p>"
        );
        assert_eq!(r("xhttps://example.com"), "<p>xhttps://example.com</p>");
        assert_eq!(r("https:// nothing"), "<p>https:// nothing</p>");
        let opts = RenderOptions {
            linkify: false,
            ..RenderOptions::default()
        };
        assert_eq!(
            Renderer::new(opts).render("https://example.com"),
            "<p>https://example.com</p>"
        );
    }

    #[test]
    fn link_without_text_shows_its_address() {
        assert_eq!(
            r("[](https://example.com/)"),
            "<p><a href=\"https://example.com/\" rel=\"nofollow ugc noopener\">https://example.com/</a></p>"
        );
    }

    #[test]
    fn images_become_links() {
        assert_eq!(
            r("![a cat](https://example.com/cat.png)"),
            "<p><a href=\"https://example.com/cat.png\" rel=\"nofollow ugc noopener\">a cat</a></p>"
        );
        assert_eq!(r("![a cat](javascript:x)"), "<p>a cat</p>");
    }

    #[test]
    fn no_links_inside_links() {
        let html =
            r("[see https://a.example/ and ![i](https://b.example/i.png)](https://c.example/)");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert!(!html.contains("i.png</a>"), "{html}");
        assert_eq!(
            count_links("[see https://a.example/](https://c.example/)"),
            1
        );
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        assert_eq!(r("<b>bold</b>"), "<p>&lt;b&gt;bold&lt;/b&gt;</p>");
        assert_eq!(
            r("<div>\nblock\n</div>"),
            "<p>&lt;div&gt;<br>\nblock<br>\n&lt;/div&gt;</p>"
        );
    }

    #[test]
    fn unsupported_blocks_degrade_to_text() {
        assert_eq!(r("# Title"), "<p># Title</p>");
        assert_eq!(r("- one\n- two"), "<p>- one</p>\n<p>- two</p>");
        assert_eq!(r("3. three\n4. four"), "<p>3. three</p>\n<p>4. four</p>");
        assert_eq!(r("- loose\n\n- list"), "<p>- loose</p>\n<p>- list</p>");
        assert_eq!(r("a\n\n---\n\nb"), "<p>a</p>\n<p>---</p>\n<p>b</p>");
        assert_eq!(
            r("- <b>x</b>\n- y"),
            "<p>- &lt;b&gt;x&lt;/b&gt;</p>\n<p>- y</p>"
        );
        assert_eq!(
            r("- ```\n  code\n  ```"),
            "<p>- </p>\n<pre><code>code\n</code></pre>"
        );
    }

    #[test]
    fn text_never_contains_handler_or_scheme_sequences() {
        assert_eq!(r("javascript:alert(1)"), "<p>javascript&#58;alert(1)</p>");
        assert_eq!(r("x onerror=y"), "<p>x onerror&#61;y</p>");
        assert_eq!(r("a = b, onion = c"), "<p>a = b, onion &#61; c</p>");
        assert_eq!(
            r("time 10:30, metadata: x"),
            "<p>time 10:30, metadata: x</p>"
        );
        assert_eq!(r("<svgjavascript:x"), "<p>&lt;svgjavascript&#58;x</p>");
        assert_eq!(r("Data: 5"), "<p>Data&#58; 5</p>");
    }

    #[test]
    fn hrefs_defuse_scheme_words_inside() {
        let html = r("[x](https://example.com/?u=javascript:alert(1))");
        assert!(
            html.contains("href=\"https://example.com/?u=javascript%3Aalert(1)\""),
            "{html}"
        );
        let html = r("https://metadata:8080/");
        assert!(html.contains("href=\"https://metadata:8080/\""), "{html}");
    }

    #[test]
    fn length_is_bounded() {
        let opts = RenderOptions {
            max_chars: 10,
            ..RenderOptions::default()
        };
        assert_eq!(
            Renderer::new(opts).render("0123456789abcdef"),
            "<p>0123456789</p>"
        );
    }

    #[test]
    fn counts_links() {
        assert_eq!(count_links("no links"), 0);
        assert_eq!(
            count_links(
                "[a](https://a.example) https://b.example <https://c.example> [d](javascript:x)"
            ),
            3
        );
    }

    #[test]
    fn excerpt_is_plain_and_short() {
        assert_eq!(
            excerpt(
                "**Hello** [world](https://x.example)\n\n> quoted `code`",
                100
            ),
            "Hello world quoted code"
        );
        assert_eq!(
            excerpt("<script>alert(1)</script>", 100),
            "<script>alert(1)</script>"
        );
        let long = "word ".repeat(100);
        let e = excerpt(&long, 23);
        assert!(e.chars().count() <= 23, "{e}");
        assert!(e.ends_with("word…"), "{e}");
        assert_eq!(excerpt("anything", 0), "");
        assert_eq!(excerpt("abcdefghijklmnopqrstuvwxyz", 10), "abcdefghi…");
    }

    #[test]
    fn safe_href_rules() {
        assert_eq!(
            safe_href("HTTPS://Example.COM", false).as_deref(),
            Some("https://example.com/")
        );
        assert_eq!(safe_href("java\u{200B}script:alert(1)", false), None);
        assert_eq!(safe_href(" javascript:alert(1)", false), None);
        assert_eq!(safe_href("jav\tascript:alert(1)", false), None);
        assert_eq!(safe_href("data:text/html,<script>", false), None);
        assert_eq!(safe_href("vbscript:msgbox", false), None);
        assert_eq!(safe_href("http://javascript:1", false), None);
        assert_eq!(safe_href("//evil.example", false), None);
        assert_eq!(safe_href("https://", false), None);
        assert_eq!(safe_href("mailto:", false), None);
        assert_eq!(
            safe_href("a@b.example", true).as_deref(),
            Some("mailto:a@b.example")
        );
        assert_eq!(
            safe_href("mailto:a@b.example?subject=x onload=1", false).as_deref(),
            Some("mailto:a@b.example?subject=x%20onload=1")
        );
    }
}
