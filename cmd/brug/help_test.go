package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpTree is brug's whole command tree as a run builds it, with cobra's
// help and completion commands.
func helpTree() *cobra.Command {
	return newRootCmd(&cli{env: env{getenv: func(string) string { return "" }}})
}

func walkTree(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, sub := range cmd.Commands() {
		walkTree(sub, fn)
	}
}

// ownFlags are the flags cmd defines (not cobra's --help and --version).
func ownFlags(cmd *cobra.Command, fn func(*pflag.Flag)) {
	for _, fs := range []*pflag.FlagSet{cmd.LocalNonPersistentFlags(), cmd.PersistentFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			if len(f.Annotations[cobra.FlagSetByCobraAnnotation]) == 0 {
				fn(f)
			}
		})
	}
}

// englishPlaceholder finds the English words of the commands' use lines
// (export CLIENT): a Dutch Use says CLIËNT.
var englishPlaceholder = regexp.MustCompile(`\b(FILE|CLIENT|USER|NAME|OLD|NEW|KEEP|GONE|DATE|ACTION|KIND|NUMBER|ROLE|PHONE|EMAIL|REASON|TEXT|FINGERPRINT|YYYY-MM-DD|command)\b`)

// TestDutchHelpIsComplete walks the whole tree: every command's Short,
// Long and Example, and every flag's usage, has a Dutch text, and the
// catalogue holds no text of a command or flag that is gone.
func TestDutchHelpIsComplete(t *testing.T) {
	cmds, flags := map[string]bool{}, map[string]bool{}
	n := 0
	walkTree(helpTree(), func(cmd *cobra.Command) {
		n++
		key := helpKey(cmd)
		cmds[key] = true
		ownFlags(cmd, func(f *pflag.Flag) { flags[key+" --"+f.Name] = true })
		nl, ok := helpNL[key]
		if !ok {
			t.Errorf("%q has no Dutch help", key)
			return
		}
		for _, p := range []struct{ what, en, nl string }{
			{"Short", cmd.Short, nl.Short}, {"Long", cmd.Long, nl.Long}, {"Example", cmd.Example, nl.Example},
		} {
			if (p.en == "") != (p.nl == "") {
				t.Errorf("%q: English %s %q, Dutch %q", key, p.what, p.en, p.nl)
			}
		}
		if nl.Use != "" && strings.Fields(nl.Use)[0] != cmd.Name() {
			t.Errorf("%q: Dutch Use %q does not start with the command's name", key, nl.Use)
		}
		if use := nlText(cmd).Use; englishPlaceholder.MatchString(use) {
			t.Errorf("%q: the Dutch help's use line %q has an English placeholder", key, use)
		}
		ownFlags(cmd, func(f *pflag.Flag) {
			if _, ok := flagHelpNL[key+" --"+f.Name]; !ok {
				t.Errorf("flag --%s of %q has no Dutch usage", f.Name, key)
			}
		})
	})
	for _, want := range []string{"brug help", "brug completion bash", "brug admin user add"} {
		if !cmds[want] {
			t.Fatalf("the walk missed %q (%d commands)", want, n)
		}
	}
	for key := range coachHelpNL {
		if _, ok := adminHelpNL[key]; ok {
			t.Errorf("%q is in both parts of the catalogue", key)
		}
	}
	for key := range coachFlagHelpNL {
		if _, ok := adminFlagHelpNL[key]; ok {
			t.Errorf("%q is in both parts of the catalogue", key)
		}
	}
	for key := range helpNL {
		if !cmds[key] {
			t.Errorf("stale Dutch help: no command %q", key)
		}
	}
	for key := range flagHelpNL {
		if !flags[key] {
			t.Errorf("stale Dutch usage: no flag %q", key)
		}
	}
}

// englishHeadings are what cobra and pflag write around the texts.
var englishHeadings = []string{"Usage:", "Aliases:", "Examples:", "Available Commands:", "Additional Commands:", "Flags:", "Global Flags:", "Additional help topics:", "for more information", "[flags]", "[command]", "(default", "help for", "Unknown help topic"}

// cobraHelp is the help cobra itself writes for the command at path of a
// fresh tree: brug's English help as it was before the Dutch.
func cobraHelp(t *testing.T, path ...string) string {
	t.Helper()
	root := helpTree()
	root.SetHelpFunc(nil)
	root.SetUsageFunc(nil)
	cmd, _, err := root.Find(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd.InitDefaultHelpFlag()
	cmd.InitDefaultVersionFlag()
	var b bytes.Buffer
	root.SetOut(&b)
	if err := cmd.Help(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHelpFollowsTheLanguage: help is Dutch by default, with no English
// heading, and cobra's own English with --lang en (anywhere on the line),
// BRUG_LANG=en or an English locale; --lang nl beats an English locale.
func TestHelpFollowsTheLanguage(t *testing.T) {
	for _, path := range [][]string{{}, {"admin"}, {"admin", "user", "add"}, {"export"}, {"duplicates", "merge"}} {
		h := newHarness(t)
		r := h.run(append(append([]string{}, path...), "--help")...)
		if r.code != exitOK || r.stderr != "" || !strings.Contains(r.stdout, "Gebruik:\n") {
			t.Errorf("%v --help:\n%v", path, r)
		}
		key := strings.TrimSpace("brug " + strings.Join(path, " "))
		for _, en := range englishHeadings {
			if strings.Contains(r.stdout, en) {
				t.Errorf("%v --help: English %q on a Dutch screen:\n%s", path, en, r.stdout)
			}
		}
		if nl, ok := helpNL[key]; ok && !strings.Contains(r.stdout, strings.TrimSpace(nl.Long)) {
			t.Errorf("%v --help lacks its Dutch text:\n%s", path, r.stdout)
		}

		want := cobraHelp(t, path...)
		for _, args := range [][]string{
			append(append([]string{"--lang", "en"}, path...), "--help"),
			append(append(append([]string{}, path...), "--help"), "--lang", "en"),
			append(append([]string{"help"}, path...), "--lang", "en"),
		} {
			if got := h.run(args...); got.code != exitOK || got.stdout != want {
				t.Errorf("%v: English help differs from cobra's:\n%v\nwant:\n%s", args, got, want)
			}
		}
		h.env["LANG"] = "en_GB.UTF-8"
		if got := h.run(append(append([]string{}, path...), "--help")...); got.stdout != want {
			t.Errorf("%v --help with LANG=en_GB: not English:\n%s", path, got.stdout)
		}
		if got := h.run(append(append([]string{"--lang", "nl"}, path...), "--help")...); got.stdout != r.stdout {
			t.Errorf("%v --help --lang nl with LANG=en_GB: not the Dutch help:\n%s", path, got.stdout)
		}
		delete(h.env, "LANG")
		h.env["BRUG_LANG"] = "en"
		if got := h.run(append(append([]string{}, path...), "--help")...); got.stdout != want {
			t.Errorf("%v --help with BRUG_LANG=en: not English:\n%s", path, got.stdout)
		}
		if got := h.run(append([]string{"help"}, path...)...); got.stdout != want {
			t.Errorf("help %v with BRUG_LANG=en: not English:\n%s", path, got.stdout)
		}
	}
	// The English texts are the commands' own.
	h := newHarness(t)
	r := h.run("--lang", "en", "export", "--help")
	cmd, _, _ := helpTree().Find([]string{"export"})
	for _, want := range []string{cmd.Long, cmd.Example, cmd.Flags().Lookup("out").Usage, "Usage:", "Flags:", "Global Flags:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("English export --help lacks %q", want)
		}
	}
}

// TestDutchHelpTopicUnknown: cobra's help command says "Unknown help
// topic" when it finds no command (brug's roots check their own
// arguments, so only a root without that check gets there); a Dutch
// screen gets it in Dutch with Dutch usage, an English one as cobra says
// it.
func TestDutchHelpTopicUnknown(t *testing.T) {
	for _, lang := range []string{"nl", "en"} {
		c := &cli{env: env{getenv: func(string) string { return "" }}}
		root := newRootCmd(c)
		c.g.lang = lang // after the flags are defined, which set it to ""
		root.Args = nil
		root.PersistentPreRunE = nil
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs([]string{"help", "nope"})
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		want := []string{`Geen hulp over "nope"`, "Gebruik:", "Commando's:"}
		if lang == "en" {
			want = []string{"Unknown help topic [`nope`]", "Usage:", "Available Commands:"}
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: help nope lacks %q:\n%s", lang, w, out.String())
			}
		}
		if lang == "nl" {
			for _, en := range englishHeadings {
				if strings.Contains(out.String(), en) {
					t.Errorf("English %q on a Dutch screen:\n%s", en, out.String())
				}
			}
		}
	}
	// brug's own root answers an unknown topic with its help, as before.
	expect(t, "help nope", newHarness(t).run("help", "nope"), exitOK, "Gebruik:", "Commando's:")
}

// formalYou finds the formal "u" and "uw" as words: brug says "je".
var formalYou = regexp.MustCompile(`(?:^|[\s(,.;:"'])(?:u|uw|U|Uw)(?:[\s),.;:!?"']|$)`)

func TestDutchHelpSaysJe(t *testing.T) {
	texts := map[string]string{}
	for k, v := range helpNL {
		texts[k+" Use"], texts[k+" Short"], texts[k+" Long"], texts[k+" Example"] = v.Use, v.Short, v.Long, v.Example
	}
	for k, v := range flagHelpNL {
		texts[k] = v
	}
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m := formalYou.FindString(texts[k]); m != "" {
			t.Errorf("%s says %q: use je", k, strings.TrimSpace(m))
		}
	}
	if formalYou.FindString("Geef uw naam") == "" || formalYou.FindString("autoload -U compinit") != "" {
		t.Error("formalYou does not find what it should")
	}
}

// TestCompletionDescriptionsFollowTheLanguage: zsh, fish and PowerShell
// show each completion's description (a command's Short, a flag's usage);
// in Dutch unless --lang en or the locale says English.
func TestCompletionDescriptionsFollowTheLanguage(t *testing.T) {
	h := newHarness(t)
	root := helpTree()
	export, _, _ := root.Find([]string{"export"})
	enShort, enFormat := export.Short, export.Flags().Lookup("format").Usage
	nl := h.run("__complete", "")
	expect(t, "complete commands", nl, exitOK, "export\t"+helpNL["brug export"].Short, "help\t"+helpNL["brug help"].Short)
	if strings.Contains(nl.stdout, enShort) {
		t.Errorf("English Short in Dutch completions:\n%s", nl.stdout)
	}
	expect(t, "complete flags", h.run("__complete", "export", "--"), exitOK, "--format\t"+flagHelpNL["brug export --format"], "--help\thulp bij export", "--db\t"+flagHelpNL["brug --db"])
	expect(t, "complete (en)", h.run("__complete", "--lang", "en", "export", "--f"), exitOK, "--format\t"+enFormat)
	expect(t, "complete (--lang=en)", h.run("__complete", "--lang=en", ""), exitOK, "export\t"+enShort)
	h.env["LANG"] = "en_US.UTF-8"
	expect(t, "complete (LANG=en)", h.run("__complete", ""), exitOK, "export\t"+enShort)
	expect(t, "complete (LANG=en, --lang nl)", h.run("__complete", "--lang", "nl", ""), exitOK, "export\t"+helpNL["brug export"].Short)
}

// TestHelpFollowsTheConfigFile: --help runs no command, yet a
// configuration file's lang counts for it as for every message.
func TestHelpFollowsTheConfigFile(t *testing.T) {
	h := newHarness(t)
	cfg := filepath.Join(t.TempDir(), "brug.yaml")
	if err := os.WriteFile(cfg, []byte("lang: en\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.env["BRUG_CONFIG"] = cfg
	want := cobraHelp(t, "plan")
	if r := h.run("plan", "--help"); r.stdout != want {
		t.Errorf("plan --help with lang: en in the config file:\n%v", r)
	}
	if r := h.run("--config", cfg, "plan", "--help"); r.stdout != want {
		t.Errorf("--config FILE plan --help with lang: en in it:\n%v", r)
	}
	expect(t, "--lang nl beats the file", h.run("plan", "--help", "--lang", "nl"), exitOK, "Gebruik:", strings.SplitN(helpNL["brug plan"].Long, "\n", 2)[0])
}

// TestSSHAdminHelpFollowsTheSession: an admin's SSH session gets the
// help in the session's language, Dutch by default.
func TestSSHAdminHelpFollowsTheSession(t *testing.T) {
	for _, c := range []struct{ lang, want, not string }{
		{"nl", helpNL["brug admin user add"].Short, "Usage:"},
		{"en", "Usage:", "Gebruik:"},
	} {
		var out, errb bytes.Buffer
		code, _ := sshAdmin(context.Background(), nil, []string{"user", "add", "--help"}, c.lang, nil, &out, &errb)
		if code != exitOK || !strings.Contains(out.String(), c.want) || strings.Contains(out.String(), c.not) {
			t.Errorf("%s: exit %d\n%s%s", c.lang, code, out.String(), errb.String())
		}
	}
}
