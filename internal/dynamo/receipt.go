package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
)

// maxWAIDLen bounds the WhatsApp ids looked up: ours are 22 characters, so
// a longer one cannot name our message, and an oversized key would make
// the whole batch read fail (and WhatsApp resend the receipt forever).
const maxWAIDLen = 128

// RecordReceipt implements host.Store: one strongly consistent batch read
// of the WhatsApp id lookup items MarkSent put (scoped to inst by their
// key), then one conditional update per message found. Each condition lets
// a time only move earlier, so a duplicate is refused by DynamoDB and
// counts as no change. Every message is tried; their errors are joined.
func (s *Store) RecordReceipt(ctx context.Context, inst string, waIDs []string, status driver.ReceiptStatus, at time.Time) (int, error) {
	var u func() (*update, string)
	switch status {
	case driver.Delivered:
		u = func() (*update, string) {
			return newUpdate().set(attrDeliveredAt, ms(at)),
				exists + " AND (attribute_not_exists(#deliveredAt) OR #deliveredAt > :deliveredAt)"
		}
	case driver.Read:
		u = func() (*update, string) {
			return newUpdate().set(attrReadAt, ms(at)).setIfMissing(attrDeliveredAt, ms(at)),
				exists + " AND (attribute_not_exists(#readAt) OR #readAt > :readAt)"
		}
	default:
		return 0, fmt.Errorf("receipt of %s: unknown status %q", inst, status)
	}
	keys := make([]item, 0, len(waIDs))
	seen := make(map[string]bool, len(waIDs))
	for _, id := range waIDs {
		if id != "" && len(id) <= maxWAIDLen && !seen[id] {
			seen[id] = true
			keys = append(keys, waKey(inst, id))
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return 0, fmt.Errorf("look up receipt ids of %s: %w", inst, err)
	}
	changed := 0
	var errs []error
	for _, it := range found {
		id := getStr(it, attrMessageID)
		upd, cond := u()
		err := s.write(ctx, s.upd(upd, messageKey(id), cond))
		var c *canceled
		switch {
		case err == nil:
			changed++
		case errors.As(err, &c) && c.failed(0):
		default:
			errs = append(errs, fmt.Errorf("record %s receipt of message %s: %w", status, id, err))
		}
	}
	return changed, errors.Join(errs...)
}
