package telemetry

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names of the Prometheus exposition.
const (
	MetricRequestDuration = "dmsc_request_duration_seconds"
	MetricRequests        = "dmsc_requests_total"
	MetricEdgeRows        = "dmsc_edge_rows_changed_total"
	MetricClosureSize     = "dmsc_identity_closure_documents"
	MetricCascadeBumped   = "dmsc_cascade_etags_bumped_total"
	MetricRoundTrips      = "dmsc_request_round_trips"
	MetricRetries         = "dmsc_write_retries_total"
	MetricLockWait        = "dmsc_write_lock_round_trip_seconds"
)

// Prometheus records into its own registry (with the Go runtime and
// process collectors) and serves it with Handler.
type Prometheus struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
	requests *prometheus.CounterVec
	edges    *prometheus.CounterVec
	closure  *prometheus.HistogramVec
	bumped   *prometheus.CounterVec
	trips    *prometheus.HistogramVec
	retries  *prometheus.CounterVec
	lockWait prometheus.Histogram
}

// NewPrometheus returns a Recorder exposing dmsc's metrics.
func NewPrometheus() *Prometheus {
	p := &Prometheus{reg: prometheus.NewRegistry()}
	labels := []string{"operation", "resource"}
	p.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: MetricRequestDuration, Help: "Time to answer a request, by operation and resource.",
		// 100 µs … ~13 s.
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18),
	}, labels)
	p.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricRequests, Help: "Requests answered, by operation, resource and status class.",
	}, append(labels, "status"))
	p.edges = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricEdgeRows, Help: "dms.ReferenceEdge rows changed by writes' edge diffs, by resource and change.",
	}, []string{"resource", "change"})
	p.closure = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: MetricClosureSize, Help: "Identity closure sizes of identity-changing writes, by resource.",
		Buckets: prometheus.ExponentialBuckets(1, 4, 10),
	}, []string{"resource"})
	p.bumped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricCascadeBumped, Help: "ETags bumped by identity cascades, by resource.",
	}, []string{"resource"})
	p.trips = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: MetricRoundTrips, Help: "Database round trips per request, by operation.",
		Buckets: []float64{0, 1, 2, 3, 4, 5, 6, 8, 12, 16, 32},
	}, []string{"operation"})
	p.retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricRetries, Help: "Write and delete attempts retried, by reason (deadlock, serialization, identity-moved).",
	}, []string{"reason"})
	p.lockWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: MetricLockWait, Help: "Time of a write's locking round trip (dms.IdentityLock; waits behind other writers included).",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18),
	})
	p.reg.MustRegister(p.duration, p.requests, p.edges, p.closure, p.bumped, p.trips, p.retries, p.lockWait,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return p
}

// Registry returns the registry, for callers that add collectors of
// their own (a database pool's statistics, say).
func (p *Prometheus) Registry() *prometheus.Registry { return p.reg }

// Request implements Recorder.
func (p *Prometheus) Request(r Request) {
	op := string(r.Operation)
	res := r.Resource
	if res == "" {
		res = ResourceNone
	}
	p.duration.WithLabelValues(op, res).Observe(r.Duration.Seconds())
	p.requests.WithLabelValues(op, res, StatusClass(r.Status)).Inc()
	if r.Operation != OpInfo && r.Operation != OpOther {
		p.trips.WithLabelValues(op).Observe(float64(r.RoundTrips))
	}
	w := r.Write
	for _, c := range []struct {
		change string
		n      int64
	}{{"inserted", w.EdgesInserted}, {"updated", w.EdgesUpdated}, {"deleted", w.EdgesDeleted}} {
		if c.n > 0 {
			p.edges.WithLabelValues(res, c.change).Add(float64(c.n))
		}
	}
	if w.Closure > 0 {
		p.closure.WithLabelValues(res).Observe(float64(w.Closure))
		p.bumped.WithLabelValues(res).Add(float64(w.Bumped))
	}
}

// Retry records a retried write (relstore.Observer).
func (p *Prometheus) Retry(reason string) { p.retries.WithLabelValues(reason).Inc() }

// LockWait records a write's locking round trip (relstore.Observer).
func (p *Prometheus) LockWait(d time.Duration) { p.lockWait.Observe(d.Seconds()) }

// Handler serves the Prometheus text exposition of the registry.
func (p *Prometheus) Handler() http.Handler {
	return promhttp.HandlerFor(p.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Metric names of the DocumentCache.
const (
	MetricCacheHits          = "dmsc_document_cache_hits_total"
	MetricCacheMisses        = "dmsc_document_cache_misses_total"
	MetricProjectorBacklog   = "dmsc_projector_backlog_documents"
	MetricProjectorOldestAge = "dmsc_projector_backlog_oldest_age_seconds"
	MetricProjectorWritten   = "dmsc_projector_documents_total"
	MetricProjectorFailures  = "dmsc_projector_failures_total"
)

// CacheSource is what the DocumentCache metrics read: the store's hit and
// miss counters, and its backlog (read at each scrape).
type CacheSource interface {
	CacheCounts() (hits, misses int64)
	CacheBacklog() (documents int64, oldestAge time.Duration, err error)
}

// Projector counts what a background projector did.
type Projector struct {
	written, failures prometheus.Counter
}

// RegisterCache adds the DocumentCache metrics (hits, misses, backlog
// count and age of its oldest change, read from src at each scrape) and
// returns the projector's counters.
func (p *Prometheus) RegisterCache(src CacheSource) *Projector {
	hits := prometheus.NewCounterFunc(prometheus.CounterOpts{Name: MetricCacheHits, Help: "GETs served from a fresh DocumentCache row."},
		func() float64 { h, _ := src.CacheCounts(); return float64(h) })
	misses := prometheus.NewCounterFunc(prometheus.CounterOpts{Name: MetricCacheMisses, Help: "GETs the DocumentCache could not serve (assembled)."},
		func() float64 { _, m := src.CacheCounts(); return float64(m) })
	pr := &Projector{
		written:  prometheus.NewCounter(prometheus.CounterOpts{Name: MetricProjectorWritten, Help: "DocumentCache rows the background projector wrote."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricProjectorFailures, Help: "Failed projector runs."}),
	}
	p.reg.MustRegister(hits, misses, &backlogCollector{src: src}, pr.written, pr.failures)
	return pr
}

// Observe records one projector run.
func (pr *Projector) Observe(written int64, err error) {
	if err != nil {
		pr.failures.Inc()
	}
	pr.written.Add(float64(written))
}

// backlogCollector reads the backlog at each scrape.
type backlogCollector struct{ src CacheSource }

var (
	backlogDesc = prometheus.NewDesc(MetricProjectorBacklog, "Documents queued for the DocumentCache projector (their row is missing or stale).", nil, nil)
	oldestDesc  = prometheus.NewDesc(MetricProjectorOldestAge, "Seconds since the oldest document in the projector's queue was queued.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- backlogDesc; ch <- oldestDesc }

// Collect implements prometheus.Collector.
func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	n, age, err := c.src.CacheBacklog()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(backlogDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, age.Seconds())
}

// MetricReadShapes counts GETs without a grant by how the store's read
// shapes served them (relstore/readshape.go), labelled outcome.
const MetricReadShapes = "dmsc_read_shape_gets_total"

// Outcomes of MetricReadShapes.
const (
	// ShapeHit: read with the tables the document's rows are in alone.
	ShapeHit = "hit"
	// ShapeStale: the remembered shape was stale; read whole again.
	ShapeStale = "stale"
	// ShapeMiss: no shape remembered; read whole.
	ShapeMiss = "miss"
)

// ReadShapeSource is what the read-shape metric reads at each scrape.
type ReadShapeSource interface {
	ReadShapeCounts() (hits, stale, misses int64)
}

// RegisterReadShapes adds MetricReadShapes, read from src at each scrape.
func (p *Prometheus) RegisterReadShapes(src ReadShapeSource) {
	counter := func(outcome string, pick func(h, s, m int64) int64) prometheus.CounterFunc {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: MetricReadShapes,
			Help:        "GETs without a grant by read shape: hit (its tables alone), stale (read whole again), miss (read whole).",
			ConstLabels: prometheus.Labels{"outcome": outcome}},
			func() float64 { h, s, m := src.ReadShapeCounts(); return float64(pick(h, s, m)) })
	}
	p.reg.MustRegister(
		counter(ShapeHit, func(h, _, _ int64) int64 { return h }),
		counter(ShapeStale, func(_, s, _ int64) int64 { return s }),
		counter(ShapeMiss, func(_, _, m int64) int64 { return m }))
}
