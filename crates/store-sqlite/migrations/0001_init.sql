-- Herald's embedded schema, version 1. Times are Unix seconds (UTC).

CREATE TABLE sections (
    id       INTEGER PRIMARY KEY,
    slug     TEXT    NOT NULL UNIQUE,
    name     TEXT    NOT NULL,
    position INTEGER NOT NULL,
    visible  INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sources (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    url        TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE stories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT    NOT NULL,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    article_count INTEGER NOT NULL DEFAULT 0,
    -- A merged story keeps its row so that old links redirect to the survivor.
    merged_into   INTEGER REFERENCES stories(id)
);

-- AUTOINCREMENT on ids that appear in links: a deleted article's id must never
-- come back as another article's.
CREATE TABLE articles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- url:<canonical url> | guid:<source>:<id> | hash:<hex>; see herald-ingest.
    identity     TEXT    NOT NULL UNIQUE,
    url          TEXT,
    source_id    INTEGER REFERENCES sources(id),
    section_id   INTEGER REFERENCES sections(id),
    category     TEXT,
    title        TEXT    NOT NULL,
    author       TEXT,
    published    INTEGER,
    lang         TEXT,
    summary      TEXT,
    body_text    TEXT    NOT NULL,
    body_html    TEXT    NOT NULL,
    -- Hash of every stored content field: equal hash means an import changes nothing.
    content_hash INTEGER NOT NULL,
    story_id     INTEGER REFERENCES stories(id),
    duplicate_of INTEGER REFERENCES articles(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    -- published, else created_at: what listings sort by.
    sort_time    INTEGER NOT NULL
);
CREATE INDEX articles_by_section_time ON articles (section_id, sort_time DESC, id DESC);
CREATE INDEX articles_by_time ON articles (sort_time DESC, id DESC);
CREATE INDEX articles_by_source ON articles (source_id, sort_time DESC);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id   INTEGER NOT NULL REFERENCES articles(id),
    parent_id    INTEGER REFERENCES comments(id),
    author_name  TEXT    NOT NULL,
    author_email TEXT    NOT NULL,
    author_url   TEXT,
    body_html    TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    ip           TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX comments_by_article ON comments (article_id, created_at);

-- The change log the search index tails. AUTOINCREMENT: a sequence number is never
-- reused, even after the newest rows are deleted.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL,
    op         TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
    at         INTEGER NOT NULL
);
