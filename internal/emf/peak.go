package emf

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
)

// PeakConfig wires a Peak.
type PeakConfig struct {
	Writer *Writer
	Name   string // the metric
	Unit   string
	Clock  clock.Clock
	Log    *slog.Logger
	// Period is how often a line is written; default one minute, the
	// finest resolution a standard CloudWatch metric keeps anyway.
	Period time.Duration
}

// Peak reports the largest value observed in each period as one EMF
// line: for a lag, the worst moment is what an alarm needs, and one line
// a minute costs next to nothing however often values come in.
type Peak struct {
	cfg PeakConfig

	mu   sync.Mutex
	max  float64
	seen bool
}

// NewPeak returns a Peak; Run writes its lines.
func NewPeak(cfg PeakConfig) *Peak {
	if cfg.Period <= 0 {
		cfg.Period = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Peak{cfg: cfg}
}

// Observe records a value; it never blocks on I/O.
func (p *Peak) Observe(v float64) {
	p.mu.Lock()
	if !p.seen || v > p.max {
		p.max, p.seen = v, true
	}
	p.mu.Unlock()
}

// Run writes a line at the end of each period in which a value was
// observed (none: no line, so a silent source shows as missing data
// rather than as a reassuring 0), and one for the unfinished period when
// ctx ends; then it returns nil.
func (p *Peak) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			p.flush()
			return nil
		case <-p.cfg.Clock.After(p.cfg.Period):
			p.flush()
		}
	}
}

func (p *Peak) flush() {
	p.mu.Lock()
	v, seen := p.max, p.seen
	p.max, p.seen = 0, false
	p.mu.Unlock()
	if !seen {
		return
	}
	if err := p.cfg.Writer.Write(p.cfg.Clock.Now(), Metric{Name: p.cfg.Name, Unit: p.cfg.Unit, Value: v}); err != nil {
		p.cfg.Log.Warn("write metric", "metric", p.cfg.Name, "err", err.Error())
	}
}
