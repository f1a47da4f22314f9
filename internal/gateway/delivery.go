package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/outbox"
)

// deliveryListLimit bounds GET /instance/{name}/deliveries.
const deliveryListLimit = 100

// DeliveryStore keeps the webhook deliveries (written by the session host
// with the changes that cause them).
type DeliveryStore interface {
	// ListDeliveries returns an instance's deliveries, newest first;
	// status "" means all but outbox.Filtered (events the webhook's
	// filter left out are no deliveries).
	ListDeliveries(ctx context.Context, instance string, status outbox.Status, limit int) ([]outbox.Delivery, error)
	// GetDelivery fails with fault.ErrNotFound.
	GetDelivery(ctx context.Context, id string) (outbox.Delivery, error)
	// Redeliver makes a delivery due now with a fresh retry schedule.
	Redeliver(ctx context.Context, id string, now time.Time) error
}

var errDeliveryNotFound = fault.New(fault.ErrNotFound, "Delivery not found")

// Deliveries lists an instance's recent deliveries, optionally by status.
func (s *Service) Deliveries(ctx context.Context, tenantID, rawName, status string) ([]outbox.Delivery, error) {
	st := outbox.Status(status)
	if status != "" && !st.Valid() {
		return nil, fault.Invalid("Must be one of delivered, retrying, dead", "status")
	}
	inst, err := s.Instance(ctx, tenantID, rawName)
	if err != nil {
		return nil, err
	}
	list, err := s.store.ListDeliveries(ctx, inst.Name.String(), st, deliveryListLimit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of %s: %w", inst.Name, err)
	}
	return list, nil
}

// Redeliver delivers an event again: a fresh retry schedule, the same
// delivery id. Another tenant's delivery is "not found", and so is an
// event the webhook's filter left out: it never was a delivery.
func (s *Service) Redeliver(ctx context.Context, tenantID, id string) (outbox.Delivery, error) {
	d, err := s.store.GetDelivery(ctx, id)
	if errors.Is(err, fault.ErrNotFound) || (err == nil && (d.TenantID != tenantID || d.Status == outbox.Filtered)) {
		return outbox.Delivery{}, errDeliveryNotFound
	}
	if err != nil {
		return outbox.Delivery{}, fmt.Errorf("get delivery %s: %w", id, err)
	}
	if err := s.store.Redeliver(ctx, id, s.clock.Now()); err != nil {
		return outbox.Delivery{}, fmt.Errorf("redeliver %s: %w", id, err)
	}
	if s.onEvent != nil {
		s.onEvent()
	}
	d.Status, d.Attempts = outbox.Retrying, 0
	return d, nil
}
