-- Intelligence sync and the audit ledger.

-- The originator's seal on each object version, and where this node's copy came from.
-- Keyed by the object id and the content hash of its stored JSON (objects.content_hash),
-- so one seal serves the version in every collection. The first provenance recorded
-- for a version stands.
CREATE TABLE seals (
    stix_id       TEXT NOT NULL,
    content_hash  TEXT NOT NULL,           -- objects.content_hash (hex of the stored JSON)
    object_hash   TEXT NOT NULL,           -- sha256: of the canonical JSON, what is signed
    originator    TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    sealed        TEXT NOT NULL,
    signature     TEXT NOT NULL,
    received_from TEXT,                    -- NULL when this node originated it
    treaty        TEXT,                    -- the treaty it was received under
    hops          TEXT NOT NULL            -- JSON list of {treaty, resharing}, this hop included
) STRICT;
-- Rows of a few hundred bytes: a rowid table with a key index, not WITHOUT ROWID.
CREATE UNIQUE INDEX seals_by_version ON seals(stix_id, content_hash);

-- Every partner a version was received from (the first is also in `seals`): the feed
-- never echoes a version back to a partner that sent it, and a version already held
-- is not stored again when a second partner sends it.
CREATE TABLE received_copies (
    stix_id      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    partner      TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (stix_id, content_hash, partner)
) STRICT, WITHOUT ROWID;

-- One version held in several collections is one version for the federation.
CREATE INDEX objects_by_content ON objects(stix_id, content_hash, date_added);

-- How far this node has read each partner's feed, and the page to acknowledge next.
CREATE TABLE sync_cursors (
    partner     TEXT PRIMARY KEY,
    cursor      TEXT,
    last_page   TEXT,                      -- manifest hash of the last page stored
    pages       INTEGER NOT NULL DEFAULT 0,
    objects     INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
) STRICT;

-- The audit ledger: append-only, hash-chained (entente_core::ledger). `entry` is the
-- storage form; the other columns are copies for lookups.
CREATE TABLE ledger (
    sequence    INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT,                      -- object id or note id
    counterpart TEXT,                      -- the other node
    entry       TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
CREATE INDEX ledger_by_counterpart ON ledger(counterpart, sequence);
CREATE INDEX ledger_by_subject ON ledger(subject, sequence);

-- Feed pages served, so that a receipt names the releases it acknowledges.
CREATE TABLE feed_pages (
    manifest    TEXT PRIMARY KEY,
    partner     TEXT NOT NULL,
    first_entry INTEGER,
    last_entry  INTEGER,
    served_at   INTEGER NOT NULL,
    receipt_entry INTEGER
) STRICT;

-- Tombstones: an object declared gone by its originator (`final`: it never comes back)
-- or recalled by the node that released it. Each is passed on to every partner this
-- node released the object to (or only to `target`, for a recall of one partner).
CREATE TABLE tombstones (
    seq           INTEGER PRIMARY KEY,
    stix_id       TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    final         INTEGER NOT NULL,
    json          TEXT NOT NULL,
    received_from TEXT,
    target        TEXT,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX tombstones_by_object ON tombstones(stix_id);

-- Cards of originators this node has not recognized itself, as the partner that relayed
-- their objects vouched for them (the first voucher stands): the keys their seals and
-- tombstones are checked with. A key this node pinned always takes precedence.
CREATE TABLE vouched_cards (
    node_id     TEXT PRIMARY KEY,
    card        TEXT NOT NULL,
    vouched_by  TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;
