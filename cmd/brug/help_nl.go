package main

// helpText is a command's help in Dutch. Use, when set, is the command's
// Use with Dutch placeholders (CLIËNT for CLIENT); it starts with the
// command's name.
type helpText struct{ Use, Short, Long, Example string }

// helpNL is the Dutch help of every command, keyed by command path:
// coachHelpNL here and adminHelpNL (help_nl_admin.go). The
// English stays in the command definitions; a test (help_test.go) checks
// that every command has its Dutch and no key is left over. Texts for
// coaches are plain Dutch (B1); the server and admin commands are read by
// a region's IT person. Always "je", never "u".
var helpNL = joinHelp(coachHelpNL, adminHelpNL)

// flagHelpNL is the Dutch usage of every flag, keyed by the path of the
// command that defines it and the flag's name ("brug export --format").
// cobra's own --help and --version are said in help.go.
var flagHelpNL = joinHelp(coachFlagHelpNL, adminFlagHelpNL)

// joinHelp is one catalogue of two (built once, never changed).
func joinHelp[T any](a, b map[string]T) map[string]T {
	m := make(map[string]T, len(a)+len(b))
	for _, part := range []map[string]T{a, b} {
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}

// coachHelpNL is the Dutch help of brug and the commands beside admin.
var coachHelpNL = map[string]helpText{
	"brug": {
		Short: "Begeleid mensen stap voor stap van dagbesteding naar werk",
		Long: `brug is een app voor de terminal voor jobcoaches, wijkteams en
coördinatoren. Met brug begeleid je mensen van dagbesteding naar werk,
in de zes stappen van "Bruggen naar werk". brug werkt ook zonder internet.

Zonder commando opent brug de app op je eigen brug-bestand. Alles wat je
verandert, staat in dat ene bestand. Daarvoor heb je geen netwerk nodig.

Waar het bestand staat (het eerste dat klopt):
  --db BESTAND          dit bestand
  BRUG_DB               het bestand in deze omgevingsvariabele
  Linux                 $XDG_DATA_HOME/brug/brug.db of ~/.local/share/brug/brug.db
  macOS                 ~/Library/Application Support/brug/brug.db
  Windows               %LOCALAPPDATA%\brug\brug.db

Wat je verandert, krijgt de naam uit BRUG_USER, anders je inlognaam.
De app spreekt Nederlands, behalve met --lang en of een Engelse
taalinstelling (locale).

Elke optie kun je ook zetten in een configuratiebestand (YAML: --config
BESTAND, BRUG_CONFIG, anders brug/brug.yaml in je map voor instellingen) of
met een omgevingsvariabele (BRUG_METHOD voor --method;
BRUG_SERVE_PUBLIC_URL voor --public-url van serve; docs/cli.md noemt ze
allemaal). De optie gaat voor de variabele, de variabele voor het bestand.`,
		Example: `  brug                       open de app op je eigen bestand
  brug --db team.db          open de app op een ander bestand
  brug demo                  probeer brug uit op een verzonnen regio
  brug export "Noor" --out noor.md
  brug --lang en             gebruik de app in het Engels`,
	},
	"brug demo": {
		Short: "Open de app op een verzonnen regio om te oefenen",
		Long: `Open de app op een verzonnen regio: teams, coaches en cliënten verdeeld
over de zes stappen, met checklists, antwoorden, afspraken (een paar te
laat), contacten, journaal, stappen op de route (ook stappen terug) en een
paar conflicten. Alle namen zijn verzonnen. Je hoeft niets in te stellen en
hebt geen server nodig.

Zonder --db komt de regio in een nieuw tijdelijk bestand. brug zegt waar.
Met --db BESTAND maakt brug de regio als BESTAND nog niet bestaat of geen
cliënten heeft. Anders opent brug BESTAND zoals het is, zodat je een demo
later weer kunt openen. BRUG_DB telt hier niet: een demo komt nooit in je
eigen bestand.

Met dezelfde --seed krijg je dezelfde regio.`,
		Example: `  brug demo                          een nieuwe demo in een tijdelijk bestand
  brug demo --db demo.db             maak demo.db, of open het opnieuw
  brug demo --clients 10000 --db big.db --seed 7`,
	},
	"brug login": {
		Use:   "login URL CODE",
		Short: "Meld deze laptop aan bij de syncserver van je regio",
		Long: `Meld deze laptop aan bij de syncserver op URL, met de eenmalige CODE die je
van je beheerder kreeg. Die code werkt één keer en 24 uur lang.

De server stuurt een sleutel voor dit apparaat (een token). brug bewaart die
in de sleutelbos van je computer (Keychain, Credential Manager, Secret
Service). Heeft je computer die niet, dan in een bestand in je map voor
instellingen dat alleen jij kunt lezen. Nooit in het brug-bestand. Het adres
van de server en het nummer van dit apparaat komen in het brug-bestand.
Daarna synchroniseert de app vanzelf op de achtergrond, en heeft 'brug
sync' niets meer nodig.

Opnieuw aanmelden kan veilig (na een verloren laptop die is ingetrokken, of
met een nieuwe code). Ga je naar een andere server, dan begint de
synchronisatie opnieuw.

brug weigert een bestand met gegevens van een andere gebruiker (het was voor
iemand anders aangemeld, of heeft wijzigingen onder een andere naam die nog
geen server heeft). Zo kan de volgende persoon nooit de dossiers van een
ander lezen, en krijgen wijzigingen nooit de naam van iemand anders.
  --replace-user  geeft het bestand over: brug stuurt eerst de wijzigingen
                  van de andere gebruiker die nog niet verstuurd zijn, met
                  hun token. Lukt dat niet, dan stopt brug. Daarna maakt
                  brug het bestand leeg (alle dossiers, wachtende
                  wijzigingen, de sync-gegevens) en meldt jou aan.
  --adopt         voor een bestand dat nooit is aangemeld: de wijzigingen
                  die erop staan onder een andere naam (je inlognaam op de
                  computer) zijn van jou. Ze komen onder jouw account, zodat
                  de server ze aanneemt.`,
		Example: `  brug login https://brug.regio-noord.nl K7QF-9XWM
  brug login https://brug.regio-noord.nl K7QF-9XWM --name "laptop Piet"
  brug login http://127.0.0.1:8080 K7QF-9XWM --db test.db
  brug login https://brug.regio-noord.nl K7QF-9XWM --replace-user`,
	},
	"brug sync": {
		Short: "Synchroniseer één keer met de server en zeg wat er veranderde",
		Long: `Stuur de wijzigingen van deze laptop naar de syncserver en haal op wat
anderen veranderden. Eén keer, en brug zegt wat er heen en weer ging. De app
doet dit elke minuut vanzelf op de achtergrond. Dit commando is voor scripts,
en om het te zien gebeuren.

Wijzigingen die de server weigert (bijvoorbeeld een dossier dat niet van je
team is), staan in de lijst met de reden. Ze blijven op deze laptop en
houden de wijzigingen erna niet tegen.

Stopt met code 1 als deze laptop niet is aangemeld ('brug login') of de
server niet bereikbaar is. Er gaat dan niets verloren: de volgende sync
stuurt het.`,
		Example: `  brug sync
  brug sync --lang en
  brug sync --db team.db`,
	},
	"brug export": {
		Use:   "export CLIËNT",
		Short: "Schrijf alles wat brug over één cliënt weet naar een bestand",
		Long: `Schrijf alles wat brug over één cliënt bewaart: het dossier zoals het nu is,
en elke wijziging ooit, met wie en wanneer. Dit mag iemand inzien volgens de
AVG.

CLIËNT is het nummer (id) van de cliënt of (een deel van) de naam. Passen er
meer cliënten, dan noemt brug ze met hun nummer.

--format md schrijft een leesbaar document in de taal van --lang (stappen
met vinkjes, antwoorden en notities, afspraken, netwerk, journaal, route,
indicaties, arrangementen, conflicten, en een bijlage met elke wijziging).
--format json schrijft alles voor computerprogramma's:
  {"client": {...}, "ops": [...], "method": {"id": ..., "version": ...},
   "exported_at": "..."}

Zonder --out komt de export op het scherm (standaarduitvoer). Met --out
BESTAND schrijft brug eerst een tijdelijk bestand naast BESTAND en geeft het
daarna die naam. Alleen jij kunt het lezen (modus 0600). Zo bestaat er nooit
een half geschreven export. brug verandert niets aan het brug-bestand.`,
		Example: `  brug export "Noor Hazelhoef" --out noor.md
  brug export 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format json --out dossier.json
  brug export Noor --lang en | less`,
	},
	"brug plan": {
		Use:   "plan CLIËNT",
		Short: "Schrijf het eigen plan van de persoon, in gewone woorden, om te printen of te delen",
		Long: `Schrijf het plan van één cliënt, voor de persoon zelf: het doel, waar iemand
staat op weg naar werk, de volgende stappen, wat met wie is afgesproken en
voor wanneer, en wie iemand kan bellen. Het plan spreekt de persoon aan met
"je", in eenvoudig Nederlands (niveau B1), of in het Engels met --lang en.

CLIËNT is het nummer (id) van de cliënt of (een deel van) de naam. Passen er
meer cliënten, dan noemt brug ze met hun nummer.

--format md schrijft Markdown. --format html schrijft één pagina die op
zichzelf staat (geen scripts, niets van buiten), klaar om op A4 te printen:
open hem in een browser en print hem, of maak er daar een PDF van.

Zonder --out komt het plan op het scherm (standaarduitvoer). Met --out
BESTAND schrijft brug het bestand in één keer, en alleen jij kunt het lezen
(modus 0600). brug verandert niets aan het brug-bestand.`,
		Example: `  brug plan "Noor Hazelhoef" --format html --out noor-plan.html
  brug plan Noor --lang en`,
	},
	"brug report": {
		Short: "Tel wie doorstroomde vanuit dagbesteding, waarheen, en wie terugviel",
		Long: `Laat het doorstroomoverzicht van een periode zien: hoeveel mensen aan het
begin op elke plek van de route stonden, hoeveel er doorstroomden en naar
welke plek (vrijwilligerswerk, opleiding, werkervaringsplek, beschut werk,
banenafspraak, gewoon werk), hoeveel er terugvielen en vanaf waar, en waar
iedereen aan het eind stond. Met een kop zoals "47 van 363 doorgestroomd"
en een staafdiagram van tekst. De app laat hetzelfde overzicht zien op een
eigen scherm (F).

De periode loopt van --from tot en met --to (JJJJ-MM-DD). --to is zonder
waarde vandaag. --from is zonder waarde de eerste dag van het kwartaal van
--to. Zonder data gaat het overzicht dus over het kwartaal tot nu.

Met --team tel je alleen de cliënten van team NAAM. Herhaal de optie voor
meer teams. Zonder --team telt elke cliënt mee, met de aantallen per team
eronder.

--format md (de standaard) schrijft Markdown in de taal van --lang: de kop,
tabellen en het diagram. --format csv schrijft regels voor programma's,
"section,place,count" met een kopregel, in elke taal hetzelfde: de delen
people, moved_on, stepped_back (zonder plek), daarna at_start, moved_to,
stepped_back_from en at_end per plek (de codes van de plekken uit de
methode, "unknown" als er geen plek is).

Wie meetelt en hoe, staat in docs/report.md: elke cliënt van de teams die
aan het eind van de periode bekend was, telt één keer, op de verste plek
waar die persoon stond. Wie vaker een stap zette, telt één keer, op de
verste plek waar die persoon naartoe doorstroomde. brug verandert niets aan
het brug-bestand.`,
		Example: `  brug report
  brug report --from 2025-01-01 --to 2025-12-31 --team Noord --team Zuid
  brug report --format csv > doorstroom.csv
  brug report --lang en --from 2025-04-01`,
	},
	"brug close": {
		Use:   "close CLIËNT --reason REDEN [--date JJJJ-MM-DD] [--note TEKST] | close CLIËNT --reopen",
		Short: "Sluit het traject van een cliënt af (een datum en een reden), of open het weer",
		Long: `Sluit het traject van een cliënt af op deze laptop: de dag dat het stopte
(--date, zonder waarde vandaag; niet in de toekomst) en waarom (--reason:
werk, doel-bereikt, gestopt, verhuisd, overgedragen, overleden, anders),
met een notitie als je wilt. Het is een wijziging zoals elke andere: hij
wordt gesynchroniseerd en de app laat hem zien. De bewaartermijn van de
regio telt vanaf de datum van afsluiten (brug admin retention,
docs/operations.md). Met --reopen open je het traject weer.
CLIËNT is het nummer (id) of een naam (of deel ervan) die maar bij één
cliënt past.`,
		Example: `  brug close "Noor Hazelhoef" --reason werk
  brug close 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --date 2026-11-30 --reason anders --note "naar een andere regio"
  brug close "Noor Hazelhoef" --reopen`,
	},
	"brug duplicates": {
		Short: "Toon mogelijke dubbelen: dezelfde persoon twee keer ingevoerd",
		Long: `Toon de paren cliënten in je bestand die waarschijnlijk dezelfde persoon
zijn: dezelfde naam (hoofdletters, accenten en spaties tellen niet) en
hetzelfde geboortejaar. Dat gebeurt als twee laptops dezelfde persoon
invoerden voordat ze synchroniseerden.
Voeg een paar samen met 'brug duplicates merge HOUDEN WEG'.`,
		Example: `  brug duplicates
  brug duplicates merge 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 0193a5c2-8e2f-7cc1-8b7e-2f0c55aa1e02`,
	},
	"brug duplicates merge": {
		Use:   "merge HOUDEN WEG",
		Short: "Voeg het dossier WEG samen met HOUDEN (docs/merge.md)",
		Long: `Zet alles van het dossier WEG over naar HOUDEN, als wijzigingen die
gesynchroniseerd worden: vinkjes, antwoorden, notities, journaal, afspraken,
contacten, de route, indicaties en arrangementen. Teksten die verschillen,
blijven allebei bewaard, als conflict dat je in de app oplost. Verschilt een
gegeven (team, uitkering, ...), dan blijft dat van HOUDEN staan en komt dat
van WEG in de notitie bij het samenvoegen van HOUDEN. Daarna is WEG
ingetrokken en wijst het naar HOUDEN; de eigen geschiedenis van WEG blijft.
HOUDEN en WEG zijn nummers (id's) of namen (of delen ervan) die maar bij één
cliënt passen. In docs/merge.md staat de regel.`,
	},
	"brug import": {
		Use:   "import BESTAND [--yes] [--team TEAM] [--allow-duplicates]",
		Short: "Importeer een caseload: maak de cliënten uit een CSV-bestand aan op deze laptop",
		Long: `Maak de cliënten uit een CSV-bestand (BESTAND, of - om te lezen van de
standaardinvoer) aan in je brug-bestand: de caseload van een coach of van
een team. In docs/cli.md staan de kolommen.

Het bestand heeft een kopregel met de namen van de kolommen en één cliënt
per regel, gescheiden door ';' (zoals Excel in het Nederlands opslaat) of
','; in UTF-8, met of zonder BOM. Verplicht: naam (of voornaam en
achternaam) en team (of --team voor elke regel zonder team). Niet
verplicht: geboortejaar (of geboortedatum), coach, uitkering, doel, plek.

Zonder --yes schrijft brug niets: je ziet welke cliënten brug zou maken.
Bij elke fout zegt brug de regel en de kolom. Is er één fout, dan wordt er
niets geïmporteerd. Een cliënt met dezelfde naam (hoofdletters en accenten
tellen niet) en hetzelfde geboortejaar als iemand in je bestand of op een
eerdere regel, is waarschijnlijk een dubbele en slaat brug over, behalve
met --allow-duplicates. Met --yes schrijft brug alle cliënten in één keer:
allemaal, of (na een crash of een fout) geen enkele.`,
		Example: `  brug import caseload.csv
  brug import caseload.csv --team "Wijkteam Oost" --yes`,
	},
	"brug check": {
		Short: "Controleer een brug-bestand op schade, zonder het te veranderen",
		Long: `Controleer het brug-bestand (--db, BRUG_DB of je eigen; van een laptop of
van een server) op schade, zonder erin te schrijven: brug leest elke pagina,
doet de controle van bbolt, controleert de buckets en het schema van brug,
leest elke wijziging in het logboek, en vergelijkt de bewaarde dossiers met
de dossiers die opnieuw uit het logboek worden opgebouwd (op een eigen
tijdelijke kopie, die daarna weg is).

Code 0: het bestand is in orde. 1: het bestand is beschadigd, of kon niet
gelezen worden (de melding zegt welke van de twee en wat je moet doen).

Het bestand van een server controleert brug met de sleutelopslag en de
hoofdsleutel: --key-store en --master-key, of die van brug serve
(BRUG_SERVE_KEY_STORE, het deel serve van het configuratiebestand), anders
de standaardbestanden naast het bestand.`,
		Example: `  brug check
  brug check --db ~/backup/brug.db
  brug check --db /var/lib/brug/regio.db`,
	},
	"brug passphrase": {
		Short: "Verander de wachtwoordzin van het versleutelde bestand op deze laptop, of bewaar de sleutel in de sleutelbos",
		Long: `Verander de wachtwoordzin waarmee het bestand op deze laptop op slot zit
(brug vraagt de nieuwe twee keer; zonder terminal neemt brug
BRUG_NEW_PASSPHRASE). Staat de sleutel van het bestand in de sleutelbos van
de computer, dan krijgt het bestand in plaats daarvan een wachtwoordzin. Met
--keyring gaat de sleutel van de wachtwoordzin naar de sleutelbos van de
computer.

Ben je de wachtwoordzin kwijt, dan kan niemand het bestand nog openen: wat
gesynchroniseerd is, staat op de server; de rest is weg.`,
	},
	"brug version": {
		Short:   "Laat de versie van brug zien",
		Long:    "Laat de versie van brug zien, de commit waarvan hij is gemaakt, wanneer hij is gemaakt, en de versie van Go en het platform.",
		Example: "  brug version",
	},
	"brug help": {
		Use:   "help [commando]",
		Short: "Hulp bij elk commando",
		Long: `Help geeft hulp bij elk commando van brug.
Typ brug help [commando] voor alles over dat commando.`,
	},
	"brug completion": {
		Short: "Maak het script voor aanvullen met tab voor je shell",
		Long: `Maak het script voor aanvullen met tab (autocompletion) van brug voor de
shell die je noemt. Hoe je het script gebruikt, staat in de hulp bij elk
van de commando's hieronder.`,
	},
	"brug completion bash": {
		Short: "Maak het script voor aanvullen met tab voor bash",
		Long: `Maak het script voor aanvullen met tab voor de shell bash.

Het script heeft het pakket 'bash-completion' nodig. Heb je dat nog niet,
installeer het dan met de pakketbeheerder van je besturingssysteem.

Aanvullen in de shell waarin je nu werkt:

	source <(brug completion bash)

Aanvullen in elke nieuwe shell; doe dit één keer:

#### Linux:

	brug completion bash > /etc/bash_completion.d/brug

#### macOS:

	brug completion bash > $(brew --prefix)/etc/bash_completion.d/brug

Het werkt pas in een nieuwe shell.`,
	},
	"brug completion fish": {
		Short: "Maak het script voor aanvullen met tab voor fish",
		Long: `Maak het script voor aanvullen met tab voor de shell fish.

Aanvullen in de shell waarin je nu werkt:

	brug completion fish | source

Aanvullen in elke nieuwe shell; doe dit één keer:

	brug completion fish > ~/.config/fish/completions/brug.fish

Het werkt pas in een nieuwe shell.`,
	},
	"brug completion powershell": {
		Short: "Maak het script voor aanvullen met tab voor powershell",
		Long: `Maak het script voor aanvullen met tab voor powershell.

Aanvullen in de shell waarin je nu werkt:

	brug completion powershell | Out-String | Invoke-Expression

Aanvullen in elke nieuwe shell: zet de uitvoer van het commando hierboven
in je powershell-profiel.`,
	},
	"brug completion zsh": {
		Short: "Maak het script voor aanvullen met tab voor zsh",
		Long: `Maak het script voor aanvullen met tab voor de shell zsh.

Staat aanvullen in je shell nog niet aan, zet het dan aan. Doe dit één keer:

	echo "autoload -U compinit; compinit" >> ~/.zshrc

Aanvullen in de shell waarin je nu werkt:

	source <(brug completion zsh)

Aanvullen in elke nieuwe shell; doe dit één keer:

#### Linux:

	brug completion zsh > "${fpath[1]}/_brug"

#### macOS:

	brug completion zsh > $(brew --prefix)/share/zsh/site-functions/_brug

Het werkt pas in een nieuwe shell.`,
	},
	"brug serve": {
		Short: "Draai de syncserver van de regio",
		Long: `Draai de syncserver van een regio op één brug-bestand: apparaten melden zich
aan met een eenmalige code en synchroniseren hun wijzigingen via de server
(de API /v1 in docs/openapi.yaml), met toegang per team en een auditlog van
elke levering en wijziging. /healthz antwoordt "ok" zolang het bestand een
schrijfactie aanneemt (503 als de schijf vol of alleen-lezen is).
Prometheus-metrics (/metrics, en nog eens /healthz) staan op een eigen
listener, --metrics-addr (standaard alleen loopback; "off" zet hem uit). Met
--metrics-token geeft ook de listener van de API /metrics, alleen aan dat
bearer-token (of zet BRUG_METRICS_TOKEN).

Geef met --public-url het adres dat apparaten gebruiken
(https://brug.example.nl): het komt in het bestand, en dan drukt
` + "`brug admin invite`" + ` het hele login-commando af, ook vanuit een ander proces of
via SSH.

--retention zegt hoe lang de dossiers van afgesloten trajecten bewaard
blijven na de datum van afsluiten: een standaardtermijn, daarna CODE=TERMIJN
voor dossiers met die uitkerings- of indicatiecode, bijvoorbeeld
15y,wlz=20y (de langste termijn die geldt, wint). De termijn komt in het
bestand; zonder deze optie blijft het beleid van het bestand staan, 15y als
er nooit een was. brug admin retention toont en wist de dossiers waarvan de
termijn voorbij is (docs/operations.md, "Retention").

Geef het eigen bestand van de server met --db (of BRUG_DB); brug maakt het
als het er niet is. Accounts beheer je met ` + "`brug admin`" + `, dat op hetzelfde
bestand werkt terwijl de server draait (via BESTAND.admin.sock, alleen
leesbaar voor jou).

Serveer via TLS met --tls-cert en --tls-key, of achter een TLS-proxy op
127.0.0.1. brug waarschuwt als hij gewoon HTTP serveert op een ander adres:
dan gaan tokens van apparaten en dossiers leesbaar over het netwerk.

De logs (de regels bij het starten, en één regel per verzoek: methode, pad,
status, duur, gebruiker, adres van de client) gaan naar standaardfout, als
tekst of met --log-format json als JSON-regels; --log-level zet het laagste
niveau dat gelogd wordt. Er staan nooit inhoud van dossiers of tokens in.
Achter een reverse proxy geef je het adres daarvan met --trusted-proxy
(CIDR, herhaalbaar): het adres van de client komt dan uit de header
X-Forwarded-For van die proxy; van ieder ander negeert brug die header.
Stop met Ctrl-C of SIGTERM: lopende verzoeken worden eerst afgemaakt.

SSH (voor coördinatoren, en voor de commando's van beheerders) luistert op
--ssh-addr, met een hostsleutel die bij de eerste start wordt gemaakt en
bewaard (--ssh-host-key, standaard BESTAND.ssh_host_ed25519 naast de
database). Gebruikers loggen in met een publieke sleutel die is
geregistreerd met ` + "`brug admin key add`" + `; inloggen met een wachtwoord kan niet.
Een sessie draait de app als die gebruiker, met de teams van die gebruiker;
beheerders geven admin-commando's: ssh -p 2222 HOST admin user list.
Sessies stoppen na --ssh-idle zonder toetsaanslag. --ssh-addr "" zet SSH
uit.`,
		Example: `  brug serve --db /var/lib/brug/region.db
  brug serve --db region.db --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --public-url https://brug.example.nl:8443
  brug serve --db region.db --public-url https://brug.example.nl --trusted-proxy 127.0.0.1 --log-format json
  brug admin --db region.db user add anna --role coach --team "Team Noord"`,
	},
}

// coachFlagHelpNL is the Dutch usage of the flags of coachHelpNL's
// commands.
var coachFlagHelpNL = map[string]string{
	"brug --config": "een configuratiebestand (YAML; standaard: $BRUG_CONFIG, anders brug.yaml in je map voor instellingen)",
	"brug --db":     "het brug-bestand dat je gebruikt (standaard: $BRUG_DB, anders je eigen map voor gegevens)",
	"brug --lang":   "de taal van de app en de meldingen: nl of en (standaard: uit de taalinstelling, anders nl)",
	"brug --method": "een bestand met een methode (YAML) in plaats van de zes stappen van brug zelf",

	"brug demo --clients": "hoeveel cliënten brug maakt",
	"brug demo --seed":    "welke regio brug maakt; dezelfde seed geeft dezelfde regio",

	"brug login --adopt":        "de wijzigingen op dit nooit aangemelde bestand onder een andere naam zijn van jou",
	"brug login --name":         "hoe beheerders dit apparaat in de lijst zien (standaard: de naam van de computer)",
	"brug login --replace-user": "het bestand is van een andere gebruiker: stuur eerst de wijzigingen van die gebruiker die nog niet verstuurd zijn, maak dan het bestand leeg en meld je aan",

	"brug export --format": "md (een leesbaar document) of json (alle gegevens)",
	"brug export --out":    "schrijf naar dit bestand in plaats van naar het scherm",

	"brug plan --format": "md (Markdown) of html (een pagina om te printen)",
	"brug plan --out":    "schrijf naar dit bestand in plaats van naar het scherm",

	"brug report --format": "md (een leesbaar overzicht met een diagram) of csv (regels section,place,count)",
	"brug report --from":   "eerste dag van de periode, JJJJ-MM-DD (standaard: de eerste dag van het kwartaal van --to)",
	"brug report --team":   "tel alleen de cliënten van dit team; herhaal voor meer teams (standaard: alle teams)",
	"brug report --to":     "laatste dag van de periode, JJJJ-MM-DD (standaard: vandaag)",

	"brug close --date":   "de dag dat het traject stopte (JJJJ-MM-DD); standaard vandaag",
	"brug close --note":   "een notitie bij het afsluiten",
	"brug close --reason": "waarom: werk, doel-bereikt, gestopt, verhuisd, overgedragen, overleden, anders",
	"brug close --reopen": "open het traject weer",

	"brug import --allow-duplicates": "maak ook mogelijke dubbelen aan (anders slaat brug ze over)",
	"brug import --team":             "het team van regels zonder team",
	"brug import --yes":              "schrijf de cliënten (zonder deze optie zie je alleen wat er zou gebeuren)",

	"brug check --key-store":  keyStoreNL,
	"brug check --master-key": masterKeyNL,

	"brug passphrase --keyring": "bewaar de sleutel in de sleutelbos van de computer in plaats van met een wachtwoordzin",

	"brug completion bash --no-descriptions":       noDescNL,
	"brug completion fish --no-descriptions":       noDescNL,
	"brug completion powershell --no-descriptions": noDescNL,
	"brug completion zsh --no-descriptions":        noDescNL,

	"brug serve --addr":          "adres om op te luisteren (host:poort)",
	"brug serve --gc-percent":    "GOGC van de Go-garbagecollector: hoger ruimt minder vaak op, voor minder CPU als veel apparaten tegelijk synchroniseren (of zet GOGC)",
	"brug serve --key-store":     keyStoreNL,
	"brug serve --log-format":    "vorm van de logs: text of json",
	"brug serve --log-level":     "laagste niveau dat gelogd wordt: debug, info, warn of error",
	"brug serve --master-key":    masterKeyNL,
	"brug serve --memory-limit":  "zachte grens aan het Go-geheugen van de server, bijvoorbeeld 256MiB of 2GiB; \"off\" voor geen (of zet GOMEMLIMIT)",
	"brug serve --metrics-addr":  "adres voor /metrics en /healthz (host:poort); \"off\" of \"\" zet het uit",
	"brug serve --metrics-token": "geef /metrics ook op --addr, alleen aan dit bearer-token (of BRUG_METRICS_TOKEN)",
	"brug serve --public-url":    "de URL die apparaten gebruiken (https://brug.example.nl); brug admin invite drukt hem af",
	"brug serve --retention":     "hoe lang dossiers van afgesloten trajecten bewaard blijven, bijvoorbeeld 15y of 15y,wlz=20y (komt in het bestand; standaard 15y)",
	"brug serve --ssh-addr":      "adres voor inloggen met SSH (host:poort); \"\" zet SSH uit",
	"brug serve --ssh-host-key":  "het bestand met de SSH-hostsleutel, gemaakt als het er niet is (standaard BESTAND.ssh_host_ed25519)",
	"brug serve --ssh-idle":      "stop een SSH-sessie na zo lang zonder toetsaanslag",
	"brug serve --store":         storeNL,
	"brug serve --tls-cert":      "bestand met het TLS-certificaat (PEM); samen met --tls-key",
	"brug serve --tls-key":       "bestand met de private TLS-sleutel (PEM); samen met --tls-cert",
	"brug serve --tls-poll":      "hoe vaak brug kijkt of de TLS-bestanden vernieuwd zijn",
	"brug serve --trusted-proxy": "een reverse proxy (CIDR of adres) waarvan X-Forwarded-For de client noemt; herhaalbaar",
}

// Usages that several commands' flags share.
const (
	keyStoreNL  = "de sleutelopslag met de sleutels van de dossiers, apart van het gegevensbestand (standaard BESTAND.keys)"
	masterKeyNL = "het bestand met de hoofdsleutel, alleen leesbaar voor de eigenaar (standaard: de systemd-credential brug-master-key, anders BESTAND.master-key)"
	noDescNL    = "zonder uitleg bij de aanvullingen"
	storeNL     = "waar de regio staat: bolt (het bestand van --db, de standaard) of een PostgreSQL-database, postgres://GEBRUIKER@HOST/DATABASE"
)
