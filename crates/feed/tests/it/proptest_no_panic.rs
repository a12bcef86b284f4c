//! Property tests (proptest): the parser never panics on arbitrary bytes, nor on arbitrary
//! strings placed in the text, attributes and content of RSS / RDF / Atom / JSON Feed
//! skeletons; what comes out of the skeletons is free of unsafe markup.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use proptest::prelude::*;

use super::no_panic::assert_safe;

/// `{}` marks where the generated string goes (several places per skeleton).
const SKELETONS: &[&str] = &[
    r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{}</title><link>http://e.com/{}</link><item><title>{}</title><link>{}</link><guid>{}</guid><pubDate>{}</pubDate><description>{}</description><content:encoded><![CDATA[{}]]></content:encoded><dc:creator>{}</dc:creator><enclosure url="{}" type="{}"/></item></channel></rss>"#,
    r#"<rss><channel><item><title>{}</title><description>{}</description></item></channel></rss>"#,
    r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{}"><title type="html">{}</title><entry><id>{}</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{}</div></title><link rel="alternate" href="{}"/><updated>{}</updated><summary type="text">{}</summary><content type="html">{}</content><author><name>{}</name><uri>{}</uri></author></entry></feed>"#,
    r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title mode="escaped" type="text/html">{}</title><content mode="base64" type="text/html">{}</content><issued>{}</issued></entry></feed>"#,
    r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="{}"><title>{}</title></channel><item rdf:about="{}"><title>{}</title><link>{}</link><description>{}</description></item></rdf:RDF>"#,
];

fn fill(skeleton: &str, s: &str, json_escape: bool) -> String {
    let v = if json_escape {
        let q = serde_json::to_string(s).unwrap();
        q[1..q.len() - 1].to_string()
    } else {
        s.to_string()
    };
    skeleton.replace("{}", &v)
}

/// Strings rich in markup, entities, URL schemes and date-like text, and any string at all.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&;#/a-zA-Z0-9 =\"'!\\[\\]:.-]{0,120}",
        proptest::collection::vec(
            prop_oneof![
                Just("<script>alert(1)</script>".to_string()),
                Just("<img src=x onerror=alert(1)>".to_string()),
                Just("<a href=\"javascript:alert(1)\">x</a>".to_string()),
                Just("&lt;b&gt;".to_string()),
                Just("&#x110000;&#0;&bogus;&amp".to_string()),
                Just("]]>".to_string()),
                Just("<![CDATA[".to_string()),
                Just("</title>".to_string()),
                Just("<!--".to_string()),
                Just("Tue, 31 Feb 2026 25:61:00 +9999".to_string()),
                Just("2026-13-45T99:99:99Z".to_string()),
                Just("\u{feff}\u{0}\u{1f}".to_string()),
                "[a-z]{0,8}",
            ],
            0..8,
        )
        .prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = herald_feed::parse(&bytes, None, None);
        let _ = herald_feed::parse(&bytes, Some("http://e.com/f"), Some("application/xml; charset=utf-16"));
    }

    #[test]
    fn strings_in_skeletons_never_panic(s in nasty(), which in 0..SKELETONS.len() + 1) {
        let doc = if which == SKELETONS.len() {
            fill(
                r#"{"version":"https://jsonfeed.org/version/1.1","title":"{}","home_page_url":"{}","items":[{"id":"{}","url":"{}","title":"{}","content_html":"{}","summary":"{}","date_published":"{}","tags":["{}"]}]}"#,
                &s,
                true,
            )
        } else {
            fill(SKELETONS[which], &s, false)
        };
        let feed = herald_feed::parse(doc.as_bytes(), Some("http://e.com/feed"), None);
        assert_safe(&feed, doc.as_bytes());
    }
}
