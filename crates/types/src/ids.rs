//! Id newtypes, so that an article id can never be passed where a source id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_newtype!(
    /// The store's id of an article.
    ArticleId
);
id_newtype!(
    /// The store's id of a source (a feed, a site, an import).
    SourceId
);
id_newtype!(
    /// The store's id of a section (News, Movies, ...).
    SectionId
);
id_newtype!(
    /// The store's id of a story: the articles of several sources about one event.
    StoryId
);
id_newtype!(
    /// The store's id of a reader comment.
    CommentId
);
id_newtype!(
    /// The store's id of a subscribed feed (one source may have several).
    FeedId
);
