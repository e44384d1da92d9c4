package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The files an operator installs (docs/systemd) and the release archives
// that ship them are tested here, so that a renamed flag or a dropped
// hardening option fails a test instead of a region's server at boot.

// unitFile is a systemd unit: section -> key -> values in order (a key may
// repeat; "" resets the list in systemd, kept here as a value).
type unitFile map[string]map[string][]string

// parseUnit reads a unit file as systemd does for what we use: sections,
// key=value lines, '#' and ';' comments, lines continued with a trailing
// backslash.
func parseUnit(t *testing.T, path string) unitFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	var cont strings.Builder
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if cont.Len() == 0 && (line == "" || line[0] == '#' || line[0] == ';') {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cont.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cont.WriteString(line)
		line = cont.String()
		cont.Reset()
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			t.Fatalf("%s:%d: not a key=value line in a section: %q", path, n, line)
		}
		key = strings.TrimSpace(key)
		u[section][key] = append(u[section][key], strings.TrimSpace(value))
	}
	if cont.Len() > 0 {
		t.Fatalf("%s: ends in a continued line", path)
	}
	return u
}

// last is the value of a key that does not repeat, or "" and false.
func (u unitFile) last(section, key string) (string, bool) {
	v := u[section][key]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// checkBrugCommand checks that a brug command line of a unit (the words
// after the binary) names a real command and only flags it has, with
// values they accept, as `brug` would parse them.
func checkBrugCommand(t *testing.T, where string, words []string) {
	t.Helper()
	c := &cli{env: env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}}
	root := newRootCmd(c)
	cmd, rest, err := root.Find(words)
	if err != nil || cmd == root {
		t.Fatalf("%s: %q is not a brug command: %v", where, strings.Join(words, " "), err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("%s: %s does not take these flags: %v", where, cmd.CommandPath(), err)
	}
	if cmd.Args != nil {
		if err := cmd.Args(cmd, cmd.Flags().Args()); err != nil {
			t.Errorf("%s: %s: wrong arguments %q: %v", where, cmd.CommandPath(), cmd.Flags().Args(), err)
		}
	}
}

const unitBinary = "/usr/local/bin/brug"

// TestSystemdUnit holds docs/systemd/brug.service to the flags brug serve
// has now and to the user, state directory, credentials and hardening
// docs/operations.md promises.
func TestSystemdUnit(t *testing.T) {
	dir := filepath.Join("..", "..", "docs", "systemd")
	u := parseUnit(t, filepath.Join(dir, "brug.service"))

	execStart, ok := u.last("Service", "ExecStart")
	if !ok {
		t.Fatal("brug.service has no ExecStart")
	}
	words := strings.Fields(execStart)
	if len(words) < 2 || words[0] != unitBinary || words[1] != "serve" {
		t.Fatalf("ExecStart = %q, want %s serve ...", execStart, unitBinary)
	}
	// %d is the credentials directory; any path will do for parsing.
	args := make([]string, 0, len(words)-1)
	for _, w := range words[1:] {
		args = append(args, strings.ReplaceAll(w, "%d", "/run/credentials/brug.service"))
	}
	checkBrugCommand(t, "brug.service ExecStart", args)

	// The flags' values: the file in the state directory, the TLS pair
	// from the credentials.
	flagValue := func(name string) string {
		for i, w := range words {
			if w == "--"+name && i+1 < len(words) {
				return words[i+1]
			}
			if v, ok := strings.CutPrefix(w, "--"+name+"="); ok {
				return v
			}
		}
		return ""
	}
	// brug serve reloads its TLS pair on SIGHUP (TestServeTLSReloadOnSIGHUP).
	if reload, _ := u.last("Service", "ExecReload"); reload != "/bin/kill -HUP $MAINPID" {
		t.Errorf("ExecReload = %q, want /bin/kill -HUP $MAINPID", reload)
	}
	state, _ := u.last("Service", "StateDirectory")
	if state != "brug" {
		t.Errorf("StateDirectory = %q, want brug", state)
	}
	if db := flagValue("db"); db != "/var/lib/brug/region.db" {
		t.Errorf("--db = %q, want /var/lib/brug/region.db (in the StateDirectory)", db)
	}
	creds := u["Service"]["LoadCredential"]
	for flag, cred := range map[string]string{"tls-cert": "tls.crt", "tls-key": "tls.key"} {
		if v := flagValue(flag); v != "%d/"+cred {
			t.Errorf("--%s = %q, want %%d/%s", flag, v, cred)
		}
		if !slices.ContainsFunc(creds, func(s string) bool { return strings.HasPrefix(s, cred+":/") }) {
			t.Errorf("LoadCredential has no %s:/PATH (got %q)", cred, creds)
		}
	}

	// A dedicated user: the fixed one of brug.sysusers (see the unit for
	// why not DynamicUser=).
	if user, _ := u.last("Service", "User"); user != "brug" {
		t.Errorf("User = %q, want brug", user)
	}
	sysusers, err := os.ReadFile(filepath.Join(dir, "brug.sysusers"))
	if err != nil {
		t.Fatal(err)
	}
	if !hasLinePrefix(string(sysusers), "u brug ") {
		t.Errorf("brug.sysusers does not create the user brug:\n%s", sysusers)
	}
	// The folders: the state directory before the first start (brug admin
	// makes the file as brug), and the backup folder the server may write.
	tmpfiles, err := os.ReadFile(filepath.Join(dir, "brug.tmpfiles"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"/var/lib/brug", "/var/backups/brug"} {
		if !hasLinePrefix(string(tmpfiles), "d "+d+" 0700 brug brug") {
			t.Errorf("brug.tmpfiles does not make %s (0700, brug):\n%s", d, tmpfiles)
		}
	}
	if rw := u["Service"]["ReadWritePaths"]; !slices.ContainsFunc(rw, func(s string) bool { return strings.Contains(s, "/var/backups/brug") }) {
		t.Errorf("ReadWritePaths = %q: the server cannot write backups to /var/backups/brug", rw)
	}

	want := map[string]string{
		"ConfigurationDirectory":  "brug",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectKernelLogs":       "yes",
		"ProtectControlGroups":    "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"MemoryDenyWriteExecute":  "yes",
		"LockPersonality":         "yes",
		"RestrictRealtime":        "yes",
		"RestrictNamespaces":      "yes",
		"RestrictSUIDSGID":        "yes",
		"SystemCallArchitectures": "native",
		"UMask":                   "0077",
		"Restart":                 "on-failure",
	}
	for key, value := range want {
		got, ok := u.last("Service", key)
		if !ok || got != value {
			t.Errorf("%s = %q (set: %v), want %q", key, got, ok, value)
		}
	}
	if f := u["Service"]["SystemCallFilter"]; !slices.Contains(f, "@system-service") {
		t.Errorf("SystemCallFilter = %q, want @system-service among them", f)
	}
	// Ports below 1024 would need CAP_NET_BIND_SERVICE, which the unit
	// does not grant: the addresses must stay above.
	for _, flag := range []string{"addr", "ssh-addr"} {
		v := flagValue(flag)
		i := strings.LastIndex(v, ":")
		if i < 0 || len(v[i+1:]) < 4 {
			t.Errorf("--%s = %q: a port below 1024 needs a capability the unit does not give", flag, v)
		}
	}
	// brug serve finishes requests in flight for up to 15 seconds after
	// SIGTERM (runServe); systemd must wait longer before SIGKILL.
	stop, _ := u.last("Service", "TimeoutStopSec")
	if d, err := time.ParseDuration(stop); err != nil || d <= 15*time.Second {
		t.Errorf("TimeoutStopSec = %q, want more than 15s", stop)
	}
}

// hasLinePrefix reports whether some line of s starts with prefix.
func hasLinePrefix(s, prefix string) bool {
	for line := range strings.Lines(s) {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

// TestSystemdBackupUnit holds the backup service to a brug admin backup
// command that exists, on the file the server unit serves.
func TestSystemdBackupUnit(t *testing.T) {
	dir := filepath.Join("..", "..", "docs", "systemd")
	u := parseUnit(t, filepath.Join(dir, "brug-backup.service"))
	if user, _ := u.last("Service", "User"); user != "brug" {
		t.Errorf("User = %q, want brug (the admin socket takes the server's uid only)", user)
	}
	execStart, _ := u.last("Service", "ExecStart")
	_, cmdline, ok := strings.Cut(execStart, unitBinary+" ")
	if !ok {
		t.Fatalf("ExecStart = %q does not run %s", execStart, unitBinary)
	}
	cmdline, _, _ = strings.Cut(cmdline, `"`) // the target is quoted and dated
	words := append(strings.Fields(cmdline), "/var/backups/brug/region.db")
	checkBrugCommand(t, "brug-backup.service ExecStart", words)
	if !strings.Contains(cmdline, "admin --db /var/lib/brug/region.db backup") {
		t.Errorf("ExecStart = %q, want brug admin --db /var/lib/brug/region.db backup FILE", execStart)
	}
	timer := parseUnit(t, filepath.Join(dir, "brug-backup.timer"))
	if _, ok := timer.last("Timer", "OnCalendar"); !ok {
		t.Error("brug-backup.timer has no OnCalendar")
	}
}

// TestSystemdAnalyzeVerify runs `systemd-analyze verify` on the units when
// it is installed, with the binary's path pointed at an executable.
func TestSystemdAnalyzeVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed; the units are checked by TestSystemdUnit only")
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("..", "..", "docs", "systemd")
	tmp := t.TempDir()
	names := []string{"brug.service", "brug-backup.service", "brug-backup.timer"}
	var paths []string
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.ReplaceAll(data, []byte(unitBinary), []byte(bin))
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(sa, append([]string{"verify"}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		for _, name := range names {
			if strings.Contains(line, name) {
				t.Errorf("systemd-analyze verify: %s", line)
			}
		}
	}
}

// TestReleaseArchivesShipOperationsFiles checks that the release archives
// carry the docs and the systemd files an operator installs from.
func TestReleaseArchivesShipOperationsFiles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Archives []struct {
			ID    string `yaml:"id"`
			Files []any  `yaml:"files"`
		} `yaml:"archives"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if len(cfg.Archives) == 0 {
		t.Fatal(".goreleaser.yaml has no archives")
	}
	for _, a := range cfg.Archives {
		var globs []string
		for _, f := range a.Files {
			switch f := f.(type) {
			case string:
				globs = append(globs, f)
			case map[string]any: // the long form: {src: GLOB, ...}
				if s, ok := f["src"].(string); ok {
					globs = append(globs, s)
				}
			}
		}
		// Every file that must ship is matched by a glob, and exists.
		must := []string{"README.md", "LICENSE", "docs/operations.md", "docs/cli.md", "docs/sync.md",
			"docs/systemd/brug.service", "docs/systemd/brug.sysusers", "docs/systemd/brug.tmpfiles",
			"docs/systemd/brug-backup.service", "docs/systemd/brug-backup.timer"}
		for _, name := range must {
			if _, err := os.Stat(filepath.Join("..", "..", filepath.FromSlash(name))); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if !slices.ContainsFunc(globs, func(g string) bool { ok, _ := filepath.Match(g, name); return ok }) {
				t.Errorf("archive %q: no files entry matches %s (entries %q)", a.ID, name, globs)
			}
		}
	}
}

// TestOperationsDocCommands runs every brug command in the code blocks of
// docs/operations.md (local, under sudo, in a unit's ExecStart, or over
// SSH as `ssh ... HOST admin|report ...`) through brug's own command tree
// and flag parsing, so the guide an IT person follows cannot name a
// command or flag brug does not have.
func TestOperationsDocCommands(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	inBlock, output := false, false
	pending := ""
	for n, line := range strings.Split(string(data), "\n") {
		if fence, ok := strings.CutPrefix(strings.TrimSpace(line), "```"); ok {
			inBlock = !inBlock
			output = fence == "text" // what brug prints, not commands
			continue
		}
		if !inBlock || output {
			continue
		}
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = pending+line, ""
		for _, words := range shellCommands(line) {
			if rest, ok := brugArgs(words); ok {
				checkBrugCommand(t, "docs/operations.md:"+strconv.Itoa(n+1), rest)
				checked++
			}
		}
	}
	t.Logf("%d brug commands checked", checked)
	if checked < 20 {
		t.Errorf("checked only %d brug commands in docs/operations.md; the parser missed some", checked)
	}
}

// brugArgs returns the arguments of brug in one simple command: `brug
// ARGS`, `sudo -u USER [env VAR=VALUE...] brug ARGS`, a unit's
// `ExecStart=/usr/local/bin/brug ARGS`, or `ssh [OPTIONS] HOST admin|report
// ARGS` (which runs `brug admin|report ARGS` on the server).
func brugArgs(words []string) ([]string, bool) {
	if len(words) == 0 {
		return nil, false
	}
	if words[0] == "ssh" {
		for i, w := range words {
			if w == "admin" || w == "report" {
				return words[i:], true
			}
		}
		return nil, false
	}
	if words[0] == "ExecStart="+unitBinary {
		return words[1:], true
	}
	if words[0] == "sudo" && len(words) > 3 && words[1] == "-u" {
		words = words[3:]
	}
	if len(words) > 0 && words[0] == "env" {
		words = words[1:]
		for len(words) > 0 && strings.Contains(words[0], "=") {
			words = words[1:]
		}
	}
	if len(words) > 1 && (words[0] == "brug" || words[0] == unitBinary) {
		return words[1:], true
	}
	return nil, false
}

// shellCommands splits a line into simple commands and those into words,
// roughly as sh does for the commands in docs: quotes group, $(...) stays
// one word, ;, | and && separate commands, a redirection's target is
// dropped, and # starts a comment.
func shellCommands(line string) [][]string {
	var cmds [][]string
	var words []string
	var cur strings.Builder
	inWord, redirect := false, false
	quote := rune(0)
	depth := 0
	flush := func() {
		if inWord && !redirect {
			words = append(words, cur.String())
		}
		if inWord {
			redirect = false
		}
		cur.Reset()
		inWord = false
	}
	end := func() {
		flush()
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words, redirect = nil, false
	}
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '(' && strings.HasSuffix(cur.String(), "$"):
			depth++
			cur.WriteRune(r)
		case r == ')' && depth > 0:
			depth--
			cur.WriteRune(r)
		case depth > 0:
			cur.WriteRune(r)
		case r == ' ' || r == '\t':
			flush()
		case r == '<' || r == '>':
			flush()
			redirect = true
		case r == '|' || r == ';' || r == '&':
			end()
		case r == '#' && !inWord:
			end()
			return cmds
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	end()
	return cmds
}
