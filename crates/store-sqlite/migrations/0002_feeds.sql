-- Feed subscriptions and their fetch state. Times are Unix seconds (UTC).
CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    url                  TEXT    NOT NULL UNIQUE,
    source_id            INTEGER NOT NULL REFERENCES sources(id),
    site_url             TEXT,
    title                TEXT,
    section_slug         TEXT,
    paused               INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    etag                 TEXT,
    last_modified        TEXT,
    last_fetch_at        INTEGER,
    last_success_at      INTEGER,
    last_status          INTEGER,
    last_error           TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    items_total          INTEGER NOT NULL DEFAULT 0,
    interval_secs        INTEGER NOT NULL,
    next_fetch_at        INTEGER NOT NULL,
    -- A node that takes a feed leases it until this time; 0 = free.
    lease_until          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feeds_due ON feeds (paused, next_fetch_at);
