package main

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultDBPath(t *testing.T) {
	home := func(h string) func() (string, error) { return func() (string, error) { return h, nil } }
	noHome := func() (string, error) { return "", errors.New("no home") }
	tests := []struct {
		name string
		goos string
		env  map[string]string
		home func() (string, error)
		want string // "" means an error
	}{
		{"linux xdg", "linux", map[string]string{"XDG_DATA_HOME": "/data/anna"}, home("/home/anna"), "/data/anna/brug/brug.db"},
		{"linux no xdg", "linux", nil, home("/home/anna"), "/home/anna/.local/share/brug/brug.db"},
		{"linux relative xdg is ignored", "linux", map[string]string{"XDG_DATA_HOME": "data"}, home("/home/anna"), "/home/anna/.local/share/brug/brug.db"},
		{"linux xdg without home", "linux", map[string]string{"XDG_DATA_HOME": "/xdg"}, noHome, "/xdg/brug/brug.db"},
		{"linux nothing", "linux", nil, noHome, ""},
		{"freebsd follows xdg", "freebsd", nil, home("/usr/home/anna"), "/usr/home/anna/.local/share/brug/brug.db"},
		{"not the config folder", "linux", map[string]string{"XDG_CONFIG_HOME": "/cfg"}, home("/h"), "/h/.local/share/brug/brug.db"},
		{"darwin", "darwin", map[string]string{"XDG_DATA_HOME": "/ignored"}, home("/Users/anna"), "/Users/anna/Library/Application Support/brug/brug.db"},
		{"darwin without home", "darwin", nil, noHome, ""},
		{"windows localappdata", "windows", map[string]string{"LOCALAPPDATA": `C:\Users\anna\AppData\Local`, "APPDATA": `C:\roaming`}, home(`C:\Users\anna`), `C:\Users\anna\AppData\Local\brug\brug.db`},
		{"windows without localappdata", "windows", nil, home(`C:\Users\anna`), `C:\Users\anna\AppData\Local\brug\brug.db`},
		{"windows nothing", "windows", nil, noHome, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := defaultDBPath(tt.goos, func(k string) string { return tt.env[k] }, tt.home)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolveDBPath(t *testing.T) {
	dflt := func() (string, error) { return "/default.db", nil }
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "BRUG_DB" {
				return v
			}
			return ""
		}
	}
	for _, tt := range []struct{ flag, env, want string }{
		{"", "", "/default.db"},
		{"", "/env.db", "/env.db"},
		{"/flag.db", "/env.db", "/flag.db"},
		{"/flag.db", "", "/flag.db"},
	} {
		got, err := resolveDBPath(tt.flag, env(tt.env), dflt)
		if err != nil || got != tt.want {
			t.Errorf("flag %q env %q: got %q, %v; want %q", tt.flag, tt.env, got, err, tt.want)
		}
	}
}

func TestAuthorName(t *testing.T) {
	for _, tt := range []struct {
		name   string
		env    map[string]string
		osUser string
		want   string
	}{
		{"BRUG_USER wins", map[string]string{"BRUG_USER": "fleur", "USER": "x"}, "anna", "fleur"},
		{"os user", nil, "anna", "anna"},
		{"windows domain dropped", nil, `ZORG\anna`, "anna"},
		{"USER when no os user", map[string]string{"USER": "piet"}, "", "piet"},
		{"nothing", nil, "", "onbekend"},
		{"cut to 64 bytes", map[string]string{"BRUG_USER": strings.Repeat("é", 40)}, "", strings.Repeat("é", 32)},
	} {
		got := authorName(func(k string) string { return tt.env[k] }, func() string { return tt.osUser })
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
