package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// The configuration: every flag can also come from an environment variable
// and from a YAML file, in this order: flag > environment > file > default.
//
// The file is --config FILE, else BRUG_CONFIG, else brug.yaml in the
// per-user config folder when it exists. Its top-level keys are the global
// flags (db, lang, method) and one map per command, keyed by the command's
// name, holding that command's flags and its subcommands' maps:
//
//	db: /var/lib/brug/brug.db
//	serve:
//	  addr: 0.0.0.0:8443
//	  trusted-proxy: [10.0.0.1, 10.0.0.2]
//
// The environment variable of a global flag is BRUG_ + its name upper-cased
// with '-' as '_' (BRUG_DB, BRUG_LANG, BRUG_METHOD); a command's flag has
// the command's path in between (BRUG_SERVE_PUBLIC_URL,
// BRUG_ADMIN_AUDIT_FORMAT), so that one variable never sets flags of two
// commands that happen to share a name.

// configFileName is the file's name in the per-user config folder.
const configFileName = "brug.yaml"

// envAliases are older environment variables kept working for a flag,
// read after the flag's own variable: command path + " " + flag name.
var envAliases = map[string][]string{
	"brug serve metrics-token": {"BRUG_METRICS_TOKEN"},
	// brug admin and brug check open the file brug serve runs on: the
	// same keys.
	"brug admin key-store":  {"BRUG_SERVE_KEY_STORE"},
	"brug admin master-key": {"BRUG_SERVE_MASTER_KEY"},
	"brug check key-store":  {"BRUG_SERVE_KEY_STORE"},
	"brug check master-key": {"BRUG_SERVE_MASTER_KEY"},
	"brug admin store":      {"BRUG_SERVE_STORE"},
}

// configFallback are flags that, when their command's map lacks them, are
// read from another command's map: brug admin and brug check find the
// key store and master key that brug serve was configured with.
var configFallback = map[string]string{
	"brug admin key-store":  "serve",
	"brug admin master-key": "serve",
	"brug check key-store":  "serve",
	"brug check master-key": "serve",
	"brug admin store":      "serve",
}

// secretFlags are flags whose value is a secret: a file holding one must
// not be readable by others.
var secretFlags = map[string]bool{"metrics-token": true}

// notConfigured are flags that only make sense on the command line.
var notConfigured = map[string]bool{"help": true, "version": true, "config": true}

// defaultConfigPath is brug.yaml in the per-user config folder:
// $XDG_CONFIG_HOME or ~/.config on Linux and other Unixes,
// ~/Library/Application Support on macOS, %APPDATA% on Windows.
func defaultConfigPath(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	var dir string
	switch goos {
	case "windows":
		dir = getenv("APPDATA")
		if dir == "" || !filepath.IsAbs(dir) {
			return "", errors.New("%APPDATA% is not set")
		}
	case "darwin", "ios":
		h, err := home()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(h, "Library", "Application Support")
	default:
		dir = getenv("XDG_CONFIG_HOME")
		if dir == "" || !filepath.IsAbs(dir) {
			h, err := home()
			if err != nil {
				return "", err
			}
			dir = filepath.Join(h, ".config")
		}
	}
	return filepath.Join(dir, "brug", configFileName), nil
}

// configPath is the file to read: --config, BRUG_CONFIG, or the default
// when it exists ("" when there is none). explicit tells whether the user
// named it (a missing named file is an error, a missing default is not).
func (c *cli) configPath() (path string, explicit bool) {
	if c.g.config != "" {
		return c.g.config, true
	}
	if p := c.env.getenv("BRUG_CONFIG"); p != "" {
		return p, true
	}
	if c.env.home == nil {
		return "", false
	}
	p, err := defaultConfigPath(c.env.goos, c.env.getenv, c.env.home)
	if err != nil {
		return "", false
	}
	return p, false
}

// configError is a message about the configuration, in the user's language.
func (c *cli) configError(key string, args ...any) error { return c.fail(key, args...) }

// decodeConfig parses a config file's bytes into its top-level mapping
// (nil for an empty file). It never panics on any input (FuzzDecodeConfig).
func decodeConfig(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return nil, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, lineError{top.Line, "not a mapping"}
	}
	return top, nil
}

// lineError is a structural fault of the file at a line.
type lineError struct {
	line int
	what string
}

func (e lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.what) }

// loadConfig reads and checks the configuration file, if any, against the
// command tree check (a fresh tree, so that checking values sets nothing
// of this run). It returns nil when there is no file.
func (c *cli) loadConfig(check *cobra.Command) (*yaml.Node, string, error) {
	path, explicit := c.configPath()
	if path == "" {
		return nil, "", nil
	}
	c.configLang(nil)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return nil, "", nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", c.configError("config.missing", path)
		}
		return nil, "", c.configError("config.read", path, err)
	}
	top, err := decodeConfig(data)
	if err != nil {
		var le lineError
		if errors.As(err, &le) {
			return nil, "", c.configError("config.notmap", path, le.line)
		}
		return nil, "", c.configError("config.syntax", path, err)
	}
	if top == nil {
		return nil, path, nil
	}
	c.configLang(top)
	secret, err := c.checkSection(path, check, top, true)
	if err != nil {
		return nil, "", err
	}
	if secret != "" && c.env.goos != "windows" {
		// A token in a world-readable file is a token anyone on the machine
		// can use to read the server's metrics; refuse it as ssh does.
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, "", c.configError("config.secret", path, secret, path)
		}
	}
	return top, path, nil
}

// configLang picks the language of the messages about the file before the
// file is applied: --lang, else BRUG_LANG, else the file's lang.
func (c *cli) configLang(top *yaml.Node) {
	if c.g.lang != "" {
		return
	}
	l := c.env.getenv("BRUG_LANG")
	if l == "" && top != nil {
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "lang" {
				l = top.Content[i+1].Value
			}
		}
	}
	if l == "nl" || l == "en" {
		c.g.lang = l
	}
}

// configFlags are the flags a command's map may hold: for the root its
// persistent flags, for the others the command's own flags.
func configFlags(cmd *cobra.Command, isRoot bool) *pflag.FlagSet {
	if isRoot {
		return cmd.PersistentFlags()
	}
	return cmd.LocalFlags()
}

// checkSection checks one command's map: every key a flag (whose value
// parses) or a subcommand (whose map is checked in turn). It returns the
// name of a secret flag found, if any.
func (c *cli) checkSection(path string, cmd *cobra.Command, m *yaml.Node, isRoot bool) (string, error) {
	secret := ""
	flags := configFlags(cmd, isRoot)
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return "", c.configError("config.notmap", path, k.Line)
		}
		name := k.Value
		if seen[name] {
			return "", c.configError("config.dup", path, k.Line, name)
		}
		seen[name] = true
		if f := flags.Lookup(name); f != nil && !notConfigured[name] {
			if err := c.setFromNode(path, f, k, v); err != nil {
				return "", err
			}
			if secretFlags[name] {
				secret = name
			}
			continue
		}
		if sub := subcommand(cmd, name); sub != nil {
			if v.Kind != yaml.MappingNode {
				return "", c.configError("config.notmap", path, v.Line)
			}
			s, err := c.checkSection(path, sub, v, false)
			if err != nil {
				return "", err
			}
			if s != "" {
				secret = s
			}
			continue
		}
		return "", c.configError("config.unknown", path, k.Line, name, strings.Join(validKeys(cmd, flags), ", "))
	}
	return secret, nil
}

// subcommand is cmd's subcommand called name (not help or completion).
func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, s := range cmd.Commands() {
		if s.Name() == name && name != "help" && name != "completion" {
			return s
		}
	}
	return nil
}

// validKeys lists what a command's map may hold, sorted.
func validKeys(cmd *cobra.Command, flags *pflag.FlagSet) []string {
	var keys []string
	flags.VisitAll(func(f *pflag.Flag) {
		if !notConfigured[f.Name] && !f.Hidden {
			keys = append(keys, f.Name)
		}
	})
	for _, s := range cmd.Commands() {
		if s.Name() != "help" && s.Name() != "completion" {
			keys = append(keys, s.Name())
		}
	}
	sort.Strings(keys)
	return keys
}

// setFromNode sets flag f from the file's value v: a scalar as one value
// on the command line, a list as the flag given once per item.
func (c *cli) setFromNode(path string, f *pflag.Flag, k, v *yaml.Node) error {
	var vals []string
	switch v.Kind {
	case yaml.ScalarNode:
		vals = []string{v.Value}
	case yaml.SequenceNode:
		if !isListFlag(f) {
			return c.configError("config.list", path, v.Line, k.Value)
		}
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode {
				return c.configError("config.bad", path, it.Line, k.Value, "not a plain value")
			}
			vals = append(vals, it.Value)
		}
	default:
		return c.configError("config.bad", path, v.Line, k.Value, "not a plain value")
	}
	for _, s := range vals {
		if err := f.Value.Set(s); err != nil {
			return c.configError("config.bad", path, v.Line, k.Value, err)
		}
	}
	return nil
}

// isListFlag tells whether a flag takes many values (slices, arrays).
func isListFlag(f *pflag.Flag) bool {
	t := f.Value.Type()
	return strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array")
}

// envNames are the environment variables of flag on cmd, first first.
func envNames(cmd *cobra.Command, f *pflag.Flag, isRoot bool) []string {
	name := strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
	if isRoot {
		return []string{"BRUG_" + name}
	}
	parts := strings.Fields(cmd.CommandPath())[1:]
	prefix := strings.ToUpper(strings.ReplaceAll(strings.Join(parts, "_"), "-", "_"))
	return append([]string{"BRUG_" + prefix + "_" + name}, envAliases[cmd.CommandPath()+" "+f.Name]...)
}

// applyConfig fills every flag of the running command that was not given
// on the command line: from its environment variable, else from the file.
func (c *cli) applyConfig(root, cmd *cobra.Command) error {
	if c.via != nil || c.reporter != nil {
		// An SSH session runs the tree for a remote user: the server's
		// environment and files are not theirs to configure it with.
		return nil
	}
	top, path, err := c.loadConfig(newRootCmd(&cli{env: c.env, g: globals{lang: c.g.lang}}))
	if err != nil {
		return err
	}
	var chain []*cobra.Command
	for p := cmd; p != nil; p = p.Parent() {
		chain = append([]*cobra.Command{p}, chain...)
	}
	section := top
	for i, p := range chain {
		isRoot := i == 0
		if !isRoot && section != nil {
			section = mapValue(section, p.Name())
		}
		var flags *pflag.FlagSet
		switch {
		case isRoot:
			flags = p.PersistentFlags()
		case p == cmd:
			flags = p.LocalFlags()
		default:
			flags = p.PersistentFlags()
		}
		var ferr error
		flags.VisitAll(func(f *pflag.Flag) {
			if ferr != nil || f.Changed || notConfigured[f.Name] {
				return
			}
			for _, e := range envNames(p, f, isRoot) {
				if v := c.env.getenv(e); v != "" {
					if err := f.Value.Set(v); err != nil {
						ferr = c.configError("config.env", e, err)
					}
					return
				}
			}
			sections := []*yaml.Node{section}
			if other, ok := configFallback[p.CommandPath()+" "+f.Name]; ok && top != nil {
				sections = append(sections, mapValue(top, other))
			}
			for _, sec := range sections {
				if sec == nil {
					continue
				}
				for j := 0; j+1 < len(sec.Content); j += 2 {
					if sec.Content[j].Value == f.Name {
						ferr = c.setFromNode(path, f, sec.Content[j], sec.Content[j+1])
						return
					}
				}
			}
		})
		if ferr != nil {
			return ferr
		}
	}
	return nil
}

// mapValue is the mapping under key in m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.MappingNode {
			return m.Content[i+1]
		}
	}
	return nil
}
