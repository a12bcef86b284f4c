-- Reader comments (moderation bookkeeping) and the admin area. Times are Unix seconds.
ALTER TABLE comments ADD COLUMN body_text TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN duplicate_key TEXT;
ALTER TABLE comments ADD COLUMN reason TEXT;
ALTER TABLE comments ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_by_status ON comments (status, created_at);
CREATE INDEX comments_by_email ON comments (email_key, status);
CREATE INDEX comments_by_duplicate ON comments (duplicate_key, created_at);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Only a hash of each session id is stored: a leaked database cannot log anyone in.
CREATE TABLE sessions (
    key        TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE admin_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    user_name TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    detail    TEXT    NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
