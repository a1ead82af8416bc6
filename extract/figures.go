package extract

import (
	"math"
	"strconv"
	"strings"
)

// figureOut is one extracted quantity.
type figureOut struct {
	s, e     int // code points
	ta, tb   int // tokens
	value    float64
	valueMax *float64
	unit     string
	measure  string
	change   string
	approx   bool
	period   string
	baseline string
	stated   *entity
}

// unitNames normalises measurement units.
var unitNames = map[string]string{
	"kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km", "km": "km",
	"centimetres": "cm", "centimeters": "cm", "centimetre": "cm", "centimeter": "cm", "cm": "cm",
	"millimetres": "mm", "millimeters": "mm", "mm": "mm", "metres": "m", "meters": "m", "metre": "m", "meter": "m",
	"mile": "miles", "miles": "miles", "feet": "feet", "foot": "feet", "inches": "inches", "inch": "inches",
	"kg": "kg", "kilograms": "kg", "kilogram": "kg", "kilos": "kg", "tonnes": "tonnes", "tonne": "tonnes",
	"tons": "tons", "ton": "tons", "lbs": "pounds", "grams": "g", "litres": "litres", "liters": "litres",
	"gallons": "gallons", "barrels": "barrels", "acres": "acres", "hectares": "hectares", "mph": "mph",
	"kph": "km/h", "km/h": "km/h", "degrees": "degrees", "celsius": "celsius", "fahrenheit": "fahrenheit",
}

// normUnit returns the normal name of a unit word.
func normUnit(w string) string {
	if u, ok := unitNames[w]; ok {
		return u
	}
	return w
}

var smallNums = map[string]float64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
	"forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

var scales = map[string]float64{
	"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
	"mn": 1e6, "m": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "k": 1e3,
}

var currencySymbols = map[string]string{
	"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr", "₽": "rub", "₩": "krw", "₪": "ils",
}

var currencyWords = map[string]string{
	"dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur", "pound": "gbp", "pounds": "gbp",
	"sterling": "gbp", "yen": "jpy", "yuan": "cny", "renminbi": "cny", "rupee": "inr", "rupees": "inr",
	"rouble": "rub", "roubles": "rub", "ruble": "rub", "rubles": "rub", "franc": "chf", "francs": "chf",
	"peso": "mxn", "pesos": "mxn", "shekel": "ils", "shekels": "ils", "naira": "ngn", "rand": "zar",
	"won": "krw", "lira": "try", "cents": "usd-cents", "pence": "gbp-pence",
}

// wordNumber parses a number word, hyphenated ("twenty-five") or not.
func wordNumber(w string) (float64, bool) {
	if v, ok := smallNums[w]; ok {
		return v, true
	}
	if a, b, ok := strings.Cut(w, "-"); ok {
		va, oka := smallNums[a]
		vb, okb := smallNums[b]
		if oka && okb && va >= 20 && va < 100 && vb < 10 {
			return va + vb, true
		}
	}
	return 0, false
}

// digitsValue parses "1,360" or "1.5"; grouping must be in threes.
func digitsValue(w string) (float64, bool) {
	if strings.Contains(w, ",") {
		parts := strings.Split(w, ",")
		for i, p := range parts {
			if i > 0 {
				digits := p
				if j := strings.IndexByte(p, '.'); j >= 0 {
					digits = p[:j]
				}
				if len(digits) != 3 {
					return 0, false
				}
			} else if len(p) == 0 || len(p) > 3 {
				return 0, false
			}
		}
		w = strings.ReplaceAll(w, ",", "")
	}
	if strings.Count(w, ".") > 1 {
		return 0, false
	}
	v, err := strconv.ParseFloat(w, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// numAt parses a number starting at token i: digits or words with a scale
// ("1.5 million", "two hundred", "a dozen", "half a million"). It returns the
// value, the token after it, and whether digits were used.
func (d *document) numAt(i, end int) (float64, int, bool, bool) {
	t := &d.ts[i]
	var v float64
	j := i + 1
	digits := false
	switch {
	case t.kind == tkNum:
		x, ok := digitsValue(t.w)
		if !ok {
			return 0, i, false, false
		}
		v, digits = x, true
	case t.kind == tkWord:
		// glued scales: 2bn, 3m, 1.5tn
		if t.is(fDigit) {
			w := t.lw
			k := 0
			for k < len(w) && (w[k] >= '0' && w[k] <= '9' || w[k] == '.' || w[k] == ',') {
				k++
			}
			if sc, ok := scales[w[k:]]; ok && k > 0 && w[k:] != "b" {
				x, ok := digitsValue(w[:k])
				if !ok {
					return 0, i, false, false
				}
				return x * sc, j, true, true
			}
			return 0, i, false, false
		}
		switch t.lw {
		case "a", "an":
			if j < end && (d.ts[j].lw == "dozen" || d.ts[j].lw == "hundred" || d.ts[j].lw == "thousand" || d.ts[j].lw == "million" || d.ts[j].lw == "billion") {
				v = 1
				break
			}
			return 0, i, false, false
		case "dozen":
			v = 12
		case "half":
			if j+1 < end && (d.ts[j].lw == "a" || d.ts[j].lw == "an") && scales[d.ts[j+1].lw] >= 1e3 {
				return 0.5 * scales[d.ts[j+1].lw], j + 2, false, true
			}
			return 0, i, false, false
		default:
			x, ok := wordNumber(t.lw)
			if !ok {
				return 0, i, false, false
			}
			v = x
		}
	default:
		return 0, i, false, false
	}
	// words that continue the number: hundred, thousand, million; "and" inside
	for j < end {
		n := &d.ts[j]
		if n.kind != tkWord {
			break
		}
		if n.lw == "dozen" && v >= 1 && v < 20 {
			v *= 12
			j++
			continue
		}
		if sc, ok := scales[n.lw]; ok && len(n.lw) > 2 {
			if sc == 100 {
				v *= 100
			} else {
				v *= sc
			}
			j++
			continue
		}
		if !digits && (n.lw == "and") && j+1 < end {
			if x, ok := wordNumber(d.ts[j+1].lw); ok && v >= 100 {
				v += x
				j += 2
				continue
			}
		}
		if !digits {
			if x, ok := wordNumber(n.lw); ok && x < 100 && v >= 100 && math.Mod(v, 100) == 0 {
				v += x
				j++
				continue
			}
		}
		break
	}
	return v, j, digits, true
}

// approxBefore returns the first token of an approximation phrase ending
// before i ("more than", "at least", "nearly"), or i.
func (d *document) approxBefore(i, lim int) int {
	k := i
	try := func(words ...string) bool {
		if k-len(words) < lim {
			return false
		}
		for n, w := range words {
			if d.ts[k-len(words)+n].lw != w || d.ts[k-len(words)+n].kind != tkWord {
				return false
			}
		}
		k -= len(words)
		return true
	}
	for _, p := range [][]string{
		{"more", "than"}, {"less", "than"}, {"fewer", "than"}, {"at", "least"}, {"at", "most"}, {"up", "to"},
		{"as", "many", "as"}, {"as", "much", "as"}, {"as", "few", "as"}, {"close", "to"}, {"upwards", "of"},
		{"just", "over"}, {"just", "under"}, {"an", "estimated"}, {"nearly"}, {"almost"}, {"about"},
		{"around"}, {"roughly"}, {"approximately"}, {"some"}, {"over"}, {"under"}, {"estimated"}, {"approx"},
		{"circa"}, {"only"}, {"barely"}, {"well", "over"}, {"well", "above"}, {"above"}, {"below"},
	} {
		if try(p...) {
			break
		}
	}
	return k
}

// excludedNumber reports numbers that are not figures: dates, years,
// clock times, versions, identifiers, page numbers.
func (d *document) excludedNumber(i, j int, s sentence, digits bool) bool {
	t := &d.ts[i]
	prev := func(k int) *tok {
		if k < s.a {
			return nil
		}
		return &d.ts[k]
	}
	next := func(k int) *tok {
		if k >= s.b {
			return nil
		}
		return &d.ts[k]
	}
	p1, n1 := prev(i-1), next(j)
	if digits && t.kind == tkNum {
		// clock times 19:47, versions 1.2.3, dates 2026-01-26, 26/01
		if n1 != nil && (n1.w == ":" || n1.w == "/" || n1.w == ".") && n1.s == t.e && j+1 < s.b && d.ts[j+1].kind == tkNum && d.ts[j+1].s == n1.e {
			return true
		}
		if p1 != nil && (p1.w == ":" || p1.w == "/" || p1.w == ".") && p1.e == t.s && i-2 >= s.a && d.ts[i-2].kind == tkNum && d.ts[i-2].e == p1.s {
			return true
		}
		if p1 != nil && (p1.w == "#" || p1.w == "№") {
			return true
		}
		// years: four digits without grouping, no unit after
		if v, _ := digitsValue(t.w); len(t.w) == 4 && v >= 1800 && v <= 2100 && !strings.ContainsAny(t.w, ",.") {
			if !(n1 != nil && (n1.w == "%" || (n1.kind == tkWord && (n1.has(wcPeopleNoun|wcCurrencyWord|wcUnitNoun) || n1.lw == "percent")))) && !(p1 != nil && currencySymbols[p1.w] != "") {
				return true
			}
		}
		// a.m., p.m., pm
		if n1 != nil && n1.kind == tkWord && (n1.lw == "a.m." || n1.lw == "p.m." || n1.lw == "am" || n1.lw == "pm" || n1.lw == "a.m" || n1.lw == "p.m" || n1.lw == "gmt" || n1.lw == "utc" || n1.lw == "o'clock") {
			return true
		}
		// phone numbers and codes glued with hyphens: 555-1234
		if n1 != nil && n1.w == "-" && n1.s == t.e && j+1 < s.b && d.ts[j+1].kind == tkNum && d.ts[j+1].s == n1.e && len(t.w) >= 3 && len(d.ts[j+1].w) >= 4 {
			return true
		}
	}
	// dates: a month name next to the number
	if p1 != nil && p1.kind == tkWord && p1.has(wcMonth) && (p1.is(fCap) || p1.lw != "may") {
		return true
	}
	if p1 != nil && p1.isP(".") && i-2 >= s.a && d.ts[i-2].has(wcMonth) {
		return true
	}
	if n1 != nil && n1.kind == tkWord && n1.has(wcMonth) && n1.is(fCap) {
		return true
	}
	// identifiers and page numbers: Flight 370, page 12, Article 5, No. 10
	if p1 != nil && p1.kind == tkWord && p1.has(wcIDPrefix) && (p1.is(fCap) || p1.lw == "page" || p1.lw == "pages" || p1.lw == "p" || p1.lw == "pp" || p1.lw == "version" || p1.lw == "v" || p1.lw == "no" || p1.lw == "number" || p1.lw == "room" || p1.lw == "gate" || p1.lw == "route" || p1.lw == "flight") {
		return true
	}
	if p1 != nil && p1.isP(".") && i-2 >= s.a && (d.ts[i-2].lw == "no" || d.ts[i-2].lw == "p" || d.ts[i-2].lw == "pp" || d.ts[i-2].lw == "vol" || d.ts[i-2].lw == "art" || d.ts[i-2].lw == "sec") {
		return true
	}
	// a number right after a capitalised word inside a name: Boeing 737, Apollo 11
	if digits && p1 != nil && p1.kind == tkWord && p1.is(fCap) && !p1.has(wcStop|wcMonth) && !d.sentenceStart(i-1) && !strings.Contains(t.w, ",") {
		if n1 == nil || !(n1.w == "%" || n1.kind == tkWord && (n1.has(wcPeopleNoun|wcCurrencyWord|wcUnitNoun|wcTimeUnit) || scales[n1.lw] > 0 || n1.lw == "percent" || n1.lw == "per")) {
			return true
		}
	}
	// relative time: "two days after", "three weeks ago"
	if n1 != nil && n1.kind == tkWord && n1.has(wcTimeUnit) {
		if n2 := next(j + 1); n2 != nil && n2.kind == tkWord {
			switch n2.lw {
			case "ago", "later", "earlier", "after", "before", "since":
				return true
			}
		}
		if n1.lw == "day" || n1.lw == "week" || n1.lw == "night" {
			return true // "one day"
		}
		// a point in time, not an amount: "in two years", "within three weeks"
		if p1 != nil && (p1.lw == "in" || p1.lw == "within") && p1.kind == tkWord {
			if i-2 >= s.a && (d.ts[i-2].kind == tkWord && (d.ts[i-2].has(wcCue) || d.ts[i-2].lw == "fell" || d.ts[i-2].lw == "rose" || d.ts[i-2].lw == "killed" || d.ts[i-2].lw == "died")) {
				return false
			}
			return true
		}
	}
	// a vote tally is two figures: "voted 5-2"
	vote := func(k int) bool {
		return k >= s.a && d.ts[k].kind == tkWord && (d.ts[k].lw == "voted" || d.ts[k].lw == "vote" || d.ts[k].lw == "votes")
	}
	// the second number of a score or code: 4-3, 1-1
	if digits && p1 != nil && (p1.w == "-" || p1.w == "–") && p1.e == t.s && i-2 >= s.a && d.ts[i-2].kind == tkNum && d.ts[i-2].e == p1.s && !vote(i-3) {
		return true
	}
	// an identifier glued to letters: F-35, I-94
	if digits && p1 != nil && p1.w == "-" && p1.e == t.s && i-2 >= s.a && d.ts[i-2].kind == tkWord && d.ts[i-2].e == p1.s && d.ts[i-2].is(fCap) {
		return true
	}
	// scores 3-1
	if digits && n1 != nil && (n1.w == "-" || n1.w == "–") && n1.s == t.e && j+1 < s.b && d.ts[j+1].kind == tkNum && !vote(i-1) {
		a, _ := digitsValue(t.w)
		b, _ := digitsValue(d.ts[j+1].w)
		if b <= a && a < 20 {
			return true
		}
	}
	return false
}

// extractFigures finds the figures of every sentence.
func (d *document) extractFigures() {
	for si, s := range d.sents {
		if s.para == d.datePara || s.skip {
			continue
		}
		last := -1
		for i := s.a; i < s.b; i++ {
			if i < last {
				continue
			}
			f, ok := d.figureAt(i, s)
			if !ok {
				continue
			}
			d.figureDetails(&f, s, si)
			d.figures = append(d.figures, f)
			last = f.tb
		}
	}
}

// figureAt parses a figure whose number starts at token i.
func (d *document) figureAt(i int, s sentence) (figureOut, bool) {
	t := &d.ts[i]
	switch {
	case t.kind == tkNum:
	case t.kind != tkWord:
		return figureOut{}, false
	case t.is(fDigit), t.has(wcNumberWord):
	case t.lw == "a" || t.lw == "an":
		if i+1 >= s.b || !d.ts[i+1].has(wcNumberWord) {
			return figureOut{}, false
		}
	case strings.IndexByte(t.lw, '-') > 0:
		if _, ok := smallNums[t.lw[:strings.IndexByte(t.lw, '-')]]; !ok && !strings.HasPrefix(t.lw, "two-thirds") && !strings.HasPrefix(t.lw, "three-quarters") {
			return figureOut{}, false
		}
	default:
		return figureOut{}, false
	}
	// ages: 37-year-old, ten-year-old
	if t.kind == tkWord && strings.Contains(t.lw, "-year-old") {
		head := strings.SplitN(t.lw, "-", 2)[0]
		v, ok := digitsValue(head)
		if !ok {
			v, ok = wordNumber(head)
		}
		if !ok {
			return figureOut{}, false
		}
		return figureOut{s: t.s, e: t.e, ta: i, tb: i + 1, value: v, unit: "years", measure: "age"}, true
	}
	// durations as adjectives: a 16-day strike, a 10-year plan
	if t.kind == tkWord && strings.Contains(t.lw, "-") {
		head, unit, _ := strings.Cut(t.lw, "-")
		if lex.has(unit, wcTimeUnit) && !strings.Contains(unit, "-") {
			v, ok := digitsValue(head)
			if !ok {
				v, ok = wordNumber(head)
			}
			if ok && v > 0 {
				return figureOut{s: t.s, e: t.e, ta: i, tb: i + 1, value: v, unit: strings.TrimSuffix(unit, "s") + "s", measure: "duration"}, true
			}
		}
	}
	// ages in apposition: "Ruth Calloway, 71, is ..."
	if t.kind == tkNum && i-1 >= s.a && i+1 < s.b && d.ts[i-1].isP(",") && (d.ts[i+1].isP(",") || terminal(&d.ts[i+1])) {
		if m := d.mentionEnding(i - 2); m != nil && m.ent != nil && m.ent.kind == entPerson {
			if v, ok := digitsValue(t.w); ok && v > 0 && v < 125 && !strings.ContainsAny(t.w, ".,") {
				return figureOut{s: t.s, e: t.e, ta: i, tb: i + 1, value: v, unit: "years", measure: "age"}, true
			}
		}
	}
	// one in five: a share
	if (t.kind == tkWord || t.kind == tkNum) && i+2 < s.b && d.ts[i+1].isWord("in") {
		a, _, _, ok1 := d.numAt(i, s.b)
		b, j2, _, ok2 := d.numAt(i+2, s.b)
		if ok1 && ok2 && b > a && a > 0 && j2 == i+3 && (t.kind == tkNum || t.lw == "one" || t.lw == "two" || t.lw == "three") {
			f := figureOut{s: t.s, e: d.ts[i+2].e, ta: i, tb: i + 3, value: math.Round(a/b*10000) / 10000, unit: "fraction"}
			if ap := d.approxBefore(i, s.a); ap < i {
				f.approx = true
				f.s, f.ta = d.ts[ap].s, ap
			}
			return f, true
		}
	}
	if t.kind == tkWord && (t.lw == "one" || t.lw == "a" || t.lw == "an") {
		// "one" counts only before a counted noun; "a" only in "a dozen"
		if t.lw == "one" {
			if i+1 >= s.b || !(d.ts[i+1].has(wcPeopleNoun|wcCurrencyWord|wcUnitNoun) || scales[d.ts[i+1].lw] > 0) || d.ts[i+1].lw == "of" {
				return figureOut{}, false
			}
		}
	}
	if t.kind == tkWord && (t.lw == "hundreds" || t.lw == "thousands" || t.lw == "millions") && i+1 < s.b && d.ts[i+1].lw == "more" {
		v := map[string]float64{"hundreds": 100, "thousands": 1e3, "millions": 1e6}[t.lw]
		return figureOut{s: t.s, e: d.ts[i+1].e, ta: i, tb: i + 2, value: v, approx: true, unit: "count"}, true
	}
	if t.kind == tkWord && (t.lw == "hundreds" || t.lw == "thousands" || t.lw == "millions" || t.lw == "billions" || t.lw == "dozens" || t.lw == "tens") {
		// "hundreds of", "tens of thousands of"
		if i+1 < s.b && d.ts[i+1].lw == "of" {
			v := map[string]float64{"hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9, "dozens": 12, "tens": 10}[t.lw]
			j := i + 2
			if t.lw == "tens" || t.lw == "hundreds" {
				if j < s.b && (d.ts[j].lw == "thousands" || d.ts[j].lw == "millions") && j+1 < s.b && d.ts[j+1].lw == "of" {
					v *= map[string]float64{"thousands": 1e3, "millions": 1e6}[d.ts[j].lw]
					j += 2
				} else if t.lw == "tens" {
					return figureOut{}, false
				}
			}
			f := figureOut{s: t.s, e: d.ts[j-2].e, ta: i, tb: j - 1, value: v, approx: true}
			return d.figureTail(f, j, s, i), true
		}
		return figureOut{}, false
	}
	v, j, digits, ok := d.numAt(i, s.b)
	if !ok {
		// fractions: half of, two-thirds of, a third of
		return d.fractionAt(i, s)
	}
	if d.excludedNumber(i, j, s, digits) {
		return figureOut{}, false
	}
	a := i
	f := figureOut{value: v}
	// currency before the number: $, US$, €
	if i-1 >= s.a {
		p := &d.ts[i-1]
		if cur, ok := currencySymbols[p.w]; ok && p.kind == tkPunct {
			f.unit = cur
			a = i - 1
			if i-2 >= s.a && d.ts[i-2].kind == tkWord && d.ts[i-2].e == p.s && (d.ts[i-2].w == "US" || d.ts[i-2].w == "A" || d.ts[i-2].w == "C" || d.ts[i-2].w == "HK" || d.ts[i-2].w == "NZ") {
				a = i - 2
			}
		}
	}
	if ap := d.approxBefore(a, s.a); ap < a {
		f.approx = true
		a = ap
	}
	// another / an additional / a further: keep the unit of the figure before
	f.s, f.ta = d.ts[a].s, a
	f.e, f.tb = d.ts[j-1].e, j
	// a range: 8–10, ten to 32, between 5 and 10, 5% to 7%
	k := j
	if k < s.b && d.ts[k].kind == tkPunct && d.ts[k].w == "%" {
		k++
	}
	if k+1 < s.b && (d.ts[k].isP("–") || d.ts[k].isP("-") || d.ts[k].isP("—") || d.ts[k].isWord("to") || (d.ts[k].isWord("and") && a-1 >= s.a && d.ts[a-1].lw == "between")) {
		if cur, ok := currencySymbols[d.ts[k+1].w]; ok && cur == f.unit && k+2 < s.b {
			k++
		}
		if v2, j2, _, ok2 := d.numAt(k+1, s.b); ok2 && v2 > v && !d.changeVerbBefore(a, s) {
			f.valueMax = &v2
			f.tb = j2
			f.e = d.ts[j2-1].e
			j = j2
		}
	}
	return d.figureTail(f, j, s, i), true
}

// changeVerbBefore reports "rose from 5 to 7": two figures, not a range.
func (d *document) changeVerbBefore(a int, s sentence) bool {
	if a-1 < s.a || d.ts[a-1].lw != "from" {
		return false
	}
	for k := a - 2; k >= s.a && k >= a-4; k-- {
		if d.ts[k].has(wcIncrease | wcDecrease) {
			return true
		}
	}
	return false
}

// fractionAt parses "half of", "two-thirds of", "a third of".
func (d *document) fractionAt(i int, s sentence) (figureOut, bool) {
	t := &d.ts[i]
	var v float64
	j := i + 1
	switch t.lw {
	case "half":
		if i-1 >= s.a && (d.ts[i-1].has(wcStop) && (d.ts[i-1].lw == "first" || d.ts[i-1].lw == "second") || d.ts[i-1].lw == "latter" || d.ts[i-1].lw == "back" || d.ts[i-1].lw == "front") {
			return figureOut{}, false
		}
		v = 0.5
	case "two-thirds":
		v = 2.0 / 3
	case "three-quarters", "three-fourths":
		v = 0.75
	case "a", "one":
		if j < s.b {
			switch d.ts[j].lw {
			case "third":
				v = 1.0 / 3
			case "quarter", "fourth":
				v = 0.25
			case "fifth":
				v = 0.2
			case "tenth":
				v = 0.1
			}
			j++
		}
	}
	if v == 0 || j >= s.b || (d.ts[j].lw != "of" && !(t.lw == "half" && d.ts[j].lw == "the")) {
		return figureOut{}, false
	}
	a := i
	f := figureOut{value: math.Round(v*10000) / 10000, unit: "fraction", approx: false}
	if ap := d.approxBefore(a, s.a); ap < a {
		f.approx = true
		a = ap
	}
	f.s, f.ta = d.ts[a].s, a
	f.e, f.tb = d.ts[j-1].e, j
	return f, true
}

// figureTail reads the unit and what is counted after the number, which
// ends at token j.
func (d *document) figureTail(f figureOut, j int, s sentence, numTok int) figureOut {
	// percent
	if j < s.b && d.ts[j].isP("%") {
		f.unit = "percent"
		f.e, f.tb = d.ts[j].e, j+1
		j++
	} else if j < s.b && (d.ts[j].lw == "percent" || d.ts[j].lw == "pct") {
		f.unit = "percent"
		f.e, f.tb = d.ts[j].e, j+1
		j++
	} else if j+1 < s.b && d.ts[j].lw == "per" && d.ts[j+1].lw == "cent" {
		f.unit = "percent"
		f.e, f.tb = d.ts[j+1].e, j+2
		j += 2
	} else if j+1 < s.b && d.ts[j].lw == "percentage" && (d.ts[j+1].lw == "points" || d.ts[j+1].lw == "point") {
		f.unit = "percentage points"
		f.e, f.tb = d.ts[j+1].e, j+2
		j += 2
	} else if j < s.b && d.ts[j].kind == tkWord {
		if cur, ok := currencyWords[d.ts[j].lw]; ok && f.unit == "" {
			f.unit = cur
			f.e, f.tb = d.ts[j].e, j+1
			j++
		} else if d.ts[j].has(wcUnitNoun) {
			f.unit = normUnit(d.ts[j].lw)
			f.e, f.tb = d.ts[j].e, j+1
			j++
			// km/h
			if j+1 < s.b && d.ts[j].isP("/") && d.ts[j].s == d.ts[j-1].e && d.ts[j+1].kind == tkWord && (d.ts[j+1].lw == "h" || d.ts[j+1].lw == "hr") {
				f.unit = f.unit + "/h"
				f.e, f.tb = d.ts[j+1].e, j+2
				j += 2
			}
		}
	}
	if f.unit == "percent" || f.unit == "percentage points" {
		// a change: "a 76% drop in shootings", "a 5% rise"
		if j < s.b && d.ts[j].kind == tkWord && d.ts[j].has(wcIncrease|wcDecrease) {
			if d.ts[j].has(wcIncrease) {
				f.change = "increase"
			} else {
				f.change = "decrease"
			}
			f.e, f.tb = d.ts[j].e, j+1
			j++
			if j+1 < s.b && (d.ts[j].lw == "in" || d.ts[j].lw == "of") {
				m, mb := d.nounPhrase(j+1, s.b)
				if mb > j+1 {
					f.measure = m
					f.e, f.tb = d.ts[mb-1].e, mb
				}
			}
		}
		return f
	}
	if f.unit != "" && f.unit != "years" {
		return f
	}
	// what is counted: adjectives and a noun, or a noun a few names away
	m, mb := d.nounPhrase(j, s.b)
	if mb > j {
		head := d.ts[mb-1].lw
		switch {
		case lex.has(head, wcPeopleNoun):
			f.unit = "people"
		case lex.has(head, wcTimeUnit):
			f.unit = strings.TrimSuffix(head, "s") + "s"
		case lex.has(head, wcUnitNoun):
			f.unit = normUnit(head)
		default:
			f.unit = head
		}
		f.measure = m
		f.e, f.tb = d.ts[mb-1].e, mb
		return f
	}
	// "2,000 ICE, Border Patrol and other federal agents": a people noun a few names on
	for k := j; k < s.b && k < j+10; k++ {
		t := &d.ts[k]
		if d.inside(k) != d.inside(j) || terminal(t) || t.kind == tkMark || t.kind == tkNum || (t.kind == tkWord && (t.has(wcCue) || beVerb(t.lw) || t.lw == "to" || t.lw == "in" || t.lw == "on" || t.lw == "of" || t.lw == "who" || t.lw == "that")) {
			break
		}
		if t.kind == tkWord && t.has(wcPeopleNoun) && !t.is(fCap) {
			f.unit = "people"
			f.measure = d.slice(j, k+1)
			f.e, f.tb = t.e, k+1
			return f
		}
	}
	// "another 470 are ...": the unit of the figure before
	if numTok-1 >= s.a && (d.ts[numTok-1].lw == "another" || d.ts[numTok-1].lw == "additional" || d.ts[numTok-1].lw == "further") && len(d.figures) > 0 {
		prev := d.figures[len(d.figures)-1]
		f.unit, f.measure = prev.unit, prev.measure
		f.s, f.ta = d.ts[numTok-1].s, numTok-1
		return f
	}
	if f.unit == "" {
		f.unit = "count"
	}
	return f
}

// nounPhrase reads adjectives and a head noun from token j: "untrained
// agents", "Minnesota-based companies". It returns the phrase and the token
// after it (j when there is none).
func (d *document) nounPhrase(j, end int) (string, int) {
	k := j
	last := -1
	for k < end && k < j+5 {
		t := &d.ts[k]
		if t.kind != tkWord || d.inside(k) != d.inside(j) {
			break
		}
		if t.has(wcStop) && !t.has(wcPeopleNoun) || t.has(wcCue) || t.lw == "are" || t.lw == "were" {
			break
		}
		if t.is(fCap) && !strings.Contains(t.lw, "-") && k == j {
			break
		}
		if t.has(wcPeopleNoun|wcTimeUnit|wcUnitNoun|wcCurrencyWord) || strings.HasSuffix(t.lw, "s") && len(t.lw) > 3 && !strings.HasSuffix(t.lw, "ss") && !strings.HasSuffix(t.lw, "ous") {
			last = k
			if k+1 < end && d.ts[k+1].kind == tkWord && (d.ts[k+1].has(wcPeopleNoun) || strings.HasSuffix(d.ts[k+1].lw, "s") && !d.ts[k+1].has(wcStop|wcCue) && len(d.ts[k+1].lw) > 3 && !strings.HasSuffix(d.ts[k+1].lw, "ss")) {
				k++
				continue
			}
			break
		}
		k++
	}
	if last < 0 {
		return "", j
	}
	return d.slice(j, last+1), last + 1
}

// slice returns the text of tokens [a, b).
func (d *document) slice(a, b int) string {
	if a >= b {
		return ""
	}
	return string(d.rs[d.ts[a].s:d.ts[b-1].e])
}

// figureDetails fills period, baseline and who stated the figure.
func (d *document) figureDetails(f *figureOut, s sentence, si int) {
	// baseline: "compared to January 2025", "than a year earlier"
	for k := f.tb; k < s.b && k < f.tb+12; k++ {
		t := &d.ts[k]
		if t.kind != tkWord {
			continue
		}
		if (t.lw == "compared" && k+1 < s.b && (d.ts[k+1].lw == "to" || d.ts[k+1].lw == "with")) || t.lw == "than" || t.lw == "from" && f.change != "" {
			start := k + 1
			if t.lw == "compared" {
				start = k + 2
			}
			if p := d.periodAt(start, s.b); p != "" {
				f.baseline = p
			}
			break
		}
	}
	// period: "this month", "last year", "in 2025"
	for k := max(s.a, f.ta-15); k < s.b && k < f.tb+15; k++ {
		t := &d.ts[k]
		if t.kind != tkWord || (k >= f.ta && k < f.tb) {
			continue
		}
		if t.lw == "this" || t.lw == "last" || t.lw == "in" || t.lw == "during" {
			if k > f.tb && f.baseline != "" && k > f.tb+1 && d.ts[k-1].lw == "to" {
				continue
			}
			if p := d.periodAt(k, s.b); p != "" && !(f.baseline != "" && p == f.baseline) {
				f.period = p
				break
			}
		}
	}
	// who stated it: the quotation around it, else the speaker of the sentence
	qs := d.quotesOfSentence(si)
	for _, i := range qs {
		q := &d.quotes[i]
		if q.s <= f.s && f.e <= q.e && q.spk != nil {
			f.stated = q.spk
			return
		}
	}
	for _, i := range qs {
		q := &d.quotes[i]
		if q.spk == nil || q.reportedBy >= 0 {
			continue
		}
		a, b := q.tb, f.ta
		if f.tb <= q.ta {
			a, b = f.tb, q.ta
		}
		other := false
		for k := a; k < b; k++ {
			t := &d.ts[k]
			if t.kind == tkWord && (t.lw == "show" || t.lw == "shows" || t.lw == "showed" || t.lw == "found" || t.lw == "according" || t.lw == "however" || t.lw == "while" || t.lw == "but") {
				other = true
			}
		}
		if !other {
			f.stated = q.spk
			return
		}
	}
	// "police statistics show", "according to data from X"
	for k := max(s.a, f.ta-12); k < f.ta; k++ {
		t := &d.ts[k]
		if t.kind == tkWord && (t.lw == "show" || t.lw == "shows" || t.lw == "showed") && k-1 >= s.a {
			if sp, _ := d.nominalLeft(k-1, s.a); sp.found {
				if sp.ent != nil {
					f.stated = sp.ent
				} else if e := d.resolveNominal(&sp, d.st); e != nil {
					f.stated = e
				}
			}
			return
		}
	}
}

// quotesOfSentence returns the indexes of the quotes of sentence si (and of
// quotations that run over from another sentence into it).
func (d *document) quotesOfSentence(si int) []int {
	if d.bySent == nil {
		d.bySent = map[int][]int{}
		for i := range d.quotes {
			q := &d.quotes[i]
			d.bySent[q.sent] = append(d.bySent[q.sent], i)
		}
	}
	return d.bySent[si]
}

// periodAt reads a period at token k: "this month", "last year",
// "January 2025", "2024", "in January".
func (d *document) periodAt(k, end int) string {
	if k >= end {
		return ""
	}
	t := &d.ts[k]
	n := func(i int) *tok {
		if i < end {
			return &d.ts[i]
		}
		return nil
	}
	switch t.lw {
	case "this", "last":
		delta := 0
		if t.lw == "last" {
			delta = -1
		}
		if u := n(k + 1); u != nil {
			switch u.lw {
			case "month":
				return d.pub.month(delta)
			case "year":
				return d.pub.year(delta)
			}
		}
		return ""
	case "in", "during", "since":
		return d.periodAt(k+1, end)
	case "a":
		if u, w := n(k+1), n(k+2); u != nil && w != nil && u.lw == "year" && (w.lw == "earlier" || w.lw == "ago" || w.lw == "before") {
			return d.pub.year(-1)
		}
		return ""
	}
	if t.has(wcMonth) && t.is(fCap) {
		m := monthNum(t.lw)
		if u := n(k + 1); u != nil && u.kind == tkNum && len(u.w) == 4 {
			if y, err := strconv.Atoi(u.w); err == nil && y > 1800 && y < 2200 {
				return strconv.Itoa(y) + "-" + twoDigits(m)
			}
		}
		if d.pub.ok {
			return strconv.Itoa(d.pub.t.Year()) + "-" + twoDigits(m)
		}
		return ""
	}
	if t.kind == tkNum && len(t.w) == 4 {
		if y, err := strconv.Atoi(t.w); err == nil && y > 1800 && y < 2200 {
			return t.w
		}
	}
	return ""
}

func twoDigits(m int) string {
	if m < 10 {
		return "0" + strconv.Itoa(m)
	}
	return strconv.Itoa(m)
}
