-- +goose Up
-- Issue 14: oplog.op holds each op's binary body (store.AppendOpBody, the
-- store's log encoding with the device and author written out) sealed
-- with its dossier's key, no longer its JSON: a pull builds its compact
-- pages from the ops without decoding and encoding JSON
-- (docs/postgres.md, "Op bodies").
--
-- The rows are sealed with keys this database need not hold (the key
-- store may be another database, the master key is a file), so SQL cannot
-- rewrite them. This migration only records, when the log holds any op,
-- that its rows are JSON: the setting convert_bodies, the log key (dossier
-- + op id) up to which rows are converted, empty for none. A starting
-- server converts the rows after it (pgstore/convert.go) in batches, each
-- committed with the key of its last row, and deletes the setting when it
-- reaches the end. A server stopped half way (kill -9 included) leaves
-- the key of its last committed batch: the next start goes on from there.
-- Reading takes either form of a body meanwhile.
INSERT INTO settings (name, value)
	SELECT 'convert_bodies', '\x'::bytea WHERE EXISTS (SELECT 1 FROM oplog)
	ON CONFLICT (name) DO NOTHING;

-- +goose Down
-- Bodies converted stay binary: a brug older than this migration cannot
-- read them (restore the backup made before the upgrade to go back).
DELETE FROM settings WHERE name = 'convert_bodies';
