//! What the comment thread and the "Leave a reply" form show.

use crate::views::{full_date, iso};
use herald_store::Comment;
use std::collections::HashMap;

/// Deepest indentation drawn; deeper replies (possible after a policy change) stay at it.
const MAX_INDENT: u32 = 5;

pub(crate) struct CommentView {
    pub id: i64,
    pub author: String,
    pub website: Option<String>,
    pub time_iso: String,
    pub time_full: String,
    pub body_html: String,
    /// Indentation level, 0 for top-level comments.
    pub indent: u32,
    /// Name of the comment this replies to.
    pub reply_to: Option<String>,
    /// Replies may be added under it (depth limit not reached, comments open).
    pub can_reply: bool,
}

/// The thread in reading order: each comment followed by its replies, oldest first.
/// Replies whose parent is not shown (held, removed) become top-level.
pub(crate) fn thread(comments: &[Comment], max_depth: u32, open: bool) -> Vec<CommentView> {
    let shown: HashMap<i64, &Comment> = comments.iter().map(|c| (c.id.0, c)).collect();
    let mut children: HashMap<Option<i64>, Vec<&Comment>> = HashMap::new();
    for c in comments {
        let parent = c.parent.map(|p| p.0).filter(|p| shown.contains_key(p));
        children.entry(parent).or_default().push(c);
    }
    let mut out = Vec::with_capacity(comments.len());
    // Depth-first without recursion: a hostile thread depth cannot overflow the stack.
    let mut stack: Vec<(&Comment, u32)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|c| (*c, 0)).collect())
        .unwrap_or_default();
    while let Some((c, level)) = stack.pop() {
        out.push(CommentView {
            id: c.id.0,
            author: c.author_name.clone(),
            website: c.author_url.clone(),
            time_iso: iso(c.created_at),
            time_full: full_date(c.created_at),
            body_html: c.body_html.clone(),
            indent: level.min(MAX_INDENT),
            reply_to: c
                .parent
                .and_then(|p| shown.get(&p.0))
                .map(|p| p.author_name.clone()),
            can_reply: open && level + 1 < max_depth,
        });
        if let Some(kids) = children.get(&Some(c.id.0)) {
            stack.extend(kids.iter().rev().map(|k| (*k, level + 1)));
        }
    }
    out
}

/// Field errors as the form shows them next to each field.
#[derive(Default)]
pub(crate) struct FormErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: Option<String>,
    /// A problem with the whole submission (token expired, too fast, rate limit).
    pub general: Option<String>,
}

impl FormErrors {
    /// A problem with the submission as a whole.
    pub(crate) fn general(message: String) -> FormErrors {
        FormErrors {
            general: Some(message),
            ..FormErrors::default()
        }
    }
}

/// The "Leave a reply" form, with what the reader typed when it comes back.
pub(crate) struct CommentForm {
    pub article_id: i64,
    pub token: String,
    pub name: String,
    pub email: String,
    pub website: String,
    pub body: String,
    pub remember: bool,
    pub parent: Option<i64>,
    pub parent_name: Option<String>,
    pub errors: FormErrors,
    pub max_chars: usize,
}
