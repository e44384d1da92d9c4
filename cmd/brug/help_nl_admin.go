package main

// adminHelpNL is the Dutch help of brug admin and its subcommands, read
// by a region's IT person: exact Dutch, "je".
var adminHelpNL = map[string]helpText{
	"brug admin": {
		Short: "Beheer de gebruikers, teams, apparaten, het wissen, de exports, de auditlog en de back-ups van de syncserver",
		Long: `Beheer de accounts in het bestand van een syncserver (--db of BRUG_DB):
gebruikers en hun rollen, teams en wie erin zit, eenmalige codes om aan te
melden, apparaten, het wissen en de export (AVG) van een dossier, de
auditlog, en back-ups van het bestand.

Draait ` + "`brug serve`" + ` op het bestand, dan stuurt brug admin elk commando naar
de server via BESTAND.admin.sock; anders opent brug admin het bestand zelf.
In beide gevallen komt het commando in de auditlog, met je naam (BRUG_USER,
anders je inlognaam) en kanaal "cli".

Rollen: coach en wijkteam lezen en veranderen de dossiers van hun teams;
coordinator beoordeelt en tekent af in de eigen teams; admin beheert de
accounts en ziet via sync geen enkel dossier.`,
		Example: `  brug admin --db region.db team add "Team Noord"
  brug admin --db region.db user add anna --role coach --team "Team Noord"
  brug admin --db region.db invite anna
  brug admin --db region.db device revoke 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01
  brug admin --db region.db audit --user anna --since 2026-11-01`,
	},
	"brug admin audit": {
		Use:   "audit [--client ID] [--user NAAM] [--since DATUM] [--until DATUM] [--action ACTIE] [--format table|csv|json|md|html] | audit verify",
		Short: "Toon of exporteer de auditlog: wie wat las of veranderde, wanneer, hoe, en wat geweigerd is",
		Long: `Toon de auditlog, waaraan alleen wordt toegevoegd, oudste eerst: elk dossier
dat naar een apparaat ging, elke aangenomen wijziging, elke actie van een
beheerder en elke weigering (wijzigingen geweigerd bij een sync, ingetrokken
of onbekende tokens, onbekende SSH-sleutels, admin-commando's van wie geen
admin is), met wie, wanneer en het kanaal (sync, cli, ssh).

--format table (de standaard) drukt een tabel af met tijden in de lokale
tijd van deze machine en het verschil met UTC ("2026-12-05 19:22 +01:00").
--format csv schrijft CSV volgens RFC 4180 met een kopregel, voor een
spreadsheet: één regel per record en dossier (een levering aan een apparaat
noemt veel dossiers), tijden in RFC 3339 met hun verschil met UTC, en een
enkel aanhalingsteken vóór cellen die een spreadsheet als formule zou lezen
(die beginnen met =, +, -, @, een tab of een carriage return). --format json
schrijft één JSON-object per regel (NDJSON), de records zoals de server ze
bewaart, tijden in RFC 3339 met hun verschil met UTC. Stuurtekens worden in
elke vorm ge-escaped.

Met --client schrijven --format csv en json de records van het dossier met
de veldnamen van de standaard Logboek Dataverwerkingen (trace_id, name,
start_time, attributes zoals dpl.core.data_subject_id en dpl.brug.user;
docs/sharing.md legt ze naast elkaar), en schrijven --format md en html de
pagina voor de persoon: "wie heeft je dossier ingezien", in eenvoudig
Nederlands (Engels met --lang en): wie het dossier opende, kreeg, printte,
exporteerde of veranderde, wanneer, voor welke organisatie en hoe; html is
één pagina die op zichzelf staat, om op A4 te printen of te overhandigen.

"brug admin audit verify" controleert de hashketen van de log (zie de hulp
daarvan).

--since en --until nemen een datum (JJJJ-MM-DD, lokale tijd; --until telt
die hele dag mee) of een tijd in RFC 3339. --action neemt een actie ("user
add", "push refused") of één woord daarvan ("refused" toont elke weigering).`,
		Example: `  brug admin audit --client 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01
  brug admin audit --user anna --since 2026-11-01
  brug admin audit --action refused --since 2026-12-01
  brug admin audit --since 2026-11-01 --until 2026-11-30 --format csv > audit-november.csv
  brug admin audit --client 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format html > inzage.html
  brug admin audit verify`,
	},
	"brug admin audit verify": {
		Short: "Controleer de hashketen van de auditlog en zeg waar hij breekt",
		Long: `Controleer of de auditlog is zoals de server hem schreef: elk record sinds
het begin van de keten draagt de SHA-256 van het record ervoor en van
zichzelf (docs/sync.md, "The audit chain"). Drukt het aantal records af en
de kop van de keten (schrijf die ergens anders op, dan zie je later of de
hele log is herschreven), of elke plek waar de keten breekt: het nummer van
het record en wat er anders is (veranderd, weggehaald, verplaatst,
toegevoegd buiten de keten). Stopt met code 1 als de keten breekt.`,
		Example: `  brug admin --db region.db audit verify`,
	},
	"brug admin backup": {
		Use:   "backup BESTAND",
		Short: "Schrijf een consistente kopie van het bestand van de server, ook terwijl brug serve draait",
		Long: `Schrijf een kopie van het bestand van de server (--db) naar BESTAND: een
consistente momentopname, gemaakt terwijl brug serve gewoon doorgaat (via
BESTAND.admin.sock als de server draait). De kopie komt eerst in een
tijdelijk bestand naast BESTAND en krijgt pas als hij klaar is die naam; zo
is BESTAND nooit een halve kopie. Een bestaand BESTAND wordt vervangen.

De sleutelopslag van een versleutelde server (--key-store) wordt ook
gekopieerd, naar BESTAND.keys, consistent met de kopie van de gegevens. De
hoofdsleutel wordt niet gekopieerd: bewaar die apart van de back-ups (wie
beide heeft, leest elk dossier).

Terugzetten: stop brug serve, kopieer BESTAND.keys over de sleutelopslag en
daarna BESTAND over het bestand van de server, start brug serve
(docs/operations.md). Apparaten merken bij hun volgende sync dat de server
terug in de tijd ging en sturen hun wijzigingen opnieuw; wat ze na de
back-up stuurden, gaat dus niet verloren. Wat na de back-up gewist is,
wissen de apparaten die het uitvoerden opnieuw (zie README.md, "Running the
server").`,
		Example: `  brug admin --db region.db backup /var/backups/brug/region-2026-11-02.db`,
	},
	"brug admin device": {
		Short: "Toon en trek apparaten in",
	},
	"brug admin device list": {
		Use:     "list [--user NAAM]",
		Short:   "Toon de aangemelde apparaten",
		Example: "  brug admin device list\n  brug admin device list --user anna",
	},
	"brug admin device revoke": {
		Short: "Trek een apparaat in (een verloren laptop): vanaf zijn volgende verzoek wordt het geweigerd",
		Long: `Trek een apparaat in: vanaf zijn volgende verzoek wordt het geweigerd en
hoort het dat het is ingetrokken. ID is het nummer van het apparaat (het
nummer dat zijn wijzigingen dragen, eerste kolom van brug admin device list)
of het nummer van de aanmelding (laatste kolom).

Met --wipe krijgt het apparaat ook de opdracht zich te wissen: de volgende
keer dat het de server bereikt, hoort het dat voordat het iets stuurt,
vernietigt het zijn sleutels, haalt het zijn brug-bestand, de bestanden
ernaast en zijn token weg, en meldt het dat het gewist is (brug admin device
list toont "wiped"; de auditlog legt elke stap vast). Wijzigingen die het
nog niet had gesynchroniseerd, gaan verloren. Ook een apparaat dat al is
ingetrokken, kan nog de opdracht krijgen zich te wissen.`,
		Example: `  brug admin device revoke 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01
  brug admin device revoke --wipe 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01`,
	},
	"brug admin erase": {
		Use:   "erase CLIËNT [--yes]",
		Short: "Wis een dossier overal (AVG), voorgoed",
		Long: `Wis het dossier van een cliënt volgens de AVG: de wijzigingen ervan worden
nu van de server gewist en van elk apparaat bij de volgende sync, en latere
wijzigingen eraan worden geweigerd. Alleen het nummer (id) blijft bewaard,
als grafsteen. CLIËNT is het nummer of een naam (of deel ervan) die maar bij
één cliënt past.

brug admin erase toont eerst het dossier dat het vond (naam, team,
geboortejaar, id), of de kandidaten als de naam bij meer dan één past. Dit
kan niet ongedaan worden gemaakt: op een terminal vraagt brug je yes te
typen; zonder terminal (een script, een SSH-commando) is --yes nodig.
Daarna zegt brug wie het wiste en welke apparaten het dossier nog hebben:
die wissen het bij hun volgende sync en bevestigen dat (brug admin erasures
toont wanneer).`,
		Example: `  brug admin erase 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --yes`,
	},
	"brug admin erasures": {
		Short: "Toon de gewiste dossiers en, per apparaat dat er een had, of het het wissen bevestigde",
		Long: `Toon de dossiers die gewist zijn met brug admin erase (of door brug admin
retention), oudste eerst, en bij elk de apparaten die het hadden toen het
gewist werd: wie, welk apparaat, en wanneer het apparaat bevestigde dat het
het dossier ook wiste ("nog niet" zolang het dat niet deed: het wist het bij
de volgende sync). Een ingetrokken apparaat dat nooit meer synchroniseert,
bevestigt nooit; een gewist apparaat heeft niets meer. Apparaten bevestigen
elk wissen en elk weghalen bij hun volgende sync; de auditlog legt elke
bevestiging vast (erase confirmed, drop confirmed).

--client neemt het nummer (id) van een gewist dossier (de naam is mee
gewist). --pending toont alleen het wissen dat een apparaat nog niet
bevestigde. --format werkt als bij brug admin audit: table (tijden in
lokale tijd met hun verschil met UTC), csv (RFC 4180, één regel per dossier
en apparaat) of json (één object per dossier en regel).`,
		Example: `  brug admin erasures
  brug admin erasures --pending
  brug admin erasures --client 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format json`,
	},
	"brug admin export": {
		Use:   "export CLIËNT [--format md|json] [--out BESTAND]",
		Short: "Schrijf alles wat de server over één cliënt bewaart (AVG)",
		Long: `Schrijf alles wat de server over één cliënt bewaart: het dossier zoals het
nu is en elke wijziging ooit, met wie en wanneer, voor het recht op inzage
van de persoon onder de AVG. Het is ` + "`brug export`" + ` voor het bestand van
een server, met dezelfde vormen (zie brug export --help).

CLIËNT is het nummer (id) of een naam (of deel ervan) die maar bij één
cliënt past. De export komt in de auditlog (actie "export", met je naam, het
nummer van het dossier en het kanaal) voordat er iets gelezen wordt; de log
bevat geen inhoud.

Zonder --out gaat de export naar standaarduitvoer. Met --out BESTAND komt
hij eerst in een tijdelijk bestand naast BESTAND, dat daarna die naam
krijgt, alleen leesbaar voor jou (modus 0600). Via SSH gaat de export naar
de uitvoer van de sessie: --out zou een bestand op de server schrijven en
wordt daar geweigerd.`,
		Example: `  brug admin --db region.db export "Noor Hazelhoef" --out noor.md
  brug admin --db region.db export 0193a5c2-7d1e-7cc1-8b7e-2f0c55aa1e01 --format json --out dossier.json
  ssh -p 2222 brug.example.nl admin export Noor > noor.md`,
	},
	"brug admin invite": {
		Use:   "invite GEBRUIKER",
		Short: "Maak een eenmalige code waarmee een gebruiker een apparaat aanmeldt",
		Long: `Druk een eenmalige code af waarmee de gebruiker één apparaat aanmeldt
(brug login URL CODE). De code werkt één keer en vervalt na 24 uur; de
server bewaart alleen de hash ervan, dus je kunt hem niet nog eens laten
zien. Is brug serve gestart met --public-url, dan drukt brug het hele
login-commando af met die URL.`,
		Example: `  brug admin invite anna`,
	},
	"brug admin key": {
		Short: "Registreer, toon en verwijder de SSH-sleutels van gebruikers",
	},
	"brug admin key add": {
		Use:   "add GEBRUIKER BESTAND",
		Short: "Registreer de publieke SSH-sleutel van een gebruiker (BESTAND, of - voor standaardinvoer)",
		Long: `Registreer de publieke sleutel(s) in BESTAND (in de vorm van authorized_keys,
zoals in ~/.ssh/id_ed25519.pub) op GEBRUIKER, die dan inlogt met ssh -p
POORT HOST. Geef - als BESTAND om de sleutel van standaardinvoer te lezen;
via SSH kan het alleen zo, want BESTAND zou een bestand op de server
noemen. Een sleutel hoort bij één gebruiker; hem opnieuw toevoegen
verandert niets.`,
		Example: `  brug admin key add cor cor.pub
  ssh -p 2222 brug.example.nl admin key add cor - < cor.pub`,
	},
	"brug admin key list": {
		Use:     "list [--user NAAM]",
		Short:   "Toon de geregistreerde SSH-sleutels",
		Example: "  brug admin key list --user cor",
	},
	"brug admin key remove": {
		Use:     "remove VINGERAFDRUK",
		Short:   "Verwijder een sleutel: nieuwe logins ermee worden geweigerd",
		Example: "  brug admin key remove SHA256:3Gx0M2c1vJ4n0qLk7Y5tX9WmYQ8fB2d1eRZs0aKpQvE",
	},
	"brug admin migrate": {
		Use:   "migrate --from BESTAND --to postgres://...",
		Short: "Kopieer een regio van zijn bbolt-bestand naar PostgreSQL, controleer de kopie; opnieuw draaien is veilig",
		Long: `Kopieer alles van de regio in het bestand BESTAND van de server naar een
PostgreSQL-database: wijzigingen met hun volgnummers (de cursors van
apparaten blijven geldig), accounts, apparaten en hun tokens, codes om aan
te melden, SSH-sleutels, de indexen van teams en delen, de views van
apparaten, de auditlog met zijn hashketen, weigeringen, concepten,
wissingen en ontvangstbewijzen, instellingen, epochs en organisaties. De
inhoud van elk dossier wordt opnieuw verzegeld met een sleutel uit de
sleutelopslag van PostgreSQL (--key-store, anders dezelfde database),
ingepakt met de hoofdsleutel daarvan (--master-key of de systemd-credential
brug-master-key); gewiste dossiers komen over als gewist, zonder inhoud of
sleutel.

BESTAND wordt alleen gelezen. Stop eerst brug serve: een bestand dat de
server open heeft, wordt geweigerd. De eigen sleutels van het bestand staan
waar brug serve ze vindt (BESTAND.keys en BESTAND.master-key), of geef
--from-key-store en --from-master-key.

De kopie wordt per soort record gecontroleerd (aantal en digest, elke
wijziging teruggelezen met zijn sleutel) en de uitkomst wordt afgedrukt.
Opnieuw draaien is veilig: een complete kopie blijft zoals hij is, een
afgebroken kopie wordt afgemaakt, een database met een andere regio (of een
kopie die sindsdien is geserveerd) wordt geweigerd. Start daarna brug serve
--store postgres://... (docs/postgres.md).`,
		Example: `  brug admin migrate --from /var/lib/brug/region.db \
      --to postgres://brug@db.example/brug_region \
      --key-store postgres://brugkeys@keys.example/brug_region_keys \
      --master-key /etc/brug/pg-master.key`,
	},
	"brug admin org": {
		Short: "Voeg toe, toon, hernoem, verwijder en importeer de organisaties in het register van de regio",
	},
	"brug admin org add": {
		Use:   "add NAAM --kind SOORT [--kvk NUMMER]",
		Short: "Voeg een organisatie toe aan het register van de regio",
		Long: `Voeg een organisatie toe aan het register van de regio, dat elk apparaat van
de regio krijgt (er staan geen gegevens van cliënten in). SOORT is care
(zorgaanbieder), municipality (gemeente), sdc (sociaal ontwikkelbedrijf),
uwv, employer (werkgever), school of other (anders); het Nederlandse woord
werkt ook. --kvk is het nummer bij de Kamer van Koophandel, 8 cijfers. Een
naam die alleen in hoofdletters of accenten van een andere verschilt, of
een KvK-nummer dat een andere al heeft, wordt geweigerd.`,
		Example: `  brug admin org add "Gemeente Nijmegen" --kind gemeente
  brug admin org add "Bakkerij De Zon" --kind werkgever --kvk 12345678`,
	},
	"brug admin org contact": {
		Short: "Voeg zakelijke contactpersonen van een organisatie toe of verwijder ze",
	},
	"brug admin org contact add": {
		Use:   "add ORG NAAM [--role ROL] [--phone TELEFOON] [--email E-MAIL]",
		Short: "Voeg een zakelijke contactpersoon van een organisatie toe (of vervang die)",
		Long: `Voeg een zakelijke contactpersoon van een organisatie toe: de persoon die je
belt over plaatsingen. Nooit een cliënt: het register gaat naar elk apparaat
van de regio. Een contactpersoon met dezelfde naam wordt vervangen.`,
		Example: `  brug admin org contact add "Bakkerij De Zon" "Ria Jansen" --role "bedrijfsleider" --phone "024 123 45 67" --email ria@dezon.nl`,
	},
	"brug admin org contact remove": {
		Use:     "remove ORG NAAM",
		Short:   "Verwijder een zakelijke contactpersoon van een organisatie",
		Example: `  brug admin org contact remove "Bakkerij De Zon" "Ria Jansen"`,
	},
	"brug admin org import": {
		Use:   "import BESTAND [--yes]",
		Short: "Voeg veel werkgevers (of andere organisaties) in één keer toe uit een CSV-bestand",
		Long: `Voeg de organisaties uit een CSV-bestand (BESTAND, of - voor standaardinvoer)
toe aan het register van de regio, in één keer: elke regel wordt
toegevoegd, of niets.

Het bestand is CSV (UTF-8; ',' of ';' zoals Excel schrijft; een BOM mag)
met een kopregel met de namen van de kolommen: naam (verplicht), soort,
kvk, contactpersoon, functie, telefoon, e-mail. Een regel zonder soort is
een werkgever; soort neemt de soorten van brug admin org add, in het
Nederlands of Engels. kvk is 8 cijfers. contactpersoon, functie, telefoon
en e-mail zijn één zakelijke contactpersoon.

  naam;soort;kvk;contactpersoon;functie;telefoon;e-mail
  Bakkerij De Zon;werkgever;12345678;Ria Jansen;bedrijfsleider;024 123 45 67;ria@dezon.nl
  Kringloop Oost;;;;;;

Zonder --yes schrijft brug niets: je ziet wat er toegevoegd zou worden.
Elke fout wordt gemeld met regel en kolom (een fout KvK-nummer, een
onbekende soort, een naam of KvK-nummer dat het register al heeft, of een
eerdere regel: namen tellen als gelijk als ze alleen in hoofdletters of
accenten verschillen); bij een fout wordt niets toegevoegd (code 2).

Via SSH geef je het bestand op standaardinvoer: ssh HOST admin org import - --yes < werkgevers.csv`,
		Example: `  brug admin org import werkgevers.csv
  brug admin org import werkgevers.csv --yes`,
	},
	"brug admin org list": {
		Use:     "list [--kind SOORT]",
		Short:   "Toon de organisaties in het register met hun teams",
		Example: "  brug admin org list\n  brug admin org list --kind werkgever",
	},
	"brug admin org remove": {
		Use:   "remove NAAM",
		Short: "Verwijder een organisatie waar geen team bij hoort",
		Long: `Verwijder een organisatie uit het register. Een team dat erbij hoort, moet
eerst een andere organisatie krijgen (brug admin team org). Stappen op de
route die haar als werkgever noemden, houden de naam.`,
		Example: `  brug admin org remove "Bakkerij De Zon"`,
	},
	"brug admin org rename": {
		Use:     "rename OUD NIEUW",
		Short:   "Geef een organisatie een andere naam; haar teams gaan mee",
		Example: `  brug admin org rename "Bakkerij De Zon" "Bakkerij De Zon BV"`,
	},
	"brug admin org show": {
		Use:     "show NAAM",
		Short:   "Toon een organisatie: soort, KvK-nummer, teams en zakelijke contactpersonen",
		Example: `  brug admin org show "Bakkerij De Zon"`,
	},
	"brug admin retention": {
		Short: "Toon de dossiers van afgesloten trajecten waarvan de bewaartermijn voorbij is, en wis ze",
		Long: `Toon de dossiers waarvan het traject langer geleden is afgesloten (brug
close) dan de bewaartermijn van de regio (datum van afsluiten + termijn ligt
vóór vandaag): naam, team, datum en reden van afsluiten, de termijn die
geldt en de dag dat die eindigde. Het beleid is dat wat brug serve
--retention in het bestand van de server zette (15y als er nooit een was);
een dossier met een uitkerings- of indicatiecode die het beleid noemt, wordt
bewaard voor de langste van die termijnen.

Standaard is dit een proefdraai: er wordt niets gewist. Op een terminal
vraagt brug je yes te typen om de getoonde dossiers te wissen; zonder
terminal (een script, een SSH-commando) wist --yes ze. Elk dossier wordt
gewist zoals met brug admin erase (apparaten wissen het bij hun volgende
sync en bevestigen dat; zie brug admin erasures), met een auditrecord dat de
datum van afsluiten en de termijn noemt, en één record voor de hele ronde.
Een dossier dat intussen weer geopend is, blijft staan.`,
		Example: `  brug admin retention
  brug admin retention --yes`,
	},
	"brug admin team": {
		Short: "Voeg teams toe, toon, hernoem en verwijder ze, en beheer wie erin zit",
	},
	"brug admin team add": {
		Use:     "add NAAM [--org ORG]",
		Short:   "Voeg een team van een organisatie toe (dossiers noemen het in hun veld team)",
		Example: `  brug admin team add "Team Noord" --org "Zorggroep Noord"`,
	},
	"brug admin team list": {
		Short:   "Toon de teams met wie erin zit",
		Example: "  brug admin team list",
	},
	"brug admin team member": {
		Short: "Zet gebruikers in teams of haal ze eruit",
	},
	"brug admin team member add": {
		Use:     "add TEAM GEBRUIKER",
		Short:   "Zet een gebruiker in een team: de apparaten krijgen de dossiers van het team bij de volgende sync",
		Example: `  brug admin team member add "Team Noord" anna`,
	},
	"brug admin team member remove": {
		Use:     "remove TEAM GEBRUIKER",
		Short:   "Haal een gebruiker uit een team: de apparaten halen de dossiers van het team weg bij de volgende sync",
		Example: `  brug admin team member remove "Team Noord" anna`,
	},
	"brug admin team org": {
		Short: "Zet de organisatie waar een team bij hoort",
		Long: `Zet de organisatie uit het register waar een team bij hoort; de leden zien
haar in de app. Een lege ORG ("") zet het team in de standaardorganisatie
van de regio, waar elk team zonder organisatie bij hoort. Een dossier gaat
alleen naar een team van een andere organisatie (ook de standaard) als de
toestemming van de persoon is vastgelegd voor de organisatie waar het
heengaat (voor de standaardorganisatie: een deling die geen organisatie
noemt).`,
		Example: `  brug admin team org "Team Noord" "Zorggroep Noord"`,
	},
	"brug admin team remove": {
		Use:     "remove NAAM",
		Short:   "Verwijder een team zonder leden en zonder dossiers",
		Example: `  brug admin team remove "Team Oud"`,
	},
	"brug admin team rename": {
		Use:   "rename OUD NIEUW",
		Short: "Geef een team een andere naam; de dossiers en leden gaan mee",
		Long: `Geef een team een andere naam. De leden gaan mee naar de nieuwe naam, en elk
dossier van het team krijgt de nieuwe teamnaam: een wijziging van de server
(auteur "server"), vastgelegd in de auditlog en naar de apparaten van het
team gestuurd bij hun volgende sync. Geen apparaat raakt onderweg een
dossier kwijt. Wordt het hernoemen afgebroken, draai het dan opnieuw om het
af te maken.`,
		Example: `  brug admin team rename "Team Noord" "Team Noord-West"`,
	},
	"brug admin user": {
		Short: "Voeg gebruikers toe, importeer, toon, blokkeer, deblokkeer, verwijder en hernoem ze, en verander hun rol",
	},
	"brug admin user add": {
		Use:   "add NAAM --role ROL [--team TEAM]...",
		Short: "Voeg een gebruiker toe",
		Long: `Voeg een gebruiker toe met een rol (coach, wijkteam, coordinator of admin)
en, met --team (herhaalbaar), lidmaatschap van bestaande teams. Onder de
naam worden de wijzigingen van de gebruiker vastgelegd: letters, cijfers,
'.', '_', '-' of '@'.`,
		Example: `  brug admin user add anna --role coach --team "Team Noord"
  brug admin user add cor --role coordinator --team "Team Noord" --team "Wijkteam Oost"`,
	},
	"brug admin user disable": {
		Use:     "disable NAAM",
		Short:   "Blokkeer een gebruiker: de apparaten worden vanaf de volgende sync geweigerd",
		Example: "  brug admin user disable anna",
	},
	"brug admin user enable": {
		Use:     "enable NAAM",
		Short:   "Deblokkeer een gebruiker: de apparaten die niet zijn ingetrokken, synchroniseren weer",
		Example: "  brug admin user enable anna",
	},
	"brug admin user import": {
		Use:   "import BESTAND [--dry-run] [--create-teams] [--update] [--invite [--invite-format lines|csv]]",
		Short: "Voeg veel gebruikers, teams en lidmaatschappen in één keer toe uit een CSV-bestand",
		Long: `Voeg de gebruikers uit een CSV-bestand (BESTAND, of - voor standaardinvoer)
toe met hun rollen en teams, in één keer: elke regel wordt geïmporteerd, of
niets.

Het bestand is CSV in UTF-8 (RFC 4180; een BOM mag, lege regels worden
overgeslagen) met een kopregel met de kolommen name, role en teams. Teams
staan gescheiden door ';' in hun veld:

  name,role,teams
  anna,coach,Team Noord
  cor,coordinator,"Team Noord;Team Zuid"

Eerst wordt elke regel gecontroleerd, en elke fout wordt gemeld met het
nummer van de regel (een foute naam, een onbekende rol of een onbekend team,
een naam die op twee regels staat, een gebruiker die al bestaat); bij een
fout wordt niets geïmporteerd (code 2). --dry-run controleert alleen en
toont wat er zou gebeuren.

Een team dat niet bestaat, wordt geweigerd, behalve als --create-teams het
maakt. Een gebruiker die al bestaat, wordt geweigerd, behalve met --update:
dan worden rol en teams precies die van de regel (een geblokkeerde
gebruiker blijft geblokkeerd).

--invite maakt een eenmalige code voor elke geïmporteerde gebruiker, 24 uur
geldig, en drukt ze af: één regel per gebruiker met het hele
login-commando (als brug serve is gestart met --public-url), of met
--invite-format csv een CSV-bestand met de kolommen name, code, expires en
login.

Via SSH geef je het bestand op standaardinvoer: ssh HOST admin user import - < users.csv`,
		Example: `  brug admin user import users.csv --dry-run
  brug admin user import users.csv --create-teams --invite
  brug admin user import users.csv --invite --invite-format csv > codes.csv
  ssh -p 2222 brug.example.nl admin user import - --invite < users.csv`,
	},
	"brug admin user list": {
		Short:   "Toon de gebruikers met hun rollen en teams",
		Example: "  brug admin user list",
	},
	"brug admin user remove": {
		Use:   "remove NAAM",
		Short: "Verwijder een gebruiker: apparaten ingetrokken, SSH-sleutels en lidmaatschappen weg",
		Long: `Verwijder een gebruiker. De apparaten worden ingetrokken (en horen dat bij
hun volgende sync), de SSH-sleutels, lidmaatschappen van teams en ongebruikte
codes worden verwijderd. Wat de gebruiker schreef, blijft in de dossiers,
onder die naam, en de auditlog houdt de acties. De laatste actieve admin kun
je niet verwijderen. Wil je iemand een tijd stoppen, gebruik dan brug admin
user disable.`,
		Example: "  brug admin user remove anna",
	},
	"brug admin user rename": {
		Use:   "rename OUD NIEUW",
		Short: "Geef een gebruiker een andere naam (nadat je de apparaten hebt ingetrokken)",
		Long: `Geef een gebruiker een andere naam; rol, teams, SSH-sleutels en ongebruikte
codes gaan mee naar de nieuwe naam. Wijzigingen staan onder de naam van hun
auteur, en een apparaat mag alleen wijzigingen sturen onder de naam van zijn
gebruiker. Een laptop die onder de oude naam is aangemeld, kan daaronder nog
niet verstuurde wijzigingen hebben. Daarom wordt het hernoemen geweigerd
zolang de gebruiker een apparaat heeft dat niet is ingetrokken: laat de
apparaten synchroniseren, trek ze in (brug admin device revoke), hernoem, en
nodig de gebruiker opnieuw uit. Eerdere wijzigingen blijven onder de oude
naam.`,
		Example: "  brug admin user rename anna anna.devries",
	},
	"brug admin user role": {
		Use:   "role NAAM ROL",
		Short: "Verander de rol van een gebruiker (coach, wijkteam, coordinator of admin)",
		Long: `Verander de rol van een gebruiker; de apparaten synchroniseren ermee vanaf
hun volgende verzoek. De laatste actieve admin houdt de rol admin.`,
		Example: "  brug admin user role cor coordinator",
	},
}

// adminFlagHelpNL is the Dutch usage of brug admin's flags.
var adminFlagHelpNL = map[string]string{
	"brug admin --key-store":  keyStoreNL,
	"brug admin --master-key": masterKeyNL,
	"brug admin --store":      storeNL,

	"brug admin audit --action": "alleen records van deze actie, of met dit woord erin (\"refused\")",
	"brug admin audit --client": "alleen records van dit dossier (id of een naam die maar bij één past)",
	"brug admin audit --format": "table, csv (RFC 4180), json (één object per regel); met --client ook md of html (de pagina voor de persoon)",
	"brug admin audit --since":  "alleen records vanaf deze datum (JJJJ-MM-DD) of tijd in RFC 3339",
	"brug admin audit --until":  "alleen records tot en met deze datum (JJJJ-MM-DD, de hele dag) of vóór deze tijd in RFC 3339",
	"brug admin audit --user":   "alleen records van deze gebruiker",

	"brug admin device list --user":   "alleen de apparaten van deze gebruiker",
	"brug admin device revoke --wipe": "geef het apparaat ook de opdracht zijn sleutels en gegevens te vernietigen als het de server weer bereikt",

	"brug admin erase --yes": "bevestig het wissen",

	"brug admin erasures --client":  "alleen dit gewiste dossier (het id)",
	"brug admin erasures --format":  "table, csv (RFC 4180) of json (één object per regel)",
	"brug admin erasures --pending": "alleen wissingen die een apparaat nog niet bevestigde",

	"brug admin export --format": "md (een leesbaar document) of json (alle gegevens)",
	"brug admin export --out":    "schrijf naar dit bestand in plaats van naar standaarduitvoer (niet via SSH)",

	"brug admin key list --user": "alleen de sleutels van deze gebruiker",

	"brug admin migrate --batch":           "ongeveer hoeveel records één transactie van de kopie schrijft",
	"brug admin migrate --from":            "het bbolt-bestand van de regio (de --db van brug serve)",
	"brug admin migrate --from-key-store":  "de sleutelopslag van BESTAND (standaard BESTAND.keys)",
	"brug admin migrate --from-master-key": "de hoofdsleutel van BESTAND (standaard BESTAND.master-key)",
	"brug admin migrate --to":              "de PostgreSQL-database om naar te kopiëren, postgres://GEBRUIKER@HOST/DATABASE",

	"brug admin org add --kind":          "care, municipality, sdc, uwv, employer, school of other (of het Nederlandse woord)",
	"brug admin org add --kvk":           "het KvK-nummer (Kamer van Koophandel), 8 cijfers",
	"brug admin org contact add --email": "een zakelijk e-mailadres",
	"brug admin org contact add --phone": "een zakelijk telefoonnummer",
	"brug admin org contact add --role":  "de functie van de contactpersoon (bedrijfsleider, jobcoach, ...)",
	"brug admin org import --yes":        "voeg de organisaties toe (zonder deze optie zie je alleen wat er zou gebeuren)",
	"brug admin org list --kind":         "alleen organisaties van deze soort",

	"brug admin retention --yes": "wis de getoonde dossiers zonder te vragen",

	"brug admin team add --org": "de organisatie uit het register waar het team bij hoort (brug admin org add); zonder deze optie de standaardorganisatie van de regio",

	"brug admin user add --role":             "coach, wijkteam, coordinator of admin",
	"brug admin user add --team":             "een team waar de gebruiker lid van is (herhaalbaar)",
	"brug admin user import --create-teams":  "maak teams die nog niet bestaan (anders zijn ze een fout)",
	"brug admin user import --dry-run":       "controleer het bestand en toon wat er zou gebeuren; schrijf niets",
	"brug admin user import --invite":        "maak een eenmalige code voor elke geïmporteerde gebruiker en druk ze af",
	"brug admin user import --invite-format": "lines (één login-commando per gebruiker) of csv (name,code,expires,login)",
	"brug admin user import --update":        "zet rol en teams van bestaande gebruikers op die uit het bestand (anders zijn ze een fout)",
}
