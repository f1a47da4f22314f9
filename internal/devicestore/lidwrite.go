package devicestore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// PutLIDMapping stores lid ↔ pn. A phone number's previous LID and a LID's
// previous phone number lose their mapping.
func (m *lidMap) PutLIDMapping(ctx context.Context, lid, pn types.JID) error {
	if lid.Server != types.HiddenUserServer || pn.Server != types.DefaultUserServer {
		return fmt.Errorf("invalid PutLIDMapping call %s/%s", lid, pn)
	}
	m.mu.RLock()
	known := m.pnToLID[pn.User] == lid.User && m.lidToPN[lid.User] == pn.User
	m.mu.RUnlock()
	if known {
		return nil
	}
	m.writeMu.Lock()
	defer m.writeMu.Unlock()
	if err := m.write(ctx, lid.User, pn.User); err != nil {
		return err
	}
	m.remember(lid.User, pn.User)
	return nil
}

// PutManyLIDMappings stores mappings in order, skipping invalid entries and
// those already stored. Each mapping is atomic, the batch is not (sqlstore
// writes it in one transaction).
func (m *lidMap) PutManyLIDMappings(ctx context.Context, mappings []store.LIDMapping) error {
	todo := make([]store.LIDMapping, 0, len(mappings))
	seen := make(map[store.LIDMapping]bool, len(mappings))
	m.mu.RLock()
	for _, mp := range mappings {
		if mp.LID.Server != types.HiddenUserServer || mp.PN.Server != types.DefaultUserServer {
			continue
		}
		if seen[mp] || (m.pnToLID[mp.PN.User] == mp.LID.User && m.lidToPN[mp.LID.User] == mp.PN.User) {
			continue
		}
		seen[mp] = true
		todo = append(todo, mp)
	}
	m.mu.RUnlock()
	if len(todo) == 0 {
		return nil
	}
	m.writeMu.Lock()
	defer m.writeMu.Unlock()

	// What is stored now, so that mappings already there cost no write.
	keys := make([]item, 0, 2*len(todo))
	for _, mp := range todo {
		keys = append(keys, keyItem(pnPK(mp.PN.User), lidMapSK), keyItem(lidPK(mp.LID.User), lidMapSK))
	}
	found, err := m.c.batchGet(ctx, keys)
	if err != nil {
		return fmt.Errorf("put LID mappings: %w", err)
	}
	pnToLID, lidToPN := make(map[string]string), make(map[string]string)
	for _, it := range found {
		r := reader{it: it}
		pk, _ := keyOf(it)
		if pk == pnPK(r.s("pn")) {
			pnToLID[r.s("pn")] = r.s("lid")
		} else {
			lidToPN[r.s("lid")] = r.s("pn")
		}
	}
	for _, mp := range todo {
		lid, pn := mp.LID.User, mp.PN.User
		if pnToLID[pn] != lid || lidToPN[lid] != pn {
			if err := m.write(ctx, lid, pn); err != nil {
				return err
			}
		}
		applyMapping(pnToLID, lidToPN, lid, pn)
		m.remember(lid, pn)
	}
	return nil
}

// errLIDContention ends a mapping write that kept colliding with others.
var errLIDContention = errors.New("LID mapping changed concurrently too often")

// write stores lid ↔ pn in the table: both items, and the removal of
// either side's previous partner, in one transaction conditioned on what
// was read, retried when another writer got in between.
func (m *lidMap) write(ctx context.Context, lid, pn string) error {
	c := m.c
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		found, err := c.batchGet(ctx, []item{keyItem(pnPK(pn), lidMapSK), keyItem(lidPK(lid), lidMapSK)})
		if err != nil {
			return fmt.Errorf("put LID mapping: %w", err)
		}
		var curLID, curPN string // pn's current LID, lid's current phone number
		for _, it := range found {
			r := reader{it: it}
			if pk, _ := keyOf(it); pk == pnPK(pn) {
				curLID = r.s("lid")
			} else {
				curPN = r.s("pn")
			}
		}
		if curLID == lid && curPN == pn {
			return nil
		}
		pair := item{"lid": avS(lid), "pn": avS(pn)}
		items := []ddb.TransactWriteItem{
			m.putSide(withKey(lidPK(lid), lidMapSK, clone(pair)), "#pn", curPN),
			m.putSide(withKey(pnPK(pn), lidMapSK, clone(pair)), "#lid", curLID),
		}
		if curLID != "" && curLID != lid {
			items = append(items, m.deleteSide(lidPK(curLID), "#pn", pn))
		}
		if curPN != "" && curPN != pn {
			items = append(items, m.deleteSide(pnPK(curPN), "#lid", lid))
		}
		err = c.transact(ctx, items)
		if !isConditionFailed(err) {
			if err != nil {
				return fmt.Errorf("put LID mapping: %w", err)
			}
			return nil
		}
		if err := c.backoff(ctx, attempt); err != nil {
			return err
		}
	}
	return errLIDContention
}

// putSide writes one direction, on condition that its partner is still
// the one read (or that it was absent).
func (m *lidMap) putSide(it item, partner, was string) ddb.TransactWriteItem {
	put := &ddb.Put{TableName: aws.String(m.c.table), Item: it, ConditionExpression: aws.String(condAbsent)}
	if was != "" {
		put.ConditionExpression = aws.String(partner + " = :was")
		put.ExpressionAttributeNames = map[string]string{partner: strings.TrimPrefix(partner, "#")}
		put.ExpressionAttributeValues = item{":was": avS(was)}
	}
	return ddb.TransactWriteItem{Put: put}
}

// deleteSide removes a previous partner's item if it still points at us.
func (m *lidMap) deleteSide(pk, partner, us string) ddb.TransactWriteItem {
	return ddb.TransactWriteItem{Delete: &ddb.Delete{
		TableName: aws.String(m.c.table), Key: keyItem(pk, lidMapSK),
		ConditionExpression:       aws.String("attribute_not_exists(sk) OR " + partner + " = :us"),
		ExpressionAttributeNames:  map[string]string{partner: strings.TrimPrefix(partner, "#")},
		ExpressionAttributeValues: item{":us": avS(us)},
	}}
}

func clone(it item) item {
	out := make(item, len(it)+2)
	for k, v := range it {
		out[k] = v
	}
	return out
}
