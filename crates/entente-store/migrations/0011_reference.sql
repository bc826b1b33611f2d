-- Reference knowledge (issue 5): the ATT&CK catalogue, MISP taxonomies and warning
-- lists. Kept in tables of their own, never in a collection, so no TAXII route and no
-- feed can offer them to a partner as this node's intelligence.

CREATE TABLE reference_attack (
    stix_id    TEXT PRIMARY KEY,
    attack_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    -- JSON array of tactic short names.
    tactics    TEXT NOT NULL,
    url        TEXT,
    deprecated INTEGER NOT NULL,
    -- The file it was loaded from, so an operator can tell Enterprise from ICS.
    source     TEXT NOT NULL,
    loaded_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX reference_attack_by_id ON reference_attack(attack_id);

CREATE TABLE reference_taxonomies (
    namespace TEXT PRIMARY KEY COLLATE NOCASE,
    json      TEXT NOT NULL,
    loaded_at INTEGER NOT NULL
) STRICT;

CREATE TABLE reference_warninglists (
    name      TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    entries   INTEGER NOT NULL,
    json      TEXT NOT NULL,
    loaded_at INTEGER NOT NULL
) STRICT;

-- Citations through relationships and sightings of an indicator are looked up by the
-- object they point at; partial indexes keep the cost on those two types only.
CREATE INDEX objects_relationships_by_source ON objects(json_extract(json, '$.source_ref')) WHERE type = 'relationship';
CREATE INDEX objects_sightings_by_target ON objects(json_extract(json, '$.sighting_of_ref')) WHERE type = 'sighting';

-- Indicators by expiry, for the periodic revocation of this node's own expired
-- indicators (`federation/sync/expiry.rs`).
CREATE INDEX objects_indicators_by_valid_until ON objects(json_extract(json, '$.valid_until'))
    WHERE type = 'indicator' AND is_last = 1;
