package gateway

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
)

// ClientSendInput is a send addressed to a client rather than to one of
// its instances (POST /message/send).
type ClientSendInput struct {
	TenantID string
	ClientID string
	SendInput
}

var errNoOpenInstance = fault.New(fault.ErrConflict, "No open instance for this client")

// SendToClient picks one of the client's open instances and enqueues the
// message there; the answer names the instance.
func (s *Service) SendToClient(ctx context.Context, tenantID string, in ClientSendInput, idemKey string) (Accepted, bool, error) {
	var issues fault.Issues
	if in.TenantID == "" {
		issues.Add("Required", "tenantId")
	}
	if in.ClientID == "" {
		issues.Add("Required", "clientId")
	} else if !instance.ValidPart(in.ClientID) {
		issues.Add("Must be 1-32 lower-case letters, digits or hyphens, starting with a letter or digit", "clientId")
	}
	if in.Type == "" {
		issues.Add("Required", "type")
	} else if !in.Type.Valid() {
		issues.Add(oneOfKinds(), "type")
	} else {
		s.validateContent(&issues, in.SendInput)
	}
	checkIdempotencyKey(&issues, idemKey)
	if err := issues.Err(); err != nil {
		return Accepted{}, false, err
	}
	if in.TenantID != tenantID {
		return Accepted{}, false, fault.New(fault.ErrForbidden,
			fmt.Sprintf("This key belongs to tenant %q: tenantId must be %q", tenantID, tenantID))
	}
	if acc, ok, err := s.replay(ctx, tenantID, idemKey); err != nil || ok {
		return acc, ok, err
	}
	l, _ := lane.Parse(in.Lane)
	var inst instance.Instance
	var err error
	if field, ref := messageRef(in.SendInput); ref != "" {
		inst, err = s.instanceOfRef(ctx, tenantID, in.ClientID, field, ref)
	} else {
		inst, err = s.pickInstance(ctx, tenantID, in.ClientID, l)
	}
	if err != nil {
		return Accepted{}, false, err
	}
	in.InstanceName = inst.Name.String()
	if err := s.resolveRefs(ctx, tenantID, in.InstanceName, &in.SendInput); err != nil {
		return Accepted{}, false, err
	}
	return s.enqueue(ctx, tenantID, in.InstanceName, in.SendInput, idemKey, true)
}

// pickInstance chooses the open instance of a client that can send on
// lane l soonest (by the scheduler's estimate, else the fewest pending
// messages); ties go to the first by name, so the choice is stable.
func (s *Service) pickInstance(ctx context.Context, tenantID, clientID string, l lane.Lane) (instance.Instance, error) {
	list, err := s.store.ListInstances(ctx, tenantID, clientID)
	if err != nil {
		return instance.Instance{}, fmt.Errorf("list instances of %s/%s: %w", tenantID, clientID, err)
	}
	type candidate struct {
		inst    instance.Instance
		at      time.Time
		pending int
	}
	var open []candidate
	for _, inst := range list {
		if inst.State != instance.StateOpen {
			continue
		}
		byLane, err := s.store.PendingByLane(ctx, inst.Name.String())
		if err != nil {
			return instance.Instance{}, fmt.Errorf("count queue of %s: %w", inst.Name, err)
		}
		c := candidate{inst: inst, pending: countsOf(byLane).Total}
		if s.sched != nil {
			if c.at, err = s.sched.NextSendAt(ctx, inst.Name.String(), l); err != nil {
				return instance.Instance{}, fmt.Errorf("estimate next send of %s: %w", inst.Name, err)
			}
		}
		open = append(open, c)
	}
	if len(open) == 0 {
		return instance.Instance{}, errNoOpenInstance
	}
	// Estimates within a second of each other count as equal: then the
	// shorter queue wins.
	sort.SliceStable(open, func(i, j int) bool {
		if d := open[i].at.Sub(open[j].at); d < -time.Second || d > time.Second {
			return d < 0
		}
		return open[i].pending < open[j].pending
	})
	return open[0].inst, nil
}
