-- +goose Up
-- Issue 14: each op's row holds its field as a keyed tag (pgstore's
-- fieldtag.go; docs/postgres.md, "Field tags"), so that a push reads the
-- heads of the fields it writes, not of every field of the dossier.
-- The tag is made with the dossier's key, which SQL does not hold: rows
-- written before this migration keep NULL, which reads as "any field"
-- (their bodies are read as before); new rows get their tag.
ALTER TABLE oplog ADD COLUMN field bigint;
CREATE INDEX oplog_dossier_field ON oplog (dossier, field);

-- +goose Down
DROP INDEX oplog_dossier_field;
ALTER TABLE oplog DROP COLUMN field;
