package pgstore

import (
	"strings"
	"testing"
)

// A connection string shown in a log or message keeps its host and
// database but never its password, in the userinfo or as a parameter.
func TestRedactHidesThePassword(t *testing.T) {
	for _, s := range []string{
		"postgres://brug:geheim123@db.example:5432/region",
		"postgresql://brug@db.example/region?sslmode=require&password=geheim123",
	} {
		got := Redact(s)
		if strings.Contains(got, "geheim123") || !strings.Contains(got, "db.example") || !strings.Contains(got, "region") {
			t.Errorf("Redact(%q) = %q", s, got)
		}
		if !IsURL(s) {
			t.Errorf("IsURL(%q) = false", s)
		}
	}
	for _, s := range []string{"region.db", "/var/lib/brug/postgres.db", "mysql://x"} {
		if IsURL(s) {
			t.Errorf("IsURL(%q) = true", s)
		}
	}
}
