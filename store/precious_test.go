package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreciousFiles: the files an export or a plan must not be written
// over are told from those it may replace.
func TestPreciousFiles(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "brug.db")
	s, err := Open(data, Options{Author: "anna"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key := write("region.db.master-key", strings.Repeat("0123456789abcdef", 4)+"\n")
	// A bbolt file whose first meta page is damaged is still one.
	raw, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	copy(raw[16:20], []byte{0, 0, 0, 0})
	damaged := write("damaged.db", string(raw))
	for _, c := range []struct {
		path string
		want bool
	}{
		{data, true},
		{damaged, true},
		{key, true},
		{write("old-export.md", "# Dossier\n"), false},
		{write("short-hex.txt", "0123abcd\n"), false},
		{write("empty.md", ""), false},
		{filepath.Join(dir, "new.md"), false},
		{dir, false},
	} {
		if got := Precious(c.path); got != c.want {
			t.Errorf("Precious(%s) = %v, want %v", filepath.Base(c.path), got, c.want)
		}
	}
}
