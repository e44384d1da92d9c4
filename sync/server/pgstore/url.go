package pgstore

import (
	"net/url"
	"strings"
)

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://) rather than a bbolt file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact is s with its password, if any, replaced by xxxxx: what logs
// and messages may show of a connection string.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://(unreadable connection string)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
