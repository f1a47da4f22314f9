package devicestore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// How long whatsmeow keeps what it buffers: WhatsApp redelivers events for
// 14 days, and retry receipts for sent messages come within 7. Items
// expire through the table's TTL as well, for devices that stop running.
const (
	bufferedEventTTL = 14 * 24 * time.Hour
	outgoingEventTTL = 7 * 24 * time.Hour
)

const (
	eventPrefix    = "event#"
	outgoingPrefix = "out#"
)

func eventSK(hash [32]byte) string { return eventPrefix + hex.EncodeToString(hash[:]) }

func outgoingSK(chat types.JID, id types.MessageID) string {
	return outgoingPrefix + esc(chat.String()) + "#" + esc(id)
}

// GetBufferedEvent returns a decrypted event buffered under its ciphertext
// hash, nil if there is none. Plaintext is nil once cleared.
func (s *deviceStore) GetBufferedEvent(ctx context.Context, hash [32]byte) (*store.BufferedEvent, error) {
	it, err := s.c.getItem(ctx, s.pk, eventSK(hash))
	if err != nil {
		return nil, fmt.Errorf("get buffered event: %w", err)
	}
	if it == nil {
		return nil, nil
	}
	r := reader{it: it}
	ev := &store.BufferedEvent{Plaintext: r.b("v"), ServerTime: time.Unix(r.n("sts"), 0), InsertTime: time.UnixMilli(r.n("its"))}
	if r.err != nil {
		return nil, fmt.Errorf("get buffered event: %w", r.err)
	}
	return ev, nil
}

// PutBufferedEvent buffers a decrypted event; an event is buffered once.
func (s *deviceStore) PutBufferedEvent(ctx context.Context, hash [32]byte, plaintext []byte, serverTimestamp time.Time) error {
	now := s.c.clock.Now()
	it := withKey(s.pk, eventSK(hash), item{
		"sts": avN(serverTimestamp.Unix()), "its": avN(now.UnixMilli()), attrTTL: avN(now.Add(bufferedEventTTL).Unix()),
	})
	if err := s.c.putNew(ctx, putOpt(it, "v", plaintext)); err != nil {
		return fmt.Errorf("put buffered event: %w", err)
	}
	return nil
}

// DoDecryptionTxn runs fn so that its writes commit together (see txn).
func (s *deviceStore) DoDecryptionTxn(ctx context.Context, fn func(context.Context) error) error {
	return s.c.doTxn(ctx, fn)
}

// ClearBufferedEventPlaintext drops an event's plaintext, keeping its hash
// to recognise a redelivery.
func (s *deviceStore) ClearBufferedEventPlaintext(ctx context.Context, hash [32]byte) error {
	if s.c.txnFrom(ctx) != nil {
		it, err := s.c.getItem(ctx, s.pk, eventSK(hash))
		if err != nil || it == nil {
			return err
		}
		cleared := make(item, len(it))
		for k, v := range it {
			if k != "v" {
				cleared[k] = v
			}
		}
		return s.c.putItem(ctx, cleared)
	}
	_, err := s.c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.c.table), Key: keyItem(s.pk, eventSK(hash)),
		UpdateExpression: aws.String("REMOVE v"), ConditionExpression: aws.String("attribute_exists(sk)"),
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("clear buffered event: %w", err)
	}
	return nil
}

// DeleteOldBufferedHashes deletes this device's events buffered more than
// 14 days ago. (sqlstore's deletes those of every device in the database;
// other devices' old events expire through the TTL.)
func (s *deviceStore) DeleteOldBufferedHashes(ctx context.Context) error {
	cutoff := s.c.clock.Now().Add(-bufferedEventTTL).UnixMilli()
	if err := s.deleteOlder(ctx, eventPrefix, "its", cutoff); err != nil {
		return fmt.Errorf("delete old buffered events: %w", err)
	}
	return nil
}

// deleteOlder deletes the items under prefix whose time attribute is
// before cutoff.
func (s *deviceStore) deleteOlder(ctx context.Context, prefix, attr string, cutoff int64) error {
	in := prefixQuery(s.pk, prefix)
	in.FilterExpression = aws.String("#t < :cutoff")
	in.ExpressionAttributeNames = map[string]string{"#t": attr}
	in.ExpressionAttributeValues[":cutoff"] = avN(cutoff)
	in.ProjectionExpression = aws.String("pk, sk")
	_, err := s.c.deleteMatching(ctx, in)
	return err
}

// GetOutgoingEvent returns a sent message kept for retry receipts, stored
// under the chat or its alternate JID. Like sqlstore, a missing one is an
// error matching sql.ErrNoRows.
func (s *deviceStore) GetOutgoingEvent(ctx context.Context, chatJID, altChatJID types.JID, id types.MessageID) (string, []byte, error) {
	candidates := []types.JID{chatJID}
	if !altChatJID.IsEmpty() && altChatJID != chatJID {
		candidates = append(candidates, altChatJID)
	}
	for _, chat := range candidates {
		if chat.IsEmpty() {
			continue
		}
		it, err := s.c.getItem(ctx, s.pk, outgoingSK(chat, id))
		if err != nil {
			return "", nil, fmt.Errorf("get outgoing event: %w", err)
		}
		if it != nil {
			r := reader{it: it}
			format, plaintext := r.s("fmt"), r.b("v")
			if r.err != nil {
				return "", nil, fmt.Errorf("get outgoing event: %w", r.err)
			}
			return format, plaintext, nil
		}
	}
	return "", nil, errNoOutgoingEvent
}

var errNoOutgoingEvent = fmt.Errorf("no outgoing event stored: %w", sql.ErrNoRows)

// AddOutgoingEvent keeps a sent message for retry receipts, replacing one
// with the same chat and id.
func (s *deviceStore) AddOutgoingEvent(ctx context.Context, chatJID types.JID, id types.MessageID, format string, plaintext []byte) error {
	now := s.c.clock.Now()
	it := withKey(s.pk, outgoingSK(chatJID, id), item{
		"fmt": avS(format), "ts": avN(now.UnixMilli()), attrTTL: avN(now.Add(outgoingEventTTL).Unix()),
	})
	if err := s.c.putItem(ctx, putOpt(it, "v", plaintext)); err != nil {
		return fmt.Errorf("add outgoing event: %w", err)
	}
	return nil
}

// DeleteOldOutgoingEvents deletes this device's messages kept more than 7
// days.
func (s *deviceStore) DeleteOldOutgoingEvents(ctx context.Context) error {
	cutoff := s.c.clock.Now().Add(-outgoingEventTTL).UnixMilli()
	if err := s.deleteOlder(ctx, outgoingPrefix, "ts", cutoff); err != nil {
		return fmt.Errorf("delete old outgoing events: %w", err)
	}
	return nil
}
