package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/brug-nl/brug/sync/client"
	"github.com/brug-nl/brug/sync/server"
	"github.com/brug-nl/brug/tui/texts"
)

// cause writes err for a message in m's language: the causes that only
// the CLI knows (the sync server's answers, the server's refusals of a
// session, PostgreSQL's errors) from causeTexts, the rest as texts.Cause
// writes them, so that Go's English does not reach a Dutch screen.
func (m msgs) cause(err error) string {
	if s := m.cliCause(err); s != "" {
		return s
	}
	return texts.Cause(m.lang, err, m.details)
}

// cliCause is err's cause from causeTexts, or "" when it is none of
// theirs. English keeps the error's own words where they carry the
// server's explanation.
func (m msgs) cliCause(err error) string {
	var ny *server.NotYoursError
	if errors.As(err, &ny) {
		if ny.NoDossiers {
			return m.f("cause.nodossiers", ny.User)
		}
		return m.f("cause.notyours", strings.Join(ny.Yours, ", "))
	}
	var se *client.ServerError
	if errors.As(err, &se) {
		if m.lang == "en" {
			return ""
		}
		switch {
		case se.Status == http.StatusTooManyRequests:
			return m.f("cause.server.busy")
		case se.Status >= 500:
			return m.f("cause.server.failed", se.Status)
		case se.Status == http.StatusRequestEntityTooLarge:
			return m.f("cause.server.toolarge", se.Status)
		case se.Status == http.StatusNotFound:
			return m.f("cause.server.notfound", se.Status)
		case se.Status == http.StatusForbidden:
			return m.f("cause.server.forbidden", se.Status)
		case se.Status == http.StatusBadRequest, se.Status == http.StatusUnsupportedMediaType:
			return m.f("cause.server.badrequest", se.Status)
		}
		return m.f("cause.server.other", se.Status)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if m.lang == "en" {
			return ""
		}
		switch {
		case pe.Code == "28P01", pe.Code == "28000":
			return m.f("cause.pg.auth")
		case pe.Code == "3D000":
			return m.f("cause.pg.nodb")
		case pe.Code == "42501":
			return m.f("cause.pg.rights")
		case pe.Code == "53300":
			return m.f("cause.pg.full")
		case pe.Code == "53100":
			return m.f("cause.pg.disk")
		case strings.HasPrefix(pe.Code, "57P"):
			return m.f("cause.pg.stopping")
		}
		return m.f("cause.pg.other", pe.Code)
	}
	return ""
}

// causeTexts are the causes cmd/brug knows beyond texts.Cause (cause).
// English says the server's answers and PostgreSQL's errors in their own
// words (cliCause), so the English of the cause.server and cause.pg keys
// is there for the catalogue's completeness only.
var causeTexts = map[string][2]string{
	"cause.notyours": {
		"geen van de gevraagde teams is een van jouw teams (jouw teams: %s)",
		"none of the teams asked for is one of yours (yours: %s)",
	},
	"cause.nodossiers": {
		"%s ziet geen dossiers (het account is uitgeschakeld, of de rol leest geen dossiers)",
		"%s sees no dossiers (the account is disabled, or the role reads no dossiers)",
	},
	"cause.server.busy":       {"de server is druk; probeer het zo opnieuw", "the server is busy; try again shortly"},
	"cause.server.failed":     {"de server meldt een storing (%d); probeer het later opnieuw, en meld het aan je beheerder als het blijft", "the server reports a failure (%d)"},
	"cause.server.toolarge":   {"het verzoek is te groot voor de server (%d)", "the request is too large for the server (%d)"},
	"cause.server.notfound":   {"de server kent dit verzoek niet (%d); klopt het adres, en is de server een brug-server?", "the server does not know this request (%d)"},
	"cause.server.forbidden":  {"de server staat dit niet toe (%d)", "the server does not allow this (%d)"},
	"cause.server.badrequest": {"de server begreep het verzoek niet (%d); verschilt de versie van brug hier veel van die op de server?", "the server did not understand the request (%d)"},
	"cause.server.other":      {"de server weigerde het verzoek (%d)", "the server refused the request (%d)"},
	"cause.pg.auth": {
		"PostgreSQL weigert de gebruiker of het wachtwoord; controleer de gebruiker en het wachtwoord in --store (of in ~/.pgpass)",
		"PostgreSQL refuses the user or the password",
	},
	"cause.pg.nodb":     {"de database bestaat niet; maak hem met createdb (zie docs/postgres.md)", "the database does not exist"},
	"cause.pg.rights":   {"de gebruiker van de database heeft niet genoeg rechten (zie docs/postgres.md)", "the database user lacks the rights"},
	"cause.pg.full":     {"PostgreSQL heeft geen verbindingen meer vrij (max_connections); probeer het zo opnieuw", "PostgreSQL has no connections left"},
	"cause.pg.disk":     {"de schijf van PostgreSQL is vol", "PostgreSQL's disk is full"},
	"cause.pg.stopping": {"PostgreSQL stopt of start net op; probeer het zo opnieuw", "PostgreSQL is shutting down or starting"},
	"cause.pg.other":    {"PostgreSQL meldt een fout (code %s; zie de log van PostgreSQL)", "PostgreSQL reports an error (code %s)"},
}
