package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/numbercheck"
)

// Attributes of the number check item (see the package doc).
const (
	attrUses    = "uses"    // numbercheck's encoding of the uses inside the window
	attrVersion = "version" // bumped by every write; the next write's condition
)

// numberCheckAttempts bounds the read-decide-write rounds of one
// reservation. Each lost round means another reservation of the same
// instance was written, so rounds run out only under a burst of parallel
// checks on one instance; the request then fails (500) without counting.
const numberCheckAttempts = 20

func numberCheckKey(inst string) item { return key("NC#"+inst, "CHECKS") }

// ReserveNumberChecks implements gateway.NumberCheckStore: a strongly
// consistent read of the instance's item, numbercheck's decision, and a
// put conditioned on the version read, so of two API Lambdas deciding
// from the same state only one writes and the other decides again from
// the new one; together they never pass the limit. A refusal writes
// nothing.
func (s *Store) ReserveNumberChecks(ctx context.Context, instance string, n int, now time.Time) (time.Duration, bool, error) {
	k := numberCheckKey(instance)
	for attempt := 0; ; attempt++ {
		it, found, err := s.get(ctx, k)
		if err != nil {
			return 0, false, fmt.Errorf("read number checks of %s: %w", instance, err)
		}
		var uses []numbercheck.Use
		version := getInt(it, attrVersion)
		if found {
			if uses, err = numbercheck.Decode(getBin(it, attrUses)); err != nil {
				return 0, false, fmt.Errorf("number checks of %s: %w", instance, err)
			}
		}
		d, err := numbercheck.Reserve(uses, n, now)
		if err != nil || !d.OK {
			return d.Wait, false, err
		}
		err = s.write(ctx, s.putNumberChecks(k, d.Uses, version, found))
		var c *canceled
		switch {
		case err == nil:
			return 0, true, nil
		case !errors.As(err, &c) || !c.failed(0):
			return 0, false, fmt.Errorf("write number checks of %s: %w", instance, err)
		case attempt+1 == numberCheckAttempts:
			return 0, false, fmt.Errorf("number checks of %s: still contended after %d attempts", instance, numberCheckAttempts)
		}
		if err := s.pause(ctx, attempt); err != nil {
			return 0, false, err
		}
	}
}

// putNumberChecks writes uses as the item's new state, on condition that
// the item is still at version (or, if there was none, still absent). The
// TTL is when the newest use leaves the window: nothing in the item counts
// after that.
func (s *Store) putNumberChecks(k item, uses []numbercheck.Use, version int64, found bool) types.TransactWriteItem {
	it := item{attrPK: k[attrPK], attrSK: k[attrSK], attrUses: bin(numbercheck.Encode(uses)),
		attrVersion: num(version + 1), attrTTL: epoch(uses[len(uses)-1].At.Add(numbercheck.Window))}
	if !found {
		return s.put(it, notExists, nil)
	}
	return s.put(it, "#"+attrVersion+" = :version", item{":version": num(version)})
}
