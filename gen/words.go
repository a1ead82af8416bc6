package gen

// Word lists the corpus is drawn from. They are invented or common words,
// not prose: quotes, claims and titles are put together from templates and
// these lists, so the text looks like news without being anyone's writing.

var firstNames = []string{
	"Ada", "Adrián", "Aisha", "Akira", "Alba", "Aleksandr", "Amara", "Ana", "Anders", "Aroha",
	"Astrid", "Bea", "Benedikt", "Bilal", "Bruno", "Camille", "Carlos", "Chiara", "Chloé", "Dalia",
	"Dario", "Dmitri", "Elena", "Eli", "Emeka", "Emil", "Esther", "Fatima", "Felix", "Fiona",
	"François", "Greta", "Hana", "Hamid", "Helga", "Ines", "Ingrid", "Ivan", "Jae", "Jamal",
	"Jana", "Javier", "Jonas", "José", "Julia", "Kai", "Kamala", "Karin", "Kenji", "Lars",
	"Leila", "Lena", "Luca", "Lucía", "Maeve", "Malik", "Marta", "Mateo", "Mei", "Miguel",
	"Mina", "Moritz", "Nadia", "Niamh", "Nikos", "Noor", "Olga", "Omar", "Oskar", "Paula",
	"Pedro", "Priya", "Rafael", "Rania", "Rosa", "Ruth", "Saanvi", "Sami", "Sofia", "Søren",
	"Tariq", "Tess", "Thabo", "Tomás", "Ulla", "Vera", "Viktor", "Wen", "Yara", "Yusuf", "Zoë",
}

var surnames = []string{
	"Abara", "Achterberg", "Alvarez", "Amsel", "Andersen", "Baptiste", "Barros", "Becker", "Bell", "Brandt",
	"Castillo", "Chen", "Costa", "Dahl", "Delacroix", "Diallo", "Doyle", "Dubois", "Eriksen", "Farouk",
	"Ferreira", "Fischer", "Fontaine", "Garcia", "Gomez", "Gruber", "Haddad", "Hansen", "Hartmann", "Horvat",
	"Ibarra", "Ionescu", "Jansen", "Jovanović", "Kaplan", "Kariuki", "Keller", "Kim", "Kowalski", "Kuznetsov",
	"Larsen", "Laurent", "Lindqvist", "Lopez", "Lund", "Maier", "Mancini", "Marsh", "Mbeki", "Mendes",
	"Moreau", "Müller", "Nakamura", "Navarro", "Nguyen", "Nielsen", "Novak", "Nowak", "Obi", "O'Brien",
	"Okafor", "Olsen", "Ortega", "Park", "Pereira", "Petrov", "Popescu", "Quinn", "Rahman", "Reyes",
	"Richter", "Rossi", "Ruiz", "Saito", "Santos", "Schmidt", "Schulz", "Silva", "Sokolov", "Sørensen",
	"Suzuki", "Tanaka", "Torres", "Tran", "Uddin", "Varga", "Vasquez", "Vogel", "Wagner", "Walsh",
	"Weber", "Wolff", "Yilmaz", "Young", "Zając", "Zimmermann", "Zhou", "Żukowski",
}

// places are invented or common place names; some carry accents so that
// folding is exercised.
var places = []string{
	"Northport", "Eastvale", "Riverton", "Lakeside", "Harbour City", "Milltown", "Kingsbridge", "Ashford",
	"Bellmont", "Cedar Falls", "Dunmore", "Elmstead", "Fairhaven", "Glenrock", "Highcliff", "Ironbridge",
	"Juniper Bay", "Kestrel Point", "Larchwood", "Marlow", "Newhaven", "Oakridge", "Pinecrest", "Queensford",
	"Redwater", "Stonebury", "Thornfield", "Upton", "Valemont", "Westbrook", "São Brás", "Zürichsee",
	"Malmöhus", "Québecville", "Île Verte", "Český Les", "Bayside", "Coldharbour", "Dovercourt", "Eastmoor",
}

var topics = []string{
	"crime", "housing", "health", "education", "transport", "energy", "climate", "economy", "jobs", "taxes",
	"immigration", "policing", "water", "budget", "trade", "farming", "tourism", "elections", "courts", "prices",
}

// topicNouns are the things each topic's sentences talk about, in topic
// order.
var topicNouns = [][]string{
	{"shootings", "burglaries", "robberies", "homicides", "car thefts", "assaults"},
	{"rents", "evictions", "new homes", "mortgages", "building permits", "homelessness"},
	{"waiting lists", "hospital beds", "vaccinations", "nurses", "clinics", "overdoses"},
	{"class sizes", "teachers", "test scores", "school meals", "tuition", "graduation rates"},
	{"bus routes", "rail fares", "potholes", "traffic deaths", "cycle lanes", "ferry services"},
	{"power bills", "blackouts", "wind farms", "gas imports", "solar panels", "fuel prices"},
	{"emissions", "floods", "heatwaves", "wildfires", "air quality", "sea levels"},
	{"growth", "inflation", "interest rates", "exports", "wages", "small businesses"},
	{"unemployment", "job openings", "layoffs", "apprenticeships", "strikes", "overtime"},
	{"property taxes", "income tax", "tax credits", "sales tax", "tax evasion", "tax refunds"},
	{"asylum claims", "work visas", "border crossings", "deportations", "arrivals", "residency permits"},
	{"patrols", "arrests", "response times", "complaints", "federal agents", "body cameras"},
	{"water bills", "leaks", "reservoirs", "drought", "sewage spills", "water quality"},
	{"spending", "deficits", "cuts", "reserves", "borrowing", "grants"},
	{"tariffs", "imports", "shipping costs", "trade deals", "port traffic", "export licences"},
	{"harvests", "subsidies", "milk prices", "fertiliser costs", "farm incomes", "land sales"},
	{"visitor numbers", "hotel stays", "cruise arrivals", "festival crowds", "short lets", "museum tickets"},
	{"turnout", "postal votes", "recounts", "campaign spending", "polling stations", "voter rolls"},
	{"backlogs", "trials", "appeals", "sentences", "jury delays", "legal aid"},
	{"grocery prices", "rents", "petrol prices", "energy prices", "bus fares", "childcare costs"},
}

var measureUnits = []struct{ measure, unit string }{
	{"year-on-year change", "percent"}, {"count", "people"}, {"total", "usd"}, {"rate per 100,000", "per_100k"},
	{"share", "percent"}, {"average", "usd"}, {"count", "cases"}, {"volume", "tonnes"}, {"median", "days"},
	{"count", "incidents"},
}

var directions = []string{"up", "down", "rising", "falling", "flat", "way down", "sharply up", "slightly up"}

var adjectives = []string{
	"new", "serious", "real", "clear", "simple", "unacceptable", "historic", "dangerous", "strong", "fair",
	"untrained", "federal", "local", "huge", "modest", "steady", "record", "worrying", "welcome", "reckless",
}

var verbs = []string{
	"cut", "raise", "protect", "fund", "review", "stop", "double", "fix", "expand", "freeze",
	"investigate", "support", "reject", "defend", "reform", "publish", "restore", "delay", "block", "rebuild",
}

var fillers = []string{
	"frankly", "to be honest", "as I said", "let me be clear", "in fact", "right now", "this year",
	"for the first time", "once again", "as we speak", "over the past year", "since the election",
}

var timesAgo = []string{
	"last month", "last year", "since January", "in the spring", "over the summer", "since the deployment",
	"this quarter", "in the last decade", "since 2019", "before the pandemic",
}

// quoteTemplates are sentence patterns. Slots: {n} a topic noun, {a} an
// adjective, {v} a verb, {d} a direction, {p} a place, {t} a time, {f} a
// filler, {x} a number, {o} an organisation word.
var quoteTemplates = []string{
	"{n} are {d} {t}",
	"{f}, {n} in {p} are {d}",
	"we will {v} {n} and we will not accept {a} {n}",
	"it was a very good call",
	"we do not see any rise in {n}",
	"the people of {p} feel less safe",
	"nobody asked for {a} {n} in {p}",
	"our plan will {v} {n} by {x} percent",
	"this is a {a} day for {p}",
	"we asked them to work together on {n}",
	"the numbers on {n} speak for themselves",
	"{n} have gone {d} {t}, and that is {a}",
	"I don’t think {n} are the real problem",
	"they sent {x} {a} agents to {p}",
	"we have to {v} {n} before it is too late",
	"the report on {n} is {a} and it’s {a}",
	"{f}, we never promised to {v} {n}",
	"families in {p} are paying more for {n}",
	"it’s time to {v} the way we handle {n}",
	"the council voted to {v} {n} {t}",
	"{n} fell by {x} percent {t}",
	"there is no evidence that {n} are {d}",
	"we are working with {o} to {v} {n}",
	"I call on everyone to stay calm",
	"the data on {n} in {p} is {a}",
}

var claimTemplates = []string{
	"{n} in {p} are {d} {t}",
	"the government will {v} {n}",
	"{a} {n} are driving up costs in {p}",
	"{n} fell by {x} percent in {p}",
	"{o} failed to {v} {n}",
	"the number of {n} doubled {t}",
	"federal agents made {p} less safe",
	"{n} have nothing to do with {n}",
}

var titleTemplates = []string{
	"{p} officials clash over {n}",
	"What the numbers say about {n} in {p}",
	"{n} {d} {t}, figures show",
	"Mayor of {p} responds to criticism on {n}",
	"Inside the fight over {n}",
	"{p} braces for {a} {n}",
	"Live: reaction as {n} report is published",
	"Why {n} matter for {p}",
}

var orgWords = []string{
	"Alder", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juno",
	"Kite", "Lumen", "Meridian", "Nimbus", "Orion", "Pioneer", "Quartz", "Raven", "Summit", "Tidal",
	"Umber", "Vertex", "Willow", "Zenith",
}

var mediaSuffixes = []string{"Times", "Herald", "Post", "Tribune", "Gazette", "Daily", "Observer", "Radio", "Television", "News", "Courier", "Chronicle"}

var companySuffixes = []string{"Group", "Holdings", "Energy", "Logistics", "Foods", "Systems", "Bank", "Motors", "Pharma", "Telecom"}

var partyWords = []string{"Progressive", "Liberal", "Conservative", "Green", "Labour", "Democratic", "Civic", "Unity", "Reform", "People's"}

var platformNames = []string{"Chirper", "Sayso", "Truthful", "Pictogram", "FaceWall", "Threadline"}

var cuesDirect = []string{"said", "told reporters", "posted", "wrote", "said in a statement", "argued", "insisted", "warned", "added", "told the council"}

var cuesNested = []string{"asked", "called me with", "claimed", "told him", "said on a call", "posted that", "admitted", "promised"}

var roles = []string{"spokesperson", "minister", "mayor", "chief executive", "reporter", "editor", "analyst", "director", "chair", "officer"}

var languages = []string{"en", "en", "en", "en", "en", "en", "fr", "de", "es", "pt"}
