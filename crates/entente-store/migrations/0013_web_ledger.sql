-- The web interface's Ledger and Overview pages (issue 7): entries by kind and time,
-- so that "received and released per day" and "only entries of this kind" read an
-- index instead of every entry. `at` never decreases along `sequence` (ledger.rs).
CREATE INDEX ledger_by_kind ON ledger(kind, at);
