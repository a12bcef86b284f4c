-- `articles_by_time` (sort_time DESC, id DESC) serves every query `articles_recent`
-- (sort_time, id) served, walked the other way; one index fewer to write per article.
DROP INDEX articles_recent;
