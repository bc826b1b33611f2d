-- Full-text search over object versions (entente-store/src/search.rs).
--
-- Contentless FTS5 (`content=''`): the text lives only in `objects.json`, the index
-- keeps tokens, and its rowid is `objects.seq`, so search results join back to the
-- object row. `contentless_delete=1` lets a row be removed by rowid, which the trigger
-- below does whenever an object version is deleted (TAXII delete, tombstones, treaty
-- endings), so the index never holds what the store no longer has. Every version is
-- indexed; queries keep the latest (`is_last`) by the join.
CREATE VIRTUAL TABLE search_text USING fts5(
    name, description, aliases, labels, patterns, markings,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    -- Three-character prefixes are indexed too, so `con*` is one lookup rather than a
    -- merge of every term that starts so (`confidence` is in most descriptions).
    prefix = '3'
);
-- Ranking: a hit in a name or alias counts most, then pattern values, labels,
-- description; markings are a filter only.
-- Tokens gather in memory up to 16 MiB before a segment is written (1 MiB by default):
-- fewer, larger segments for a bulk import to merge later.
INSERT INTO search_text(search_text, rank) VALUES ('hashsize', 16777216);
INSERT INTO search_text(search_text, rank) VALUES ('rank', 'bm25(10.0, 2.0, 8.0, 3.0, 5.0, 0.0)');

CREATE TRIGGER objects_search_delete AFTER DELETE ON objects BEGIN
    DELETE FROM search_text WHERE rowid = old.seq;
END;

-- Objects stored before this migration are indexed by the store when it next opens
-- (the text extraction is Rust: search.rs `backfill`), which then removes this mark.
INSERT INTO settings (key, value) VALUES ('search_backfill', 'pending');
