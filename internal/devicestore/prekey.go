package devicestore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/util/keys"
)

const preKeyPrefix = "prekey#"

// preKeySK zero-pads the id so that key order is id order.
func preKeySK(id uint32) string { return fmt.Sprintf("%s%08d", preKeyPrefix, id) }

func (s *deviceStore) encodePreKey(key *keys.PreKey, uploaded bool) item {
	return withKey(s.pk, preKeySK(key.KeyID), item{
		"v": avB(key.Priv[:]), "id": avU(uint64(key.KeyID)), "up": avBool(uploaded),
	})
}

func decodePreKey(it item) (*keys.PreKey, error) {
	r := reader{it: it}
	priv, id := r.b("v"), r.u("id")
	if r.err != nil {
		return nil, r.err
	}
	if len(priv) != 32 {
		return nil, errInvalidLength
	}
	return &keys.PreKey{KeyPair: *keys.NewKeyPairFromPrivateKey([32]byte(priv)), KeyID: uint32(id)}, nil
}

// nextPreKeyID is one above the highest stored id (1 when there is none).
func (s *deviceStore) nextPreKeyID(ctx context.Context) (uint32, error) {
	in := prefixQuery(s.pk, preKeyPrefix)
	in.ScanIndexForward = aws.Bool(false)
	in.Limit = aws.Int32(1)
	in.ProjectionExpression = aws.String("id")
	var last uint64
	var decodeErr error
	err := s.c.queryEach(ctx, in, func(it item) bool {
		r := reader{it: it}
		last, decodeErr = r.u("id"), r.err
		return false
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return 0, fmt.Errorf("query next prekey id: %w", err)
	}
	return uint32(last) + 1, nil
}

func (s *deviceStore) checkPreKeyID(id uint32) error {
	if id > maxPreKeyID {
		return fmt.Errorf("prekey id %d out of range", id)
	}
	return nil
}

// GenOnePreKey makes, stores and returns the next prekey, marked uploaded.
func (s *deviceStore) GenOnePreKey(ctx context.Context) (*keys.PreKey, error) {
	s.preKeyLock.Lock()
	defer s.preKeyLock.Unlock()
	id, err := s.nextPreKeyID(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkPreKeyID(id); err != nil {
		return nil, err
	}
	key := keys.NewPreKey(id)
	if err := s.c.putNew(ctx, s.encodePreKey(key, true)); err != nil {
		return key, fmt.Errorf("store prekey: %w", err)
	}
	return key, nil
}

// GetOrGenPreKeys returns count prekeys not uploaded yet: the stored ones
// with the lowest ids first, then new ones with the next ids.
func (s *deviceStore) GetOrGenPreKeys(ctx context.Context, count uint32) ([]*keys.PreKey, error) {
	s.preKeyLock.Lock()
	defer s.preKeyLock.Unlock()

	in := prefixQuery(s.pk, preKeyPrefix)
	in.FilterExpression = aws.String("up = :false")
	in.ExpressionAttributeValues[":false"] = avBool(false)
	result := make([]*keys.PreKey, 0, count)
	var decodeErr error
	err := s.c.queryEach(ctx, in, func(it item) bool {
		if uint32(len(result)) >= count {
			return false
		}
		var key *keys.PreKey
		key, decodeErr = decodePreKey(it)
		result = append(result, key)
		return decodeErr == nil
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, fmt.Errorf("query existing prekeys: %w", err)
	}
	if uint32(len(result)) >= count {
		return result, nil
	}
	next, err := s.nextPreKeyID(ctx)
	if err != nil {
		return nil, err
	}
	writes := make([]ddb.TransactWriteItem, 0, int(count)-len(result))
	for uint32(len(result)) < count {
		if err := s.checkPreKeyID(next); err != nil {
			return nil, err
		}
		key := keys.NewPreKey(next)
		result = append(result, key)
		writes = append(writes, s.c.txPut(s.encodePreKey(key, false), condAbsent))
		next++
	}
	if err := s.c.transactChunks(ctx, writes); err != nil {
		if isConditionFailed(err) {
			err = errExists
		}
		return nil, fmt.Errorf("store prekeys: %w", err)
	}
	return result, nil
}

// GetPreKey returns a stored prekey, nil if there is none.
func (s *deviceStore) GetPreKey(ctx context.Context, id uint32) (*keys.PreKey, error) {
	it, err := s.c.getItem(ctx, s.pk, preKeySK(id))
	if err != nil {
		return nil, fmt.Errorf("get prekey: %w", err)
	}
	if it == nil {
		return nil, nil
	}
	return decodePreKey(it)
}

// RemovePreKey deletes a prekey (once a peer used it).
func (s *deviceStore) RemovePreKey(ctx context.Context, id uint32) error {
	if err := s.c.deleteItem(ctx, s.pk, preKeySK(id)); err != nil {
		return fmt.Errorf("remove prekey: %w", err)
	}
	return nil
}

// MarkPreKeysAsUploaded marks every stored prekey up to the id uploaded.
func (s *deviceStore) MarkPreKeysAsUploaded(ctx context.Context, upToID uint32) error {
	in := &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		FilterExpression:       aws.String("up = :false"),
		ProjectionExpression:   aws.String("sk"),
		ExpressionAttributeValues: item{
			":pk": avS(s.pk), ":lo": avS(preKeySK(0)), ":hi": avS(preKeySK(min(upToID, maxPreKeyID))), ":false": avBool(false),
		},
	}
	var sks []string
	if err := s.c.queryEach(ctx, in, func(it item) bool {
		_, sk := keyOf(it)
		sks = append(sks, sk)
		return true
	}); err != nil {
		return fmt.Errorf("query prekeys to mark: %w", err)
	}
	// One by one, on condition that the key still exists: a key removed
	// meanwhile must not come back as a bare flag.
	for _, sk := range sks {
		_, err := s.c.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.c.table), Key: keyItem(s.pk, sk),
			UpdateExpression:          aws.String("SET up = :true"),
			ConditionExpression:       aws.String("attribute_exists(sk)"),
			ExpressionAttributeValues: item{":true": avBool(true)},
		})
		if err != nil && !isConditionFailed(err) {
			return fmt.Errorf("mark prekey uploaded: %w", err)
		}
	}
	return nil
}

// UploadedPreKeyCount counts the stored prekeys marked uploaded.
func (s *deviceStore) UploadedPreKeyCount(ctx context.Context) (int, error) {
	in := prefixQuery(s.pk, preKeyPrefix)
	in.FilterExpression = aws.String("up = :true")
	in.ExpressionAttributeValues[":true"] = avBool(true)
	in.Select = ddb.SelectCount
	in.TableName, in.ConsistentRead = aws.String(s.c.table), aws.Bool(true)
	total := 0
	pages := dynamodb.NewQueryPaginator(s.c.db, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count uploaded prekeys: %w", err)
		}
		total += int(page.Count)
	}
	return total, nil
}
