-- A story's members with what recounting a story reads (its sources and times, and
-- whether each is live), so that the recount after every clustering batch is read
-- from the index alone instead of from each member's whole row (a story of a
-- thousand wire reports had cost a millisecond per recount).
DROP INDEX articles_by_story;
CREATE INDEX articles_by_story ON articles (story_id, sort_time, source_id, removed_at);
