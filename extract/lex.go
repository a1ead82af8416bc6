package extract

import "strings"

// wordClass is a set of lexical classes of one lower-case word.
type wordClass uint64

// Lexical classes. A word may belong to several.
const (
	wcCue          wordClass = 1 << iota // a reporting verb form: said, says, told, added ...
	wcCueClause                          // a reporting verb that takes a that-clause: said, claimed, warned ...
	wcCueNaming                          // a verb that frames a partial quote: called, described, branded ...
	wcTitle                              // a title or role before a name: president, governor, mr ...
	wcRoleMod                            // a lower-case modifier of a role: police, press, state, deputy ...
	wcOrgHead                            // a word that makes a name an organisation: department, ministry ...
	wcConnector                          // a word allowed inside a proper name: of, the, for, and, de ...
	wcStop                               // a capitalised function word that starts a sentence: the, but, he ...
	wcMale                               // a male title or given name
	wcFemale                             // a female title or given name
	wcGiven                              // a common given name
	wcPlace                              // a country, US state or large city
	wcMonth                              // a month name or abbreviation
	wcWeekday                            // a weekday name
	wcAdverb                             // an adverb that may stand between a speaker and a cue verb
	wcTimeUnit                           // second, minute, hour, day, week, month, year ...
	wcPeopleNoun                         // a noun counting people: people, agents, residents ...
	wcDocument                           // a document that can speak: letter, statement, report ...
	wcNumberWord                         // one, two, ..., hundred, million, dozen
	wcApprox                             // about, around, nearly ... (before a number)
	wcIncrease                           // rise, increase, up, jump ...
	wcDecrease                           // drop, fall, decline, down ...
	wcCurrencyWord                       // dollars, euros, pounds ...
	wcPlatform                           // a social network: twitter, facebook, truth social ...
	wcAbbrev                             // an abbreviation ending in a full stop that does not end a sentence
	wcOrgNominal                         // a common noun that names an organisation: ministry, company, police ...
	wcGroupNominal                       // a common noun for a group of speakers: officials, residents ...
	wcIDPrefix                           // a word before an identifier number: flight, route, page, version ...
	wcSubjPron                           // he, she, it, they, we, i
	wcDet                                // the, a, an, this, that, these, those, its, his, her, their
	wcUnitNoun                           // km, miles, tonnes ... measurement units
	wcVerbish                            // a common verb form that starts a reported clause predicate
	wcThing                              // a last word that makes a name a place, event or thing
)

type lexicon map[string]wordClass

func (l lexicon) add(c wordClass, words string) {
	for _, w := range strings.Fields(words) {
		l[w] |= c
	}
}

// has reports whether the lower-case word w belongs to class c.
func (l lexicon) has(w string, c wordClass) bool { return l[w]&c != 0 }

// lex is the read-only lexicon every extraction consults.
var lex = buildLexicon()

func buildLexicon() lexicon {
	l := lexicon{}
	// Reporting verbs (all forms). The first group takes clauses.
	clause := `say says said saying tell tells told telling claim claims claimed claiming
		warn warns warned warning add adds added state states stated announce announces announced
		explain explains explained note notes noted insist insists insisted argue argues argued
		write writes wrote written post posts posted tweet tweets tweeted declare declares declared
		admit admits admitted acknowledge acknowledges acknowledged confirm confirms confirmed
		deny denies denied allege alleges alleged assert asserts asserted contend contends contended
		maintain maintains maintained predict predicts predicted suggest suggests suggested
		testify testifies testified report reports reported stress stresses stressed
		emphasise emphasises emphasised emphasize emphasizes emphasized observe observes observed
		remark remarks remarked comment comments commented complain complains complained
		concede concedes conceded boast boasts boasted vow vows vowed promise promises promised
		pledge pledges pledged threaten threatens threatened reiterate reiterates reiterated
		repeat repeats repeated estimate estimates estimated conclude concludes concluded
		caution cautions cautioned counter counters countered recall recalls recalled
		reply replies replied respond responds responded answer answers answered
		agree agrees agreed indicate indicates indicated signal signals signaled signalled
		disclose discloses disclosed reveal reveals revealed assure assures assured
		inform informs informed ask asks asked tells saying adding noting warning arguing
		insisting claiming stressing explaining telling writing posting announcing declaring
		suggesting acknowledging admitting denying asserting predicting complaining promising
		vowing stating confirming conceding contending maintaining insisting recalling
		hint hints hinted joke jokes joked quip quips quipped lament laments lamented
		conclude says`
	l.add(wcCue|wcCueClause, clause)
	speech := `continue continues continued shout shouts shouted scream screamed yell yelled
		whisper whispered mutter muttered cry cried exclaim exclaimed sigh sighed
		urge urges urged demand demands demanded retort retorted interject interjected
		wonder wonders wondered muse mused recount recounts recounted describe describes described
		call calls called`
	l.add(wcCue, speech)
	l.add(wcCueNaming, `call calls called describe describes described brand brands branded
		label labels labelled labeled dub dubs dubbed term terms termed characterise characterised
		characterize characterized slam slams slammed blast blasts blasted criticise criticised
		criticize criticized denounce denounced condemn condemns condemned praise praised praises
		hail hailed dismiss dismissed reject rejected accuse accused decry decried welcome welcomed
		vow vowed pledge pledged promise promised urge urged demand demanded`)
	l.add(wcTitle, `president vice governor gov mayor senator sen rep reps representative congressman
		congresswoman congressmember minister secretary chancellor premier prime chief ceo cfo coo cto
		chairman chairwoman chair chairperson director commissioner spokesman spokeswoman spokesperson
		sheriff judge justice attorney general gen prosecutor lawyer ambassador envoy speaker leader
		deputy acting interim captain capt lieutenant lt colonel col sergeant sgt officer detective
		inspector superintendent professor prof dr doctor mr mrs ms miss mx sir dame lord lady king
		queen prince princess pope cardinal bishop archbishop rabbi imam reverend rev pastor coach
		manager founder co-founder head boss aide adviser advisor official candidate nominee
		councilman councilwoman councillor councilor alderman commander admiral marshal trooper
		executive economist strategist analyst pollster historian scientist researcher activist
		organiser organizer mp mep member senior treasurer auditor comptroller ombudsman administrator
		superintendent principal dean provost rector chancellor regent editor correspondent
		reporter columnist spokespeople representative delegate whip emir sheikh ayatollah
		premier president-elect governor-elect mayor-elect attorney-general secretary-general
		sec dep supt insp det atty cmdr adm novelist author writer poet playwright journalist
		photographer artist singer actor actress musician composer producer filmmaker goalkeeper
		striker midfielder defender forward winger player captain nurse teacher engineer
		surgeon physician architect chef owner student pilot lecturer planner accountant
		consultant entrepreneur investor banker broker trader landlord tenant pensioner
		campaigner volunteer worker firefighter paramedic pharmacist
		epidemiologist virologist scientist biologist physicist chemist geologist meteorologist
		forecaster climatologist spokespeople organiser councillor governor lawmaker legislator
		negotiator mediator diplomat commentator blogger influencer podcaster anchor
		host pundit nun midwife carer
		caretaker mechanic
		electrician contractor developer programmer officer
		resident mother father grandmother grandfather veteran survivor witness victim
		chairwoman vice-chancellor vice-president chief-executive headteacher headmaster
		headmistress principal superintendent registrar magistrate coroner`)
	l.add(wcRoleMod, `police press state federal city county senior top foreign defence defense finance
		health interior economy economic trade national former then acting deputy assistant
		associate executive managing vice chief general white house party opposition campaign
		communications security intelligence justice energy education transport transportation
		labor labour environment environmental agriculture immigration border homeland regional
		local provincial district municipal military army navy union company government agency
		department ministry fire school university hospital legal council board republican
		democratic democrat conservative liberal independent labour green senior junior lead
		principal first prime`)
	l.add(wcOrgHead, `department ministry agency police patrol council committee commission university
		college institute inc inc. corp corp. corporation ltd ltd. llc plc company co group bank
		association party office service services administration bureau court parliament senate
		congress assembly authority federation union foundation times news post network press
		guard forces force army navy board fund organisation organization coalition campaign center
		centre hospital school church club league alliance society trust airlines airways motors
		technologies labs systems holdings industries partners capital reserve commission
		cabinet government directorate secretariat tribunal prosecutors prosecution
		inspectorate regulator exchange agency institution observatory watch network
		broadcasting television radio magazine journal tribune herald gazette chronicle
		review daily weekly times telegraph guardian express mirror sun observer
		ministries departments agencies companies unions parties council's police's
		academy laboratory laboratories lab clinic museum library council fc cooperative
		brigade battalion regiment command corps unit division squad buses coaches rail railways
		railway ferries lines transport energy water power utilities utility telecom telecoms
		media publishing pharmaceuticals pharma biologics therapeutics biotech foods brewery
		motors automotive aerospace airport port authority chamber commerce guild institution
		trust partnership collective cooperative co-op council hospital clinic semiconductor
		semiconductors electronics software networks solutions logistics mining petroleum chemicals
		steel insurance securities bancorp financial investments ventures realty properties hotels
		resorts entertainment studios pictures games robotics dynamics devices instruments jewelers
		jewellers stores supermarkets brands air united elementary primary`)
	l.add(wcConnector, `of the for and de van von der den bin al la le du da di y & del dos das of-the`)
	l.add(wcStop, `the a an but and or so yet if when while after before as at in on of to for from by
		with without he she it they we i you this that these those there here his her its their our
		my your what which who whom whose where why how then also however meanwhile still although
		though because since until unless despite instead earlier later last next some many most
		more much few several all both each every any no not nor one two three four five six seven
		eight nine ten one's asked told said says according under over about around after during
		into through among between against toward towards upon within outside inside near
		mr mrs ms dr is was are were be been has have had do does did will would can could should may
		might must shall yes now just only even never always often sometimes perhaps maybe
		today yesterday tomorrow tonight overnight instead rather indeed thus hence otherwise
		first second third fourth fifth finally again once twice`)
	l.add(wcMale, `mr sir king prince lord spokesman congressman chairman councilman father brother son
		husband uncle nephew grandfather bishop pope emir sheikh`)
	l.add(wcFemale, `mrs ms miss dame queen princess lady spokeswoman congresswoman chairwoman
		councilwoman mother sister daughter wife aunt niece grandmother`)
	male := `james john robert michael william david richard joseph thomas charles christopher daniel
		matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
		ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
		scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
		tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy
		christian keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse
		jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah randy roy
		vincent ralph eugene russell bobby mason philip louis tim tom bob bill jim mike dave steve
		chris joe ben sam alex nick rick ted ron greg jeff ken pete dan matt tony andy vladimir
		sergei dmitry boris ivan igor oleg mikhail alexei emmanuel olaf friedrich hans klaus
		jurgen pedro carlos luis miguel javier antonio manuel francisco ahmed mohammed muhammad
		mohamed ali hassan omar ibrahim mahmoud yusuf abdullah benjamin yair naftali recep narendra
		rahul xi li wang zhang volodymyr viktor keir rishi gavin ron chuck mitch kamala joe
		elon jerome janet jd marco pete kash tulsi kristi jacob tim lloyd antony xavier hakeem
		mateo diego santiago leo luca marco giorgia giuseppe francesco mario emmanuel jean pierre
		jacques francois michel olivier andrzej lech tomasz jan piotr mateusz lars erik johan
		anders sven bjorn kofi kwame chidi emeka tunde oluwaseun jomo raila cyril jacob thabo
		hiroshi takeshi shinzo fumio kenji yuki seo kim park min-jun joon akira`
	l.add(wcMale|wcGiven, male)
	female := `mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa
		betty margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa
		deborah stephanie rebecca sharon laura cynthia kathleen amy shirley angela helen anna
		brenda pamela nicole emma samantha katherine christine debra rachel catherine carolyn
		janet ruth maria heather diane virginia julie joyce victoria olivia kelly christina lauren
		joan evelyn judith megan cheryl andrea hannah martha jacqueline frances gloria ann teresa
		kathryn sara janice jean alice madison doris abigail julia judy grace denise amber
		marilyn beverly danielle theresa sophia marie diana brittany natalie isabella charlotte
		rose alexis kayla kamala hillary nancy elizabeth amy kristi tulsi karoline ursula angela
		theresa liz giorgia marine ilhan alexandria lauren nikki kathy gretchen janet pam marsha
		sonia sofia lucia carmen elena ana isabel fatima aisha amina leila yasmin priya anjali
		sunita mei ling yuki sakura jacinda sanna mette annalena olga natalia tatiana svetlana
		yulia irina oksana ngozi chimamanda amara adaeze wanjiru grace ruth esther naomi keisha
		tamika latoya shanice jasmine maya zoe chloe ella mia ava lily nora layla zara`
	l.add(wcFemale|wcGiven, female)
	l.add(wcPlace, `afghanistan albania algeria argentina armenia australia austria azerbaijan bahrain
		bangladesh belarus belgium bolivia bosnia brazil britain bulgaria cambodia cameroon canada
		chile china colombia congo croatia cuba cyprus czechia denmark ecuador egypt england
		eritrea estonia ethiopia finland france georgia germany ghana greece guatemala haiti
		honduras hungary iceland india indonesia iran iraq ireland israel italy jamaica japan
		jordan kazakhstan kenya korea kosovo kuwait latvia lebanon libya lithuania luxembourg
		malaysia mali mexico moldova mongolia montenegro morocco mozambique myanmar nepal
		netherlands nicaragua niger nigeria norway oman pakistan palestine panama paraguay peru
		philippines poland portugal qatar romania russia rwanda scotland senegal serbia singapore
		slovakia slovenia somalia spain sudan sweden switzerland syria taiwan tajikistan tanzania
		thailand tunisia turkey turkiye uganda ukraine uruguay uzbekistan venezuela vietnam wales
		yemen zambia zimbabwe gaza europe africa asia america
		alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii
		idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
		michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon
		pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming
		london paris berlin moscow kyiv kiev beijing tokyo delhi mumbai washington brussels
		rome madrid warsaw vienna geneva chicago houston phoenix philadelphia dallas boston
		seattle denver atlanta miami detroit minneapolis portland baltimore milwaukee
		jerusalem tehran baghdad cairo istanbul ankara damascus beirut kabul islamabad
		sydney melbourne toronto montreal vancouver ottawa dublin edinburgh manchester
		birmingham glasgow lagos nairobi johannesburg seoul taipei manila jakarta bangkok
		hanoi singapore dubai riyadh doha caracas lima bogota santiago havana
		minnesota's us u.s. usa uk u.k. eu`)
	l.add(wcMonth, `january february march april may june july august september october november
		december jan feb mar apr jun jul aug sep sept oct nov dec`)
	l.add(wcWeekday, `monday tuesday wednesday thursday friday saturday sunday`)
	l.add(wcAdverb, `also later earlier previously repeatedly reportedly once then recently further
		again separately subsequently has had have would will did was is were may might could
		should can also first initially last publicly privately openly flatly angrily quietly
		bluntly simply frequently often has long since already allegedly apparently herself
		himself itself themselves however told late early yesterday today tonight swiftly
		quickly immediately promptly briefly then-president officially formally`)
	l.add(wcTimeUnit, `second seconds minute minutes hour hours day days week weeks month months
		year years decade decades century centuries weekend weekends night nights`)
	l.add(wcPeopleNoun, `people persons person agents agent officers officer residents resident
		migrants migrant immigrants immigrant aliens alien soldiers soldier troops children child
		students student patients patient employees employee workers worker staff members member
		voters voter protesters protestors protester demonstrators civilians civilian victims
		victim deaths dead casualties refugees refugee inmates prisoners prisoner detainees
		detainee passengers passenger users user customers customer adults adult men women man
		woman boys girls teenagers teens americans american citizens citizen individuals
		individual fighters militants police policemen firefighters nurses doctors teachers
		journalists lawmakers legislators senators delegates participants respondents
		households families family applicants jobs hostages hostage survivors suspects suspect
		infections infected injured wounded killed arrested fatalities shooters
		pedestrians drivers tourists visitors spectators fans athletes players seniors
		veterans volunteers guards personnel crew sailors pilots marines recruits babies infants`)
	l.add(wcDocument, `letter statement report memo memorandum filing lawsuit complaint indictment
		ruling order document documents study survey analysis review post tweet release
		press-release announcement notice petition motion brief affidavit transcript guidance
		bulletin assessment audit poll data figures statistics record records email message
		essay op-ed column editorial proposal plan bill draft`)
	l.add(wcNumberWord, `zero one two three four five six seven eight nine ten eleven twelve thirteen
		fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
		seventy eighty ninety hundred thousand million billion trillion dozen dozens hundreds
		thousands millions billions half quarter third thirds quarters fifth fifths tens dozen`)
	l.add(wcApprox, `about around nearly almost roughly approximately some over under more less
		fewer least most estimated up close upwards just barely only than`)
	l.add(wcIncrease, `rise rises rose risen rising increase increases increased increasing jump
		jumps jumped jumping surge surges surged surging climb climbs climbed climbing grow grows
		grew grown growing gain gains gained up higher spike spiked soar soared soaring
		boost boosted hike hiked raise raised doubled tripled increase`)
	l.add(wcDecrease, `drop drops dropped dropping fall falls fell fallen falling decline declines
		declined declining decrease decreases decreased decreasing down lower cut cuts slump
		slumped plunge plunged plunging dip dipped sink sank tumble tumbled shrink shrank
		shrunk reduction reductions slide slid plummet plummeted loss losses halved`)
	l.add(wcCurrencyWord, `dollar dollars euro euros pound pounds sterling yen yuan renminbi rupee
		rupees rouble roubles ruble rubles franc francs peso pesos won real reais lira shekel
		shekels krona kronor krone rand naira dirham dirhams riyal riyals bitcoin cents cent pence`)
	l.add(wcPlatform, `twitter facebook instagram x telegram tiktok youtube threads bluesky linkedin
		weibo truth reddit snapchat whatsapp substack mastodon`)
	l.add(wcAbbrev, `mr mrs ms dr st sen rep gov gen col lt sgt capt prof rev jr sr inc corp co ltd
		no vs v etc jan feb mar apr jun jul aug sep sept oct nov dec approx dept est univ
		mt ft sq pp p fig ave blvd rd adm cmdr supt insp det atty sec dep u.s e.g i.e a.m p.m`)
	l.add(wcOrgNominal, `ministry company department agency police government administration
		council committee commission court office bureau firm group organisation organization
		campaign party union authority authorities bank board prosecutors prosecution
		military army navy embassy regulator university school hospital airline carrier
		club team network broadcaster newspaper paper outlet service white kremlin pentagon
		organisers organizers coalition alliance federation association institute center
		centre foundation charity operator manufacturer retailer insurer lender fund
		cabinet parliament congress senate legislature regime junta council security
		groups companies firms agencies ministries departments unions operators`)
	l.add(wcGroupNominal, `members councillors councilors senators residents person someone insider insiders
		people familiar`)
	l.add(wcGroupNominal, `officials official residents experts analysts critics witnesses
		protesters protestors activists lawmakers legislators economists scientists
		researchers doctors investigators sources source aides aide observers opponents
		supporters advocates organisers organizers leaders executives diplomats
		spokesperson spokesman spokeswoman representatives representative authorities
		prosecutors detectives officers people neighbours neighbors relatives family friends
		ceos bosses unions farmers workers teachers parents students democrats republicans`)
	l.add(wcIDPrefix, `flight route highway interstate article section chapter page pages p pp
		version v level grade room suite box unit apartment apt floor gate platform terminal
		channel track episode season volume vol issue no number case docket resolution
		amendment bill act order form line bus train road street avenue lane district ward
		precinct zone sector phase stage step item clause rule paragraph figure fig table
		exhibit category class type model series mark mk block lot hall building plot
		tier group pool round week game match hole lap leg squad`)
	l.add(wcThing, `fire fires storm hurricane typhoon cyclone flood floods war act bill law plan summit
		games cup championship league festival award awards prize bridge street road avenue lane
		boulevard square park river lake mountain mountains valley county city island islands
		airport station hall tower building centre center stadium arena museum gallery palace
		castle cathedral church mosque temple beach bay coast sea ocean desert forest canyon
		falls dam highway motorway railway line route tunnel prison jail court day week year
		conference convention accord agreement treaty deal protocol programme program project
		initiative strategy doctrine amendment constitution index fund trophy open marathon
		series show festival hotel restaurant cafe bar pub farm ranch estate mall market
		hospital clinic university college school academy institute`)
	l.add(wcSubjPron, `he she it they we i`)
	l.add(wcDet, `the a an this that these those its his her their our my your`)
	l.add(wcUnitNoun, `km kilometres kilometers kilometre kilometer miles mile metres meters metre
		meter feet foot inches inch kg kilograms kilogram kilos tonnes tons tonne ton pounds
		centimetres centimeters centimetre centimeter cm millimetres millimeters mm km/h
		lbs grams litres liters gallons barrels acres hectares square mph kph degrees celsius
		fahrenheit mw gw kw kwh mwh gwh twh bytes gb tb mb`)
	return l
}

// platformNames maps the lower-case name of a social network to its display
// name.
var platformNames = map[string]string{
	"truth social": "Truth Social", "twitter": "Twitter", "facebook": "Facebook",
	"instagram": "Instagram", "x": "X", "telegram": "Telegram", "tiktok": "TikTok",
	"youtube": "YouTube", "threads": "Threads", "bluesky": "Bluesky", "linkedin": "LinkedIn",
	"weibo": "Weibo", "reddit": "Reddit", "substack": "Substack", "mastodon": "Mastodon",
}

// knownOrgs are names that are organisations without an organisation word in
// them, lower case, with their kind.
var knownOrgs = map[string]string{
	"reuters": "media", "associated press": "media", "ap": "media", "afp": "media", "bbc": "media",
	"cnn": "media", "fox news": "media", "nbc": "media", "abc": "media", "cbs": "media", "npr": "media",
	"msnbc": "media", "bloomberg": "media", "politico": "media", "axios": "media",
	"the new york times": "media", "new york times": "media", "washington post": "media",
	"the washington post": "media", "the guardian": "media", "al jazeera": "media",
	"nato": "government", "white house": "government", "the white house": "government",
	"pentagon": "government", "the pentagon": "government", "kremlin": "government",
	"the kremlin": "government", "downing street": "government", "congress": "government",
	"the fed": "government", "fbi": "government", "cia": "government", "nsa": "government",
	"dhs": "government", "ice": "government", "doj": "government", "fda": "government",
	"cdc": "government", "epa": "government", "irs": "government", "nasa": "government",
	"un": "government", "united nations": "government", "eu": "government", "european union": "government",
	"european commission": "government", "who": "government", "imf": "government", "world bank": "government",
	"opec": "government", "interpol": "government", "europol": "government", "ecb": "government",
	"hamas": "group", "hezbollah": "group", "taliban": "group", "the taliban": "group",
	"google": "company", "apple": "company", "amazon": "company", "microsoft": "company",
	"meta": "company", "tesla": "company", "openai": "company", "nvidia": "company",
	"boeing": "company", "airbus": "company", "walmart": "company", "target": "company",
	"exxonmobil": "company", "shell": "company", "bp": "company", "pfizer": "company",
	"moderna": "company", "spacex": "company", "netflix": "company", "uber": "company",
	"amnesty international": "ngo", "human rights watch": "ngo", "greenpeace": "ngo",
	"red cross": "ngo", "the red cross": "ngo", "oxfam": "ngo", "unicef": "government",
	"democrats": "party", "republicans": "party", "gop": "party",
	"truth social": "media", "twitter": "media", "facebook": "media", "instagram": "media",
	"telegram": "media", "tiktok": "media", "youtube": "media",
}

// notAcronyms are all-capital words that do not name an organisation.
var notAcronyms = map[string]bool{
	"US": true, "USA": true, "UK": true, "CEO": true, "CEOS": true, "CFO": true, "TV": true,
	"GDP": true, "COVID": true, "AM": true, "PM": true, "OK": true, "ID": true, "LGBTQ": true,
	"AI": true, "DNA": true, "HIV": true, "AIDS": true, "MP": true, "MPS": true, "EU": false,
	"I": true, "A": true, "II": true, "III": true, "IV": true, "VS": true, "PHD": true,
	"UAE": true, "DC": true, "NYC": true, "LA": true, "SUV": true, "ATM": true, "VIP": true,
	"FAQ": true, "USD": true, "EUR": true, "GBP": true, "NEW": true, "THE": true,
	"BREAKING": true, "UPDATE": true, "UPDATED": true, "EXCLUSIVE": true, "WATCH": true,
}
