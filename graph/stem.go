package graph

import (
	"strings"
	"sync"
	"sync/atomic"
)

// The stems of short words are kept (up to stemCacheMax words): a corpus's
// vocabulary repeats, so an import stems each distinct word about once
// instead of at every occurrence.
const (
	stemCacheMax  = 1 << 16
	stemCacheWord = 24 // the longest word kept, in bytes
)

var (
	stemCache     sync.Map // word -> stem
	stemCacheSize atomic.Int64
)

// Stem returns the Porter stem (M. F. Porter, 1980, as in his reference C
// implementation) of a lower-case ASCII word; other words and words of two
// letters or fewer are returned as they are. "running" stems to "run",
// "ponies" to "poni", "generalizations" to "gener".
func Stem(word string) string {
	if len(word) <= 2 {
		return word
	}
	cached := len(word) <= stemCacheWord
	if cached {
		if st, ok := stemCache.Load(word); ok {
			return st.(string)
		}
	}
	for i := 0; i < len(word); i++ {
		if word[i] < 'a' || word[i] > 'z' {
			return word
		}
	}
	s := &stemmer{b: []byte(word), k: len(word) - 1}
	s.step1ab()
	if s.k > 0 {
		s.step1c()
		s.step2()
		s.step3()
		s.step4()
		s.step5()
	}
	st := string(s.b[:s.k+1])
	if cached && stemCacheSize.Load() < stemCacheMax {
		// A clone: word may be part of a long text the cache must not keep.
		if _, loaded := stemCache.LoadOrStore(strings.Clone(word), st); !loaded {
			stemCacheSize.Add(1)
		}
	}
	return st
}

// stemmer holds the word being stemmed: b[0..k] is the current word and j
// marks the end of the stem that a suffix test left.
type stemmer struct {
	b    []byte
	k, j int
}

// cons reports whether b[i] is a consonant.
func (s *stemmer) cons(i int) bool {
	switch s.b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !s.cons(i-1)
	}
	return true
}

// m counts the vowel-consonant sequences in b[0..j].
func (s *stemmer) m() int {
	n, i := 0, 0
	for {
		if i > s.j {
			return n
		}
		if !s.cons(i) {
			break
		}
		i++
	}
	i++
	for {
		for {
			if i > s.j {
				return n
			}
			if s.cons(i) {
				break
			}
			i++
		}
		i++
		n++
		for {
			if i > s.j {
				return n
			}
			if !s.cons(i) {
				break
			}
			i++
		}
		i++
	}
}

// vowelInStem reports whether b[0..j] holds a vowel.
func (s *stemmer) vowelInStem() bool {
	for i := 0; i <= s.j; i++ {
		if !s.cons(i) {
			return true
		}
	}
	return false
}

// doubleC reports whether b[j-1..j] is a double consonant.
func (s *stemmer) doubleC(j int) bool {
	return j >= 1 && s.b[j] == s.b[j-1] && s.cons(j)
}

// cvc reports whether b[i-2..i] is consonant-vowel-consonant and the last
// is not w, x or y.
func (s *stemmer) cvc(i int) bool {
	if i < 2 || !s.cons(i) || s.cons(i-1) || !s.cons(i-2) {
		return false
	}
	switch s.b[i] {
	case 'w', 'x', 'y':
		return false
	}
	return true
}

// ends reports whether b[0..k] ends with suf, and sets j before it.
func (s *stemmer) ends(suf string) bool {
	n := len(suf)
	if n > s.k+1 || string(s.b[s.k-n+1:s.k+1]) != suf {
		return false
	}
	s.j = s.k - n
	return true
}

// setTo replaces b[j+1..k] with v.
func (s *stemmer) setTo(v string) {
	s.b = append(s.b[:s.j+1], v...)
	s.k = s.j + len(v)
}

// r replaces the suffix with v when m() > 0.
func (s *stemmer) r(v string) {
	if s.m() > 0 {
		s.setTo(v)
	}
}

func (s *stemmer) step1ab() {
	if s.b[s.k] == 's' {
		switch {
		case s.ends("sses"):
			s.k -= 2
		case s.ends("ies"):
			s.setTo("i")
		case s.b[s.k-1] != 's':
			s.k--
		}
	}
	if s.ends("eed") {
		if s.m() > 0 {
			s.k--
		}
	} else if (s.ends("ed") || s.ends("ing")) && s.vowelInStem() {
		s.k = s.j
		switch {
		case s.ends("at"):
			s.setTo("ate")
		case s.ends("bl"):
			s.setTo("ble")
		case s.ends("iz"):
			s.setTo("ize")
		case s.doubleC(s.k):
			s.k--
			switch s.b[s.k] {
			case 'l', 's', 'z':
				s.k++
			}
		default:
			s.j = s.k
			if s.m() == 1 && s.cvc(s.k) {
				s.setTo("e")
			}
		}
	}
}

func (s *stemmer) step1c() {
	if s.ends("y") && s.vowelInStem() {
		s.b[s.k] = 'i'
	}
}

// suffixRule is one suffix and its replacement.
type suffixRule struct{ suf, to string }

// applyFirst applies the first rule whose suffix ends the word.
func (s *stemmer) applyFirst(rules []suffixRule) {
	for _, rl := range rules {
		if s.ends(rl.suf) {
			s.r(rl.to)
			return
		}
	}
}

func (s *stemmer) step2() {
	s.applyFirst([]suffixRule{
		{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"},
		{"izer", "ize"}, {"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"},
		{"ousli", "ous"}, {"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"},
		{"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"},
		{"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"}, {"logi", "log"},
	})
}

func (s *stemmer) step3() {
	s.applyFirst([]suffixRule{
		{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
		{"ical", "ic"}, {"ful", ""}, {"ness", ""},
	})
}

func (s *stemmer) step4() {
	for _, suf := range []string{"al", "ance", "ence", "er", "ic", "able", "ible", "ant",
		"ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"} {
		if !s.ends(suf) {
			continue
		}
		if suf == "ion" && (s.j < 0 || (s.b[s.j] != 's' && s.b[s.j] != 't')) {
			return
		}
		if s.m() > 1 {
			s.k = s.j
		}
		return
	}
}

func (s *stemmer) step5() {
	s.j = s.k
	if s.b[s.k] == 'e' {
		a := s.m()
		if a > 1 || (a == 1 && !s.cvc(s.k-1)) {
			s.k--
		}
	}
	if s.b[s.k] == 'l' && s.doubleC(s.k) && s.m() > 1 {
		s.k--
	}
}
