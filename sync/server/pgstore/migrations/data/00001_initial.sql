-- The server's data: what sync/server keeps in bbolt buckets (x_... and
-- the store's log, replaced, summaries and actors), as tables. Ids of
-- dossiers and ops are their 16 bytes; device ids, user and team names
-- are text as on the wire. Dossier content is only ever stored sealed
-- with its dossier's key (ops.op, summaries.summary, drafts.sealed), so
-- that dropping a key in the key store (migrations/keys) erases it.
-- docs/postgres.md, "Schema".

-- +goose Up

-- seq_counter holds the last sequence number handed out: one row, whose
-- row lock serializes the transactions that append ops, so that numbers
-- become visible in the order they are given (pgstore/seq.go).
CREATE TABLE seq_counter (
	id   boolean PRIMARY KEY DEFAULT true CHECK (id),
	last bigint  NOT NULL CHECK (last >= 0)
);
INSERT INTO seq_counter (id, last) VALUES (true, 0);

-- ops is the region's op log in sequence order (bbolt: the store's log,
-- keyed dossier + op id, with x_seq and x_op_dossier as indexes).
CREATE TABLE ops (
	seq     bigint PRIMARY KEY CHECK (seq > 0),
	op_id   bytea  NOT NULL UNIQUE CHECK (length(op_id) = 16),
	dossier bytea  NOT NULL CHECK (length(dossier) = 16),
	op      bytea  NOT NULL -- the op's binary form (store/opbin.go), sealed with its dossier's key on an encrypted region
);
CREATE INDEX ops_dossier_seq ON ops (dossier, seq);

-- replaced is every op id a prev of an op of that dossier names; heads
-- are the dossier's ops not in it (store/merge.go).
CREATE TABLE replaced (
	dossier bytea NOT NULL CHECK (length(dossier) = 16),
	op_id   bytea NOT NULL CHECK (length(op_id) = 16),
	PRIMARY KEY (dossier, op_id)
);

-- summaries: one list summary per dossier (store/summaries.go), sealed.
CREATE TABLE summaries (
	dossier bytea PRIMARY KEY CHECK (length(dossier) = 16),
	summary bytea NOT NULL
);

-- actors numbers the (device, author) pairs that made ops; an op's
-- binary form names its pair by number (store/actors.go). Shared by all
-- processes on the database, so a number is given out by the database.
CREATE TABLE actors (
	n      integer PRIMARY KEY CHECK (n > 0),
	device text    NOT NULL,
	author text    NOT NULL,
	UNIQUE (device, author)
);

CREATE TABLE users (
	name     text        PRIMARY KEY,
	role     text        NOT NULL CHECK (role IN ('coach', 'wijkteam', 'coordinator', 'admin')),
	disabled boolean     NOT NULL DEFAULT false,
	created  timestamptz NOT NULL
);

CREATE TABLE teams (
	name    text        PRIMARY KEY,
	created timestamptz NOT NULL
);

-- members (bbolt x_members: team + 0x00 + user).
CREATE TABLE members (
	team      text NOT NULL REFERENCES teams (name) ON DELETE CASCADE,
	user_name text NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	PRIMARY KEY (team, user_name)
);
CREATE INDEX members_user ON members (user_name);

-- dossier_team: the head of each dossier's team field. bbolt's reverse
-- bucket x_team_dossiers is the index dossier_team_team here.
CREATE TABLE dossier_team (
	dossier bytea PRIMARY KEY CHECK (length(dossier) = 16),
	team    text  NOT NULL
);
CREATE INDEX dossier_team_team ON dossier_team (team, dossier);

CREATE TABLE devices (
	id         text        PRIMARY KEY,
	user_name  text        NOT NULL REFERENCES users (name),
	name       text        NOT NULL,
	token_hash bytea       NOT NULL CHECK (length(token_hash) = 32),
	created    timestamptz NOT NULL,
	last_seen  timestamptz,
	revoked    timestamptz,
	replica    text, -- the replica id its ops carry, bound at its first push
	wipe       timestamptz,
	wipe_told  timestamptz,
	wiped      timestamptz
);
CREATE INDEX devices_user ON devices (user_name);
CREATE UNIQUE INDEX devices_replica ON devices (replica) WHERE replica IS NOT NULL;

-- tokens: SHA-256 of a device token -> device (never the token).
CREATE TABLE tokens (
	hash   bytea PRIMARY KEY CHECK (length(hash) = 32),
	device text  NOT NULL REFERENCES devices (id) ON DELETE CASCADE
);

-- codes: SHA-256 of a one-time enrolment code (never the code).
CREATE TABLE codes (
	hash      bytea       PRIMARY KEY CHECK (length(hash) = 32),
	user_name text        NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	expires   timestamptz NOT NULL,
	used      timestamptz
);

-- ssh_keys: public keys users log in with (bbolt x_keys).
CREATE TABLE ssh_keys (
	fingerprint text        PRIMARY KEY, -- SHA256:..., as ssh-keygen -l shows it
	user_name   text        NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	type        text        NOT NULL,
	comment     text        NOT NULL DEFAULT '',
	line        text        NOT NULL,
	added       timestamptz NOT NULL
);
CREATE INDEX ssh_keys_user ON ssh_keys (user_name);

-- views: what each device was sent of each dossier (bbolt x_view:
-- state byte + seq).
CREATE TABLE views (
	device  text   NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	dossier bytea  NOT NULL CHECK (length(dossier) = 16),
	state   "char" NOT NULL,
	seq     bigint NOT NULL,
	PRIMARY KEY (device, dossier)
);
CREATE INDEX views_dossier ON views (dossier);

-- audit: who did what, when (ids and names, never content). Numbers
-- need not follow commit order: the audit is listed, not pulled.
CREATE TABLE audit (
	seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at      timestamptz NOT NULL,
	action  text        NOT NULL,
	dossier bytea,
	entry   jsonb       NOT NULL -- AuditEntry without its seq
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_dossier ON audit (dossier) WHERE dossier IS NOT NULL;

-- refusals: refused ops of known dossiers, for the team overview.
CREATE TABLE refusals (
	dossier bytea       NOT NULL CHECK (length(dossier) = 16),
	op_id   bytea       NOT NULL CHECK (length(op_id) = 16),
	at      timestamptz NOT NULL,
	code    text        NOT NULL,
	PRIMARY KEY (dossier, op_id)
);

-- erasures: what is kept of an erased dossier (no content).
CREATE TABLE erasures (
	dossier bytea       PRIMARY KEY CHECK (length(dossier) = 16),
	at      timestamptz NOT NULL,
	by_user text        NOT NULL,
	holders text[]      NOT NULL DEFAULT '{}' -- device ids whose view held it
);

-- receipts: a device's first confirmation of an erasure or a drop.
CREATE TABLE receipts (
	dossier bytea       NOT NULL CHECK (length(dossier) = 16),
	device  text        NOT NULL,
	kind    text        NOT NULL CHECK (kind IN ('erased', 'drop')),
	at      timestamptz NOT NULL,
	PRIMARY KEY (dossier, device)
);

-- drafts: a step's text being written, sealed with its dossier's key.
CREATE TABLE drafts (
	dossier   bytea   NOT NULL CHECK (length(dossier) = 16),
	step      integer NOT NULL,
	user_name text    NOT NULL,
	sealed    bytea   NOT NULL,
	PRIMARY KEY (dossier, step, user_name)
);

-- epochs: every start of a server on this region (epoch.go), in order.
-- With several processes an epoch is the region's, begun by the first
-- process to start after all had stopped; a later round decides.
CREATE TABLE epochs (
	n       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id      text        NOT NULL UNIQUE,
	start   bigint      NOT NULL, -- seq_counter.last when it began
	started timestamptz NOT NULL,
	broken  boolean     NOT NULL DEFAULT false
);

-- settings: the region's own values (bbolt x_server: the current epoch,
-- the receipt key).
CREATE TABLE settings (
	name  text  PRIMARY KEY,
	value bytea NOT NULL
);

-- +goose Down
DROP TABLE settings, epochs, drafts, receipts, erasures, refusals, audit, views,
	ssh_keys, codes, tokens, devices, dossier_team, members, teams, users,
	actors, summaries, replaced, ops, seq_counter;
