package dynamo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/lease/leasetest"
)

// leaseTable opens lease stores on one table; Reopen makes a new store on
// it, as a restarted host would.
type leaseTable struct{ s *Store }

func (lt *leaseTable) Fresh(t *testing.T) lease.Store {
	lt.s = newStore(t)
	return NewLeaseStore(lt.s.db, lt.s.table)
}

func (lt *leaseTable) Reopen(*testing.T) lease.Store { return NewLeaseStore(lt.s.db, lt.s.table) }

func TestLeaseConformance(t *testing.T) {
	leasetest.Run(t, func(*testing.T) leasetest.Opener { return &leaseTable{} })
}

// TestLeaseFence: a write carrying the fence lands under the current
// token; a stale or expired token is refused before writing, and a
// take-over between the fence's read and the write cancels the write.
func TestLeaseFence(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	ls := NewLeaseStore(s.db, s.table)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	const inst = "acme__c__main"
	old, err := ls.Acquire(ctx, inst, "host-a", time.Minute, now)
	require.NoError(t, err)
	require.NoError(t, ls.Release(ctx, old))
	cur, err := ls.Acquire(ctx, inst, "host-b", time.Minute, now)
	require.NoError(t, err)

	// fencedPut writes an item under token, as a host writes: the fence
	// on the context.
	fencedPut := func(id string, token int64, at time.Time) error {
		fctx := lease.WithFence(ctx, lease.Fence{Instance: inst, Token: token, Now: at})
		return s.write(fctx, s.put(item{attrPK: str("C#" + id), attrSK: str("RESULT")}, "", nil))
	}
	cases := []struct {
		name  string
		token int64
		at    time.Time
		ok    bool
	}{
		{"current", cur.Token, now, true},
		{"superseded", old.Token, now, false},
		{"expired", cur.Token, cur.Expires, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := fencedPut(c.name, c.token, c.at)
			_, found, gerr := s.get(ctx, key("C#"+c.name, "RESULT"))
			require.NoError(t, gerr)
			require.Equal(t, c.ok, found, "written")
			if c.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, lease.ErrLost)
			}
		})
	}

	t.Run("renewed meanwhile", func(t *testing.T) {
		fence, err := s.leaseFence(ctx, inst, cur.Token, now)
		require.NoError(t, err)
		cur, err = ls.Renew(ctx, cur, time.Minute, now.Add(time.Second))
		require.NoError(t, err)
		require.NoError(t, s.write(ctx, fence, s.put(item{attrPK: str("C#renewed"), attrSK: str("RESULT")}, "", nil)))
	})
	t.Run("taken over meanwhile", func(t *testing.T) {
		fence, err := s.leaseFence(ctx, inst, cur.Token, now)
		require.NoError(t, err)
		_, err = ls.Acquire(ctx, inst, "host-c", time.Minute, cur.Expires)
		require.NoError(t, err)
		err = s.write(ctx, fence, s.put(item{attrPK: str("C#late"), attrSK: str("RESULT")}, "", nil))
		var c *canceled
		require.True(t, errors.As(err, &c) && c.failed(0), "the write landed after the take-over: %v", err)
		_, found, err := s.get(ctx, commandKey("late"))
		require.NoError(t, err)
		require.False(t, found)
	})
}
