-- Envoy credentials: a token issued to a partner's envoy is bound to that partner
-- (and records the treaty in force when it was issued). Every request it makes is
-- checked against the current relation, so suspension or termination stops it at once.
ALTER TABLE tokens ADD COLUMN partner TEXT;
ALTER TABLE tokens ADD COLUMN treaty TEXT;
