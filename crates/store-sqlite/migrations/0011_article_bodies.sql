-- Article bodies live in a table of their own. An article row is read by every
-- listing and rewritten whole by every change to it (a story assignment, a takedown),
-- and SQLite rewrites and logs a whole record to change one column: with the body in
-- the row, a story assignment rewrote about two kilobytes and most of a page.
CREATE TABLE article_bodies (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    body_text  TEXT NOT NULL,
    body_html  TEXT NOT NULL
);
INSERT INTO article_bodies (article_id, body_text, body_html)
    SELECT id, body_text, body_html FROM articles;
ALTER TABLE articles DROP COLUMN body_text;
ALTER TABLE articles DROP COLUMN body_html;
