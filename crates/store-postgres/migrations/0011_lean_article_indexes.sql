-- The listing count needs only the articles a listing shows (one per story: those
-- not in another article's story). Keyed by section alone and holding only those,
-- the index changes when an article joins another's story (its entry leaves), not
-- with every assignment (an entry moved to its story's place, wherever that is).
DROP INDEX articles_listing;
CREATE INDEX articles_listing ON articles (section_id)
    WHERE removed_at IS NULL AND (story_id IS NULL OR story_id = id);
-- `articles_by_time` (sort_time DESC, id DESC) serves every query `articles_recent`
-- (sort_time, id) served, walked the other way; one index fewer to write per article.
DROP INDEX articles_recent;
