//! OPML, the format feed readers exchange subscription lists in. Reading is lenient
//! (real exports are often not well-formed XML); writing is OPML 2.0.

use crate::tags::{tag_events, TagEvent};

/// One subscription read from an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// The feed URL (`xmlUrl`).
    pub url: String,
    /// Its title (`title`, else `text`).
    pub title: Option<String>,
    /// The site (`htmlUrl`).
    pub site_url: Option<String>,
    /// The enclosing folder outlines' titles, outermost first: feed readers' categories,
    /// which `import-opml` maps onto sections of the same name.
    pub folders: Vec<String>,
}

/// Subscriptions in document order. Outlines without `xmlUrl` are folders.
pub fn parse_opml(text: &str) -> Vec<OpmlFeed> {
    let mut feeds = Vec::new();
    // Open outlines: Some(title) for folders, None for feeds and self-closed ones.
    let mut stack: Vec<Option<String>> = Vec::new();
    for event in tag_events(text) {
        match event {
            TagEvent::Start(tag) if tag.name == "outline" => {
                let title = tag
                    .attr("title")
                    .or_else(|| tag.attr("text"))
                    .map(|t| t.trim().to_string());
                if let Some(url) = tag.attr("xmlurl") {
                    feeds.push(OpmlFeed {
                        url: url.trim().to_string(),
                        title,
                        site_url: tag.attr("htmlurl").map(|u| u.trim().to_string()),
                        folders: stack.iter().flatten().cloned().collect(),
                    });
                    if !tag.self_closing {
                        stack.push(None);
                    }
                } else if !tag.self_closing {
                    stack.push(title);
                }
            }
            TagEvent::End(name) if name == "outline" => {
                stack.pop();
            }
            _ => {}
        }
    }
    feeds
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// An OPML 2.0 document: one folder per section, in the given order.
pub fn write_opml(title: &str, folders: &[(String, Vec<OpmlFeed>)]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str(&format!(
        "  <head>\n    <title>{}</title>\n    <dateCreated>{}</dateCreated>\n  </head>\n  <body>\n",
        escape(title),
        chrono::Utc::now().to_rfc2822()
    ));
    for (folder, feeds) in folders {
        out.push_str(&format!(
            "    <outline text=\"{0}\" title=\"{0}\">\n",
            escape(folder)
        ));
        for feed in feeds {
            let title = feed.title.as_deref().unwrap_or(&feed.url);
            out.push_str(&format!(
                "      <outline type=\"rss\" text=\"{0}\" title=\"{0}\" xmlUrl=\"{1}\"",
                escape(title),
                escape(&feed.url)
            ));
            if let Some(site) = &feed.site_url {
                out.push_str(&format!(" htmlUrl=\"{}\"", escape(site)));
            }
            out.push_str("/>\n");
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_folders_and_sloppy_markup() {
        let text = r#"<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>
            <outline text="Movies"><outline text="Reel &amp; Real" type="rss" xmlUrl="https://films.example/rss" htmlUrl="https://films.example/"/>
              <outline title="Deep"><outline text="Deeper" xmlUrl="https://deep.example/feed"></outline></outline>
            </outline>
            <outline text="Loose" xmlUrl=" https://loose.example/atom ">
            <outline text="Folder without feeds"></outline>
            <outline xmlUrl="">
            </body></opml>"#;
        let feeds = parse_opml(text);
        assert_eq!(feeds.len(), 3);
        assert_eq!(feeds[0].url, "https://films.example/rss");
        assert_eq!(feeds[0].title.as_deref(), Some("Reel & Real"));
        assert_eq!(feeds[0].folders, ["Movies"]);
        assert_eq!(feeds[1].folders, ["Movies", "Deep"]);
        assert_eq!(feeds[2].url, "https://loose.example/atom");
        assert!(feeds[2].folders.is_empty());
    }

    #[test]
    fn round_trips() {
        let feed = OpmlFeed {
            url: "https://a.example/feed?x=1&y=<2>".into(),
            title: Some("A \"quoted\" & <odd> name".into()),
            site_url: Some("https://a.example/".into()),
            folders: vec![],
        };
        let text = write_opml("Herald", &[("News".into(), vec![feed.clone()])]);
        let back = parse_opml(&text);
        assert_eq!(
            back,
            [OpmlFeed {
                folders: vec!["News".into()],
                ..feed
            }]
        );
    }
}
