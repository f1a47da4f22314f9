package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wagateway/wagateway/internal/outbox"
)

// The outbox relay's side: the session host publishes stored events to
// EventBridge and marks them published.

// PendingEvents returns up to limit events not yet published, oldest
// first, from the sparse outbox index (eventually consistent: an event
// written a moment ago may show up on the next call).
func (s *Store) PendingEvents(ctx context.Context, limit int) ([]outbox.Event, error) {
	out := []outbox.Event{}
	if limit <= 0 {
		return out, nil
	}
	err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(indexOutbox),
		KeyConditionExpression:    aws.String("#unpublished = :u"),
		ExpressionAttributeNames:  names(attrUnpublished),
		ExpressionAttributeValues: item{":u": str(s.outbox)},
		Limit:                     aws.Int32(int32(min(limit, 1000))),
	}, func(it item) error {
		ev := decodeEvent(it)
		ev.Publication = getStr(it, attrOutboxSort)
		out = append(out, ev)
		if len(out) == limit {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("pending events: %w", err)
	}
	return out, nil
}

// MarkPublished takes events out of the outbox index, one update each,
// each only if it is still the publication PendingEvents read: its outbox
// sort key, which Redeliver renews. A redelivery asked for while the relay
// was publishing the event thus stays pending and is published again. An
// event that no longer exists (expired) or was republished is skipped;
// other failures are reported after the remaining events were marked.
func (s *Store) MarkPublished(ctx context.Context, evs []outbox.Event) error {
	var errs []error
	for _, ev := range evs {
		u := newUpdate().remove(attrUnpublished, attrOutboxSort).when(item{":publication": str(ev.Publication)})
		err := s.write(ctx, s.upd(u, deliveryKey(ev.ID), exists+" AND #"+attrOutboxSort+" = :publication"))
		var c *canceled
		if err != nil && !(errors.As(err, &c) && c.failed(0)) {
			errs = append(errs, fmt.Errorf("mark %s published: %w", ev.ID, err))
		}
	}
	return errors.Join(errs...)
}
