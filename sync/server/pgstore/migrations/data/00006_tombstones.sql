-- +goose Up
-- A server's cache of unwrapped dossier keys drops the key of a dossier
-- erased by another process at its next write transaction
-- (pgstore/keycache.go; docs/postgres.md, "What is per process and stays
-- so"). changes.tombstones is raised by every statement that writes the
-- tombstones (erased), whoever writes, in its transaction: each write
-- transaction reads it with the count of changes, and checks the keys it
-- holds against the tombstones when it moved. (Counting the tombstones
-- instead cost 0.65 ms a transaction with 10,000 of them.)
ALTER TABLE changes ADD COLUMN tombstones bigint NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION brug_tombstones() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE changes SET tombstones = tombstones + 1;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER brug_tombstones AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON erased FOR EACH STATEMENT EXECUTE FUNCTION brug_tombstones();

-- +goose Down
DROP TRIGGER brug_tombstones ON erased;
DROP FUNCTION brug_tombstones();
ALTER TABLE changes DROP COLUMN tombstones;
