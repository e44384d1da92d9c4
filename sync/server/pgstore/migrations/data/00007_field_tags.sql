-- +goose Up
-- Issue 14: each op's row holds its field as a keyed tag (pgstore's
-- fieldtag.go; docs/postgres.md, "Field tags"), so that a push reads the
-- heads of the fields it writes, not of every field of the dossier.
-- The tag is made with the dossier's key, which SQL does not hold: rows
-- written before this migration are tagged by the next server to start
-- (pgstore's tagFields, in batches, as the bodies' conversion of 00005),
-- from the log key in the setting tag_fields, which this migration makes
-- when the log holds any op; until then a row without a tag reads as any
-- field's (its body is read as before). New rows get their tag.
ALTER TABLE oplog ADD COLUMN field bigint;
CREATE INDEX oplog_dossier_field ON oplog (dossier, field);
INSERT INTO settings (name, value)
	SELECT 'tag_fields', '\x'::bytea WHERE EXISTS (SELECT 1 FROM oplog)
	ON CONFLICT (name) DO NOTHING;

-- +goose Down
DELETE FROM settings WHERE name = 'tag_fields';
DROP INDEX oplog_dossier_field;
ALTER TABLE oplog DROP COLUMN field;
