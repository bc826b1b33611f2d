-- Entente store, version 1. Migrations are append-only: never edit a released file.
-- Times are INTEGER microseconds since the Unix epoch; ids and JSON are TEXT.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;

CREATE TABLE api_roots (
    name        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE collections (
    id          TEXT PRIMARY KEY,
    api_root    TEXT NOT NULL REFERENCES api_roots(name),
    title       TEXT NOT NULL,
    description TEXT,
    alias       TEXT,
    read_roles  TEXT NOT NULL,
    write_roles TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- One row per object version per collection. date_added is unique across the whole
-- store (see objects.rs), which makes it a stable pagination key.
CREATE TABLE objects (
    seq           INTEGER PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES collections(id),
    stix_id       TEXT NOT NULL,
    type          TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    version_key   TEXT NOT NULL,
    version       TEXT NOT NULL,
    date_added    INTEGER NOT NULL,
    is_first      INTEGER NOT NULL,
    is_last       INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    json          TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX objects_by_version ON objects(collection_id, stix_id, version_key);
CREATE INDEX objects_by_date ON objects(collection_id, date_added);
CREATE INDEX objects_last_by_date ON objects(collection_id, date_added) WHERE is_last = 1;
CREATE INDEX objects_by_type ON objects(collection_id, type, date_added);
CREATE INDEX objects_date_added ON objects(date_added);

CREATE TABLE statuses (
    id         TEXT PRIMARY KEY,
    api_root   TEXT NOT NULL,
    -- The token that made the request: only it (or an admin) may read the status.
    owner      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
