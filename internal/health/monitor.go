// Package health tells whether a long-running process is alive in the
// sense that matters to its orchestrator: each of its pollers (queue
// receivers, the outbox relay) completed a poll recently. A process that
// cannot reach its queues or its table retries forever without crashing;
// only its pollers' silence shows it, so the check measures that and
// not merely that the process answers HTTP.
package health

import (
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/clock"
)

// DefaultMaxAge is how old a poller's last success may be before the
// process is unhealthy. The session host's slowest poll is a 20 s SQS
// long poll, and a failing one backs off at most 30 s: two minutes is
// several missed polls, never one slow one.
const DefaultMaxAge = 2 * time.Minute

// Monitor records the last success of each registered poller.
type Monitor struct {
	clk    clock.Clock
	maxAge time.Duration

	mu      sync.Mutex
	pollers []*Poller // in registration order, so reports are stable
}

// NewMonitor returns a Monitor that calls a poller stale once its last
// success is more than maxAge old (DefaultMaxAge if maxAge <= 0).
func NewMonitor(clk clock.Clock, maxAge time.Duration) *Monitor {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	return &Monitor{clk: clk, maxAge: maxAge}
}

// Poller is one thing that must keep polling. Several goroutines may
// share one (the receivers of one lane queue): any one's success counts.
type Poller struct {
	name string
	m    *Monitor
	last time.Time // zero until the first success; guarded by m.mu
}

// Poller registers a poller named name (shown in reports). A poller that
// never succeeds keeps the process unhealthy: "starting" and "dead on
// arrival" look the same from outside, and the orchestrator's start
// period is what tells them apart.
func (m *Monitor) Poller(name string) *Poller {
	p := &Poller{name: name, m: m}
	m.mu.Lock()
	m.pollers = append(m.pollers, p)
	m.mu.Unlock()
	return p
}

// OK records a successful poll now.
func (p *Poller) OK() {
	now := p.m.clk.Now()
	p.m.mu.Lock()
	if now.After(p.last) {
		p.last = now
	}
	p.m.mu.Unlock()
}

// Stale is a poller without a recent success.
type Stale struct {
	Poller string
	// LastSuccess is when it last succeeded; zero if it never did.
	LastSuccess time.Time
}

// Status is the outcome of a check.
type Status struct {
	Healthy bool
	Stale   []Stale // in registration order; empty when healthy
}

// Check reports the pollers whose last success is older than maxAge or
// that never succeeded. A monitor with no pollers is healthy: it watches
// nothing.
func (m *Monitor) Check() Status {
	cutoff := m.clk.Now().Add(-m.maxAge)
	m.mu.Lock()
	defer m.mu.Unlock()
	st := Status{Healthy: true}
	for _, p := range m.pollers {
		// A poller that never succeeded has a zero last: before any cutoff.
		if p.last.Before(cutoff) {
			st.Healthy = false
			st.Stale = append(st.Stale, Stale{Poller: p.name, LastSuccess: p.last})
		}
	}
	return st
}
