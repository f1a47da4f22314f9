package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	instlease "github.com/wagateway/wagateway/internal/lease"
	"github.com/wagateway/wagateway/internal/lease/leasetest"
)

// leaseFile opens lease stores on one database file; Reopen closes the
// file and opens it again, as a restarted gateway would.
type leaseFile struct {
	path string
	db   *DB
}

func (f *leaseFile) Fresh(t *testing.T) instlease.Store {
	f.path = filepath.Join(t.TempDir(), "gateway.db")
	return f.open(t)
}

func (f *leaseFile) Reopen(t *testing.T) instlease.Store {
	require.NoError(t, f.db.Close())
	return f.open(t)
}

func (f *leaseFile) open(t *testing.T) instlease.Store {
	db, err := Open(context.Background(), f.path)
	require.NoError(t, err)
	f.db = db
	return NewLeaseStore(db)
}

func TestLeaseConformance(t *testing.T) {
	leasetest.Run(t, func(t *testing.T) leasetest.Opener {
		f := &leaseFile{}
		t.Cleanup(func() { require.NoError(t, f.db.Close()) })
		return f
	})
}

// TestLeaseFence: inside a write transaction, a write under the current
// token passes the fence; one under a superseded token, or after expiry,
// does not.
func TestLeaseFence(t *testing.T) {
	ctx := context.Background()
	db := openQueueDB(t)
	st := NewLeaseStore(db)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	old, err := st.Acquire(ctx, "acme__c__main", "host-a", time.Minute, now)
	require.NoError(t, err)
	require.NoError(t, st.Release(ctx, old))
	cur, err := st.Acquire(ctx, "acme__c__main", "host-b", time.Minute, now)
	require.NoError(t, err)
	cases := []struct {
		name  string
		inst  string
		token int64
		at    time.Time
		ok    bool
	}{
		{"current", "acme__c__main", cur.Token, now, true},
		{"superseded", "acme__c__main", old.Token, now, false},
		{"expired", "acme__c__main", cur.Token, cur.Expires, false},
		{"other instance", "acme__c__sales", cur.Token, now, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := db.Write(ctx, func(tx *Tx) error { return leaseFence(tx, c.inst, c.token, c.at) })
			if c.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, instlease.ErrLost)
			}
			// The same check on any write whose context carries the fence.
			wrote := false
			fctx := instlease.WithFence(ctx, instlease.Fence{Instance: c.inst, Token: c.token, Now: c.at})
			err = db.Write(fctx, func(tx *Tx) error { wrote = true; return nil })
			require.Equal(t, c.ok, wrote, "the write ran")
			if c.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, instlease.ErrLost)
			}
		})
	}
}
