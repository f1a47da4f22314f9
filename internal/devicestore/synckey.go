package devicestore

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.mau.fi/whatsmeow/store"
)

const syncKeyPrefix = "synckey#"

func syncKeySK(id []byte) string { return syncKeyPrefix + hex.EncodeToString(id) }

// PutAppStateSyncKey stores a key unless one with the same id and the same
// or a newer timestamp is stored.
func (s *deviceStore) PutAppStateSyncKey(ctx context.Context, id []byte, key store.AppStateSyncKey) error {
	it := withKey(s.pk, syncKeySK(id), item{"id": avB(id), "ts": avN(key.Timestamp)})
	putOpt(it, "v", key.Data)
	putOpt(it, "fp", key.Fingerprint)
	_, err := s.c.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.c.table), Item: it,
		ConditionExpression:       aws.String("attribute_not_exists(sk) OR ts < :ts"),
		ExpressionAttributeValues: item{":ts": avN(key.Timestamp)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("put app state sync key: %w", err)
	}
	return nil
}

// syncKey is a stored app state sync key with its id.
type syncKey struct {
	id  []byte
	key store.AppStateSyncKey
}

func decodeSyncKey(it item) (syncKey, error) {
	r := reader{it: it}
	k := syncKey{id: r.b("id"), key: store.AppStateSyncKey{Data: r.b("v"), Fingerprint: r.b("fp"), Timestamp: r.n("ts")}}
	return k, r.err
}

// GetAppStateSyncKey returns the key with the id, nil if there is none.
func (s *deviceStore) GetAppStateSyncKey(ctx context.Context, id []byte) (*store.AppStateSyncKey, error) {
	it, err := s.c.getItem(ctx, s.pk, syncKeySK(id))
	if err != nil {
		return nil, fmt.Errorf("get app state sync key: %w", err)
	}
	if it == nil {
		return nil, nil
	}
	k, err := decodeSyncKey(it)
	if err != nil {
		return nil, fmt.Errorf("get app state sync key: %w", err)
	}
	return &k.key, nil
}

// allSyncKeys returns every key, newest first.
func (s *deviceStore) allSyncKeys(ctx context.Context) ([]syncKey, error) {
	var out []syncKey
	var decodeErr error
	err := s.c.queryEach(ctx, prefixQuery(s.pk, syncKeyPrefix), func(it item) bool {
		var k syncKey
		k, decodeErr = decodeSyncKey(it)
		out = append(out, k)
		return decodeErr == nil
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, fmt.Errorf("list app state sync keys: %w", err)
	}
	slices.SortStableFunc(out, func(a, b syncKey) int {
		return -cmpInt(a.key.Timestamp, b.key.Timestamp)
	})
	return out, nil
}

// GetLatestAppStateSyncKeyID returns the id of the newest key, nil if there
// is none.
func (s *deviceStore) GetLatestAppStateSyncKeyID(ctx context.Context) ([]byte, error) {
	all, err := s.allSyncKeys(ctx)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return all[0].id, nil
}

// GetAllAppStateSyncKeys returns every key, newest first.
func (s *deviceStore) GetAllAppStateSyncKeys(ctx context.Context) ([]*store.AppStateSyncKey, error) {
	all, err := s.allSyncKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*store.AppStateSyncKey, len(all))
	for i := range all {
		out[i] = &all[i].key
	}
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PutNCTSalt stores the device's NCT salt.
func (s *deviceStore) PutNCTSalt(ctx context.Context, salt []byte) error {
	if err := s.c.putItem(ctx, withKey(s.pk, "nct", putOpt(item{}, "v", salt))); err != nil {
		return fmt.Errorf("put NCT salt: %w", err)
	}
	return nil
}

// GetNCTSalt returns the NCT salt, nil if there is none.
func (s *deviceStore) GetNCTSalt(ctx context.Context) ([]byte, error) {
	return s.getBlob(ctx, "nct", "NCT salt")
}

// DeleteNCTSalt deletes the NCT salt.
func (s *deviceStore) DeleteNCTSalt(ctx context.Context) error {
	if err := s.c.deleteItem(ctx, s.pk, "nct"); err != nil {
		return fmt.Errorf("delete NCT salt: %w", err)
	}
	return nil
}
