-- Federation: partners, their pinned keys, the signed note history, treaties with
-- their signatures, and the outbox of notes waiting to be delivered.

CREATE TABLE partners (
    node_id      TEXT PRIMARY KEY,         -- the partner's STIX identity id
    name         TEXT NOT NULL,
    country      TEXT,
    kind         TEXT NOT NULL,
    card         TEXT NOT NULL,            -- the last verified signed node card (JSON)
    federation_url TEXT NOT NULL,
    -- No relation state is stored: it is derived by replaying the signed notes, so
    -- no state exists that a signature does not back.
    first_seen   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE partner_keys (
    node_id     TEXT NOT NULL REFERENCES partners(node_id),
    key_id      TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_until TEXT,
    pinned      INTEGER NOT NULL,          -- 1 once an operator confirmed the fingerprint
    PRIMARY KEY (node_id, key_id)
) STRICT;

-- Every diplomatic note sent or received, verbatim, forever.
CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    direction   TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    partner     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    created     TEXT NOT NULL,
    in_reply_to TEXT,
    recorded_at INTEGER NOT NULL,
    json        TEXT NOT NULL
) STRICT;
CREATE INDEX notes_by_partner ON notes(partner, recorded_at);

CREATE TABLE treaties (
    hash        TEXT PRIMARY KEY,          -- sha256:… of the canonical document
    treaty_id   TEXT NOT NULL,             -- treaty--uuid, stable across versions
    version     INTEGER NOT NULL,
    supersedes  TEXT,
    json        TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX treaties_by_id ON treaties(treaty_id, version);

CREATE TABLE treaty_signatures (
    hash        TEXT NOT NULL REFERENCES treaties(hash),
    party       TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    PRIMARY KEY (hash, party)
) STRICT;

-- Notes to deliver. A row is written in the same transaction as the change it
-- announces; the worker signs nothing (notes are signed when queued) and only sends,
-- retrying with backoff until the partner acknowledges.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY,
    note_id         TEXT NOT NULL UNIQUE REFERENCES notes(id),
    partner         TEXT NOT NULL,
    url             TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
