-- Alliances: charters and the signed acts that found them and change their membership.
-- Membership is never stored: it is the fold of the acts (entente_core::alliance), as
-- relation state is the replay of the notes, so no member exists that signatures do
-- not back, and two nodes holding the same acts agree.

-- One charter per alliance id, verbatim (its canonical bytes give `hash`).
CREATE TABLE alliance_charters (
    alliance_id TEXT PRIMARY KEY,          -- the charter's id, identity--uuid
    hash        TEXT NOT NULL,             -- sha256:… of the canonical charter
    json        TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;

-- Every verified act, verbatim, forever (like notes), whether or not it applies yet.
CREATE TABLE alliance_acts (
    hash        TEXT PRIMARY KEY,          -- sha256:… of the signed bytes
    alliance_id TEXT NOT NULL REFERENCES alliance_charters(alliance_id),
    kind        TEXT NOT NULL,             -- alliance-signature, alliance-proposal, …
    by_node     TEXT NOT NULL,
    created     TEXT NOT NULL,
    json        TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX alliance_acts_by_alliance ON alliance_acts(alliance_id, recorded_at);

-- Which nodes hold which act, as far as this node knows: its author, the partner it
-- came from, the partners it was sent to. An act is forwarded to a node only once.
CREATE TABLE alliance_act_holders (
    hash        TEXT NOT NULL REFERENCES alliance_acts(hash),
    node_id     TEXT NOT NULL,
    PRIMARY KEY (hash, node_id)
) STRICT, WITHOUT ROWID;
