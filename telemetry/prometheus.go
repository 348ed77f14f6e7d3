package telemetry

import (
	"net/http"

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
	p.reg.MustRegister(p.duration, p.requests, p.edges, p.closure, p.bumped,
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

// Handler serves the Prometheus text exposition of the registry.
func (p *Prometheus) Handler() http.Handler {
	return promhttp.HandlerFor(p.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

