//! Start tags of a lenient HTML/XML document, for the few places that only need
//! attributes (feed autodiscovery, OPML outlines). html5gum's tokenizer never fails and
//! lowercases names, which is what real OPML files and web pages need.

use html5gum::{Token, Tokenizer};

/// Tags read from one document at most: a hostile page cannot make us collect millions.
const MAX_TAGS: usize = 100_000;

/// One start tag: its lowercased name and attributes (names lowercased, values as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub self_closing: bool,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// What the tokenizer saw, reduced to start and end tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TagEvent {
    Start(Tag),
    End(String),
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Start and end tags in document order.
pub(crate) fn tag_events(doc: &str) -> impl Iterator<Item = TagEvent> + '_ {
    Tokenizer::new(doc)
        .flatten()
        .filter_map(|token| match token {
            Token::StartTag(tag) => Some(TagEvent::Start(Tag {
                name: text(&tag.name),
                attrs: tag
                    .attributes
                    .iter()
                    .map(|(k, v)| (text(k), text(&v.value)))
                    .collect(),
                self_closing: tag.self_closing,
            })),
            Token::EndTag(tag) => Some(TagEvent::End(text(&tag.name))),
            _ => None,
        })
        .take(MAX_TAGS)
}
