package dynamo

import (
	"context"
	"fmt"
	"time"
)

// Command results: the session host answers a command (a pairing code, a
// QR code, an error) and the API, waiting for it, reads it back.

// PutCommandResult stores the result of command id until expires (TTL).
func (s *Store) PutCommandResult(ctx context.Context, id string, result []byte, expires time.Time) error {
	it := commandKey(id)
	it[attrResult], it[attrExpiresAt], it[attrTTL] = bin(result), ms(expires), epoch(expires)
	if err := s.write(ctx, s.put(it, "", nil)); err != nil {
		return fmt.Errorf("store result of command %s: %w", id, err)
	}
	return nil
}

// GetCommandResult returns the result of command id, or ok=false while
// there is none. Command ids are unique and read only while the API waits,
// so a result past its expiry that TTL has not removed yet is still the
// right answer and is returned.
func (s *Store) GetCommandResult(ctx context.Context, id string) ([]byte, bool, error) {
	it, ok, err := s.get(ctx, commandKey(id))
	if err != nil {
		return nil, false, fmt.Errorf("get result of command %s: %w", id, err)
	}
	if !ok {
		return nil, false, nil
	}
	return getBin(it, attrResult), true, nil
}
