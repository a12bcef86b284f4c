-- The newest-first story listing (API) walks live stories by last activity.
CREATE INDEX stories_by_last_seen ON stories (last_seen DESC, id DESC) WHERE merged_into IS NULL;
