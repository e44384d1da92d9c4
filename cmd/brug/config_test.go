package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/brug-nl/brug/store"
)

// captured are the flag values a command saw after the configuration was
// applied.
type captured struct {
	method, db, addr, publicURL, metricsToken string
	trusted                                   []string
}

// runServeTree runs `brug ARGS` through the real command tree with the
// environment vars, with serve's RunE replaced by one that records its
// flags, so the precedence is seen without starting a server.
func runServeTree(t *testing.T, home string, vars map[string]string, args ...string) (captured, error) {
	t.Helper()
	var got captured
	var out bytes.Buffer
	c := &cli{env: env{
		stdout: &out, stderr: &out,
		getenv: func(k string) string { return vars[k] },
		goos:   "linux",
		home:   func() (string, error) { return home, nil },
	}}
	root := newRootCmd(c)
	serve, _, err := root.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	serve.RunE = func(cmd *cobra.Command, _ []string) error {
		got.method, got.db = c.g.method, c.g.db
		fl := cmd.Flags()
		got.addr, _ = fl.GetString("addr")
		got.publicURL, _ = fl.GetString("public-url")
		got.metricsToken, _ = fl.GetString("metrics-token")
		got.trusted, _ = fl.GetStringArray("trusted-proxy")
		return nil
	}
	root.SetArgs(args)
	err = root.Execute()
	return got, err
}

func writeConfig(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigPrecedence: flag > environment > file > default, for a global
// flag (method), a command's flag (serve addr, public-url) and a list
// (trusted-proxy), with the file found in the per-user config folder
// (XDG), named by BRUG_CONFIG, or by --config.
func TestConfigPrecedence(t *testing.T) {
	home := t.TempDir()
	xdg := writeConfig(t, filepath.Join(home, ".config", "brug", "brug.yaml"), `
method: file-method.yaml
serve:
  addr: 0.0.0.0:1111
  public-url: https://file.example.nl
  trusted-proxy: [10.0.0.1, 10.0.0.2]
`)
	other := writeConfig(t, filepath.Join(t.TempDir(), "brug.yaml"), "serve:\n  addr: 0.0.0.0:2222\n")
	_ = xdg
	cases := []struct {
		name    string
		vars    map[string]string
		args    []string
		addr    string
		method  string
		url     string
		trusted []string
	}{
		{"file in the XDG folder", nil, nil, "0.0.0.0:1111", "file-method.yaml", "https://file.example.nl", []string{"10.0.0.1", "10.0.0.2"}},
		{"XDG_CONFIG_HOME elsewhere: defaults", map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, nil, "127.0.0.1:8443", "", "", nil},
		{"environment over file", map[string]string{"BRUG_SERVE_ADDR": "0.0.0.0:3333", "BRUG_METHOD": "env-method.yaml", "BRUG_SERVE_TRUSTED_PROXY": "10.9.9.9"}, nil, "0.0.0.0:3333", "env-method.yaml", "https://file.example.nl", []string{"10.9.9.9"}},
		{"flag over environment", map[string]string{"BRUG_SERVE_ADDR": "0.0.0.0:3333", "BRUG_METHOD": "env-method.yaml"}, []string{"--method", "flag.yaml", "--addr", "0.0.0.0:4444", "--trusted-proxy", "10.1.1.1", "--trusted-proxy", "10.1.1.2"}, "0.0.0.0:4444", "flag.yaml", "https://file.example.nl", []string{"10.1.1.1", "10.1.1.2"}},
		{"BRUG_CONFIG over the XDG file", map[string]string{"BRUG_CONFIG": other}, nil, "0.0.0.0:2222", "", "", nil},
		{"--config over BRUG_CONFIG", map[string]string{"BRUG_CONFIG": "/nonexistent/brug.yaml"}, []string{"--config", other}, "0.0.0.0:2222", "", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runServeTree(t, home, tc.vars, append([]string{"serve"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if got.addr != tc.addr || got.method != tc.method || got.publicURL != tc.url || !(reflect.DeepEqual(got.trusted, tc.trusted) || len(got.trusted)+len(tc.trusted) == 0) {
				t.Errorf("got addr %q method %q url %q trusted %q; want %q %q %q %q", got.addr, got.method, got.publicURL, got.trusted, tc.addr, tc.method, tc.url, tc.trusted)
			}
		})
	}
}

// TestConfigMetricsTokenAlias: BRUG_METRICS_TOKEN keeps working, below
// BRUG_SERVE_METRICS_TOKEN and above the file.
func TestConfigMetricsTokenAlias(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, filepath.Join(home, ".config", "brug", "brug.yaml"), "serve:\n  metrics-token: from-file\n")
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{nil, "from-file"},
		{map[string]string{"BRUG_METRICS_TOKEN": "old"}, "old"},
		{map[string]string{"BRUG_METRICS_TOKEN": "old", "BRUG_SERVE_METRICS_TOKEN": "new"}, "new"},
	} {
		got, err := runServeTree(t, home, tc.vars, "serve")
		if err != nil {
			t.Fatal(err)
		}
		if got.metricsToken != tc.want {
			t.Errorf("%v: token %q, want %q", tc.vars, got.metricsToken, tc.want)
		}
	}
}

// TestConfigErrors: a typo, a bad value, a list for a single flag, a
// missing named file and a bad environment value are refused with the
// file, the line and the key, in Dutch and in English.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, file string
		vars       map[string]string
		args       []string
		want       []string
	}{
		{"unknown key", "db: x.db\nserve:\n  addr: 0.0.0.0:1\n  publik-url: https://x\n", nil, nil,
			[]string{":4: onbekende instelling \"publik-url\"", "public-url", "trusted-proxy"}},
		{"unknown top-level key", "serv:\n  addr: x\n", nil, nil,
			[]string{":1: onbekende instelling \"serv\"", "db, demo", "serve"}},
		{"unknown key in English", "lang: en\nserve:\n  adr: x\n", nil, nil,
			[]string{":3: unknown key \"adr\". Valid here: addr,"}},
		{"bad duration", "serve:\n  ssh-idle: banana\n", nil, nil,
			[]string{":2: ongeldige waarde voor ssh-idle", `"banana" is geen geldige duur`}},
		{"bad value in another command's map", "demo:\n  clients: many\n", nil, nil,
			[]string{":2: ongeldige waarde voor clients"}},
		{"list for a single flag", "serve:\n  addr: [a, b]\n", nil, nil,
			[]string{":2: addr neemt één waarde"}},
		{"twice", "db: a\ndb: b\n", nil, nil, []string{":2: \"db\" staat er twee keer"}},
		{"not YAML", "serve: [\n", nil, nil, []string{"geen geldige YAML"}},
		{"not a map", "- a\n- b\n", nil, nil, []string{":1: hier hoort een lijst van instellingen"}},
		{"bad environment value", "", map[string]string{"BRUG_SERVE_SSH_IDLE": "soon"}, nil,
			[]string{"Ongeldige waarde in BRUG_SERVE_SSH_IDLE", `"soon"`}},
		{"missing named file", "", nil, []string{"--config", filepath.Join(dir, "nope.yaml")},
			[]string{"nope.yaml bestaat niet"}},
		{"missing BRUG_CONFIG file in English", "", map[string]string{"BRUG_CONFIG": filepath.Join(dir, "nope.yaml"), "BRUG_LANG": "en"}, []string{},
			[]string{"nope.yaml does not exist"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			var path string
			if args == nil {
				path = writeConfig(t, filepath.Join(dir, "c"+string(rune('a'+i))+".yaml"), tc.file)
				args = []string{"--config", path}
			}
			_, err := runServeTree(t, t.TempDir(), tc.vars, append(args, "serve")...)
			if err == nil {
				t.Fatal("accepted")
			}
			if path != "" && !strings.Contains(err.Error(), path) && !strings.HasPrefix(tc.name, "bad environment") {
				t.Errorf("error does not name the file %s: %v", path, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestConfigSecretMode: a file holding the metrics token that others can
// read is refused; at 0600 it is used.
func TestConfigSecretMode(t *testing.T) {
	path := writeConfig(t, filepath.Join(t.TempDir(), "brug.yaml"), "serve:\n  metrics-token: s3cret\n")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runServeTree(t, t.TempDir(), nil, "--config", path, "serve")
	if err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("a readable token file: %v", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := runServeTree(t, t.TempDir(), nil, "--config", path, "serve")
	if err != nil || got.metricsToken != "s3cret" {
		t.Fatalf("0600 token file: %q, %v", got.metricsToken, err)
	}
}

// TestConfigThroughRun: the file's lang and a bad key reach the user
// through run (exit code and message), and an SSH session's tree ignores
// the server's files.
func TestConfigThroughRun(t *testing.T) {
	h := newHarness(t)
	writeConfig(t, filepath.Join(h.home, ".config", "brug", "brug.yaml"), "lang: en\nexport:\n  formaat: md\n")
	r := h.run("version")
	if r.code != exitError || !strings.Contains(r.stderr, `brug.yaml:3: unknown key "formaat"`) {
		t.Fatalf("bad key through run: %v", r)
	}
}

// FuzzDecodeConfig: no input makes the decoder or the checker panic.
func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte("db: x\nserve:\n  addr: a\n  trusted-proxy: [a, b]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := decodeConfig(data)
		if err != nil || top == nil {
			return
		}
		c := &cli{env: env{getenv: func(string) string { return "" }}}
		_, _ = c.checkSection("fuzz.yaml", newRootCmd(&cli{env: c.env}), top, true)
	})
}

// TestConfigDocExamples: the YAML examples of docs/cli.md's Configuration
// section are valid files.
func TestConfigDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(doc), "## Configuration\n")
	if !ok {
		t.Fatal("docs/cli.md has no Configuration section")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	blocks := strings.Split(sec, "```yaml\n")[1:]
	if len(blocks) < 2 {
		t.Fatalf("%d YAML examples, want a laptop's and a server's", len(blocks))
	}
	for _, b := range blocks {
		text, _, _ := strings.Cut(b, "```")
		top, err := decodeConfig([]byte(text))
		if err != nil || top == nil {
			t.Fatalf("example %q: %v", text, err)
		}
		c := &cli{env: env{getenv: func(string) string { return "" }}}
		if _, err := c.checkSection("cli.md", newRootCmd(&cli{env: c.env}), top, true); err != nil {
			t.Errorf("example %q: %v", text, err)
		}
	}
}

type nopReporter struct{}

func (nopReporter) FlowReport(store.FlowQuery) (store.FlowReport, error) {
	return store.FlowReport{}, nil
}

// TestConfigNotInSSHSessions: a command tree run for an SSH session
// ignores the server's config file and environment (they configure the
// server, not the remote user's commands).
func TestConfigNotInSSHSessions(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, filepath.Join(home, ".config", "brug", "brug.yaml"), "typo: 1\n")
	e := env{getenv: func(string) string { return "" }, goos: "linux", home: func() (string, error) { return home, nil }}
	c := &cli{env: e}
	root := newRootCmd(c)
	if err := c.applyConfig(root, root); err == nil {
		t.Fatal("a local run ignored the bad file")
	}
	s := &cli{env: e, reporter: nopReporter{}}
	root = newRootCmd(s)
	if err := s.applyConfig(root, root); err != nil {
		t.Fatalf("an SSH session read the server's file: %v", err)
	}
}
