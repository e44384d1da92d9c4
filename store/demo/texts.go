package demo

// The demo region's word lists. Every person and organisation here is
// made up: first names are ordinary Dutch first names, surnames are
// invented (plant, bird and landscape words put together) so that a
// generated name is unlikely to be a real person's. Phone numbers use the
// unallocated 06-0 range and e-mail addresses the reserved .example domain.

var firstNames = []string{
	"Anouk", "Bram", "Chantal", "Daan", "Esra", "Fleur", "Gijs", "Hanna",
	"Ilse", "Jesse", "Kevin", "Lotte", "Mohamed", "Noor", "Olaf", "Priya",
	"Quinten", "Romy", "Sem", "Tamara", "Umut", "Vera", "Wessel", "Yara",
	"Zoë", "Bilal", "Demi", "Emre", "Femke", "Gerrit", "Hatice", "Joris",
	"Kim", "Lars", "Mila", "Nadia", "Pieter", "Roos", "Stijn", "Tess",
}

var lastNames = []string{
	"Hazelhoef", "van Lindenveld", "Wilgenhof", "Berkenkamp", "de Zwaluwhorst",
	"Reigerink", "van Esschenbos", "Meidoornstra", "Kastanjer", "van der Elzenwaard",
	"Duinhoven", "Veldkamper", "de Beukelaer-Mos", "Rietvelder", "van Heidehorst",
	"Klaverveld", "Lijsterman", "de Vlierboom", "Hulstink", "van Populierendal",
	"Spreeuwenberg", "Brembosch", "van Eikenrode", "Wikkeling", "de Mereldonk",
	"Varenkamp", "Ooievaarts", "van Slotenhage", "Hooibrink", "Walnotenbosch",
}

// teamNames are the demo region's teams.
var teamNames = []string{
	"Team Noord", "Wijkteam Oost", "Beschut Werk Unit", "Team Centrum", "Wijkteam Zuid-West",
}

var careProviders = []string{
	"Stichting De Wilgenhoeve", "Zorggroep Het Baken", "Dagcentrum De Werkplaats",
	"Atelier Kleurrijk", "Zorgboerderij De Klaverhoeve",
}

var employers = []string{
	"Tuincentrum De Linde", "Fietsenmakerij Spaak", "Hotel De Brug", "Kringloopwinkel Tweede Ronde",
	"Groenvoorziening Rivierland", "Buurtsupermarkt Om de Hoek", "Drukkerij Letterwerk",
	"Lunchroom Het Zonnetje", "Autowasserette Glans", "Zorgcentrum De Hoven (facilitair)",
}

const (
	municipality = "Gemeente Rivierstad"
	wsp          = "Werkgeversservicepunt Rivierland"
	sob          = "Sociaal ontwikkelbedrijf Rivierwerk"
	uwv          = "UWV"
)

// dayPlaces are where the day activities happen (journal "place").
var dayPlaces = []string{
	"dagbestedingslocatie", "bij de deelnemer thuis", "werkplek", "gemeentehuis",
	"telefonisch", "beeldbellen", "kantoor zorgaanbieder",
}

// answers are plausible answers per step and question id of the default
// method. Questions of another method get a generic answer.
var answers = map[int]map[string][]string{
	1: {
		"q1": {
			"Maandag, woensdag en vrijdag naar de dagbesteding in de houtwerkplaats. Dinsdag boodschappen met mijn moeder. Het liefst ben ik buiten bezig.",
			"Drie ochtenden in de kantine van de dagbesteding, broodjes smeren en afwassen. 's Middags vaak gamen. Vindt koken het leukst.",
			"Vier dagdelen bij de zorgboerderij: dieren voeren, stal uitmesten. Zegt zelf: 'daar voel ik me nuttig'.",
		},
		"q2": {
			"Zelf: nauwkeurig en altijd op tijd. Begeleider: werkt rustig door, helpt nieuwe deelnemers op weg.",
			"Goed met mensen, vrolijk, kan goed uitleggen. Moeder zegt: 'hij is heel trouw'.",
			"Sterk in vaste routines en netjes werken. Heeft oog voor detail bij het sorteren in de kringloop.",
		},
		"q3": {
			"Wil graag in een tuincentrum of bij de gemeente in het groen werken. Liefst met vaste collega's.",
			"Droomt van werk in de horeca, in de keuken. 'Gewoon een echte baan, met een loonstrook.'",
			"Weet het nog niet precies; in elk geval iets met de handen, niet achter een computer.",
		},
		"q4": {
			"Vaste tijden, een duidelijke opdracht en een rustige plek om te pauzeren. Drukte en harde geluiden maken moe.",
			"Een vast aanspreekpunt en weten wat er die dag gaat gebeuren. Veranderingen op het laatste moment geven onrust.",
			"Niet te lange dagen; na vier uur werken is de energie op. Wel graag elke dag even naar buiten.",
		},
		"q5": {
			"Stage bij een bakkerij tijdens het praktijkonderwijs; ging goed tot de begeleider wegging. Daarna uitgevallen.",
			"Twee jaar vrijwilliger bij de voedselbank. Inpakken ging goed, de kassa vond ze lastig.",
			"Nooit betaald gewerkt. Wel stage bij een manege, dat vond hij geweldig.",
		},
		"q6": {
			"Bang om de Wajong kwijt te raken en dan niets te hebben als het misgaat.",
			"Vraagt zich af of ze dan nog naar de dagbesteding mag als werken te zwaar blijkt.",
			"Zorgen over geld: er is een bewindvoerder, en die moet alles eerst goedkeuren.",
		},
		"q7": {
			"Moeder en een oudere zus. Zus wil graag bij de gesprekken zijn.",
			"De mentor van de woonvorm en de begeleider van de dagbesteding.",
			"Opa, en de trainer van de voetbalclub waar hij helpt.",
		},
	},
	2: {
		"q1": {
			"Begeleider dagbesteding en moeder erbij. Liever niet de oude klantmanager, daar ging het eerder mis.",
			"De jobcoach en de zus. Iedereen die helpt is welkom.",
		},
		"q2": {
			"Zorgaanbieder: dat de deelnemer niet overvraagd raakt en terugvalt. Gemeente: dat het inkomen rechtmatig blijft.",
			"Klantmanager wil weten hoeveel uur haalbaar is; de begeleider wil eerst een rustige proefperiode.",
		},
		"q3": {
			"Zorgaanbieder levert begeleiding op de werkplek de eerste drie maanden; gemeente regelt jobcoaching daarna.",
			"WSP zoekt werkgevers in de regio; de zorgaanbieder kan niet meer dan twee dagdelen extra begeleiden.",
		},
		"q4": {
			"Consulent Beschut Werk beslist over de aanvraag; UWV geeft advies, duurt ongeveer acht weken.",
			"Klantmanager beslist over de uitkering tijdens een proefplaatsing, meestal binnen twee weken.",
		},
		"q5": {
			"'Arbeidsmatig' betekent voor de zorgaanbieder iets anders dan voor de gemeente. Afgesproken: we zeggen 'werkplek met begeleiding'.",
			"Uitstroom: de gemeente bedoelt betaald werk, de zorgaanbieder ook vrijwilligerswerk. Vastgelegd wat we tellen.",
		},
		"q6": {
			"Elke zes weken kort overleg; de jobcoach stuurt een verslag rond. Bij vastlopen belt de regisseur binnen een week.",
			"Appgroep met alle partners (zonder privacygevoelige details), plus maandelijks overleg.",
		},
		"q7": {
			"Bij de begeleider van de dagbesteding, en op het werk bij de jobcoach.",
			"Bij de klantmanager voor geldvragen, bij de jobcoach voor de rest.",
		},
	},
	3: {
		"q1": {
			"Drie dagen per week in de groenvoorziening, met een eigen loonstrook. En nog één dag naar de dagbesteding, voor de vrienden daar.",
			"Een vaste plek in de keuken van een lunchroom, twintig uur per week.",
		},
		"q2": {
			"Eerst een werkervaringsplaats met behoud van uitkering, daarna kijken naar een baan via de banenafspraak.",
			"Beschut werk past nu het best: veel begeleiding nodig, maar wel echt werk.",
			"Eerst vrijwilligerswerk bij de kringloop, om te wennen aan werkritme.",
		},
		"q3": {
			"Samen met de jobcoach een dag meelopen bij het tuincentrum.",
			"Het cv bijwerken en een kennismakingsgesprek bij het WSP.",
		},
		"q4": {
			"Zekerheid dat de uitkering meteen weer ingaat als het werk stopt.",
			"Dat de begeleider van de dagbesteding bereikbaar blijft en de plek op de dagbesteding niet vervalt.",
		},
		"q5": {
			"Terug naar twee dagen dagbesteding op de oude groep; bellen met de jobcoach.",
			"Terugvallen op de werkervaringsplaats, niet helemaal terug naar de dagbesteding.",
		},
		"q6": {
			"Kansen: gemotiveerd, sterk in routinewerk. Risico: reisafstand en overprikkeling bij drukte.",
			"Kansen: goed netwerk, werkgever bekend. Risico: schulden, bewindvoering moet meedoen.",
		},
	},
	4: {
		"q1": {
			"Dat de huur altijd betaald kan worden. Niet elke maand een ander bedrag.",
			"Dat er aan het eind van de maand nog geld is voor de sportschool.",
		},
		"q2": {
			"Proefberekening gemaakt met de klantmanager: ongeveer 80 euro per maand meer, toeslagen gaan iets omlaag.",
			"Nog niet; afspraak gemaakt met de bewindvoerder om het samen uit te rekenen.",
		},
		"q3": {
			"Met de fiets, twintig minuten. Bij slecht weer de regiotaxi; is geoefend met de jobcoach.",
			"Met de bus, één overstap. Reisplanner-app samen ingesteld.",
		},
		"q4": {
			"De jobcoach van Rivierwerk; de begeleider van de dagbesteding blijft op de achtergrond.",
			"Dezelfde begeleider als nu, dat geeft rust.",
		},
		"q5": {
			"Advies beschut werk bij UWV, aangevraagd door de gemeente; duurt zo'n acht weken.",
			"Opname doelgroepenregister gecontroleerd: staat erin. Loonwaardemeting nog nodig.",
		},
		"q6": {
			"Wmo-beschikking wordt aangepast naar twee dagdelen; plek blijft gegarandeerd tot het eind van het jaar.",
			"Wlz-indicatie blijft staan; zorgkantoor geïnformeerd over minder dagdelen.",
		},
	},
	5: {
		"q1": {
			"Eerste week ging goed. Moe na de derde dag, maar trots. De lunchpauze in de kantine was lastig.",
			"Viel tegen: veel nieuwe gezichten. Wel blij met de vaste taak bij de kassa-afvoer.",
		},
		"q2": {
			"Bij Jan, de voorman. Die legt het rustig uit.",
			"Bij de werkbegeleider en bij de jobcoach via de app.",
		},
		"q3": {
			"Fijn, de dagbesteding is een rustpunt. Maandag en vrijdag dagbesteding, de rest werk.",
			"Soms verwarrend welke dag waar. Weekplanner op de koelkast helpt.",
		},
		"q4": {
			"Het begin van de dienst, als het druk is met leveringen. Afgesproken: eerst een half uur vaste taak.",
			"Telefoon opnemen kost veel energie; die taak is weggehaald.",
		},
		"q5": {
			"Even samen kijken naar het rooster voor volgende maand.",
			"Meegaan naar het gesprek met de leidinggevende over meer uren.",
		},
		"q6": {
			"Werkgever: betrouwbaar en precies. Hulp bij uitleg van nieuwe taken graag via de jobcoach.",
			"Werkgever tevreden; wil weten hoe de loonkostensubsidie verder loopt.",
		},
	},
	6: {
		"q1": {
			"Goed. Werkt nu 24 uur en gaat nog één dag naar de dagbesteding. Slaapt beter.",
			"Wisselend. Werk gaat goed, thuis is er onrust; begeleiding thuis opgeschaald.",
		},
		"q2": {
			"Dat ze een echte loonstrook heeft en haar eigen telefoonabonnement betaalt.",
			"Dat hij nooit ziek is geweest en collega's hem om hulp vragen.",
		},
		"q3": {
			"Past nog. Over een half jaar kijken of een contract via de banenafspraak kan.",
			"Even een stapje terug in uren, daarna opnieuw kijken. Dat is afgesproken en geen probleem.",
		},
		"q4": {
			"De vaste werkbegeleider en de vrije woensdag.",
			"Het contact met de jobcoach, eens per maand.",
		},
		"q5": {
			"De jobcoach, nog een jaar lang eens per kwartaal. Daarna de werkgever met het WSP.",
			"De begeleider van de woonvorm; die kent de signalen.",
		},
		"q6": {
			"Eerder de financiële gevolgen uitrekenen; dat had veel onrust gescheeld.",
			"Vanaf het begin de werkgever aan tafel, niet pas in stap 5.",
		},
	},
}

// genericAnswers serve questions the demo has no specific answer for.
var genericAnswers = []string{
	"Besproken in het gesprek; deelnemer was open en wil verder.",
	"Nog niet helemaal duidelijk; volgende keer samen met de begeleider op terugkomen.",
	"Deelnemer gaf een helder antwoord; zie ook het verslag van dit gesprek.",
}

// conflictAnswers are what a colleague wrote offline on another laptop in
// the same answer, so that the demo shows a text conflict.
var conflictAnswers = []string{
	"Aanvulling van collega tijdens huisbezoek: deelnemer gaf aan het liefst met dieren te werken.",
	"Volgens de begeleider van de dagbesteding is vier dagdelen nu het maximum; dat wijkt af van wat hier staat.",
	"Na overleg met moeder: eerst rustig beginnen met twee ochtenden.",
}

// stepNotes are coach notes on a step.
var stepNotes = []string{
	"Gesprek verliep goed; deelnemer was goed voorbereid.",
	"Tempo laag houden; deelnemer heeft tijd nodig om te wennen aan nieuwe mensen.",
	"Moeder was aanwezig en dacht actief mee.",
	"Afgestemd met de begeleider van de dagbesteding; die herkent het beeld.",
	"Let op: bewindvoerder moet bij alle financiële afspraken betrokken worden.",
}

// sendBackComments are a coordinator's comments when sending a step back.
var sendBackComments = []string{
	"Toestemming voor gegevensdeling ontbreekt nog. Graag eerst vastleggen.",
	"Weg terug is niet beschreven. Graag aanvullen voordat we afronden.",
	"Financiële gevolgen nog niet met de bewindvoerder besproken.",
}

// agreementPools are agreements made in each step: what, and who owns it.
var agreementPools = map[int][]struct{ what, role, org string }{
	1: {
		{"Toestemmingsformulier gegevensdeling laten tekenen", "jobcoach", ""},
		{"Overzicht uitkering en indicaties opvragen bij de gemeente", "klantmanager", municipality},
		{"Cv samen opstellen", "jobcoach", ""},
	},
	2: {
		{"Driegesprek plannen met begeleider dagbesteding en klantmanager", "jobcoach", ""},
		{"Contact leggen met het werkgeversservicepunt", "accountmanager", wsp},
		{"Namen en telefoonnummers van alle partners rondsturen", "regisseur", ""},
	},
	3: {
		{"Route en terugvaloptie op papier zetten en laten ondertekenen", "jobcoach", ""},
		{"Meeloopdag regelen bij een werkgever", "accountmanager", wsp},
		{"Akkoord van de deelnemer op de route vastleggen", "jobcoach", ""},
	},
	4: {
		{"Proefberekening inkomen laten maken", "klantmanager", municipality},
		{"Advies beschut werk aanvragen bij UWV", "consulent Beschut Werk", municipality},
		{"Vervoer naar de werkplek regelen en samen oefenen", "begeleider", ""},
		{"Loonwaardemeting inplannen", "arbeidsdeskundige", uwv},
		{"Wmo-beschikking aanpassen aan minder dagdelen", "Wmo-consulent", municipality},
	},
	5: {
		{"Eerste werkplekbezoek jobcoach", "jobcoach", ""},
		{"Aanpassingen op de werkplek vastleggen met de leidinggevende", "werkgever", ""},
		{"Proefplaatsing evalueren na vier weken", "jobcoach", ""},
	},
	6: {
		{"Evaluatiegesprek na drie maanden met alle partners", "regisseur", ""},
		{"Vangnet opnieuw bespreken met de begeleider van de dagbesteding", "begeleider", ""},
		{"Uitkomst traject vastleggen voor de coördinator", "jobcoach", ""},
	},
}

// journalTexts are visit, call and meeting notes, by kind.
var journalTexts = map[string][]string{
	"bezoek": {
		"Werkplekbezoek. Deelnemer stond zelfstandig aan de inpaklijn. Leidinggevende tevreden over tempo en nauwkeurigheid.",
		"Bezoek op de dagbesteding. Samen de week doorgenomen; deelnemer vertelde enthousiast over de meeloopdag.",
		"Huisbezoek met moeder erbij. Zorgen over geld besproken; afspraak gemaakt met de klantmanager.",
		"Bezoek aan de werkplek: kleine aanpassing afgesproken, vaste pauzeplek in de kantine.",
	},
	"gesprek": {
		"Voortgangsgesprek. Deelnemer geeft aan meer uren aan te kunnen; volgende maand opnieuw bekijken.",
		"Gesprek over de route. Deelnemer twijfelt tussen beschut werk en een baan via de banenafspraak.",
		"Kennismaking met de nieuwe begeleider van de woonvorm.",
	},
	"telefoon": {
		"Gebeld met de klantmanager over de proefberekening. Wordt volgende week gemaild.",
		"Deelnemer belde: ziek, vandaag niet naar het werk. Werkgever zelf ingelicht. Goed zo.",
		"Terugbelverzoek van UWV over het advies beschut werk; arbeidsdeskundige komt langs.",
	},
	"overleg": {
		"Overleg met zorgaanbieder en gemeente. Financiering tijdens de overgang rond: Wmo loopt door voor twee dagdelen.",
		"Casusoverleg in het team. Advies: niet te snel opschalen in uren.",
		"Overleg met het werkgeversservicepunt over passende werkgevers in de buurt.",
	},
}

// moveReasons explain moves on the route.
var forwardReasons = []string{
	"Deelnemer wil meer uren werken; proefplaatsing ging goed.",
	"Stap gezet zoals afgesproken in de route.",
	"Werkgever biedt een plek aan na de meeloopdag.",
}

var backReasons = []string{
	"Te zwaar na de verhuizing; even terug naar de dagbesteding, zoals afgesproken in de route.",
	"Werkgever ging failliet. Tijdelijk terug naar de dagbesteding tot er een nieuwe plek is.",
	"Overprikkeld door de drukte in de zomer; stapje terug, over zes weken opnieuw bekijken.",
}

var indicationNotes = map[string][]string{
	"wmo":                 {"Wmo-beschikking dagbesteding, vier dagdelen per week.", "Wmo-beschikking arbeidsmatige dagbesteding."},
	"wlz":                 {"Wlz-indicatie, dagbesteding via het zorgkantoor."},
	"uwv-beschut":         {"Positief advies beschut werk van UWV.", "Advies beschut werk aangevraagd; wacht op arbeidsdeskundige."},
	"doelgroepenregister": {"Opgenomen in het doelgroepenregister.", "Aanvraag doelgroepenregister loopt."},
	"wajong":              {"Wajong 2015, arbeidsvermogen vastgesteld."},
	"herbeoordeling":      {"Herbeoordeling aangevraagd voor de overstap van beschut werk naar een baan via de banenafspraak."},
}

var zelfredzaamheidLevels = []string{"niveau 2 (beperkt zelfredzaam)", "niveau 3 (voldoende zelfredzaam)", "niveau 4 (zelfredzaam)"}
