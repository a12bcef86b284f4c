//! Main-content detection and output (plain text and sanitised HTML).
//!
//! The algorithm is a handful of linear passes over the arena (children always follow
//! their parent, so a forward scan is top-down and a reverse scan bottom-up); only the
//! output walk recurses, and the tree depth is capped.
//!
//! 1. **Boilerplate marking.** Elements are junk by tag (scripts, form controls, media),
//!    by ARIA role, or when hidden by style. Softer evidence is weighed against how much
//!    prose the element holds:
//!    - class/id words (share, newsletter, cookie, ad, meta, header, …; [`JUNK_WORDS`],
//!      [`JUNK_SUBSTRINGS`]) remove an element unless it holds [`WEAK_KEEP_PROSE`] of prose
//!      or its flagged class token covers half the page's prose (a page builder's layout
//!      vocabulary, e.g. `elementor-widget`); headings and code are exempt;
//!    - strong words ([`STRONG_JUNK`]: comments, related, recommended) are never exempted
//!      by size, only by a class that also names the content;
//!    - `<nav>`, `<aside>`, `<footer>` and `<div hidden>` are removed unless they hold half
//!      of the page's prose (an unclosed `<aside>` swallowing the page, or React's streamed
//!      server rendering).
//! 2. **Block scoring.** Every run of text belongs to its nearest block element. A block
//!    scores `+len` for prose (link density ≤ [`MAX_LINK_DENSITY`], at least [`MIN_PROSE`]
//!    bytes), `-len` for link lists and teaser cards (a small subtree led by a linked
//!    headline, see [`TEASER_MAX`]), and 0 for short fragments. Each element's score is the
//!    sum over its subtree, and the element with the highest score is the article: the
//!    smallest container that gathers the prose while excluding the link-heavy chrome around
//!    it (a maximum-weight subtree, which handles articles split over several sibling blocks
//!    as long as what lies between them is not mostly links).
//! 3. **Output.** The chosen subtree is walked again, writing text and clean HTML together
//!    and dropping junk, link lists (unless they carry a sentence of their own), the
//!    headline, figure captions, byline/dateline/label lines, and long duplicated
//!    paragraphs; the body is cut at an end-of-article marker ("Related articles", "About
//!    the author") in its second half unless more story follows.

use crate::dom::{tag, Attr, Dom, NONE};

/// A block whose linked text exceeds this share of its text is navigation, not prose.
/// 0.5 is readability's value and matches how related-link lists and menus look.
const MAX_LINK_DENSITY: f32 = 0.5;
/// Blocks shorter than this (non-space bytes) are captions, labels or buttons: they neither
/// attract nor repel the article choice. 25 bytes is about four words.
const MIN_PROSE: u32 = 25;

/// Words in class/id values that mark boilerplate, matched against whole words of the
/// attribute (split on non-alphanumerics).
const JUNK_WORDS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "advert",
    "advertisement",
    "advertising",
    "adsense",
    "dfp",
    "banner",
    "share",
    "sharing",
    "shares",
    "social",
    "socials",
    "related",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "promo",
    "promos",
    "sponsor",
    "sponsored",
    "comment",
    "comments",
    "disqus",
    "respond",
    "reply",
    "breadcrumb",
    "breadcrumbs",
    "sidebar",
    "widget",
    "widgets",
    "footer",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "popup",
    "modal",
    "overlay",
    "outbrain",
    "taboola",
    "recommended",
    "recommendations",
    "trending",
    "popular",
    "byline",
    "author",
    "authors",
    "toolbar",
    "pagination",
    "pager",
    "login",
    "masthead",
    "topbar",
    "header",
    "meta",
    "dateline",
    "timestamp",
    "tags",
    "tagcloud",
    "skip",
    "print",
    "follow",
    "donate",
    "paywall",
    "rating",
    "bio",
    "caption",
    "credit",
    "credits",
    "disclosure",
    "disclaimer",
    "affiliate",
    "toc",
];

/// Substrings that mark boilerplate even when glued into one word (`relatedPosts`,
/// `socialshare`, `commentlist`).
const JUNK_SUBSTRINGS: &[&str] = &[
    "comment",
    "share",
    "social",
    "related",
    "newsletter",
    "subscri",
    "cookie",
    "consent",
    "advert",
    "sponsor",
    "breadcrumb",
    "sidebar",
    "widget",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
    "popup",
    "navbar",
    "footer",
    "signup",
    "byline",
    "moreto",
    "morefrom",
    "readmore",
    "readnext",
    "upnext",
    "caption",
    "tooltip",
    "popover",
];

/// Words that mark the wrapper of the article itself.
const POSITIVE_WORDS: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "main", "post", "story", "text", "blog",
    "prose", "richtext",
];

/// Words whose boilerplate is never exempted by size: comment threads can be longer than
/// the article they follow.
const STRONG_JUNK: &[&str] = &[
    "comment",
    "disqus",
    "respond",
    "reply",
    "related",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
    "popular",
    "moreto",
    "morefrom",
    "readnext",
    "upnext",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Soft {
    None,
    Weak,
    Strong,
    /// nav/aside/footer elements: boilerplate unless an unclosed one swallowed the page.
    Structural,
}

/// Class/id evidence of one element; results are cached per attribute value because
/// pages repeat the same class strings thousands of times.
fn class_evidence<'d>(
    dom: &'d Dom,
    i: u32,
    cache: &mut PageMap<&'d str, (Soft, bool)>,
) -> (Soft, bool) {
    let mut soft = Soft::None;
    let mut positive = false;
    for a in [Attr::Class, Attr::Id] {
        let Some(v) = dom.attr(i, a) else { continue };
        if v.len() > 512 || v.is_empty() {
            continue;
        }
        let (s, p) = *cache.entry(v).or_insert_with(|| words_evidence(v));
        if s == Soft::Strong || (s == Soft::Weak && soft == Soft::None) {
            soft = s;
        }
        positive |= p;
    }
    (soft, positive)
}

/// The class tokens of `i` that carry boilerplate words.
fn flagged_tokens<'d>(
    dom: &'d Dom,
    i: u32,
    cache: &mut PageMap<&'d str, (Soft, bool)>,
) -> impl Iterator<Item = &'d str> {
    let class = dom.attr(i, Attr::Class).unwrap_or("");
    let toks: Vec<&'d str> = class
        .split_ascii_whitespace()
        .filter(|t| cache.entry(t).or_insert_with(|| words_evidence(t)).0 != Soft::None)
        .collect();
    toks.into_iter()
}

/// Word sets and substring automata for class/id evidence, built once per process.
struct Matchers {
    junk_words: FastSet<&'static str>,
    positive_words: FastSet<&'static str>,
    /// `None` only if building the automaton failed (it cannot for these static patterns);
    /// then substring evidence is simply not used.
    junk_sub: Option<aho_corasick::AhoCorasick>,
    strong_sub: Option<aho_corasick::AhoCorasick>,
}

fn matchers() -> &'static Matchers {
    static M: std::sync::OnceLock<Matchers> = std::sync::OnceLock::new();
    M.get_or_init(|| Matchers {
        junk_words: JUNK_WORDS.iter().copied().collect(),
        positive_words: POSITIVE_WORDS.iter().copied().collect(),
        junk_sub: aho_corasick::AhoCorasick::new(JUNK_SUBSTRINGS).ok(),
        strong_sub: aho_corasick::AhoCorasick::new(STRONG_JUNK).ok(),
    })
}

fn words_evidence(v: &str) -> (Soft, bool) {
    /// Screen-reader-only and hidden utility classes, matched as whole class tokens (a word
    /// match on "hidden" would hit Tailwind's `overflow-hidden` on article wrappers).
    const HIDDEN_TOKENS: &[&str] = &[
        "sr-only",
        "visually-hidden",
        "screen-reader-text",
        "screenreader-only",
        "u-hidden",
        "is-hidden",
        "d-none",
        "hide",
        "hidden-print",
    ];
    let mut soft = Soft::None;
    let mut positive = false;
    if v.split_ascii_whitespace()
        .any(|t| HIDDEN_TOKENS.iter().any(|h| t.eq_ignore_ascii_case(h)))
    {
        soft = Soft::Weak;
    }
    // Lowercase only when needed (most class names already are).
    let lower: std::borrow::Cow<'_, str> = if v.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(v.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(v)
    };
    let m = matchers();
    // One automaton pass over the whole value: the patterns are alphanumeric, so every match
    // lies inside one word, and a word is junk when a match starts inside it.
    let hits = |ac: &Option<aho_corasick::AhoCorasick>| -> Vec<usize> {
        ac.as_ref()
            .map(|ac| ac.find_iter(lower.as_ref()).map(|x| x.start()).collect())
            .unwrap_or_default()
    };
    let junk_hits = hits(&m.junk_sub);
    let mut strong_hits: Option<Vec<usize>> = None;
    let bytes = lower.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_alphanumeric() {
            start += 1;
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |p| start + p);
        let word = &lower[start..end];
        let inside = |h: &[usize]| h.iter().any(|&p| p >= start && p < end);
        if m.junk_words.contains(word) || inside(&junk_hits) {
            let sh = strong_hits.get_or_insert_with(|| hits(&m.strong_sub));
            soft = if inside(sh) || soft == Soft::Strong {
                Soft::Strong
            } else {
                Soft::Weak
            };
        }
        if m.positive_words.contains(word) {
            positive = true;
        }
        start = end;
    }
    (soft, positive)
}

fn is_hidden(dom: &Dom, i: u32) -> bool {
    if dom
        .attr(i, Attr::AriaHidden)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return true;
    }
    if let Some(s) = dom.attr(i, Attr::Style) {
        // Cheap reject before normalising: neither value can match without these letters.
        let l = s.as_bytes();
        let has = |w: &[u8]| l.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
        if !has(b"none") && !has(b"hidden") {
            return false;
        }
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

fn hard_junk_tag(t: u16) -> bool {
    use tag::*;
    matches!(
        t,
        HEAD | TITLE
            | META
            | LINK
            | SCRIPT
            | STYLE
            | NOSCRIPT
            | TEMPLATE
            | IFRAME
            | SVG
            | MATH
            | CANVAS
            | OBJECT
            | EMBED
            | BUTTON
            | INPUT
            | SELECT
            | TEXTAREA
            | DIALOG
            | AUDIO
            | VIDEO
            | LABEL
            | OPTION
            | DATALIST
            | OUTPUT
            | PROGRESS
            | METER
            | LEGEND
            | FRAMESET
            | SEARCH
            | AREA
            | MENU
    )
}

fn junk_role(r: &str) -> bool {
    matches!(
        r.trim().to_ascii_lowercase().as_str(),
        "navigation"
            | "banner"
            | "contentinfo"
            | "complementary"
            | "dialog"
            | "alertdialog"
            | "search"
            | "menu"
            | "menubar"
            | "toolbar"
            | "tablist"
    )
}

pub fn is_block(t: u16) -> bool {
    use tag::*;
    matches!(
        t,
        P | DIV
            | SECTION
            | ARTICLE
            | MAIN
            | H1
            | H2
            | H3
            | H4
            | H5
            | H6
            | UL
            | OL
            | LI
            | DL
            | DT
            | DD
            | BLOCKQUOTE
            | PRE
            | TABLE
            | THEAD
            | TBODY
            | TFOOT
            | TR
            | TD
            | TH
            | CAPTION
            | FIGURE
            | FIGCAPTION
            | HEADER
            | FOOTER
            | ADDRESS
            | CENTER
            | DETAILS
            | SUMMARY
            | HR
            | BODY
            | HTML
            | FORM
            | FIELDSET
            | HGROUP
            | NAV
            | ASIDE
    ) || t == crate::dom::tag::FIRST_UNKNOWN - 1
}

fn nonspace_len(b: &[u8]) -> u32 {
    b.iter().filter(|c| !c.is_ascii_whitespace()).count() as u32
}

/// Teaser cards: at most this much text (non-space bytes, ~45 words: a headline, a one-line
/// summary and a date; measured on the dev pages 250 beats 400 and 600)…
const TEASER_MAX: u32 = 250;
/// …of which at least this share is linked.
const TEASER_LINK_DENSITY: f32 = 0.3;

/// Unlinked text (non-space bytes) that keeps a link-dense block in the output.
const LINKED_PROSE_MIN: u32 = 20;

/// Prose a weakly flagged element must hold to be kept (non-space bytes, ~120 words):
/// author bios and boxes run up to about a hundred words. Measured on the dev pages, F1 is
/// flat between 600 and 800 and lower at 250 or 1,500.
const WEAK_KEEP_PROSE: u32 = 700;

/// Own inline text length and linked text length of every block element.
fn block_stats(
    dom: &Dom,
    junk: &[bool],
    in_link: &[bool],
    text_len: &[u32],
) -> (Vec<u32>, Vec<u32>) {
    let n = dom.nodes.len();
    let mut blk = vec![0u32; n];
    let mut own_len = vec![0u32; n];
    let mut own_link = vec![0u32; n];
    for i in 1..n {
        let node = &dom.nodes[i];
        let p = node.parent;
        blk[i] = if node.tag != tag::TEXT && is_block(node.tag) {
            i as u32
        } else {
            blk[p as usize]
        };
        if node.tag == tag::TEXT && !junk[i] {
            let l = text_len[i];
            let b = blk[i] as usize;
            own_len[b] = own_len[b].saturating_add(l);
            if in_link[i] {
                own_link[b] = own_link[b].saturating_add(l);
            }
        }
    }
    (own_len, own_link)
}

/// Whether the first substantial text block under `i` is a link: a teaser card leads with
/// its linked headline, while content cards (a heading, then a description with a "more"
/// link) do not. Looks at most 200 nodes ahead.
fn first_block_is_link(dom: &Dom, i: u32, own_len: &[u32], own_link: &[u32]) -> bool {
    let end = dom.subtree_end(i).min(i as usize + 200);
    for j in i as usize..end {
        if own_len[j] >= 10 {
            return own_link[j] as f32 >= 0.8 * own_len[j] as f32;
        }
    }
    false
}

/// FNV-1a, for lookups in the fixed word sets (their keys are ours, so crafted collisions
/// cannot make a lookup cost more than a scan of the set) and for paragraph fingerprints.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fnv>>;
/// Maps keyed by strings from the page keep std's randomly keyed SipHash: a page crafted
/// to collide under a fixed hash would otherwise turn each map into a quadratic list.
type PageMap<K, V> = std::collections::HashMap<K, V>;

/// Per-document analysis: junk flags and the chosen article root.
pub struct Analysis {
    pub junk: Vec<bool>,
    /// Block scores: negative for link lists (skipped in the output).
    pub link_list: Vec<bool>,
    pub root: u32,
    /// Total prose length under the root (non-space bytes).
    pub prose: u32,
}

pub fn analyse(dom: &Dom) -> Analysis {
    let n = dom.nodes.len();
    let mut junk = vec![false; n];
    let mut soft = vec![Soft::None; n];
    let mut positive = vec![false; n];
    let mut in_link = vec![false; n];
    let mut in_code = vec![false; n];
    let mut cache = PageMap::default();
    let text_len: Vec<u32> = dom
        .nodes
        .iter()
        .enumerate()
        .map(|(i, nd)| {
            if nd.tag == tag::TEXT {
                nonspace_len(dom.text_of(i as u32))
            } else {
                0
            }
        })
        .collect();
    // Pass 1 (top-down): hard junk, soft evidence, link context.
    for i in 1..n {
        let node = &dom.nodes[i];
        let p = node.parent as usize;
        in_link[i] = in_link[p] || dom.nodes[p].tag == tag::A;
        // Class names inside code are syntax highlighting (`hljs-comment`), not layout.
        in_code[i] = in_code[p] || matches!(dom.nodes[p].tag, tag::PRE | tag::CODE);
        if junk[p] {
            junk[i] = true;
            continue;
        }
        let t = node.tag;
        if t == tag::TEXT {
            continue;
        }
        if hard_junk_tag(t)
            || is_hidden(dom, i as u32)
            || dom.attr(i as u32, Attr::Role).is_some_and(junk_role)
        {
            junk[i] = true;
            continue;
        }
        // `<div hidden>` holding the page's prose is streamed server-side rendering (React
        // moves it into place on load), so it gets the same size test as an unclosed <aside>.
        if matches!(t, tag::NAV | tag::ASIDE | tag::FOOTER) || dom.has_attr(i as u32, Attr::Hidden)
        {
            soft[i] = Soft::Structural;
        } else if !in_code[i] && !matches!(t, tag::BODY | tag::HTML | tag::MAIN | tag::ARTICLE) {
            let (s, pos) = class_evidence(dom, i as u32, &mut cache);
            soft[i] = s;
            positive[i] = pos;
            if t == tag::FORM || t == tag::HEADER {
                soft[i] = if s == Soft::Strong {
                    Soft::Strong
                } else {
                    Soft::Weak
                };
            }
        }
    }
    // Pass 2: block statistics ignoring soft evidence, and prose per subtree.
    let (own_len, own_link) = block_stats(dom, &junk, &in_link, &text_len);
    let mut raw = vec![0u32; n];
    let mut prose_all = vec![0u32; n];
    for i in (0..n).rev() {
        if junk[i] {
            continue;
        }
        let l = own_len[i];
        raw[i] = raw[i].saturating_add(l);
        if l >= MIN_PROSE && (own_link[i] as f32) <= l as f32 * MAX_LINK_DENSITY {
            prose_all[i] = prose_all[i].saturating_add(l);
        }
        if i > 0 {
            let p = dom.nodes[i].parent as usize;
            raw[p] = raw[p].saturating_add(raw[i]);
            prose_all[p] = prose_all[p].saturating_add(prose_all[i]);
        }
    }
    let total = raw[0].max(1);
    // Prose under weakly flagged elements, per flagged class token. A flagged token that
    // covers half of the page's prose is the page builder's layout vocabulary
    // (`elementor-widget` around every article section), not boilerplate.
    let mut token_prose: PageMap<&str, u32> = PageMap::default();
    for i in 1..n {
        if soft[i] == Soft::Weak && !junk[i] && prose_all[i] > 0 {
            for tok in flagged_tokens(dom, i as u32, &mut cache) {
                let e = token_prose.entry(tok).or_insert(0);
                *e = e.saturating_add(prose_all[i]);
            }
        }
    }
    let layout_prose = (prose_all[0] / 2).max(1);
    // Pass 3 (top-down): resolve soft evidence.
    // - Weak words (widget, meta, header, menu, …) are removed unless the element holds at
    //   least WEAK_KEEP_PROSE of prose: author boxes, share bars and meta lines are far
    //   shorter, while CMS wrappers named `hs_cos_wrapper_widget` or `entry-header-wrap` that
    //   enclose the article are far longer. Which prose-rich subtree is the article is left
    //   to the scoring below.
    // - Strong words (comments, related, recommended…) mark prose that is not the article,
    //   so size alone never exempts them; only a class that also names the content
    //   (`article-body comments-open`) holding 30% of the page's text does.
    for i in 1..n {
        let p = dom.nodes[i].parent as usize;
        if junk[p] {
            junk[i] = true;
            continue;
        }
        let exempt = match soft[i] {
            Soft::None => true,
            // A heading's own class describes the heading ("header-anchor-post" on every
            // Substack section title), not a boilerplate box around it.
            Soft::Weak if (tag::H2..=tag::H6).contains(&dom.nodes[i].tag) => true,
            Soft::Weak => {
                prose_all[i] >= WEAK_KEEP_PROSE || {
                    let mut toks = flagged_tokens(dom, i as u32, &mut cache).peekable();
                    toks.peek().is_some()
                        && toks.all(|t| token_prose.get(t).is_some_and(|&p| p >= layout_prose))
                }
            }
            Soft::Strong => positive[i] && raw[i] as f32 >= 0.3 * total as f32,
            // An unclosed <aside> or <nav> (seen in the wild) contains the rest of the page;
            // browsers still show it all. Half of all prose cannot be a sidebar.
            Soft::Structural => {
                prose_all[i] as f32 >= 0.5 * prose_all[0] as f32 && prose_all[i] > 0
            }
        };
        if !exempt {
            junk[i] = true;
        }
    }
    let (own_len, own_link) = block_stats(dom, &junk, &in_link, &text_len);
    // Pass 4: teaser cards. A small subtree whose text is largely links (a headline link plus
    // a one-line summary and a date) is a "related / more stories" card even when the summary
    // alone would pass as prose. Article paragraphs rarely link a third of their words.
    let mut sub_len = vec![0u32; n];
    let mut sub_link = vec![0u32; n];
    let mut sub_blocks = vec![0u32; n];
    for i in (0..n).rev() {
        if junk[i] {
            continue;
        }
        sub_len[i] = sub_len[i].saturating_add(own_len[i]);
        sub_blocks[i] = sub_blocks[i].saturating_add((own_len[i] > 0) as u32);
        sub_link[i] = sub_link[i].saturating_add(own_link[i]);
        if i > 0 {
            let p = dom.nodes[i].parent as usize;
            sub_len[p] = sub_len[p].saturating_add(sub_len[i]);
            sub_link[p] = sub_link[p].saturating_add(sub_link[i]);
            sub_blocks[p] = sub_blocks[p].saturating_add(sub_blocks[i]);
        }
    }
    let mut teaser = vec![false; n];
    for i in 1..n {
        let p = dom.nodes[i].parent as usize;
        if junk[i] || dom.nodes[i].tag == tag::TEXT {
            continue;
        }
        if teaser[p] {
            teaser[i] = true;
            continue;
        }
        let l = sub_len[i];
        // A card has a headline block and a summary block; a single paragraph or list item
        // with a few links is judged by the block rule alone.
        if l > 0
            && sub_blocks[i] >= 2
            && l <= TEASER_MAX
            && sub_link[i] as f32 >= TEASER_LINK_DENSITY * l as f32
            && sub_link[i] < l
            && first_block_is_link(dom, i as u32, &own_len, &own_link)
        {
            teaser[i] = true;
        }
    }
    let mut score = vec![0i64; n];
    let mut prose = vec![0u32; n];
    let mut link_list = vec![false; n];
    for i in 0..n {
        let l = own_len[i];
        if l == 0 {
            continue;
        }
        let k = own_link[i];
        if teaser[i] || k as f32 > l as f32 * MAX_LINK_DENSITY {
            score[i] = -(l as i64);
            // In the output, a link-dense block that still carries a sentence of its own
            // words ("This hotel features in my lists of <a>…</a> and <a>…</a>.") is prose
            // with many links, not a menu; teaser cards are dropped regardless.
            let own_words = l.saturating_sub(k);
            link_list[i] = teaser[i] || own_words < LINKED_PROSE_MIN;
        } else if l >= MIN_PROSE {
            score[i] = (l - k) as i64;
            prose[i] = l;
        }
    }
    for i in (1..n).rev() {
        if junk[i] {
            continue;
        }
        let p = dom.nodes[i].parent as usize;
        score[p] += score[i];
        prose[p] = prose[p].saturating_add(prose[i]);
    }
    // Pick the best-scoring element; scanning from the end keeps the deepest of equals.
    let mut best = 0u32;
    let mut best_score = i64::MIN;
    for i in (0..n).rev() {
        if junk[i] || dom.nodes[i].tag == tag::TEXT {
            continue;
        }
        if score[i] > best_score {
            best_score = score[i];
            best = i as u32;
        }
    }
    // Publishers that mark their body with microdata (`itemprop="articleBody"`) say where
    // the article is; follow them when that element carries nearly all of the evidence
    // (80% of the best score), so a mislabelled teaser or an empty wrapper is not trusted.
    if best_score > 0 {
        let declared = (1..n).find(|&i| {
            !junk[i]
                && dom.nodes[i].tag != tag::TEXT
                && dom
                    .attr(i as u32, Attr::Itemprop)
                    .is_some_and(|v| v.eq_ignore_ascii_case("articleBody"))
        });
        if let Some(i) = declared {
            if score[i] as f64 >= 0.8 * best_score as f64 {
                best = i as u32;
            }
        }
    }
    Analysis {
        junk,
        link_list,
        root: best,
        prose: prose[best as usize],
    }
}

/// Text and HTML writer for the chosen subtree.
pub struct Output<'a> {
    dom: &'a Dom,
    an: &'a Analysis,
    base: Option<&'a url::Url>,
    title: Option<&'a str>,
    pub text: String,
    pub html: String,
    para: String,
    /// Inline HTML of the current paragraph.
    para_html: String,
    /// Tag to wrap the current paragraph in (p, h2, li, …); `None` for an implicit p.
    in_pre: u32,
    /// Open inline HTML tags (so unclosed ones can be closed at block ends).
    pub first_image: Option<String>,
    seen: std::collections::HashSet<u64>,
    /// (text length, HTML length) before each end-of-article marker line.
    markers: Vec<(usize, usize)>,
    /// The first visible dateline's date (RFC 3339), if a dateline line was dropped.
    pub dateline: Option<String>,
    /// The first visible byline's name ("By Jane Doe" → "Jane Doe").
    pub byline: Option<String>,
    /// The last emitted heading: (level, text start, HTML start, HTML end).
    last_heading: Option<(u8, usize, usize, usize)>,
}

/// Lines that open the page furniture after an article: related/recent lists, author
/// boxes, feedback prompts, comment sections, source lists and tag lists.
fn is_end_marker(text: &str) -> bool {
    if text.len() > 60 {
        return false;
    }
    let l = text
        .trim()
        .trim_end_matches([':', '.', '?', '!'])
        .trim()
        .to_lowercase();
    const EXACT: &[&str] = &[
        "related",
        "tags",
        "topics",
        "categories",
        "share",
        "share this",
        "share this article",
        "share this post",
        "comments",
        "leave a reply",
        "leave a comment",
        "post a comment",
        "join the discussion",
        "about the author",
        "about the authors",
        "meet the author",
        "written by",
        "author",
        "authors",
        "article sources",
        "recommended",
        "recommended for you",
        "trending",
        "trending now",
        "popular",
        "popular posts",
        "most popular",
        "most read",
        "newsletter",
        "subscribe",
        "further reading",
        "you may also like",
        "you might also like",
        "you may also be interested in",
        "was this helpful",
        "was this article helpful",
        "did you find this content helpful",
        "did you find this article helpful",
        "why trust us",
        "keep reading",
        "keep exploring this topic",
        "read next",
        "up next",
        "what to read next",
        "filed under",
        "previous article",
        "next article",
    ];
    const PREFIXES: &[&str] = &[
        "related articles",
        "related posts",
        "related stories",
        "related content",
        "related reading",
        "related reads",
        "related resources",
        "related publications",
        "recent articles",
        "recent posts",
        "recent news",
        "latest news",
        "latest articles",
        "latest posts",
        "more articles",
        "more stories",
        "more from",
        "more news",
        "read more from",
        "sign up for",
        "subscribe to",
    ];
    // Prefix matches must look like a heading: short, not a sentence.
    EXACT.contains(&l.as_str())
        || (text.len() <= 40
            && !text.trim_end().ends_with('.')
            && PREFIXES.iter().any(|p| l.starts_with(p)))
}

/// Paragraphs at least this long (bytes) are emitted once only.
const DEDUP_MIN: usize = 80;

fn hash(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = Fnv::default();
    h.write(s.as_bytes());
    h.finish()
}

/// Short lines that are article metadata rather than body: bylines ("By Jane Doe"),
/// datelines ("Updated June 11, 2025"), reading times. Metadata is reported in its own
/// fields; the body should read from the first sentence.
fn is_byline_or_dateline(text: &str) -> bool {
    if text.len() > 300 {
        return false;
    }
    let lower = text.to_lowercase();
    // Affiliate disclosures ("We may earn a commission when you buy through links…").
    if lower.contains("commission")
        && (lower.contains("link") || lower.contains("purchase") || lower.contains("buy"))
    {
        return true;
    }
    if text.len() > 100 {
        return false;
    }
    // Form and popup status messages that builders keep in the page, hidden by CSS.
    const STATUS: &[&str] = &[
        "something went wrong",
        "submission has been received",
        "thank you for subscribing",
        "thanks for subscribing",
        "you have been redirected",
        "you're all set",
        "please enable javascript",
        "javascript is disabled",
        "this site uses cookies",
        "we use cookies",
    ];
    if STATUS.iter().any(|p| lower.contains(p)) {
        return true;
    }
    // Interface labels that render as their own line.
    let bare = lower.trim().trim_end_matches(['.', ':', '…', '!']);
    if matches!(
        bare,
        "advertisement"
            | "advertisements"
            | "sponsored"
            | "sponsored content"
            | "table of contents"
            | "table of content"
            | "copied"
            | "contents"
            | "in this article"
            | "skip to content"
            | "skip to main content"
            | "loading"
            | "click here"
            | "read more"
            | "learn more"
            | "see more"
            | "show more"
            | "view all"
            | "back to top"
            | "listen to this article"
            | "copy link"
            | "print"
            | "email"
            | "tweet"
            | "pin it"
            | "continue reading"
            | "show comments"
            | "view comments"
            | "load more"
            | "see all"
    ) {
        return true;
    }
    // Labels that introduce a list of names, tags or places: short lines only.
    const LABELS: &[&str] = &[
        "tags:",
        "tagged:",
        "tagged with",
        "categories:",
        "category:",
        "topics:",
        "posted under",
        "posted in",
        "filed under",
        "reading time",
        "estimated reading time",
        "average reading time",
        "share this",
        "share on",
        // Photo credits that sit outside a <figcaption>.
        "photo:",
        "photo by",
        "photograph:",
        "photograph by",
        "image:",
        "image source:",
        "image credit",
        "photo credit",
        "credit:",
        "credits:",
        "(ap photo",
        "(photo",
    ];
    if text.len() <= 80 && LABELS.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // Bylines: the prefix followed by something name-like ("By Jane Doe | Staff"), not a
    // sentence ("By the end of the year, …").
    const BYLINES: &[&str] = &[
        "by ",
        "by:",
        "written by",
        "reviewed by",
        "edited by",
        "fact checked by",
        "fact-checked by",
        "posted by",
    ];
    if let Some(p) = BYLINES.iter().find(|p| lower.starts_with(*p)) {
        let rest = text
            .get(p.len()..)
            .unwrap_or("")
            .trim_start_matches([':', ' ']);
        let name_like = rest.chars().next().is_some_and(|c| c.is_uppercase())
            && rest.split_whitespace().count() <= 10
            && !rest.trim_end().ends_with(['.', '?', '!']);
        if name_like {
            return true;
        }
    }
    // Datelines: the prefix and a date ("Updated June 11, 2025"), not "Updated guidance…".
    const DATELINES: &[&str] = &[
        "updated",
        "last updated",
        "published",
        "posted on",
        "posted",
    ];
    if DATELINES.iter().any(|p| lower.starts_with(p))
        && (crate::date::parse(text).is_some() || lower.contains(" ago"))
    {
        return true;
    }
    if lower == "by" || (lower.ends_with(" views") && lower.split_whitespace().count() == 2) {
        return true;
    }
    if text.len() <= 40
        && (lower.contains("min read")
            || lower.contains("minute read")
            || lower.contains("reading time"))
    {
        return true;
    }
    if lower.ends_with("min read")
        || lower.ends_with("minute read")
        || lower.ends_with("minutes read")
    {
        return true;
    }
    // Relative times ("5 hours ago") and bare clock times of live-blog entries ("22:40").
    if text.len() <= 24 && lower.ends_with(" ago") {
        return true;
    }
    let clock = lower.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '.' || c == ' ');
    if let Some((h, m)) = clock.split_once(':') {
        if (1..=2).contains(&h.len())
            && m.len() == 2
            && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
            && lower.len() <= clock.len() + 5
        {
            return true;
        }
    }
    // A line that is only a date (with at most a couple of extra words).
    text.len() <= 40 && text.split_whitespace().count() <= 6 && crate::date::parse(text).is_some()
}

fn heading_level(t: u16) -> Option<u8> {
    match t {
        tag::H1 => Some(1),
        tag::H2 => Some(2),
        tag::H3 => Some(3),
        tag::H4 => Some(4),
        tag::H5 => Some(5),
        tag::H6 => Some(6),
        _ => None,
    }
}

pub fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

impl<'a> Output<'a> {
    pub fn new(
        dom: &'a Dom,
        an: &'a Analysis,
        base: Option<&'a url::Url>,
        title: Option<&'a str>,
    ) -> Self {
        Output {
            dom,
            an,
            base,
            title,
            text: String::new(),
            html: String::new(),
            para: String::new(),
            para_html: String::new(),
            in_pre: 0,
            first_image: None,
            seen: Default::default(),
            markers: Vec::new(),
            last_heading: None,
            dateline: None,
            byline: None,
        }
    }

    /// Finish the current paragraph, wrapped in `wrap` (an HTML tag name).
    fn flush(&mut self, wrap: &str) {
        let text = if self.in_pre > 0 {
            self.para.trim_matches('\n').to_string()
        } else {
            crate::dom::collapse_ws(&self.para)
        };
        // Responsive page builders render the same section two or three times (desktop,
        // tablet, mobile variants switched by CSS). A long paragraph seen before is such a
        // copy; short ones ("Read more", a repeated label) may legitimately repeat.
        let duplicate = text.len() >= DEDUP_MIN && !self.seen.insert(hash(&text));
        if wrap == "p" && is_byline_or_dateline(&text) {
            // Keep what the visible byline and dateline say, as metadata of last resort.
            if self.dateline.is_none() && text.len() <= 80 {
                self.dateline = crate::date::parse(&text);
            }
            if self.byline.is_none() {
                let l = text.trim();
                let name = ["By ", "by ", "BY ", "Written by ", "By: "]
                    .iter()
                    .find_map(|p| l.strip_prefix(p))
                    .map(|n| {
                        n.split(['|', '\u{2022}', '\u{22c5}'])
                            .next()
                            .unwrap_or("")
                            .trim()
                    });
                if let Some(n) =
                    name.filter(|n| (2..=60).contains(&n.len()) && !n.contains(char::is_numeric))
                {
                    self.byline = Some(n.to_string());
                }
            }
            self.para.clear();
            self.para_html.clear();
            return;
        }
        if !text.is_empty() && !duplicate {
            let level = match wrap {
                "h2" => 2,
                "h3" => 3,
                "h4" => 4,
                _ => 0,
            };
            if level > 0 {
                self.drop_empty_heading(level);
            } else {
                self.last_heading = None;
            }
            let (text_start, html_start) = (self.text.len(), self.html.len());
            if is_end_marker(&text) {
                self.markers.push((self.text.len(), self.html.len()));
            }
            if !self.text.is_empty() {
                self.text.push_str("\n\n");
            }
            self.text.push_str(&text);
            self.html.push('<');
            self.html.push_str(wrap);
            self.html.push('>');
            self.html.push_str(self.para_html.trim());
            self.html.push_str("</");
            self.html.push_str(wrap);
            self.html.push_str(">\n");
            if level > 0 {
                self.last_heading = Some((level, text_start, html_start, self.html.len()));
            }
        }
        self.para.clear();
        self.para_html.clear();
    }

    /// A heading followed by nothing before the next heading of the same or a higher level
    /// (or the end) introduced a section that was removed as boilerplate ("More on X:",
    /// "Share this"); drop it too.
    fn drop_empty_heading(&mut self, next_level: u8) {
        if let Some((level, t, h, h_end)) = self.last_heading {
            if next_level <= level && self.html.len() == h_end {
                self.text.truncate(t);
                self.html.truncate(h);
                // Markers are recorded in increasing order: pop those at or after `t`.
                while self.markers.last().is_some_and(|&(mt, _)| mt >= t) {
                    self.markers.pop();
                }
            }
        }
        self.last_heading = None;
    }

    fn push_text(&mut self, s: &str) {
        // Zero-width characters and soft hyphens split words for every consumer (search,
        // dedup) while showing nothing; drop them.
        // Mojibake hidden behind entities (`&acirc;&euro;&trade;`) only appears after
        // entity decoding, so repair text runs here as well as the raw page.
        if !s.bytes().any(|b| b >= 0x80 || b == b'&') {
            // Plain ASCII without entities: nothing to repair (the common case).
            self.push_clean(s);
            return;
        }
        let repaired = crate::charset::fix_mojibake(s);
        let s = repaired.as_deref().unwrap_or(s);
        // Double-escaped entities (`&amp;rsquo;` in the source shows as `&rsquo;`) and C1
        // control characters (Windows-1252 bytes smuggled into UTF-8, U+0092 for ’) are
        // what a CMS broke, not what the author wrote.
        let unescaped;
        let s = if s.contains('&') || s.contains(|c: char| ('\u{80}'..='\u{9f}').contains(&c)) {
            unescaped = crate::meta::decode_entities(s)
                .chars()
                .map(|c| {
                    if ('\u{80}'..='\u{9f}').contains(&c) {
                        crate::charset::c1_to_cp1252(c)
                    } else {
                        c
                    }
                })
                .collect::<String>();
            unescaped.as_str()
        } else {
            s
        };
        let cleaned;
        let s = if s.contains([
            '\u{200b}', '\u{200c}', '\u{200d}', '\u{feff}', '\u{ad}', '\u{2060}',
        ]) {
            cleaned = s.replace(
                [
                    '\u{200b}', '\u{200c}', '\u{200d}', '\u{feff}', '\u{ad}', '\u{2060}',
                ],
                "",
            );
            cleaned.as_str()
        } else {
            s
        };
        self.push_clean(s);
    }

    fn push_clean(&mut self, s: &str) {
        self.para.push_str(s);
        if self.in_pre > 0 {
            escape(s, &mut self.para_html);
        } else {
            // Collapse ASCII whitespace in the HTML too, keeping one space at the edges.
            // Byte scan: the bytes acted on are ASCII, so every slice is on a char boundary.
            let mut last_space = self.para_html.ends_with(' ');
            let bytes = s.as_bytes();
            let mut run = 0;
            for (i, &b) in bytes.iter().enumerate() {
                let rep = match b {
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'&' => "&amp;",
                    b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\x0b' => " ",
                    _ => continue,
                };
                if run < i {
                    self.para_html.push_str(&s[run..i]);
                    last_space = false;
                }
                if rep == " " {
                    if !last_space {
                        self.para_html.push(' ');
                        last_space = true;
                    }
                } else {
                    self.para_html.push_str(rep);
                    last_space = false;
                }
                run = i + 1;
            }
            if run < bytes.len() {
                self.para_html.push_str(&s[run..]);
            }
        }
    }

    fn resolve(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let u = match self.base {
            Some(b) => b.join(href).ok()?,
            None => url::Url::parse(href).ok()?,
        };
        matches!(u.scheme(), "http" | "https" | "mailto").then(|| u.to_string())
    }

    pub fn run(&mut self) {
        let root = self.an.root;
        self.walk(root, 0);
        self.flush("p");
        self.drop_empty_heading(1);
        // Cut at the first end-of-article marker ("Related articles", "About the author")
        // in the second half of the text: what follows belongs to the page, not the story.
        // In the first half such a line is more likely a section of the article itself.
        let half = self.text.len() / 2;
        // …unless two or more long paragraphs of prose follow, which means the story goes on
        // (an inline "Related" box mid-article): author bios, teasers and disclaimers are
        // rarely more than one 400-byte paragraph.
        let story_goes_on = |t: usize| {
            self.text[t..]
                .split("\n\n")
                .filter(|p| p.len() >= 400 && p.ends_with(['.', '!', '?', '"', '\u{201d}']))
                .count()
                >= 2
        };
        if let Some(&(t, h)) = self
            .markers
            .iter()
            .filter(|(t, _)| *t > 0 && *t >= half)
            // Bounded: a page of thousands of "Related" lines must not cost a scan each.
            .take(8)
            .find(|(t, _)| !story_goes_on(*t))
        {
            self.text.truncate(t);
            self.text.truncate(self.text.trim_end().len());
            self.html.truncate(h);
        }
    }

    fn skip_element(&self, i: u32) -> bool {
        if self.an.junk[i as usize] {
            return true;
        }
        let t = self.dom.tag(i);
        // Image captions and credits: the reference annotations leave them out of the body
        // (measured: 16 figcaptions kept vs 202 left out on the dev pages).
        if t == tag::FIGCAPTION {
            return true;
        }
        if t == tag::H1 {
            // The headline is reported as `title`, not in the body.
            return true;
        }
        if heading_level(t).is_some() {
            if let Some(title) = self.title {
                let h = self.dom.inner_text(i, 400);
                if !h.is_empty() && h.eq_ignore_ascii_case(title.trim()) {
                    return true;
                }
            }
        }
        false
    }

    fn walk(&mut self, i: u32, depth: usize) {
        let dom = self.dom;
        let t = dom.tag(i);
        if t == tag::TEXT {
            if self.an.link_list[dom.nodes[i as usize].parent as usize] {
                // Part of a link list: skipped (the whole block's own text is dropped).
                return;
            }
            let s = String::from_utf8_lossy(dom.text_of(i));
            self.push_text(&s);
            return;
        }
        if depth > crate::dom::MAX_DEPTH + 8 || self.skip_element(i) {
            return;
        }
        // A link-list block drops only its own inline text; nested blocks are judged alone.
        let own_skipped = self.an.link_list[i as usize];
        match t {
            tag::BR => {
                if self.in_pre > 0 {
                    self.push_text("\n");
                } else {
                    self.para.push('\n');
                    self.para_html.push_str("<br>");
                }
                return;
            }
            tag::IMG => {
                self.image(i);
                return;
            }
            _ => {}
        }
        if let Some(level) = heading_level(t) {
            self.flush("p");
            self.children(i, depth);
            let h = match level {
                1 | 2 => "h2",
                3 => "h3",
                _ => "h4",
            };
            self.flush(h);
            return;
        }
        match t {
            tag::P
            | tag::DT
            | tag::DD
            | tag::FIGCAPTION
            | tag::CAPTION
            | tag::SUMMARY
            | tag::ADDRESS => {
                self.flush("p");
                if !own_skipped {
                    self.children(i, depth);
                } else {
                    self.block_children_only(i, depth);
                }
                self.flush("p");
            }
            tag::LI => {
                self.flush("p");
                if !own_skipped {
                    self.children(i, depth);
                } else {
                    self.block_children_only(i, depth);
                }
                self.flush("li");
            }
            tag::UL | tag::OL => {
                self.flush("p");
                let name = if t == tag::UL { "ul" } else { "ol" };
                let mark = self.html.len();
                self.html.push_str(&format!("<{name}>\n"));
                let text_before = self.text.len();
                self.children(i, depth);
                self.flush("li");
                if self.text.len() == text_before {
                    self.html.truncate(mark);
                } else {
                    self.html.push_str(&format!("</{name}>\n"));
                }
            }
            tag::BLOCKQUOTE
            | tag::FIGURE
            | tag::TABLE
            | tag::TR
            | tag::THEAD
            | tag::TBODY
            | tag::TFOOT => {
                self.flush("p");
                let name = match t {
                    tag::BLOCKQUOTE => "blockquote",
                    tag::FIGURE => "figure",
                    tag::TABLE => "table",
                    tag::TR => "tr",
                    tag::THEAD => "thead",
                    tag::TBODY => "tbody",
                    _ => "tfoot",
                };
                let mark = self.html.len();
                self.html.push_str(&format!("<{name}>\n"));
                let text_before = self.text.len();
                let img_before = self.html.len();
                self.children(i, depth);
                self.flush("p");
                if self.text.len() == text_before && self.html.len() == img_before {
                    self.html.truncate(mark);
                } else {
                    self.html.push_str(&format!("</{name}>\n"));
                }
            }
            tag::TD | tag::TH => {
                self.flush("p");
                self.children(i, depth);
                self.flush(if t == tag::TD { "td" } else { "th" });
            }
            tag::PRE => {
                self.flush("p");
                self.in_pre += 1;
                self.children(i, depth);
                self.flush("pre");
                self.in_pre -= 1;
            }
            tag::A => {
                let href = dom.attr(i, Attr::Href).and_then(|h| self.resolve(h));
                match href {
                    Some(h) => {
                        self.para_html.push_str("<a href=\"");
                        escape(&h, &mut self.para_html);
                        self.para_html.push_str("\">");
                        self.children(i, depth);
                        self.para_html.push_str("</a>");
                    }
                    None => self.children(i, depth),
                }
            }
            tag::EM | tag::I | tag::STRONG | tag::B | tag::CODE => {
                let name = match t {
                    tag::EM | tag::I => "em",
                    tag::STRONG | tag::B => "strong",
                    _ => "code",
                };
                self.para_html.push_str(&format!("<{name}>"));
                self.children(i, depth);
                self.para_html.push_str(&format!("</{name}>"));
            }
            _ if is_block(t) => {
                self.flush("p");
                if !own_skipped {
                    self.children(i, depth);
                } else {
                    self.block_children_only(i, depth);
                }
                self.flush("p");
            }
            _ => self.children(i, depth),
        }
    }

    fn children(&mut self, i: u32, depth: usize) {
        let mut c = self.dom.nodes[i as usize].first_child;
        while c != NONE {
            self.walk(c, depth + 1);
            c = self.dom.nodes[c as usize].next;
        }
    }

    /// Walk only the element children (their own blocks), dropping this block's inline text.
    fn block_children_only(&mut self, i: u32, depth: usize) {
        let mut c = self.dom.nodes[i as usize].first_child;
        while c != NONE {
            let t = self.dom.tag(c);
            if t != tag::TEXT && is_block(t) {
                self.walk(c, depth + 1);
            }
            c = self.dom.nodes[c as usize].next;
        }
    }

    fn image(&mut self, i: u32) {
        let dom = self.dom;
        let src = [Attr::DataSrc, Attr::DataLazySrc, Attr::Src]
            .iter()
            .filter_map(|&a| dom.attr(i, a))
            .find(|s| !s.trim().is_empty() && !s.trim_start().starts_with("data:"))
            .and_then(|s| self.resolve(s))
            .filter(|s| !s.starts_with("mailto:"));
        let Some(src) = src else { return };
        if self.first_image.is_none() {
            self.first_image = Some(src.clone());
        }
        let alt = dom.attr(i, Attr::Alt).unwrap_or("");
        self.para_html.push_str("<img src=\"");
        escape(&src, &mut self.para_html);
        self.para_html.push_str("\" alt=\"");
        escape(&crate::dom::collapse_ws(alt), &mut self.para_html);
        self.para_html.push_str("\">");
        // An image alone still makes the paragraph worth emitting in HTML.
        if self.para.trim().is_empty() {
            self.html.push_str("<p>");
            self.html.push_str(self.para_html.trim());
            self.html.push_str("</p>\n");
            self.para_html.clear();
            self.para.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_lines_are_recognised() {
        for line in [
            "By Jane Doe",
            "By: Jane Doe | Staff writer",
            "Updated June 11, 2025",
            "Published 3 hours ago",
            "22:40",
            "5 min read",
            "Tags: storms, schools",
            "Advertisement",
            "We may earn a commission when you buy through links on our site.",
        ] {
            assert!(is_byline_or_dateline(line), "{line:?}");
        }
        for line in [
            "By the end of the year, the line will carry twice as many passengers.",
            "Updated guidance from the health ministry says masks are optional.",
            "Published in 1998, the book sold a million copies.",
            "The council met at 10:30 on Monday to discuss the budget.",
        ] {
            assert!(!is_byline_or_dateline(line), "{line:?}");
        }
    }

    #[test]
    fn end_markers() {
        assert!(is_end_marker("Related articles"));
        assert!(is_end_marker("About the author"));
        assert!(is_end_marker("You may also like:"));
        assert!(!is_end_marker(
            "More on that in a follow-up post about performance."
        ));
        assert!(!is_end_marker("Related research suggests otherwise"));
    }
}
