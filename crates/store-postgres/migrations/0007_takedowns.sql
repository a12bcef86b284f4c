-- Articles an admin took down. The row stays, so that its address answers 410 Gone
-- (not 404) and imports still recognise its identity, but every listing, feed,
-- sitemap, story and the search index leave it out. Unix seconds, as every time.
ALTER TABLE articles ADD COLUMN removed_at BIGINT;
ALTER TABLE articles ADD COLUMN removed_reason TEXT;
-- The count of a section's listing stays covered by an index: only live articles.
DROP INDEX articles_listing;
CREATE INDEX articles_listing ON articles (section_id, story_id) WHERE removed_at IS NULL;
