// Package metrics serves claimgraph's operational metrics at /metrics in
// the Prometheus text format: HTTP requests by route, method and status,
// their latency, requests in flight, the store's size on disk and last
// commit, its posting cache, and the Go runtime and process collectors. It uses the
// Prometheus client library (github.com/prometheus/client_golang) with a
// registry of its own, so two servers in one process (tests) do not share
// counters.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Store is what the metrics read of a store; both methods are cheap.
type Store interface {
	// LastCommit is the timestamp of the last commit, Unix nanoseconds.
	LastCommit() uint64
	// Size returns the bytes on disk of the store's index (LSM tree) and
	// values (value log); 0, 0 for a store without a disk.
	Size() (lsm, vlog int64)
}

// PostingCacher is a store that reports its posting cache (the long
// search lists it keeps decoded): the bytes and lists held, and the lists
// served from it and read whole into it since it was opened.
type PostingCacher interface {
	PostingCacheCounts() (bytes int64, lists int, hits, reads uint64)
}

// Metrics holds the collectors of one server.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// New returns the metrics of a server over the store (nil: no store
// metrics).
func New(st Store) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgraph_http_requests_total",
			Help: "HTTP requests answered, by route, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "claimgraph_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claimgraph_http_requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st != nil {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "claimgraph_store_last_commit_timestamp_seconds",
				Help: "Time of the store's last commit (Unix seconds); 0 for an empty store.",
			}, func() float64 { return float64(st.LastCommit()) / 1e9 }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "claimgraph_store_disk_bytes",
				Help:        "Bytes on disk of the store, by part.",
				ConstLabels: prometheus.Labels{"part": "lsm"},
			}, func() float64 { l, _ := st.Size(); return float64(l) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "claimgraph_store_disk_bytes",
				Help:        "Bytes on disk of the store, by part.",
				ConstLabels: prometheus.Labels{"part": "vlog"},
			}, func() float64 { _, v := st.Size(); return float64(v) }),
		)
	}
	if pc, ok := st.(PostingCacher); ok {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "claimgraph_posting_cache_bytes",
				Help: "Bytes of search posting lists the store keeps decoded.",
			}, func() float64 { b, _, _, _ := pc.PostingCacheCounts(); return float64(b) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "claimgraph_posting_cache_lists",
				Help: "Search posting lists the store keeps decoded.",
			}, func() float64 { _, n, _, _ := pc.PostingCacheCounts(); return float64(n) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "claimgraph_posting_cache_hits_total",
				Help: "Search posting lists served from the posting cache.",
			}, func() float64 { _, _, h, _ := pc.PostingCacheCounts(); return float64(h) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "claimgraph_posting_cache_reads_total",
				Help: "Search posting lists read whole into the posting cache.",
			}, func() float64 { _, _, _, r := pc.PostingCacheCounts(); return float64(r) }),
		)
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Wrap counts and times the requests h answers under the route label (a
// fixed name such as "graphql", never the URL, so that the label set stays
// small).
func (m *Metrics) Wrap(route string, h http.Handler) http.Handler {
	obs := m.duration.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		h.ServeHTTP(rec, r)
		obs.Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(route, method(r.Method), strconv.Itoa(rec.code)).Inc()
	})
}

// method keeps the label set bounded: unknown methods count as "other".
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return m
	}
	return "other"
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.code, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Flush passes flushes on (streaming exports).
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
