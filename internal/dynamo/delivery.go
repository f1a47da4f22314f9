package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/outbox"
)

// How long a finished delivery stays listed before TTL removes it.
const (
	deliveredTTL = 7 * 24 * time.Hour
	deadTTL      = 14 * 24 * time.Hour
)

// eventItem is an event as stored: its own delivery record (retrying, no
// attempt yet), listed under its instance and waiting for the relay.
func (s *Store) eventItem(ev outbox.Event) item {
	it := deliveryKey(ev.ID)
	it[attrTenantID], it[attrInstance], it[attrEvent] = str(ev.TenantID), str(ev.Instance), str(ev.Name)
	it[attrBody], it[attrCreatedAt], it[attrNextAt] = bin(ev.Body), ms(ev.CreatedAt), ms(ev.CreatedAt)
	it[attrStatus], it[attrAttempts] = str(string(outbox.Retrying)), num(0)
	it[attrDeliveryOf], it[attrDeliverySort] = str(ev.Instance), str(sortTime(ev.CreatedAt)+"#"+ev.ID)
	it[attrUnpublished], it[attrOutboxSort] = str(s.outbox), str(sortTime(ev.CreatedAt)+"#"+ev.ID)
	return it
}

func decodeEvent(it item) outbox.Event {
	return outbox.Event{ID: idOf(it, "D#"), TenantID: getStr(it, attrTenantID), Instance: getStr(it, attrInstance),
		Name: getStr(it, attrEvent), Body: getBin(it, attrBody), CreatedAt: getTime(it, attrCreatedAt)}
}

func decodeDelivery(it item) outbox.Delivery {
	return outbox.Delivery{Event: decodeEvent(it), Status: outbox.Status(getStr(it, attrStatus)),
		Attempts: int(getInt(it, attrAttempts)), LastStatusCode: int(getInt(it, attrLastStatusCode)),
		LastError: getStr(it, attrLastError), NextAt: getTime(it, attrNextAt), DeliveredAt: getTime(it, attrDeliveredAt)}
}

// GetDelivery implements gateway.DeliveryStore.
func (s *Store) GetDelivery(ctx context.Context, id string) (outbox.Delivery, error) {
	it, ok, err := s.get(ctx, deliveryKey(id))
	if err != nil {
		return outbox.Delivery{}, fmt.Errorf("get delivery %s: %w", id, err)
	}
	if !ok {
		return outbox.Delivery{}, fmt.Errorf("delivery %s: %w", id, fault.ErrNotFound)
	}
	return decodeDelivery(it), nil
}

// errEnough stops a query early.
var errEnough = errors.New("enough")

// ListDeliveries implements gateway.DeliveryStore: the delivery index
// (keys and status only) gives the newest ids, a batch read the records.
func (s *Store) ListDeliveries(ctx context.Context, instance string, status outbox.Status, limit int) ([]outbox.Delivery, error) {
	out := []outbox.Delivery{}
	if limit <= 0 {
		return out, nil
	}
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(indexDelivery),
		KeyConditionExpression:    aws.String("#deliveryOf = :inst"),
		ExpressionAttributeNames:  names(attrDeliveryOf),
		ExpressionAttributeValues: item{":inst": str(instance)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(min(limit, maxBatchGet))),
	}
	in.ExpressionAttributeNames["#status"] = attrStatus
	if status != "" {
		in.FilterExpression = aws.String("#status = :status")
		in.ExpressionAttributeValues[":status"] = str(string(status))
	} else {
		in.FilterExpression = aws.String("#status <> :filtered")
		in.ExpressionAttributeValues[":filtered"] = str(string(outbox.Filtered))
	}
	var keys []item
	err := s.query(ctx, in, func(it item) error {
		keys = append(keys, key(getStr(it, attrPK), getStr(it, attrSK)))
		if len(keys) == limit {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("list deliveries of %s: %w", instance, err)
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", instance, err)
	}
	for _, it := range items {
		// The status may have changed since the index was read.
		if d := decodeDelivery(it); (status == "" && d.Status != outbox.Filtered) || d.Status == status {
			out = append(out, d)
		}
	}
	return out, nil
}

// Redeliver implements gateway.DeliveryStore: a fresh retry schedule
// (retrying, no attempt, no last error, due now) and back in the outbox
// index, so the relay publishes the event again (shard 0's relay, for the
// API's store: any relay may publish any event).
func (s *Store) Redeliver(ctx context.Context, id string, now time.Time) error {
	u := newUpdate().set(attrStatus, str(string(outbox.Retrying))).set(attrAttempts, num(0)).set(attrNextAt, ms(now)).
		set(attrUnpublished, str(s.outbox)).set(attrOutboxSort, str(sortTime(now)+"#"+id)).
		remove(attrDeliveredAt, attrLastError, attrLastStatusCode, attrTTL)
	err := s.write(ctx, s.upd(u, deliveryKey(id), exists))
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return fmt.Errorf("delivery %s: %w", id, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("redeliver %s: %w", id, err)
	}
	return nil
}

// RecordAttempts stores the outcomes of delivery attempts, one update
// each: delivered, due again at Next, or dead (zero Next). Finished
// deliveries get their TTL. As in SQLite, an outcome for an unknown (or
// expired) delivery changes nothing and is no error; any other failure is
// reported after the remaining outcomes were recorded.
func (s *Store) RecordAttempts(ctx context.Context, outcomes []outbox.Outcome) error {
	var errs []error
	for _, o := range outcomes {
		u := newUpdate().set(attrAttempts, num(int64(o.Attempts))).setTimeOrRemove(attrNextAt, o.Next).
			setStrOrRemove(attrLastError, o.LastError)
		if o.StatusCode != 0 {
			u.set(attrLastStatusCode, num(int64(o.StatusCode)))
		} else {
			u.remove(attrLastStatusCode)
		}
		st := o.Status()
		u.set(attrStatus, str(string(st)))
		switch st {
		case outbox.Delivered:
			u.set(attrDeliveredAt, ms(o.At)).set(attrTTL, epoch(o.At.Add(deliveredTTL)))
		case outbox.Filtered:
			u.remove(attrDeliveredAt).set(attrTTL, epoch(o.At.Add(deliveredTTL)))
		case outbox.Dead:
			u.remove(attrDeliveredAt).set(attrTTL, epoch(o.At.Add(deadTTL)))
		default:
			u.remove(attrDeliveredAt, attrTTL)
		}
		err := s.write(ctx, s.upd(u, deliveryKey(o.ID), exists))
		var c *canceled
		if err != nil && !(errors.As(err, &c) && c.failed(0)) {
			errs = append(errs, fmt.Errorf("record attempt of %s: %w", o.ID, err))
		}
	}
	return errors.Join(errs...)
}
