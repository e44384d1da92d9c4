-- +goose Up
-- Issue 14: ops loses its index (dossier, seq). Every op numbered wrote
-- an entry into it at a place given by its dossier: on the 200-device
-- burst some 200 index pages touched at random, a full page image in the
-- WAL for most of them after a checkpoint (1.3 MB of 1.8 MB of the
-- numbers' WAL) and a third to a half of the numbers' statement
-- (docs/benchmarks.md, branch pgwrite25). Its one reader was an
-- erasure's DELETE FROM ops WHERE dossier = $1 (DropDossierOps), which
-- now reads the table (docs/postgres.md, "Schema"): an erasure is rare,
-- a push is not. Nothing else reads ops by dossier: the pulls read it by
-- number, the pushes by op id.
DROP INDEX ops_dossier_seq;

-- +goose Down
CREATE INDEX ops_dossier_seq ON ops (dossier, seq);
