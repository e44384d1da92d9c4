package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/brug-nl/brug/tui/texts"
)

// The help in Dutch. Cobra writes help in English from the commands'
// Short, Long, Example and the flags' usages; brug keeps those English
// texts in the command definitions and renders Dutch help from the
// catalogue in help_nl.go (helpNL, flagHelpNL), keyed by command path, at
// help time: only then is the language known (--lang may stand anywhere on
// the line). English help is cobra's own, unchanged.

// installHelp makes cmd's tree answer help in the user's language: --help,
// `help X`, cobra's help and completion commands and the usage shown with
// an unknown help topic. cmd is the tree's root (brug, or the admin or
// report tree of an SSH session).
func installHelp(c *cli, cmd *cobra.Command) {
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultCompletionCmd()
	helpCmd := findHelpCmd(cmd)
	if helpCmd != nil {
		cobraRun := helpCmd.Run
		helpCmd.Run = func(h *cobra.Command, args []string) {
			if found, _, err := h.Root().Find(args); (found == nil || err != nil) && c.helpLang() == "nl" {
				// cobra says "Unknown help topic" in English.
				h.Println(newMsgs("nl").f("help.unknown", strings.Join(args, " ")))
				cobra.CheckErr(h.Root().Usage())
				return
			}
			cobraRun(h, args)
		}
	}
	englishHelp, englishUsage := cmd.HelpFunc(), cmd.UsageFunc()
	cmd.SetHelpFunc(func(x *cobra.Command, args []string) {
		if c.helpLang() != "nl" {
			englishHelp(x, args)
			return
		}
		x.InitDefaultHelpFlag()
		writeDutchHelp(x.OutOrStdout(), x)
	})
	cmd.SetUsageFunc(func(x *cobra.Command) error {
		if c.helpLang() != "nl" {
			return englishUsage(x)
		}
		writeDutchUsage(x.OutOrStderr(), x)
		return nil
	})
}

// findHelpCmd is cobra's help command of root, if it has one.
func findHelpCmd(root *cobra.Command) *cobra.Command {
	for _, sub := range root.Commands() {
		if sub.Name() == "help" {
			return sub
		}
	}
	return nil
}

// helpLang is the language of the help, by the rule of every message:
// --lang, else BRUG_LANG, else the configuration file's lang, else the
// locale (LC_ALL, LC_MESSAGES, LANG: English when the first set starts
// with "en"), else Dutch. --help runs no command, so the configuration is
// not applied yet when the help is written; it is read here.
func (c *cli) helpLang() string {
	if l := c.g.lang; l == "nl" || l == "en" {
		return l
	}
	if c.via != nil || c.reporter != nil {
		// An SSH session: the language came with the session.
		return c.language()
	}
	if l := c.env.getenv("BRUG_LANG"); l == "nl" || l == "en" {
		return l
	}
	probe := &cli{env: c.env, g: globals{config: c.g.config}}
	_, _, _ = probe.loadConfig(newRootCmd(probe)) // a broken file is reported when a command runs
	if l := probe.g.lang; l == "nl" || l == "en" {
		return l
	}
	return texts.LangFrom("", c.env.getenv)
}

// helpKey is the catalogue's key of cmd: its command path in the brug
// tree ("brug admin user add"). The tree of an SSH session has admin or
// report at its root; cobra's help and completion commands there take
// the texts of brug's own.
func helpKey(cmd *cobra.Command) string {
	path := cmd.CommandPath()
	root := cmd.Root().Name()
	if root == "brug" {
		return path
	}
	key := "brug " + path
	if _, ok := helpNL[key]; !ok {
		if rest := strings.TrimPrefix(path, root+" "); rest != path && (strings.HasPrefix(rest, "help") || strings.HasPrefix(rest, "completion")) {
			return "brug " + rest
		}
	}
	return key
}

// nlText is cmd's Dutch text; the English one when the catalogue has
// none (a test keeps the catalogue complete).
func nlText(cmd *cobra.Command) helpText {
	t, ok := helpNL[helpKey(cmd)]
	if !ok {
		return helpText{Use: cmd.Use, Short: cmd.Short, Long: cmd.Long, Example: cmd.Example}
	}
	if t.Use == "" {
		t.Use = cmd.Use
	}
	return t
}

// flagOwner is the command that defines f for cmd: cmd itself, or the
// parent whose persistent flag it is.
func flagOwner(cmd *cobra.Command, f *pflag.Flag) *cobra.Command {
	for p := cmd; p != nil; p = p.Parent() {
		if p.PersistentFlags().Lookup(f.Name) == f {
			return p
		}
	}
	return cmd
}

// nlFlagUsage is the Dutch usage of flag f as cmd shows it.
func nlFlagUsage(cmd *cobra.Command, f *pflag.Flag) string {
	if len(f.Annotations[cobra.FlagSetByCobraAnnotation]) > 0 {
		switch f.Name {
		case "help":
			return "hulp bij " + cmd.Name()
		case "version":
			return "de versie van " + cmd.Name()
		}
	}
	if u, ok := flagHelpNL[helpKey(flagOwner(cmd, f))+" --"+f.Name]; ok {
		return u
	}
	return f.Usage
}

// writeDutchHelp is cobra's help (its default help template) in Dutch.
func writeDutchHelp(w io.Writer, cmd *cobra.Command) {
	t := nlText(cmd)
	text := t.Long
	if text == "" {
		text = t.Short
	}
	if text = strings.TrimRightFunc(text, isSpace); text != "" {
		fmt.Fprintf(w, "%s\n\n", text)
	}
	if cmd.Runnable() || cmd.HasSubCommands() {
		writeDutchUsage(w, cmd)
	}
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// nlUseLine is cobra's UseLine with the Dutch use and "[opties]".
func nlUseLine(cmd *cobra.Command) string {
	use := nlText(cmd).Use
	line := use
	if cmd.HasParent() {
		line = cmd.Parent().CommandPath() + " " + use
	}
	if !cmd.DisableFlagsInUseLine && cmd.HasAvailableFlags() && !strings.Contains(line, "[flags]") {
		line += " [opties]"
	}
	return strings.ReplaceAll(line, "[flags]", "[opties]")
}

// writeDutchUsage is cobra's default usage (defaultUsageFunc in cobra
// v1.10) with Dutch headings and texts. brug uses no command groups.
func writeDutchUsage(w io.Writer, cmd *cobra.Command) {
	fmt.Fprint(w, "Gebruik:")
	if cmd.Runnable() {
		fmt.Fprintf(w, "\n  %s", nlUseLine(cmd))
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n  %s [commando]", cmd.CommandPath())
	}
	if len(cmd.Aliases) > 0 {
		fmt.Fprintf(w, "\n\nAndere namen:\n  %s", cmd.NameAndAliases())
	}
	if ex := nlText(cmd).Example; ex != "" {
		fmt.Fprintf(w, "\n\nVoorbeelden:\n%s", ex)
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprint(w, "\n\nCommando's:")
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), nlText(sub).Short)
			}
		}
	}
	if cmd.HasAvailableLocalFlags() {
		fmt.Fprint(w, "\n\nOpties:\n")
		fmt.Fprint(w, strings.TrimRightFunc(nlFlagUsages(cmd, cmd.LocalFlags()), isSpace))
	}
	if cmd.HasAvailableInheritedFlags() {
		fmt.Fprint(w, "\n\nOpties voor alle commando's:\n")
		fmt.Fprint(w, strings.TrimRightFunc(nlFlagUsages(cmd, cmd.InheritedFlags()), isSpace))
	}
	if cmd.HasHelpSubCommands() {
		fmt.Fprint(w, "\n\nMeer hulp over:")
		for _, sub := range cmd.Commands() {
			if sub.IsAdditionalHelpTopicCommand() {
				fmt.Fprintf(w, "\n  %-*s %s", sub.CommandPathPadding(), sub.CommandPath(), nlText(sub).Short)
			}
		}
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n\nGebruik \"%s [commando] --help\" voor meer over een commando.", cmd.CommandPath())
	}
	fmt.Fprintln(w)
}

// nlTypeNames are the placeholders of a flag's value in Dutch (pflag
// writes the Go type: string, int, duration).
var nlTypeNames = map[string]string{
	"string": "tekst", "stringArray": "tekst", "stringSlice": "teksten",
	"int": "getal", "int64": "getal", "uint": "getal", "uint64": "getal", "float64": "getal",
	"duration": "duur",
}

// nlFlagUsages is pflag's FlagUsages (v1.0.10) in Dutch: the flags'
// Dutch usages, Dutch value placeholders and "(standaard ...)".
func nlFlagUsages(cmd *cobra.Command, fs *pflag.FlagSet) string {
	var lines []string
	maxlen := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		line := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			line = fmt.Sprintf("  -%s, --%s", f.Shorthand, f.Name)
		}
		typ := f.Value.Type()
		if typ != "bool" && typ != "boolfunc" {
			name, ok := nlTypeNames[typ]
			if !ok {
				name = typ
			}
			line += " " + name
		}
		line += "\x00"
		if len(line) > maxlen {
			maxlen = len(line)
		}
		line += nlFlagUsage(cmd, f)
		if !zeroDefault(f) {
			if typ == "string" {
				line += fmt.Sprintf(" (standaard %q)", f.DefValue)
			} else {
				line += fmt.Sprintf(" (standaard %s)", f.DefValue)
			}
		}
		lines = append(lines, line)
	})
	var b strings.Builder
	for _, line := range lines {
		i := strings.Index(line, "\x00")
		fmt.Fprintln(&b, line[:i], strings.Repeat(" ", maxlen-i), line[i+1:])
	}
	return b.String()
}

// zeroDefault is pflag's test whether a flag's default goes unsaid.
func zeroDefault(f *pflag.Flag) bool {
	switch f.DefValue {
	case "", "false", "0", "0s", "[]", "<nil>":
		return true
	}
	return false
}

// completionArgs reports whether args ask cobra for shell completions
// (the hidden __complete commands the completion scripts call).
func completionArgs(args []string) bool {
	return len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd)
}

// langArg is the value of --lang on a command line not parsed yet ("" if
// none is given before "--").
func langArg(args []string) string {
	lang := ""
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			lang = v
		} else if a == "--lang" && i+1 < len(args) {
			lang = args[i+1]
		}
	}
	return lang
}

// dutchCompletions puts the Dutch texts into the tree, for the
// descriptions that zsh, fish and PowerShell show beside completions
// (cobra takes them from Short and the flags' usages). Only a completion
// run does this: its tree is built for it and gone after.
func dutchCompletions(root *cobra.Command) {
	root.InitDefaultVersionFlag()
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		cmd.InitDefaultHelpFlag()
		if t, ok := helpNL[helpKey(cmd)]; ok {
			cmd.Short = t.Short
		}
		for _, fs := range []*pflag.FlagSet{cmd.LocalNonPersistentFlags(), cmd.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { f.Usage = nlFlagUsage(cmd, f) })
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
