-- The tables as the storage interfaces (sync/server/storage) use them
-- (issue 14, second round). No region ever ran on 00001's tables (there
-- was no way to), so the record tables are made again here:
--
-- * The op log is oplog (dossier + op id -> the op's JSON sealed with the
--   dossier's key). ops stays the numbered index (x_seq, x_op_dossier):
--   an op is stored by ApplyJSON and numbered by NumberOp, two steps of
--   one transaction, so its body lives in oplog and ops.op is NULL.
-- * erased holds the tombstones of erased dossiers (the store's erased).
-- * The server's records are stored as the JSON of their storage value
--   types (users, teams, devices, ...), keyed by what they are looked up
--   by: a field added to a type needs no migration, and the semantics are
--   bbolt's (no foreign keys: a device may outlive its user's record, a
--   team's members are not deleted with it).

-- +goose Up
ALTER TABLE ops ALTER COLUMN op DROP NOT NULL;

CREATE TABLE oplog (
	dossier bytea NOT NULL CHECK (length(dossier) = 16),
	op_id   bytea NOT NULL CHECK (length(op_id) = 16),
	op      bytea NOT NULL, -- JSON of the op, sealed with the dossier's key
	PRIMARY KEY (dossier, op_id)
);

CREATE TABLE erased (
	dossier bytea PRIMARY KEY CHECK (length(dossier) = 16)
);

DROP TABLE members, tokens, codes, ssh_keys, views, devices, users, teams, erasures, receipts;

CREATE TABLE users    (name text PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE teams    (name text PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE members  (team text NOT NULL, user_name text NOT NULL, PRIMARY KEY (team, user_name));
CREATE INDEX members_user ON members (user_name);
CREATE TABLE devices  (id text PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE tokens   (hash bytea PRIMARY KEY, device text NOT NULL);
CREATE TABLE codes    (hash bytea PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE ssh_keys (fingerprint text PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE views (
	device  text     NOT NULL,
	dossier bytea    NOT NULL,
	state   smallint NOT NULL,
	seq     bigint   NOT NULL,
	PRIMARY KEY (device, dossier)
);
CREATE INDEX views_dossier ON views (dossier);
CREATE TABLE erasures (dossier bytea PRIMARY KEY, rec jsonb NOT NULL);
CREATE TABLE receipts (
	dossier bytea NOT NULL,
	device  text  NOT NULL,
	rec     jsonb NOT NULL,
	PRIMARY KEY (dossier, device)
);

-- +goose Down
DROP TABLE receipts, erasures, views, ssh_keys, codes, tokens, devices, members, teams, users, erased, oplog;
-- 00001's record tables come back empty and without columns, only so that
-- its Down finds them: go down to 0 and up again, never down to 1 alone.
CREATE TABLE users (); CREATE TABLE teams (); CREATE TABLE members (); CREATE TABLE devices ();
CREATE TABLE tokens (); CREATE TABLE codes (); CREATE TABLE ssh_keys (); CREATE TABLE views ();
CREATE TABLE erasures (); CREATE TABLE receipts ();
DELETE FROM ops WHERE op IS NULL;
ALTER TABLE ops ALTER COLUMN op SET NOT NULL;
