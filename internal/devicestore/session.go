package devicestore

import (
	"context"
	"fmt"
	"strings"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.mau.fi/whatsmeow/types"
)

func sessionSK(address string) string { return "sess#" + esc(address) }

// GetSession returns the session with an address, nil if there is none.
func (s *deviceStore) GetSession(ctx context.Context, address string) ([]byte, error) {
	return s.getBlob(ctx, sessionSK(address), "session")
}

// HasSession tells whether a session with the address is stored.
func (s *deviceStore) HasSession(ctx context.Context, address string) (bool, error) {
	it, err := s.c.getItem(ctx, s.pk, sessionSK(address))
	if err != nil {
		return false, fmt.Errorf("get session: %w", err)
	}
	return it != nil, nil
}

// GetManySessions returns a map with every address asked for, nil for those
// without a session (and a nil map when asked for none).
func (s *deviceStore) GetManySessions(ctx context.Context, addresses []string) (map[string][]byte, error) {
	if len(addresses) == 0 {
		return nil, nil
	}
	result := make(map[string][]byte, len(addresses))
	tx := s.c.txnFrom(ctx)
	keys := make([]item, 0, len(addresses))
	for _, addr := range addresses {
		result[addr] = nil
		if tx != nil {
			if it, ok := tx.lookup(s.pk, sessionSK(addr)); ok {
				r := reader{it: it}
				result[addr] = r.b("v")
				continue
			}
		}
		keys = append(keys, keyItem(s.pk, sessionSK(addr)))
	}
	items, err := s.c.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("get sessions: %w", err)
	}
	for _, it := range items {
		r := reader{it: it}
		v := r.b("v")
		if r.err != nil {
			return nil, fmt.Errorf("get sessions: %w", r.err)
		}
		result[unesc(strings.TrimPrefix(r.s(attrSK), "sess#"))] = v
	}
	return result, nil
}

// PutManySessions stores sessions. They are independent of each other, so
// outside a decryption transaction they are written in plain batches.
func (s *deviceStore) PutManySessions(ctx context.Context, sessions map[string][]byte) error {
	if s.c.txnFrom(ctx) != nil {
		for addr, sess := range sessions {
			if err := s.PutSession(ctx, addr, sess); err != nil {
				return err
			}
		}
		return nil
	}
	reqs := make([]ddb.WriteRequest, 0, len(sessions))
	for addr, sess := range sessions {
		reqs = append(reqs, putRequest(withKey(s.pk, sessionSK(addr), putOpt(item{}, "v", sess))))
	}
	if err := s.c.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("put sessions: %w", err)
	}
	return nil
}

// PutSession stores the session with an address.
func (s *deviceStore) PutSession(ctx context.Context, address string, session []byte) error {
	if err := s.c.putItem(ctx, withKey(s.pk, sessionSK(address), putOpt(item{}, "v", session))); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// DeleteAllSessions deletes the sessions with every device of a phone
// number ("<phone>:<device>").
func (s *deviceStore) DeleteAllSessions(ctx context.Context, phone string) error {
	if _, err := s.c.deletePrefix(ctx, s.pk, sessionSK(phone+":")); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// DeleteSession deletes the session with one address.
func (s *deviceStore) DeleteSession(ctx context.Context, address string) error {
	if err := s.c.deleteItem(ctx, s.pk, sessionSK(address)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// MigratePNToLID moves the sessions, identities and sender keys of a phone
// number's devices to its LID's addresses, replacing what is there, once
// per phone number and process (as sqlstore). Each entry moves atomically
// (its copy and the deletion of the original in one transaction); the
// SQL store moves all of them in one.
func (s *deviceStore) MigratePNToLID(ctx context.Context, pn, lid types.JID) error {
	pnSignal := pn.SignalAddressUser()
	s.migratedLock.Lock()
	done := s.migrated[pnSignal]
	s.migrated[pnSignal] = true
	s.migratedLock.Unlock()
	if done {
		return nil
	}
	lidSignal := lid.SignalAddressUser()
	counts := make([]int, 0, 3)
	for _, kind := range []string{"sess#", "ident#", "skey#"} {
		n, err := s.migrate(ctx, kind+esc(pnSignal+":"), kind+esc(lidSignal+":"))
		if err != nil {
			return fmt.Errorf("migrate %s entries to LID: %w", strings.TrimSuffix(kind, "#"), err)
		}
		counts = append(counts, n)
	}
	if counts[0]+counts[1]+counts[2] > 0 {
		s.c.log.Infof("Migrated %d sessions, %d identity keys and %d sender keys from PN to LID", counts[0], counts[1], counts[2])
	}
	return nil
}

// migrate moves every item whose sort key starts with from to the same key
// starting with to instead.
func (s *deviceStore) migrate(ctx context.Context, from, to string) (int, error) {
	var moves []ddb.TransactWriteItem
	err := s.c.queryEach(ctx, prefixQuery(s.pk, from), func(it item) bool {
		_, sk := keyOf(it)
		moved := make(item, len(it))
		for k, v := range it {
			moved[k] = v
		}
		moved[attrSK] = avS(to + strings.TrimPrefix(sk, from))
		moves = append(moves, s.c.txPut(moved, ""), s.c.txDelete(s.pk, sk))
		return true
	})
	if err != nil {
		return 0, err
	}
	// Pairs never straddle a chunk: 100 is even.
	if err := s.c.transactChunks(ctx, moves); err != nil {
		return 0, err
	}
	return len(moves) / 2, nil
}
