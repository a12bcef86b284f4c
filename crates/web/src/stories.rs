//! Following story merges: a merged story's id stays valid and leads to the story it
//! joined, for pages, feeds and the API alike.

use herald_store::{Store, StoreResult, Story};
use herald_types::StoryId;

/// Merge chains longer than this are treated as broken (never loop).
const MAX_HOPS: usize = 16;

/// The live story `id` is or was merged into, or `None` when there is no such story
/// (or its merge chain is broken).
pub(crate) async fn live_story(store: &dyn Store, mut id: StoryId) -> StoreResult<Option<Story>> {
    for _ in 0..MAX_HOPS {
        match store.story(id).await? {
            Some(story) => match story.merged_into {
                Some(into) => id = into,
                None => return Ok(Some(story)),
            },
            None => return Ok(None),
        }
    }
    Ok(None)
}
