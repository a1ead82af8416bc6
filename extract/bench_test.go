package extract

import (
	"strings"
	"testing"
)

// BenchmarkExtract measures throughput over the fixture articles. MB/s is
// megabytes of text per second of wall time on one goroutine; MB/cpu-s is
// megabytes per second of the process's CPU time (garbage collection
// included), which other load on the machine disturbs less.
func BenchmarkExtract(b *testing.B) {
	texts := fixtureTexts(b)
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	benchExtract(b, texts, n)
}

// BenchmarkExtractLong measures one long article (the fixtures joined),
// which shows whether cost grows faster than the text.
func BenchmarkExtractLong(b *testing.B) {
	text := strings.Join(fixtureTexts(b), "\n\n")
	benchExtract(b, []string{text}, len(text))
}

func benchExtract(b *testing.B, texts []string, n int) {
	b.SetBytes(int64(n))
	b.ReportAllocs()
	start := cpuTime()
	runs := 0
	for b.Loop() {
		for _, t := range texts {
			if _, _, err := Extract(t, Meta{}, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		runs++
	}
	if cpu := cpuTime() - start; cpu > 0 && runs > 0 {
		b.ReportMetric(float64(n)*float64(runs)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}
