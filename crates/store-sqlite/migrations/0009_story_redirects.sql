-- Stories merged into another, found by what they point at: a merge re-points every
-- story that already redirected to the merged one ("... OR merged_into = ?"), which
-- read the whole stories table without this index.
CREATE INDEX stories_by_merged_into ON stories (merged_into) WHERE merged_into IS NOT NULL;
