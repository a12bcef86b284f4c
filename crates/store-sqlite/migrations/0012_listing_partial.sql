-- The listing count needs only the articles a listing shows (one per story: those
-- not in another article's story). Keyed by section alone and holding only those
-- articles, the index changes when an article joins another's story (its entry,
-- among the newest, leaves), not with every assignment (an entry moved to its
-- story's place, wherever that is).
DROP INDEX articles_listing;
CREATE INDEX articles_listing ON articles (section_id)
    WHERE removed_at IS NULL AND (story_id IS NULL OR story_id = id);
