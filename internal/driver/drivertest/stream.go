package drivertest

import (
	"sync"
	"time"
)

// stream is what a recorder has seen, safe for use from any goroutine:
// every event in order, each instance's taken in order by the tests.
type stream[E any] struct {
	instanceOf func(E) string

	mu      sync.Mutex
	events  []E
	taken   map[string]int // per instance: index in events after the last one taken
	changed chan struct{}  // closed and replaced on every new event
}

func newStream[E any](instanceOf func(E) string) *stream[E] {
	return &stream[E]{instanceOf: instanceOf, taken: map[string]int{}, changed: make(chan struct{})}
}

func (s *stream[E]) add(e E) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	close(s.changed)
	s.changed = make(chan struct{})
}

// all returns every event so far, of every instance, in order.
func (s *stream[E]) all() []E {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]E(nil), s.events...)
}

// next takes the next event of instance, waiting up to within.
func (s *stream[E]) next(instance string, within time.Duration) (E, bool) {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for i := s.taken[instance]; i < len(s.events); i++ {
			if e := s.events[i]; s.instanceOf(e) == instance {
				s.taken[instance] = i + 1
				s.mu.Unlock()
				return e, true
			}
		}
		s.taken[instance] = len(s.events)
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			var zero E
			return zero, false
		}
	}
}
