-- Designations (issue 5). The designation objects themselves are ordinary STIX
-- objects in `objects` (every version kept); this is their index: one row per
-- designation and collection, its latest state, for re-imports (what changed, what
-- to delist) and the divergence view. Rows are updated, never deleted: a delisting
-- is a status.
CREATE TABLE designations (
    collection_id    TEXT NOT NULL,
    designation_id   TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    authority        TEXT NOT NULL,
    authority_name   TEXT NOT NULL,
    reference        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    aliases          TEXT NOT NULL,   -- JSON array of strings
    programmes       TEXT NOT NULL,   -- JSON array of strings
    listed_on        TEXT,
    status           TEXT NOT NULL CHECK (status IN ('listed', 'delisted')),
    delisted_on      TEXT,
    created          TEXT NOT NULL,
    modified         TEXT NOT NULL,
    entity_hash      TEXT NOT NULL,
    designation_hash TEXT NOT NULL,
    PRIMARY KEY (collection_id, designation_id)
) WITHOUT ROWID;
CREATE INDEX designations_by_authority ON designations (authority, collection_id);
CREATE INDEX designations_by_entity ON designations (entity_id);

-- An analyst's verdict on whether two entity records (STIX ids, a < b) name the
-- same entity. The latest verdict on a pair replaces the earlier one.
CREATE TABLE designation_links (
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    verdict    TEXT NOT NULL CHECK (verdict IN ('confirmed', 'rejected')),
    decided_by TEXT NOT NULL,
    note       TEXT,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
