//! Randomised robustness: mutated feeds and random bytes must parse without panicking, and
//! every HTML value must come out free of unsafe markup. Deterministic (fixed seeds), fast.

#![allow(clippy::expect_used, clippy::unwrap_used)]

/// xorshift64*: a tiny deterministic generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T &amp; co</title><link>http://e.com/</link><description>&lt;b&gt;d&lt;/b&gt;</description><item><title>I</title><link>/a</link><comments>javascript:alert(1)</comments><source url="javascript:x">s</source><guid isPermaLink="false">x1</guid><pubDate>Sat, 07 Sep 2002 00:00:01 GMT</pubDate><dc:creator>me@e.com (Me)</dc:creator><description><![CDATA[<p onclick="x()">hi <script>alert(1)</script><a href="javascript:alert(1)">l</a></p>]]></description><content:encoded>&lt;img src=x onerror=alert(1)&gt;</content:encoded><enclosure url="/m.mp3" length="1" type="audio/mpeg"/><media:thumbnail url="/t.jpg"/><category domain="d">c</category></item></channel></rss>"#,
    r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://e.com/x/"><title type="html">&lt;i&gt;A&lt;/i&gt;</title><link href="/"/><updated>2003-12-31T10:14:55Z</updated><entry><id>tag:e.com,2003:1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>x</b><svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="javascript:x" xmlns:xlink="http://www.w3.org/1999/xlink"><circle r="1"/></a></svg></div></title><content type="html" xml:base="sub/">&lt;a href="y"&gt;y&lt;/a&gt;&lt;style&gt;p{}&lt;/style&gt;</content><author><name>N</name><email>e@e.com</email></author><category term="t" scheme="s"/><published>2003-12-31T10:14:55+01:00</published></entry></feed>"#,
    r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>R</title></channel><item rdf:about="http://e.com/1"><title>i &eacute; &bogus;</title><link>http://e.com/1</link></item></rdf:RDF>"#,
    r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title mode="base64" type="text/html">PGI+eDwvYj4=</title><content mode="xml" type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">z</div></content><issued>2004-01-01T19:48:21Z</issued></entry></feed>"#,
    r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","content_html":"<p onmouseover='x'>a</p>","url":"/a","tags":["x"]}]}"#,
];

/// HTML-typed values must be free of unsafe markup and URL fields of unsafe schemes.
/// (Plain-text values may legitimately contain "<script>" as text: consumers escape them.)
pub(crate) fn assert_safe(feed: &herald_feed::ParsedFeed, input: &[u8]) {
    let doc = feed.to_neutral_json();
    let mut html = Vec::new();
    let mut urls = Vec::new();
    let mut objs = vec![doc["feed"].clone()];
    objs.extend(doc["entries"].as_array().cloned().unwrap_or_default());
    for o in &objs {
        // Every text construct, plain or HTML: plain text carrying script-capable markup
        // must have been sanitised as HTML too.
        for k in ["title", "subtitle", "summary", "rights"] {
            html.push(o[k].as_str().unwrap_or("").to_string());
        }
        for c in o["content"].as_array().into_iter().flatten() {
            html.push(c["value"].as_str().unwrap_or("").to_string());
        }
        for k in ["link", "image", "icon", "comments"] {
            urls.push(o[k].as_str().unwrap_or("").to_string());
        }
        for (list, key) in [
            ("links", "href"),
            ("enclosures", "href"),
            ("media_content", "url"),
            ("media_thumbnail", "url"),
            ("authors", "uri"),
        ] {
            for l in o[list].as_array().into_iter().flatten() {
                urls.push(l[key].as_str().unwrap_or("").to_string());
            }
        }
    }
    for h in html {
        let l = h.to_lowercase();
        // Only real tags matter: text can hold "javascript:" harmlessly, escaped.
        for (i, _) in l.match_indices('<') {
            let rest = &l[i + 1..];
            let Some(first) = rest.chars().next() else {
                continue;
            };
            if !first.is_ascii_alphabetic() {
                continue;
            }
            let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
                .collect();
            assert!(
                ![
                    "script", "iframe", "object", "embed", "applet", "meta", "link", "style",
                    "base", "form"
                ]
                .contains(&name.as_str()),
                "unsafe <{name}> in {h:?} for input {:?}",
                String::from_utf8_lossy(input)
            );
            let squeezed: String = tag.chars().filter(|c| !c.is_whitespace()).collect();
            for needle in ["javascript:", "vbscript:", "expression("] {
                assert!(
                    !squeezed.contains(needle),
                    "unsafe {needle} in {h:?} for input {:?}",
                    String::from_utf8_lossy(input)
                );
            }
            let has_handler = tag.split_whitespace().skip(1).any(|a| a.starts_with("on"));
            assert!(
                !has_handler,
                "event handler in {h:?} for input {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
    for u in urls {
        let c: String = u
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect();
        assert!(
            !c.starts_with("javascript:") && !c.starts_with("vbscript:") && !c.starts_with("data:"),
            "unsafe URL {u:?} for input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn seeds_parse_and_are_safe() {
    for s in SEEDS {
        let f = herald_feed::parse(s.as_bytes(), Some("http://e.com/feed"), None);
        assert!(!f.entries.is_empty(), "{s}");
        assert_safe(&f, s.as_bytes());
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let tokens: &[&[u8]] = &[
        b"<",
        b">",
        b"&",
        b"&amp;",
        b"&#",
        b"&#x110000;",
        b"<![CDATA[",
        b"]]>",
        b"<!--",
        b"-->",
        b"</",
        b"/>",
        b"\"",
        b"'",
        b"=",
        b"<?xml",
        b"<!DOCTYPE x [<!ENTITY e \"&#38;\">]>",
        b"\xff\xfe",
        b"\xfe\xff",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xc3",
        b"\xe2\x80",
        b"xml:base=\"::\"",
        b"<script>",
        b"javascript:",
        b"<div>",
        b"</item>",
        b"<item>",
        b"<entry>",
        b"{",
        b"}",
        b"[",
    ];
    // FEED_FUZZ_ROUNDS raises the count for a longer local run.
    let rounds: usize = std::env::var("FEED_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut rng = Rng(std::env::var("FEED_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15));
    for round in 0..rounds {
        let seed = SEEDS[round % SEEDS.len()].as_bytes();
        let mut doc = seed.to_vec();
        let edits = 1 + rng.below(8);
        for _ in 0..edits {
            let pos = rng.below(doc.len() + 1);
            match rng.below(4) {
                0 if !doc.is_empty() => {
                    let end = (pos + rng.below(20)).min(doc.len());
                    doc.drain(pos.min(end)..end);
                }
                1 => {
                    let t = tokens[rng.below(tokens.len())];
                    doc.splice(pos..pos, t.iter().copied());
                }
                2 if pos < doc.len() => doc[pos] = rng.next() as u8,
                _ => {
                    let cut = rng.below(doc.len() + 1);
                    doc.truncate(cut);
                }
            }
        }
        let ct = match round % 4 {
            0 => None,
            1 => Some("text/xml"),
            2 => Some("application/rss+xml; charset=windows-1252"),
            _ => Some("text/html; charset=bogus"),
        };
        let f = herald_feed::parse(&doc, Some("http://e.com/feed"), ct);
        let _ = f.to_neutral_json();
        assert_safe(&f, &doc);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..500 {
        let len = rng.below(2000);
        let doc: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = herald_feed::parse(&doc, None, None).to_neutral_json();
    }
}

#[test]
fn hostile_shapes_are_bounded() {
    let deep = "<a>".repeat(200_000);
    let f = herald_feed::parse(deep.as_bytes(), None, None);
    assert!(f.bozo);
    let wide = format!(
        "<rss><channel>{}</channel></rss>",
        "<item><title>x</title></item>".repeat(50_000)
    );
    let f = herald_feed::parse(wide.as_bytes(), None, None);
    assert_eq!(f.entries.len(), 20_000);
    let json_deep = "[".repeat(100_000);
    let f = herald_feed::parse(format!("{{\"items\":{json_deep}").as_bytes(), None, None);
    assert!(f.bozo);
    let html_deep = format!(
        "<rss><channel><item><description>{}</description></item></channel></rss>",
        "&lt;div&gt;".repeat(100_000)
    );
    let f = herald_feed::parse(html_deep.as_bytes(), None, None);
    assert!(!f.entries.is_empty());
    let attrs = format!("<rss a=\"{}\"><channel/></rss>", "&amp;".repeat(100_000));
    let _ = herald_feed::parse(attrs.as_bytes(), None, None);
}

/// Inputs shaped to trigger quadratic behaviour must still finish quickly (release-mode
/// budget is far below this; the bound is generous for debug builds).
#[test]
fn hostile_inputs_stay_linear() {
    let wrap = |body: String| {
        format!("<rss><channel><item><description><![CDATA[{body}]]></description></item></channel></rss>")
    };
    let cases = [
        wrap("<script>".repeat(50_000)),
        wrap("<!a".repeat(50_000)),
        wrap(format!(
            "<span style=\"{}\">x</span>",
            "url url(".repeat(2_000)
        )),
        wrap("<b>".repeat(20_000) + &"</i>".repeat(20_000)),
        format!(
            "<rss>{}{}</rss>",
            "<a xmlns:p=\"u\" xmlns:q=\"v\">".repeat(250),
            "<p:x/>".repeat(50_000)
        ),
        wrap("&amp;&bogus;&#x;&".repeat(20_000)),
    ];
    for c in cases {
        let t = std::time::Instant::now();
        let f = herald_feed::parse(c.as_bytes(), None, None);
        let _ = f.to_neutral_json();
        assert!(
            t.elapsed().as_secs() < 10,
            "took {:?} on {}",
            t.elapsed(),
            &c[..80]
        );
    }
}
