package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus series, in a registry of its own (no
// global registry: two servers in one process, as in tests, stay apart).
type metrics struct {
	reg      *prometheus.Registry
	syncs    prometheus.Counter
	opsIn    prometheus.Counter
	opsOut   prometheus.Counter
	refusals *prometheus.CounterVec
	duration prometheus.Histogram
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		syncs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "brug_syncs_total", Help: "Sync round trips answered with 200.",
		}),
		opsIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "brug_ops_in_total", Help: "Pushed ops stored (new ones only).",
		}),
		opsOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "brug_ops_out_total", Help: "Ops sent to devices.",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "brug_refusals_total", Help: "Pushed ops refused, by reason code.",
		}, []string{"code"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "brug_sync_duration_seconds", Help: "Time to answer a sync request.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}
	m.reg.MustRegister(m.syncs, m.opsIn, m.opsOut, m.refusals, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
