package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/numbercheck"
)

// NumberCheckStore keeps each instance's recent number checks, where they
// survive a restart, for the anti-ban limit of numbercheck.
type NumberCheckStore interface {
	// ReserveNumberChecks records n numbers checked by instance at now if
	// numbercheck.Reserve lets them through (ok), atomically with respect
	// to concurrent reservations: together they never pass the limit.
	// When refused, nothing is recorded and retryAfter is the exact wait
	// until they would fit. An n outside 1..numbercheck.Limit is an error
	// (numbercheck.ErrCount).
	ReserveNumberChecks(ctx context.Context, instance string, n int, now time.Time) (retryAfter time.Duration, ok bool, err error)
}

// ReserveNumberChecks counts n numbers about to be checked (POST
// /instance/{name}/contacts/check: every number asked, repeats too)
// toward the instance's limit. Call it once per request with all its
// numbers, before asking WhatsApp: the request passes whole or is refused
// whole with a *fault.RateLimitedError (429, Retry-After) and nothing
// counted. Another tenant's instance is 403 and an unknown one 404, as
// for every instance route, before anything is counted.
func (s *Service) ReserveNumberChecks(ctx context.Context, tenantID, rawName string, n int) error {
	inst, err := s.Instance(ctx, tenantID, rawName)
	if err != nil {
		return err
	}
	name := inst.Name.String()
	wait, ok, err := s.store.ReserveNumberChecks(ctx, name, n, s.clock.Now())
	if err != nil {
		return fmt.Errorf("reserve %d number checks for %s: %w", n, name, err)
	}
	if !ok {
		s.log.InfoContext(ctx, "number checks refused", "tenant", tenantID, "instance", name, "numbers", n, "wait", wait)
		// numbercheck.Window is the hour of API.md.
		return fault.RateLimited(fmt.Sprintf("Number check limit reached: an instance may check at most %d numbers per hour",
			numbercheck.Limit), wait)
	}
	return nil
}
