-- Treaties that ended, and what this node did with what it received under them
-- (federation.md §11, "When a treaty ends"). One row per partner and treaty, written in
-- the transaction that carries the ending out (the purge and the ledger entries), so
-- an ending is carried out exactly once; and a page from a partner with a row here is
-- never stored, so nothing received under an ended treaty slips in after the purge.
CREATE TABLE treaty_endings (
    partner     TEXT NOT NULL,
    treaty      TEXT NOT NULL,             -- sha256:… of the treaty that ended
    ending      TEXT NOT NULL,             -- terminated | expired
    disposition TEXT NOT NULL,             -- purge | keep (the treaty's on_termination)
    removed     INTEGER NOT NULL,          -- object versions deleted (purge)
    retained    INTEGER NOT NULL,          -- received from the partner, kept: held otherwise too
    settled_at  INTEGER NOT NULL,
    PRIMARY KEY (partner, treaty)
) STRICT, WITHOUT ROWID;
