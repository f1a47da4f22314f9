package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/message"
)

// listKeyOf is a message's sort key in the listing index:
// createdAt#direction#id, the time zero-padded, so that the index's
// descending string order is the listing order of message.Cursor (time,
// then "out" before "in", then id; both stores compare strings bytewise).
func listKeyOf(at time.Time, d message.Direction, id string) string {
	return sortTime(at) + "#" + string(d) + "#" + id
}

// Table key prefixes of the two directions' items.
const (
	outPrefix = "M#"
	inPrefix  = "R#"
)

// The listing index's filters of one direction. An outbound message has
// a to and no chat, a received one a chat and no to (both always set),
// so the projected attributes tell them apart; the index's own keys
// cannot be filtered on.
const (
	onlyOut = "attribute_exists(#to)"
	onlyIn  = "attribute_exists(#chat)"
)

// ListMessages implements gateway.MessageLister. The listing index
// (listOf = instance, listKey = listKeyOf) is read newest first from the
// cursor's listKey on, its filter dropping the other direction, other
// chats and expired inbound messages (the attributes it reads are
// projected); a batch read then fetches the current state of the chosen
// items. A filter can leave pages empty (a chat with few messages in a
// busy instance), so the query goes on until it has limit+1 items or the
// index ends. Items gone by the time of the batch read (TTL, or a
// received message kept without payload) are skipped, and the index read
// again after the last one, so a page is still full.
//
// Messages written before the listing index existed have no listOf and
// are not listed. The index is eventually consistent: a message may show
// up a moment after its send was accepted.
func (s *Store) ListMessages(ctx context.Context, inst string, q message.ListQuery, now time.Time) ([]message.Listed, bool, error) {
	if q.Limit <= 0 {
		return nil, false, nil
	}
	want := q.Limit + 1
	before := ""
	if c := q.After; !c.IsZero() {
		before = listKeyOf(c.At, c.Direction, c.ID)
	}
	var out []message.Listed
	for len(out) < want {
		keys, last, done, err := s.listCandidates(ctx, inst, q, now, before, want-len(out))
		if err != nil {
			return nil, false, fmt.Errorf("list messages of %s: %w", inst, err)
		}
		items, err := s.batchGet(ctx, keys)
		if err != nil {
			return nil, false, fmt.Errorf("read listed messages of %s: %w", inst, err)
		}
		for _, it := range items {
			l, ok, err := decodeListed(inst, it, now)
			if err != nil {
				return nil, false, fmt.Errorf("list messages of %s: %w", inst, err)
			}
			if ok {
				out = append(out, l)
			}
		}
		if done {
			break
		}
		before = last
	}
	if len(out) > q.Limit {
		return out[:q.Limit], true, nil
	}
	return out, false, nil
}

// listCandidates reads the listing index below before ("" for the top)
// until n items passed the filter, or to its end (done). last is the
// listKey of the last one taken, where a further read goes on.
func (s *Store) listCandidates(ctx context.Context, inst string, q message.ListQuery, now time.Time, before string, n int) (keys []item, last string, done bool, err error) {
	cond := "#listOf = :inst"
	vals := item{":inst": str(inst), ":now": ms(now)}
	if before != "" {
		cond += " AND #listKey < :before"
		vals[":before"] = str(before)
	}
	// Messages have no expiresAt; received ones are listed until theirs.
	filter := []string{"(attribute_not_exists(#expiresAt) OR #expiresAt > :now)"}
	switch q.Direction {
	case message.Out:
		filter = append(filter, onlyOut)
	case message.In:
		filter = append(filter, onlyIn)
	}
	if q.Chat != "" {
		// An outbound message's chat is its to, an inbound one's its chat;
		// neither item has the other attribute.
		filter = append(filter, "(#to = :chat OR #chat = :chat)")
		vals[":chat"] = str(q.Chat)
	}
	fe := strings.Join(filter, " AND ")
	in := &dynamodb.QueryInput{
		IndexName:                 aws.String(indexListing),
		KeyConditionExpression:    aws.String(cond),
		FilterExpression:          aws.String(fe),
		ExpressionAttributeNames:  namesIn(cond, fe),
		ExpressionAttributeValues: vals,
		ScanIndexForward:          aws.Bool(false),
		// Limit counts entries read before the filter: a page of small
		// projected entries, whatever n is.
		Limit: aws.Int32(maxBatchGet),
	}
	err = s.query(ctx, in, func(it item) error {
		keys = append(keys, key(getStr(it, attrPK), getStr(it, attrSK)))
		last = getStr(it, attrListKey)
		if len(keys) == n {
			return errEnough
		}
		return nil
	})
	if errors.Is(err, errEnough) {
		return keys, last, false, nil
	}
	return keys, last, err == nil, err
}

// decodeListed is the listed message of item it; false for an inbound
// one that expired or has no payload to show.
func decodeListed(inst string, it item, now time.Time) (message.Listed, bool, error) {
	pk := getStr(it, attrPK)
	if strings.HasPrefix(pk, outPrefix) {
		m, err := decodeMessage(it)
		if err != nil {
			return message.Listed{}, false, err
		}
		return message.Listed{Out: &m}, true, nil
	}
	if !getTime(it, attrExpiresAt).After(now) || getStr(it, attrPayload) == "" {
		return message.Listed{}, false, nil
	}
	r := decodeReceived(inst, strings.TrimPrefix(pk, inPrefix+inst+"#"), it)
	r.Expires = getTime(it, attrExpiresAt)
	return message.Listed{In: &r}, true, nil
}

// maxBatchWrite is DynamoDB's limit on requests in one BatchWriteItem.
const maxBatchWrite = 25

// deleteReceived deletes every received message of inst, found by the
// listing index (which lists them whether or not they expired), 25 per
// batch write. Received messages stored before the index existed are
// left to their TTL.
func (s *Store) deleteReceived(ctx context.Context, inst string) (int, error) {
	cond, fe := "#listOf = :inst", onlyIn
	var batch []item
	total := 0
	flush := func() error {
		if err := s.batchDelete(ctx, batch); err != nil {
			return err
		}
		total += len(batch)
		batch = batch[:0]
		return nil
	}
	err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(indexListing),
		KeyConditionExpression:    aws.String(cond),
		FilterExpression:          aws.String(fe),
		ExpressionAttributeNames:  namesIn(cond, fe),
		ExpressionAttributeValues: item{":inst": str(inst)},
	}, func(it item) error {
		batch = append(batch, key(getStr(it, attrPK), getStr(it, attrSK)))
		if len(batch) == maxBatchWrite {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return total, err
}

// batchDelete deletes the items at keys (at most maxBatchWrite) in one
// BatchWriteItem, asking again for what DynamoDB leaves unprocessed
// (throttling) after a pause.
func (s *Store) batchDelete(ctx context.Context, keys []item) error {
	reqs := make([]types.WriteRequest, 0, len(keys))
	for _, k := range keys {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}})
	}
	for attempt := 0; len(reqs) > 0; attempt++ {
		if attempt > conflictRetries {
			return fmt.Errorf("batch delete: %d items still unprocessed (throttled); TTL removes them when they expire", len(reqs))
		}
		if attempt > 0 {
			if err := s.pause(ctx, attempt-1); err != nil {
				return err
			}
		}
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: reqs}})
		if err != nil {
			return err
		}
		reqs = out.UnprocessedItems[s.table]
	}
	return nil
}
