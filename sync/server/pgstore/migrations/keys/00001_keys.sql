-- The key store: each dossier's key, kept apart from the data (bbolt: a
-- separate key store file, store/keys.go). Run on its own database, or
-- at least its own schema owned by another role, so that a dump or a
-- leak of the data holds no keys, and erasing a dossier is dropping its
-- row here. docs/postgres.md, "Key store".

-- +goose Up
CREATE TABLE dossier_keys (
	dossier bytea PRIMARY KEY CHECK (length(dossier) = 16),
	key     bytea NOT NULL -- the data key wrapped by the file key, as in the bbolt key store (store/crypt.go)
);

-- +goose Down
DROP TABLE dossier_keys;
