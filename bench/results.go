package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"
)

// Systems, in table order.
const (
	ClaimGraph = "claimgraph"
	Raw        = "raw"
	SQLite     = "sqlite"
	Postgres   = "postgres"
)

// Systems lists the systems in the order of the table's columns.
var Systems = []string{ClaimGraph, Raw, SQLite, Postgres}

// SystemNames are the column headings.
var SystemNames = map[string]string{ClaimGraph: "claimgraph", Raw: "raw Badger", SQLite: "SQLite", Postgres: "PostgreSQL"}

// Results is what one run of the harness measured: bench/results.json.
type Results struct {
	// Started is when the run began.
	Started time.Time `json:"started"`
	// Seconds is how long it took.
	Seconds float64 `json:"seconds"`
	Machine Machine `json:"machine"`
	Seed    uint64  `json:"seed"`
	// Command is the command line of the run.
	Command string `json:"command"`
	Sizes   []Size `json:"sizes"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs     int     `json:"cpus"`
	MemGiB   float64 `json:"mem_gib"`
	Go       string  `json:"go"`
	OS       string  `json:"os"`
	Commit   string  `json:"commit,omitempty"`
	SQLite   string  `json:"sqlite,omitempty"`
	Postgres string  `json:"postgres,omitempty"`
}

// Size is the measurements of one corpus size.
type Size struct {
	Quotes  int      `json:"quotes"`
	Records int      `json:"records"`
	Metrics []Metric `json:"metrics"`
	// Notes say what was skipped or how something was measured.
	Notes []string `json:"notes,omitempty"`
}

// Metric is one measure across the systems.
type Metric struct {
	// ID names the metric in code and JSON ("import_rate", "trace_p50").
	ID string `json:"id"`
	// Name is the table's row heading.
	Name string `json:"name"`
	// Unit of the values ("quotes/s", "ms", "req/s", "MiB", "bytes/quote").
	Unit string `json:"unit"`
	// Higher is true when a higher value is better.
	Higher bool `json:"higher_is_better"`
	// Baseline is the system the ratios are taken against.
	Baseline string `json:"baseline,omitempty"`
	// Values by system; a system not measured is absent.
	Values map[string]float64 `json:"values"`
	// Ratios are Values divided by the baseline's value.
	Ratios map[string]float64 `json:"ratios,omitempty"`
}

// SetRatios fills m.Ratios from m.Values and m.Baseline.
func (m *Metric) SetRatios() {
	m.Ratios = nil
	base, ok := m.Values[m.Baseline]
	if !ok || base == 0 || math.IsNaN(base) {
		return
	}
	m.Ratios = map[string]float64{}
	for s, v := range m.Values {
		m.Ratios[s] = v / base
	}
}

// Metric returns the metric with the id, or nil.
func (s *Size) Metric(id string) *Metric {
	for i := range s.Metrics {
		if s.Metrics[i].ID == id {
			return &s.Metrics[i]
		}
	}
	return nil
}

// Add appends a metric, with its ratios, unless it has no values.
func (s *Size) Add(m Metric) {
	if len(m.Values) == 0 {
		return
	}
	m.SetRatios()
	s.Metrics = append(s.Metrics, m)
}

// Write writes r as indented JSON.
func (r *Results) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("bench: results: %w", err)
	}
	return nil
}

// ReadResults reads a results file.
func ReadResults(rd io.Reader) (*Results, error) {
	var r Results
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("bench: results: %w", err)
	}
	return &r, nil
}
