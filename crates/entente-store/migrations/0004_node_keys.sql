-- This node's own signing keys, past and present: the public half only (the seed
-- stays in the key file). A rotation ends the current key (`valid_until`) and adds
-- the next; replay checks the notes and treaty signatures this node made with the key
-- that was current then. An empty table means the node still has the key it was
-- created with.
CREATE TABLE node_keys (
    key_id      TEXT PRIMARY KEY,          -- ed25519:… of the public key
    public_key  TEXT NOT NULL,             -- unpadded base64url of the raw 32 bytes
    valid_from  TEXT NOT NULL,
    valid_until TEXT,                      -- NULL while the key is current
    recorded_at INTEGER NOT NULL
) STRICT;
