package devicestore

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/store"

	"github.com/wagateway/wagateway/internal/fault"
)

func appVersionSK(name string) string { return "asver#" + esc(name) }
func macPrefix(name string) string    { return "asmac#" + esc(name) + "#" }
func macSK(name string, indexMAC []byte) string {
	return macPrefix(name) + hex.EncodeToString(indexMAC)
}

// macAttr names the attribute holding a MAC's value at one version: an
// index MAC is one item with an attribute per version, so reading the
// newest is one GetItem and deleting all versions one DeleteItem.
func macAttr(version uint64) string { return "v" + strconv.FormatUint(version, 10) }

// PutAppStateVersion stores a collection's version and hash.
func (s *deviceStore) PutAppStateVersion(ctx context.Context, name string, version uint64, hash [128]byte) error {
	it := withKey(s.pk, appVersionSK(name), item{"ver": avU(version), "hash": avB(hash[:])})
	if err := s.c.putItem(ctx, it); err != nil {
		return fmt.Errorf("put app state version: %w", err)
	}
	return nil
}

// GetAppStateVersion returns a collection's version and hash; version 0
// and an empty hash (the initial state) when none is stored.
func (s *deviceStore) GetAppStateVersion(ctx context.Context, name string) (uint64, [128]byte, error) {
	it, err := s.c.getItem(ctx, s.pk, appVersionSK(name))
	if err != nil || it == nil {
		if err != nil {
			err = fmt.Errorf("get app state version: %w", err)
		}
		return 0, [128]byte{}, err
	}
	r := reader{it: it}
	version, hash := r.u("ver"), r.b("hash")
	switch {
	case r.err != nil:
		return 0, [128]byte{}, fmt.Errorf("get app state version: %w", r.err)
	case len(hash) != 128:
		return 0, [128]byte{}, errInvalidLength
	case version == 0:
		return 0, [128]byte{}, fmt.Errorf("invalid saved app state version 0 for name %s", name)
	}
	return version, [128]byte(hash), nil
}

// DeleteAppStateVersion deletes a collection's version and, as sqlstore's
// foreign key cascades, all its MACs; the MACs first, so none is ever left
// without its version.
func (s *deviceStore) DeleteAppStateVersion(ctx context.Context, name string) error {
	if _, err := s.c.deletePrefix(ctx, s.pk, macPrefix(name)); err != nil {
		return fmt.Errorf("delete app state MACs: %w", err)
	}
	if err := s.c.deleteItem(ctx, s.pk, appVersionSK(name)); err != nil {
		return fmt.Errorf("delete app state version: %w", err)
	}
	return nil
}

// PutAppStateMutationMACs stores the MACs of one version of a collection.
// Like sqlstore's schema, the collection's version must be stored and a
// MAC is written once per version. Atomic per 99 MACs (a transaction also
// checks the version), where sqlstore writes all in one transaction.
func (s *deviceStore) PutAppStateMutationMACs(ctx context.Context, name string, version uint64, mutations []store.AppStateMutationMAC) error {
	attr := macAttr(version)
	for len(mutations) > 0 {
		n := min(len(mutations), maxTransact-1)
		items := make([]ddb.TransactWriteItem, 0, n+1)
		items = append(items, ddb.TransactWriteItem{ConditionCheck: &ddb.ConditionCheck{
			TableName: aws.String(s.c.table), Key: keyItem(s.pk, appVersionSK(name)),
			ConditionExpression: aws.String("attribute_exists(sk)"),
		}})
		for _, m := range mutations[:n] {
			items = append(items, ddb.TransactWriteItem{Update: &ddb.Update{
				TableName: aws.String(s.c.table), Key: keyItem(s.pk, macSK(name, m.IndexMAC)),
				UpdateExpression:          aws.String("SET #v = :v"),
				ConditionExpression:       aws.String("attribute_not_exists(#v)"),
				ExpressionAttributeNames:  map[string]string{"#v": attr},
				ExpressionAttributeValues: item{":v": avB(m.ValueMAC)},
			}})
		}
		err := s.c.transact(ctx, items)
		switch {
		case cancelReason(err, "ConditionalCheckFailed") == 0:
			return fmt.Errorf("put app state MACs: no version stored for the collection: %w", fault.ErrNotFound)
		case isConditionFailed(err):
			return fmt.Errorf("put app state MACs: %w", errExists)
		case err != nil:
			return fmt.Errorf("put app state MACs: %w", err)
		}
		mutations = mutations[n:]
	}
	return nil
}

// DeleteAppStateMutationMACs deletes every version of the given index MACs.
func (s *deviceStore) DeleteAppStateMutationMACs(ctx context.Context, name string, indexMACs [][]byte) error {
	reqs := make([]ddb.WriteRequest, 0, len(indexMACs))
	seen := make(map[string]bool, len(indexMACs))
	for _, idx := range indexMACs {
		sk := macSK(name, idx)
		if !seen[sk] {
			seen[sk] = true
			reqs = append(reqs, deleteRequest(s.pk, sk))
		}
	}
	if err := s.c.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("delete app state MACs: %w", err)
	}
	return nil
}

// GetAppStateMutationMAC returns the value MAC of the newest version of an
// index MAC, nil if there is none.
func (s *deviceStore) GetAppStateMutationMAC(ctx context.Context, name string, indexMAC []byte) ([]byte, error) {
	it, err := s.c.getItem(ctx, s.pk, macSK(name, indexMAC))
	if err != nil {
		return nil, fmt.Errorf("get app state MAC: %w", err)
	}
	var newest uint64
	var value []byte
	for attr, v := range it {
		ver, ok := strings.CutPrefix(attr, "v")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(ver, 10, 64)
		b, isB := v.(*ddb.AttributeValueMemberB)
		if err != nil || !isB {
			return nil, fmt.Errorf("get app state MAC: malformed attribute %s", attr)
		}
		if value == nil || n > newest {
			newest, value = n, b.Value
		}
	}
	return value, nil
}
