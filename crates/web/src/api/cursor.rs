//! Opaque pagination cursors: base64url (no padding) of a short versioned text. Clients
//! pass them back unchanged; their content is not part of the API.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::DateTime;
use herald_store::{ListPosition, StoryPosition};
use herald_types::{ArticleId, StoryId};

/// A cursor after `position` in the newest-first article listing.
pub(crate) fn encode_position(position: ListPosition) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "a1:{}:{}",
        position.time.timestamp(),
        position.id.0
    ))
}

pub(crate) fn decode_position(cursor: &str) -> Option<ListPosition> {
    let text = decode(cursor)?;
    let mut parts = text.strip_prefix("a1:")?.split(':');
    let secs = parts.next()?.parse::<i64>().ok()?;
    let id = parts.next()?.parse::<i64>().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(ListPosition {
        time: DateTime::from_timestamp(secs, 0)?,
        id: ArticleId(id),
    })
}

/// A cursor after `position` in the newest-first story listing.
pub(crate) fn encode_story(position: StoryPosition) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "t1:{}:{}",
        position.last_seen.timestamp(),
        position.id.0
    ))
}

pub(crate) fn decode_story(cursor: &str) -> Option<StoryPosition> {
    let text = decode(cursor)?;
    let mut parts = text.strip_prefix("t1:")?.split(':');
    let secs = parts.next()?.parse::<i64>().ok()?;
    let id = parts.next()?.parse::<i64>().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(StoryPosition {
        last_seen: DateTime::from_timestamp(secs, 0)?,
        id: StoryId(id),
    })
}

/// A cursor at hit `offset` of a search (relevance order has no stable key).
pub(crate) fn encode_offset(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("s1:{offset}"))
}

pub(crate) fn decode_offset(cursor: &str) -> Option<usize> {
    decode(cursor)?.strip_prefix("s1:")?.parse().ok()
}

fn decode(cursor: &str) -> Option<String> {
    if cursor.len() > 128 {
        return None;
    }
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_others() {
        let p = ListPosition {
            time: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            id: ArticleId(42),
        };
        let c = encode_position(p);
        assert!(c
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode_position(&c), Some(p));
        assert_eq!(decode_offset(&encode_offset(40)), Some(40));
        assert_eq!(
            decode_offset(&c),
            None,
            "an article cursor is no search cursor"
        );
        assert_eq!(decode_position("!!!"), None);
        let s = StoryPosition {
            last_seen: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            id: StoryId(7),
        };
        assert_eq!(decode_story(&encode_story(s)), Some(s));
        assert_eq!(
            decode_story(&c),
            None,
            "an article cursor is no story cursor"
        );
        assert_eq!(decode_position(&URL_SAFE_NO_PAD.encode("a1:1:2:3")), None);
    }
}
