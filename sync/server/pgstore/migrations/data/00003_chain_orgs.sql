-- +goose Up
-- Issue 11: the audit log becomes a hash chain (storage/chain.go), laptop
-- reads are kept once by their id, and the region keeps a register of
-- organisations.
--
-- * audit.entry holds the exact bytes the chain hashed (bytea): jsonb
--   would refuse a NUL in a string and re-spell what it stores.
-- * audit_reads: a laptop read entry's id -> the audit entry keeping it.
-- * orgs: organisation name -> the JSON of storage.Org.
-- * dossier_shares: the share index (issue 11).
ALTER TABLE audit ALTER COLUMN entry TYPE bytea USING convert_to(entry::text, 'UTF8');
CREATE TABLE audit_reads (id text PRIMARY KEY, seq bigint NOT NULL);
CREATE TABLE orgs (name text PRIMARY KEY, rec jsonb NOT NULL);
-- dossier_shares: the share index (storage.DossierShares): the teams a
-- dossier has a share with, and by team the dossiers shared with it.
CREATE TABLE dossier_shares (
	dossier bytea NOT NULL CHECK (length(dossier) = 16),
	team    text  NOT NULL,
	PRIMARY KEY (dossier, team)
);
CREATE INDEX dossier_shares_team ON dossier_shares (team, dossier);

-- +goose Down
DROP TABLE dossier_shares, orgs, audit_reads;
ALTER TABLE audit ALTER COLUMN entry TYPE jsonb USING convert_from(entry, 'UTF8')::jsonb;
