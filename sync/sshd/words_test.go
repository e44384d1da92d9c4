package sshd

import (
	"errors"
	"slices"
	"testing"
)

func TestSplitCommandAsAShell(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{`admin user add anna --role coach --team "Team Noord"`, []string{"admin", "user", "add", "anna", "--role", "coach", "--team", "Team Noord"}},
		{`admin team add 'Team Noord'`, []string{"admin", "team", "add", "Team Noord"}},
		{`admin team add Team\ Noord`, []string{"admin", "team", "add", "Team Noord"}},
		{`admin erase "Jan \"de Vries\"" 'it''s'`, []string{"admin", "erase", `Jan "de Vries"`, "its"}},
		{`admin erase "a\$b" 'c$d' "e\\f" "g\h"`, []string{"admin", "erase", "a$b", "c$d", `e\f`, `g\h`}},
		{`report --team ""`, []string{"report", "--team", ""}},
		{"  admin\tuser   list  ", []string{"admin", "user", "list"}},
		{`admin key add cor -`, []string{"admin", "key", "add", "cor", "-"}},
		{``, nil},
	} {
		got, err := splitCommand(c.line)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("splitCommand(%q) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
	for _, c := range []struct {
		line string
		want error
	}{
		{`admin user add anna --team "Team Noord`, errUnclosed},
		{`admin team add 'Team Noord`, errUnclosed},
		{`admin team add Noord\`, errUnclosed},
		{`admin user list; rm -rf /`, errNotPlain},
		{`admin user list | cat`, errNotPlain},
		{`admin user list > /tmp/x`, errNotPlain},
		{`admin erase $NAME`, errNotPlain},
		{`admin erase "$(id)"`, errNotPlain},
		{"admin erase `id`", errNotPlain},
	} {
		got, err := splitCommand(c.line)
		if !errors.Is(err, c.want) {
			t.Errorf("splitCommand(%q) = %q, %v; want error %v", c.line, got, err, c.want)
		}
	}
}
