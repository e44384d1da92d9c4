-- +goose Up
-- Issue 14: several `brug serve` processes on one database
-- (docs/postgres.md, "Several processes on one database").
--
-- * changes: one row counting the committed write transactions that
--   changed what a server keeps in memory (dossier teams, shares, users,
--   teams and memberships, organisations, devices' views, erasures). The
--   triggers below raise it once per transaction, in that transaction,
--   whoever writes (a server, `brug admin --store`, a hand-written
--   statement). A server reads it at the start of each sync transaction,
--   under the write lock, and drops its caches when another process
--   raised it since its own last transaction.
-- * epochs.high: the highest cursor an answer of the epoch carried,
--   raised in the answer's transaction: with several processes an epoch
--   does not end where the next one begins (epoch.go).
CREATE TABLE changes (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	n    bigint  NOT NULL DEFAULT 0,
	xact xid8 -- the transaction that raised n last: once per transaction
);
INSERT INTO changes (one) VALUES (true);

-- +goose StatementBegin
CREATE FUNCTION brug_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE changes SET n = n + 1, xact = pg_current_xact_id()
		WHERE xact IS DISTINCT FROM pg_current_xact_id();
	RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dossier_team   FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON dossier_shares FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users          FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams          FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON members        FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON orgs           FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON views          FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON erased         FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON erasures       FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
-- Ops are only ever added by numbering them (a server's index of recent
-- ops follows that by the sequence); taking them away is an erasure.
CREATE TRIGGER brug_changed AFTER DELETE OR TRUNCATE ON ops   FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();
CREATE TRIGGER brug_changed AFTER DELETE OR TRUNCATE ON oplog FOR EACH STATEMENT EXECUTE FUNCTION brug_changed();

ALTER TABLE epochs ADD COLUMN high bigint;

-- +goose Down
ALTER TABLE epochs DROP COLUMN high;
DROP TRIGGER brug_changed ON oplog;
DROP TRIGGER brug_changed ON ops;
DROP TRIGGER brug_changed ON erasures;
DROP TRIGGER brug_changed ON erased;
DROP TRIGGER brug_changed ON views;
DROP TRIGGER brug_changed ON orgs;
DROP TRIGGER brug_changed ON members;
DROP TRIGGER brug_changed ON teams;
DROP TRIGGER brug_changed ON users;
DROP TRIGGER brug_changed ON dossier_shares;
DROP TRIGGER brug_changed ON dossier_team;
DROP FUNCTION brug_changed();
DROP TABLE changes;
