package extract

import (
	"strings"
	"testing"
)

// BenchmarkExtract measures throughput over the fixture articles; the
// MB/s column is megabytes of text per second on one core.
func BenchmarkExtract(b *testing.B) {
	texts := fixtureTexts(b)
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			if _, _, err := Extract(t, Meta{}, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExtractLong measures one long article (the fixtures joined),
// which shows whether cost grows faster than the text.
func BenchmarkExtractLong(b *testing.B) {
	text := strings.Join(fixtureTexts(b), "\n\n")
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Extract(text, Meta{}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
