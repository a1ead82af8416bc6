package extract

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateInfo is a date found in the text or given in the metadata.
type dateInfo struct {
	t       time.Time
	ok      bool
	hasTime bool
}

func monthNum(w string) int {
	w = strings.TrimSuffix(strings.ToLower(w), ".")
	switch {
	case strings.HasPrefix(w, "jan"):
		return 1
	case strings.HasPrefix(w, "feb"):
		return 2
	case strings.HasPrefix(w, "mar"):
		return 3
	case strings.HasPrefix(w, "apr"):
		return 4
	case w == "may":
		return 5
	case strings.HasPrefix(w, "jun"):
		return 6
	case strings.HasPrefix(w, "jul"):
		return 7
	case strings.HasPrefix(w, "aug"):
		return 8
	case strings.HasPrefix(w, "sep"):
		return 9
	case strings.HasPrefix(w, "oct"):
		return 10
	case strings.HasPrefix(w, "nov"):
		return 11
	case strings.HasPrefix(w, "dec"):
		return 12
	}
	return 0
}

// parseMetaDate reads a date given by the caller: RFC 3339, a date, or
// forms like "26 Jan 2026".
func parseMetaDate(s string) dateInfo {
	s = strings.TrimSpace(s)
	if s == "" {
		return dateInfo{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return dateInfo{t: t.UTC(), ok: true, hasTime: true}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return dateInfo{t: t, ok: true}
	}
	return scanDate(s)
}

// scanDate finds the first full date (day, month and year) in a short text,
// with a clock time after it when there is one.
func scanDate(s string) dateInfo {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == ',' || r == '/' || r == '\t' || r == '|' || r == '(' || r == ')'
	})
	num := func(w string) (int, bool) {
		w = strings.TrimRight(w, ".")
		for _, suf := range []string{"st", "nd", "rd", "th"} {
			w = strings.TrimSuffix(w, suf)
		}
		n, err := strconv.Atoi(w)
		return n, err == nil
	}
	for i := 0; i < len(f); i++ {
		if t, err := time.Parse("2006-01-02", f[i]); err == nil {
			return withClock(dateInfo{t: t, ok: true}, f[i+1:])
		}
		if len(f[i]) > 10 {
			if t, err := time.Parse(time.RFC3339, f[i]); err == nil {
				return dateInfo{t: t.UTC(), ok: true, hasTime: true}
			}
		}
		if i+2 >= len(f) {
			continue
		}
		// 26 Jan 2026
		if d, ok := num(f[i]); ok && d >= 1 && d <= 31 {
			if m := monthNum(f[i+1]); m > 0 && lex.has(strings.ToLower(strings.TrimSuffix(f[i+1], ".")), wcMonth) {
				if y, ok := num(f[i+2]); ok && y > 1900 && y < 2200 {
					return withClock(mkDate(y, m, d), f[i+3:])
				}
			}
		}
		// Jan 26 2026
		if m := monthNum(f[i]); m > 0 && lex.has(strings.ToLower(strings.TrimSuffix(f[i], ".")), wcMonth) {
			if d, ok := num(f[i+1]); ok && d >= 1 && d <= 31 {
				if y, ok := num(f[i+2]); ok && y > 1900 && y < 2200 {
					return withClock(mkDate(y, m, d), f[i+3:])
				}
			}
		}
	}
	return dateInfo{}
}

func mkDate(y, m, d int) dateInfo {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return dateInfo{}
	}
	return dateInfo{t: t, ok: true}
}

// withClock adds an hh:mm time from the next words, if any.
func withClock(di dateInfo, rest []string) dateInfo {
	if !di.ok {
		return di
	}
	for k, w := range rest {
		if k > 2 {
			break
		}
		h, m, ok := clock(w)
		if !ok {
			continue
		}
		if k+1 < len(rest) {
			switch strings.ToLower(strings.TrimRight(rest[k+1], ".")) {
			case "pm", "p.m":
				if h < 12 {
					h += 12
				}
			case "am", "a.m":
				if h == 12 {
					h = 0
				}
			}
		}
		di.t = di.t.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
		di.hasTime = true
		break
	}
	return di
}

func clock(w string) (int, int, bool) {
	a, b, ok := strings.Cut(w, ":")
	if !ok || len(b) < 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(a)
	m, err2 := strconv.Atoi(b[:2])
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// String renders the date for a bundle.
func (di dateInfo) String() string {
	if !di.ok {
		return ""
	}
	if di.hasTime {
		return di.t.Format(time.RFC3339)
	}
	return di.t.Format("2006-01-02")
}

// day returns the publication day as YYYY-MM-DD.
func (di dateInfo) day() string {
	if !di.ok {
		return ""
	}
	return di.t.Format("2006-01-02")
}

// weekdayBefore returns the date of the weekday w on or before the
// publication date.
func (di dateInfo) weekdayBefore(w string) string {
	if !di.ok {
		return ""
	}
	want := -1
	for i, n := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		if n == w {
			want = i
		}
	}
	if want < 0 {
		return ""
	}
	back := (int(di.t.Weekday()) - want + 7) % 7
	return di.t.AddDate(0, 0, -back).Format("2006-01-02")
}

// relative resolves a relative day word against the publication date.
func (di dateInfo) relative(w string) string {
	if !di.ok {
		return ""
	}
	switch w {
	case "today", "tonight":
		return di.day()
	case "yesterday":
		return di.t.AddDate(0, 0, -1).Format("2006-01-02")
	}
	if lex.has(w, wcWeekday) {
		return di.weekdayBefore(w)
	}
	return ""
}

// month returns the publication month as YYYY-MM, shifted by delta months.
func (di dateInfo) month(delta int) string {
	if !di.ok {
		return ""
	}
	t := time.Date(di.t.Year(), di.t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, delta, 0)
	return t.Format("2006-01")
}

// year returns the publication year shifted by delta.
func (di dateInfo) year(delta int) string {
	if !di.ok {
		return ""
	}
	return fmt.Sprintf("%04d", di.t.Year()+delta)
}
