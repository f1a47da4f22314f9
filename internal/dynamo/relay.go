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
		ExpressionAttributeValues: item{":u": str(unpublished)},
		Limit:                     aws.Int32(int32(min(limit, 1000))),
	}, func(it item) error {
		out = append(out, decodeEvent(it))
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

// MarkPublished takes events out of the outbox index, one update each. An
// id that no longer exists (expired) is skipped; other failures are
// reported after the remaining ids were marked.
func (s *Store) MarkPublished(ctx context.Context, ids []string) error {
	var errs []error
	for _, id := range ids {
		err := s.write(ctx, s.upd(newUpdate().remove(attrUnpublished, attrOutboxSort), deliveryKey(id), exists))
		var c *canceled
		if err != nil && !(errors.As(err, &c) && c.failed(0)) {
			errs = append(errs, fmt.Errorf("mark %s published: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
