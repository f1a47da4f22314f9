package httpapi

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/wagateway/wagateway/internal/clock"
)

// limiter is the per-tenant API rate limit: a token bucket per tenant,
// refilled at perSecond with room for burst. It protects the gateway, not
// WhatsApp: pacing toward WhatsApp is the lanes' job.
type limiter struct {
	perSecond float64
	burst     int
	clock     clock.Clock
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
}

func newLimiter(perSecond float64, burst int, clk clock.Clock) *limiter {
	return &limiter{perSecond: perSecond, burst: burst, clock: clk, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token for tenant; when none is left it reports how many
// whole seconds to wait (at least 1).
func (l *limiter) allow(tenant string) (retryAfter int, ok bool) {
	if l.perSecond <= 0 {
		return 0, true
	}
	l.mu.Lock()
	b := l.buckets[tenant]
	if b == nil {
		b = rate.NewLimiter(rate.Limit(l.perSecond), l.burst)
		l.buckets[tenant] = b
	}
	l.mu.Unlock()
	now := l.clock.Now()
	res := b.ReserveN(now, 1)
	if !res.OK() {
		return 1, false
	}
	delay := res.DelayFrom(now)
	if delay <= 0 {
		return 0, true
	}
	res.CancelAt(now)
	return int(math.Max(1, math.Ceil(float64(delay)/float64(time.Second)))), false
}
