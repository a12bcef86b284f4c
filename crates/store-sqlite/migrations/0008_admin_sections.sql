-- Sections an admin renamed or reordered keep that name and place when the
-- configuration is synced at start (the configuration still adds and hides sections).
ALTER TABLE sections ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
-- A source's section, set by an admin: every article from the source is filed there,
-- whatever section its feed or import named.
ALTER TABLE sources ADD COLUMN section_id INTEGER REFERENCES sections(id);
