package main

// configTexts are the messages about the configuration file and the
// environment (config.go): key -> {nl, en}.
var configTexts = map[string][2]string{
	"config.missing": {
		"Het instellingenbestand %s bestaat niet (genoemd met --config of BRUG_CONFIG).",
		"The config file %s does not exist (named with --config or BRUG_CONFIG).",
	},
	"config.read": {
		"Kan het instellingenbestand %s niet lezen: %v",
		"Cannot read the config file %s: %v",
	},
	"config.syntax": {
		"%s is geen geldige YAML: %v",
		"%s is not valid YAML: %v",
	},
	"config.notmap": {
		"%s:%d: hier hoort een lijst van instellingen (naam: waarde).",
		"%s:%d: expected settings here (name: value).",
	},
	"config.dup": {
		"%s:%d: %q staat er twee keer.",
		"%s:%d: %q is there twice.",
	},
	"config.unknown": {
		"%s:%d: onbekende instelling %q. Hier kan: %s.",
		"%s:%d: unknown key %q. Valid here: %s.",
	},
	"config.bad": {
		"%s:%d: ongeldige waarde voor %s: %v",
		"%s:%d: bad value for %s: %v",
	},
	"config.list": {
		"%s:%d: %s neemt één waarde, geen lijst.",
		"%s:%d: %s takes one value, not a list.",
	},
	"config.env": {
		"Ongeldige waarde in %s: %v",
		"Bad value in %s: %v",
	},
	"config.secret": {
		"%s bevat een geheim (%s), maar anderen kunnen het lezen. Maak het alleen voor de eigenaar leesbaar: chmod 600 %s",
		"%s holds a secret (%s) but others can read it. Make it readable by its owner only: chmod 600 %s",
	},
}
