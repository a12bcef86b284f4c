-- Story clustering bookkeeping. A story's id is the id of its first article, so the
-- article that founded a story represents it in listings.
ALTER TABLE stories ADD COLUMN source_count BIGINT NOT NULL DEFAULT 0;
CREATE INDEX articles_by_story ON articles (story_id, sort_time);
CREATE INDEX articles_recent ON articles (sort_time, id);
-- Covers the count of a section's listing (one entry per story) without reading rows.
CREATE INDEX articles_listing ON articles (section_id, story_id);
