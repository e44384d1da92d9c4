package main

import (
	"regexp"
	"strings"
)

// usageTexts are cobra's own usage errors in brug's words: cobra writes
// them in English, and no English error text may reach a Dutch screen.
var usageTexts = map[string][2]string{
	"usage.args":        {"dit commando neemt %s argumenten, je gaf er %s", "this command takes %s argument(s), you gave %s"},
	"usage.argsmax":     {"dit commando neemt hoogstens %s argumenten, je gaf er %s", "this command takes at most %s argument(s), you gave %s"},
	"usage.argsmin":     {"dit commando neemt minstens %s argumenten, je gaf er %s", "this command takes at least %s argument(s), you gave %s"},
	"usage.args.one":    {"dit commando neemt %s argument, je gaf er %s", "this command takes %s argument, you gave %s"},
	"usage.argsmax.one": {"dit commando neemt hoogstens %s argument, je gaf er %s", "this command takes at most %s argument, you gave %s"},
	"usage.argsmin.one": {"dit commando neemt minstens %s argument, je gaf er %s", "this command takes at least %s argument, you gave %s"},
	"usage.argsrange":   {"dit commando neemt %s tot %s argumenten, je gaf er %s", "this command takes %s to %s arguments, you gave %s"},
	"usage.command":     {"onbekend commando %q voor %q", "unknown command %q for %q"},
	"usage.flag":        {"onbekende optie: %s", "unknown flag: %s"},
	"usage.shorthand":   {"onbekende korte optie '%s' in %s", "unknown shorthand flag '%s' in %s"},
	"usage.flagvalue":   {"de optie %s heeft een waarde nodig", "the flag %s needs a value"},
	"help.unknown":      {"Geen hulp over %q: dat commando bestaat niet.", "Unknown help topic %q"},
	"usage.flaginvalid": {"%q is geen geldige waarde voor %s", "%q is not a valid value for %s"},
}

// cobraUsage matches cobra's and pflag's usage errors (their first line)
// to the key of their text above; each submatch is an argument.
var cobraUsage = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`), "usage.args"},
	{regexp.MustCompile(`^accepts at most (\d+) arg\(s\), received (\d+)$`), "usage.argsmax"},
	{regexp.MustCompile(`^requires at least (\d+) arg\(s\), only received (\d+)$`), "usage.argsmin"},
	{regexp.MustCompile(`^accepts between (\d+) and (\d+) arg\(s\), received (\d+)$`), "usage.argsrange"},
	{regexp.MustCompile(`^unknown command "(.*)" for "(.*)"$`), "usage.command"},
	{regexp.MustCompile(`^unknown flag: (.+)$`), "usage.flag"},
	{regexp.MustCompile(`^unknown shorthand flag: '(.)' in (.+)$`), "usage.shorthand"},
	{regexp.MustCompile(`^flag needs an argument: (.+)$`), "usage.flagvalue"},
	{regexp.MustCompile(`^invalid argument "(.*)" for "(.+)" flag: .*$`), "usage.flaginvalid"},
}

// usageText is a usage error as the user reads it: brug's own messages
// as they are, cobra's in the chosen language (its suggestions, "Did you
// mean this?", are left out in Dutch).
func (m msgs) usageText(err error) string {
	text := err.Error()
	first, _, _ := strings.Cut(text, "\n")
	for _, u := range cobraUsage {
		sub := u.re.FindStringSubmatch(first)
		if sub == nil {
			continue
		}
		if m.lang == "en" {
			return text
		}
		args := make([]any, len(sub)-1)
		for i, s := range sub[1:] {
			args[i] = s
		}
		// "1 argument", not "1 argumenten": a count of one has a text of
		// its own (key.one).
		if _, ok := lookupText(u.key + ".one"); ok && sub[1] == "1" {
			return m.f(u.key+".one", args...)
		}
		return m.f(u.key, args...)
	}
	return text
}
