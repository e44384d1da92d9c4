package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/csv"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/brug-nl/brug/store"
)

// TestREADMERunningTheServer drives README.md's "Running the server"
// section as an IT person would: every command line of its code blocks
// (and the coordinator's report line of "For coordinators"), read from the
// README at test time and run through sh -c as written, with the real brug
// binary and the real ssh client. The only substitutions, made by
// readmeLine, are:
//
//   - brug at the start of a line → the binary brugBinary built;
//   - ssh at the start of a line → ssh -F <config the test writes> (the
//     admin's or the coordinator's key, the server's host key from
//     region.db.ssh_host_ed25519.pub, StrictHostKeyChecking yes);
//   - 0.0.0.0:8443 and 0.0.0.0:2222 → 127.0.0.1 with free ports;
//   - brug.regio-noord.nl (with :8443 or after -p 2222) → 127.0.0.1 with
//     those ports;
//   - the one-time code of `brug login` → the whole line invite printed.
//
// cert.pem/key.pem (a self-signed pair the laptop trusts via
// SSL_CERT_FILE), beheer.pub and cor.pub are files the test makes under
// those names in the folder the lines run in.
func TestREADMERunningTheServer(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("README's server commands are shell lines; skipped on Windows")
	}
	for _, tool := range []string{"sh", "ssh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s on this machine (install it, e.g. openssh-client): skipping the test that runs README's commands literally", tool)
		}
	}
	bin := brugBinary(t)
	blocks := readmeBlocks(t, "## Running the server", "\n### ")
	if len(blocks) != 3 {
		t.Fatalf("README's Running the server has %d code blocks, want 3 (server, ssh admin, laptop): %q", len(blocks), blocks)
	}
	var reportLine string
	for _, b := range readmeBlocks(t, "## For coordinators", "\n## ") {
		for _, l := range b {
			if strings.Contains(l, " report --from ") {
				reportLine = l
			}
		}
	}
	if reportLine == "" {
		t.Fatal("README's For coordinators has no ssh ... report --from line")
	}

	root := t.TempDir()
	work := filepath.Join(root, "work") // where the lines run: region.db, cert.pem, beheer.pub, ...
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, _ := selfSigned(t)
	restoreCopy(t, certFile, filepath.Join(work, "cert.pem"))
	restoreCopy(t, keyFile, filepath.Join(work, "key.pem"))
	beheerKey := readmeSSHKey(t, work, "beheer")
	corKey := readmeSSHKey(t, work, "cor")

	httpPort, sshPort := readmePort(t), readmePort(t)
	r := &readmeRun{t: t, bin: bin, work: work, root: root, httpPort: httpPort, sshPort: sshPort}
	sshAddr := net.JoinHostPort("127.0.0.1", sshPort)

	// Block 1: the admin's commands on the file, then brug serve.
	var serveLine string
	for _, l := range blocks[0] {
		if strings.HasPrefix(l, "brug serve") {
			serveLine = l
			continue
		}
		out := r.mustRun("server", "", l)
		t.Logf("%s\n%s", l, out)
	}
	if serveLine == "" {
		t.Fatalf("README's first block has no brug serve line: %q", blocks[0])
	}
	served := r.serve(serveLine)

	// The ssh configs trust exactly the host key serve made next to the file.
	pub, err := os.ReadFile(filepath.Join(work, "region.db.ssh_host_ed25519.pub"))
	if err != nil {
		t.Fatalf("the host key's public half is not next to the file: %v", err)
	}
	hostKey, _, _, _, err := gossh.ParseAuthorizedKey(pub)
	if err != nil {
		t.Fatalf("region.db.ssh_host_ed25519.pub: %v", err)
	}
	// README: serve prints the SSH host key's fingerprint, to check on first login.
	if fp := gossh.FingerprintSHA256(hostKey); !strings.Contains(served, fp) {
		t.Errorf("brug serve does not print the host key's fingerprint %s:\n%s", fp, served)
	}
	knownHosts := filepath.Join(root, "known_hosts")
	if err := os.WriteFile(knownHosts, []byte(knownhosts.Line([]string{knownhosts.Normalize(sshAddr)}, hostKey)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.sshConfig = map[string]string{
		"beheer": readmeSSHConfig(t, root, "beheer", beheerKey, knownHosts, sshPort),
		"cor":    readmeSSHConfig(t, root, "cor", corKey, knownHosts, sshPort),
	}

	// Block 2: the admin over SSH, quoted team names and all.
	var loginLine string
	for _, l := range blocks[1] {
		out := r.mustRun("server", "beheer", l)
		t.Logf("%s\n%s", l, out)
		if strings.Contains(l, "admin invite anna") {
			for _, ol := range strings.Split(out, "\n") {
				if strings.HasPrefix(ol, "brug login ") {
					loginLine = ol
				}
			}
			if loginLine == "" {
				t.Fatalf("invite over SSH printed no brug login line (serve runs with --public-url):\n%s", out)
			}
		}
	}
	if loginLine == "" {
		t.Fatal("README's ssh block has no admin invite anna line")
	}
	users := r.mustRun("server", "", "brug admin --db region.db user list")
	for _, want := range []string{"anna", "cor", "Team Noord"} {
		if !strings.Contains(users, want) {
			t.Errorf("after README's ssh lines, user list lacks %q:\n%s", want, users)
		}
	}

	// Block 3: on Anna's laptop, the line invite printed, then brug sync.
	// invite's line is README's line with the real address and code.
	codeRE := regexp.MustCompile(`[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}$`)
	readmeLogin := blocks[2][0]
	if !strings.HasPrefix(readmeLogin, "brug login ") || !codeRE.MatchString(readmeLogin) {
		t.Fatalf("README's laptop block does not start with brug login URL CODE: %q", readmeLogin)
	}
	code := codeRE.FindString(loginLine)
	if code == "" {
		t.Fatalf("invite's login line has no code: %q", loginLine)
	}
	if want := codeRE.ReplaceAllString(r.subst(readmeLogin, ""), code); r.subst(loginLine, "") != want {
		t.Errorf("invite printed %q; README's line with this server's address is %q", loginLine, want)
	}
	t.Logf("%s\n%s", loginLine, r.mustRun("anna", "", loginLine))
	for _, l := range blocks[2][1:] {
		t.Logf("%s\n%s", l, r.mustRun("anna", "", l))
	}

	// A change on the laptop: a new client of Team Noord, stamped inside
	// README's report period (or now, when now is before its end), synced.
	laptop, err := defaultDBPath(runtime.GOOS, func(k string) string { return r.envValue("anna", k) },
		func() (string, error) { return r.envValue("anna", "HOME"), nil })
	if err != nil {
		t.Fatal(err)
	}
	stamp := time.Date(2026, 8, 14, 10, 0, 0, 0, time.UTC)
	if now := time.Now(); now.Before(stamp) {
		stamp = now
	}
	st, err := openTestStore(laptop, store.Options{Author: "anna", Kind: store.FileLaptop, Now: func() time.Time { return stamp }})
	if err != nil {
		t.Fatalf("anna's laptop file after login and sync: %v", err)
	}
	if _, err := st.CreateClient(store.NewClient{Name: "Karin Bos", Team: "Team Noord"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	syncLine := blocks[2][len(blocks[2])-1]
	out := r.mustRun("anna", "", syncLine)
	t.Logf("%s\n%s", syncLine, out)
	if !strings.Contains(out, "verstuurd") {
		t.Errorf("brug sync after a new client says nothing was sent:\n%s", out)
	}

	// The coordinator's report over SSH, as README writes it, into q3.csv.
	r.mustRun("server", "cor", reportLine)
	q3, err := os.ReadFile(filepath.Join(work, "q3.csv"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", reportLine, q3)
	rows, err := csv.NewReader(strings.NewReader(string(q3))).ReadAll()
	if err != nil {
		t.Fatalf("q3.csv is no CSV: %v\n%s", err, q3)
	}
	counts := map[string]string{}
	for _, row := range rows {
		if len(row) == 3 && row[1] == "" {
			counts[row[0]] = row[2]
		}
	}
	if counts["people"] != "1" {
		t.Errorf("the coordinator's report counts %q people of Team Noord, want 1 (Anna's new client):\n%s", counts["people"], q3)
	}
}

// readmeRun runs README lines with sh in one folder, as one of the
// machines (server, anna's laptop) with a home folder of its own.
type readmeRun struct {
	t                 *testing.T
	bin, work, root   string
	httpPort, sshPort string
	sshConfig         map[string]string // ssh -F file per key owner
}

// subst makes one README line run against the test's server (see the
// test's comment for the full list); key picks the ssh config.
func (r *readmeRun) subst(line, key string) string {
	for _, p := range [][2]string{
		{"0.0.0.0:8443", "127.0.0.1:" + r.httpPort},
		{"0.0.0.0:2222", "127.0.0.1:" + r.sshPort},
		{"https://brug.regio-noord.nl:8443", "https://127.0.0.1:" + r.httpPort},
		{"-p 2222 brug.regio-noord.nl", "-p " + r.sshPort + " 127.0.0.1"},
	} {
		line = strings.ReplaceAll(line, p[0], p[1])
	}
	switch {
	case strings.HasPrefix(line, "brug "):
		line = shellQuote(r.bin) + strings.TrimPrefix(line, "brug")
	case strings.HasPrefix(line, "ssh "):
		cfg, ok := r.sshConfig[key]
		if !ok {
			r.t.Fatalf("no ssh config for %q to run %q", key, line)
		}
		line = "ssh -F " + shellQuote(cfg) + strings.TrimPrefix(line, "ssh")
	}
	return line
}

// envValue is one variable of the environment machine's lines run with.
func (r *readmeRun) envValue(machine, name string) string {
	for _, kv := range r.env(machine) {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

func (r *readmeRun) env(machine string) []string {
	home := filepath.Join(r.root, "home-"+machine)
	return []string{
		"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-bus"), // no keyring: tokens go to a 0600 file
		"SSL_CERT_FILE=" + filepath.Join(r.work, "cert.pem"),                  // the laptop trusts the server's certificate
		"PATH=" + os.Getenv("PATH"), "LANG=C", "TERM=dumb", "BRUG_USER=" + machine,
		"BRUG_PASSPHRASE=" + testPassphrase, // the keyring is off: the file key is locked with a passphrase
	}
}

// mustRun runs one README line and fails the test unless it exits 0.
func (r *readmeRun) mustRun(machine, key, line string) string {
	r.t.Helper()
	run := r.subst(line, key)
	// The binary's temporary path may hold any digits: look past it.
	rest := strings.ReplaceAll(run, r.bin, "")
	for _, left := range []string{"brug.regio-noord.nl", "0.0.0.0", "2222", "8443"} {
		if strings.Contains(rest, left) {
			r.t.Fatalf("README line %q still holds %q after the test's substitutions: %q", line, left, run)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", run)
	cmd.Dir = r.work
	cmd.Env = r.env(machine)
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("README line %q (run as %q) failed: %v\nstdout:\n%s\nstderr:\n%s", line, run, err, out.String(), errb.String())
	}
	return out.String()
}

// serve starts README's brug serve line in its own process group and waits
// until both listeners are up; the test's end stops it with SIGTERM. It
// returns what serve printed by then.
func (r *readmeRun) serve(line string) string {
	r.t.Helper()
	run := r.subst(line, "")
	cmd := exec.Command("sh", "-c", run)
	cmd.Dir = r.work
	cmd.Env = r.env("server")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	r.t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			r.t.Errorf("brug serve did not stop on SIGTERM:\n%s", out.String())
		}
	})
	https := "luistert op https://127.0.0.1:" + r.httpPort
	ssh := "127.0.0.1:" + r.sshPort
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := out.String()
		if strings.Contains(s, https) && sshListeningRE.MatchString(s) && strings.Contains(s, ssh) {
			r.t.Logf("%s\n%s", line, s)
			return s
		}
		select {
		case err := <-done:
			r.t.Fatalf("README's brug serve line (run as %q) ended: %v\n%s", run, err, s)
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("README's brug serve line (run as %q) does not listen on https and ssh:\n%s", run, s)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

// readmeBlocks returns the code blocks of README.md's section that starts
// with heading and ends at end, as logical lines (a line ending in a
// backslash keeps its next line, so sh sees the continuation as written).
func readmeBlocks(t *testing.T, heading, end string) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", heading)
	}
	section, _, _ = strings.Cut(section, end)
	var blocks [][]string
	var cur []string
	in := false
	for _, l := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(l, "```") && !in:
			in, cur = true, nil
		case strings.HasPrefix(l, "```"):
			in = false
			blocks = append(blocks, cur)
		case in && len(cur) > 0 && strings.HasSuffix(cur[len(cur)-1], `\`):
			cur[len(cur)-1] += "\n" + l
		case in && strings.TrimSpace(l) != "":
			cur = append(cur, l)
		}
	}
	return blocks
}

// readmeSSHKey makes an ed25519 key pair: the private key in its own file
// and the public key as NAME.pub in dir, as README's key add lines expect.
func readmeSSHKey(t *testing.T, dir, name string) string {
	t.Helper()
	pubKey, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	keyFile := filepath.Join(keyDir, "id_"+name)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pubKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".pub"), gossh.MarshalAuthorizedKey(sp), 0o644); err != nil {
		t.Fatal(err)
	}
	return keyFile
}

// readmeSSHConfig writes an ssh config that logs in to 127.0.0.1 with key
// only and trusts only the host key in knownHosts.
func readmeSSHConfig(t *testing.T, dir, name, key, knownHosts, port string) string {
	t.Helper()
	cfg := filepath.Join(dir, "ssh_config_"+name)
	text := fmt.Sprintf(`Host 127.0.0.1
  Port %s
  IdentityFile %s
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking yes
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  LogLevel ERROR
`, port, key, knownHosts)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// readmePort is a free port on 127.0.0.1.
func readmePort(t *testing.T) string {
	t.Helper()
	_, port, err := net.SplitHostPort(restoreAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
