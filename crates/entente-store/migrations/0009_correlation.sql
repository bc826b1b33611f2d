-- Correlation across sources: an inverted index from observable values to the object
-- versions that carry them (entente_core::correlate). One row per (value, object
-- version), never one per pair of objects, so it grows with the data.

-- Each distinct value once. `id` is the value's 64-bit key (Observable::key), so a
-- lookup is one rowid probe and the postings carry 8 bytes, not the text. `value` is
-- the compact form (correlation.rs): an IPv4 address or network is its prefix length
-- here and its first address in `low`; a hash is a BLOB of an algorithm byte and the
-- digest; a domain is its labels reversed; URLs and e-mail addresses are text.
CREATE TABLE correlation_values (
    id      INTEGER PRIMARY KEY,
    kind    INTEGER NOT NULL,              -- Kind::code
    value   ANY NOT NULL,
    objects INTEGER NOT NULL DEFAULT 0,    -- postings held for it
    capped  INTEGER NOT NULL DEFAULT 0,    -- 1 once it reached the per-value cap
    low     INTEGER                        -- IPv4: first address covered
) STRICT;
-- The networks and addresses inside a queried network: a range scan.
CREATE INDEX correlation_ipv4 ON correlation_values(low) WHERE low IS NOT NULL;
-- A domain and its subdomains (`com.example` .. `com.example.~`): a range scan.
CREATE INDEX correlation_domains ON correlation_values(value) WHERE kind = 3;

CREATE TABLE correlation_postings (
    value_id INTEGER NOT NULL,             -- correlation_values.id
    seq      INTEGER NOT NULL,             -- objects.seq
    PRIMARY KEY (value_id, seq)
) STRICT, WITHOUT ROWID;

-- Whatever removes an object version (a delete, a tombstone, a treaty's purge) takes
-- its postings with it, in the same transaction, without each path knowing. There is
-- no index by object (it would double the postings): the keys are extracted again
-- from the deleted JSON by `correlation_keys`, which every Store connection registers.
CREATE TRIGGER correlation_forget_object AFTER DELETE ON objects
WHEN old.type IN ('indicator', 'ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr', 'file', 'x509-certificate')
BEGIN
    DELETE FROM correlation_postings
    WHERE value_id IN (SELECT value FROM json_each(correlation_keys(old.json))) AND seq = old.seq;
END;
CREATE TRIGGER correlation_count_down AFTER DELETE ON correlation_postings BEGIN
    UPDATE correlation_values SET objects = objects - 1 WHERE id = old.value_id;
    DELETE FROM correlation_values WHERE id = old.value_id AND objects <= 0 AND capped = 0;
END;

-- Objects stored before this migration are indexed once when the store next opens
-- (the extraction is Rust: correlation.rs `backfill`), which then removes this mark.
INSERT INTO settings (key, value) VALUES ('correlation_backfill', 'pending');
