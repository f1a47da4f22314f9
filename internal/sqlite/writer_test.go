package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestQueuedWriteOutlivesItsContext: a write handed to the writer is
// answered with its real result even if its context ends while it waits
// its turn. Reporting ctx.Err() for a write that then commits would, for
// a queue receive, leave the received messages invisible with receipts
// nobody holds.
func TestQueuedWriteOutlivesItsContext(t *testing.T) {
	db := openQueueDB(t)
	block, running := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.Write(context.Background(), func(*Tx) error {
			close(running)
			<-block // keeps the writer busy while the next write queues
			return nil
		})
	}()
	<-running
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		second <- db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`INSERT INTO settings(key, value) VALUES ('queued', x'01')`)
			return err
		})
	}()
	time.Sleep(50 * time.Millisecond) // queued: the ops channel has room
	cancel()
	time.Sleep(50 * time.Millisecond)
	close(block)
	require.NoError(t, <-first)
	require.NoError(t, <-second, "committed, so reported as such")
	var n int
	require.NoError(t, db.read.QueryRow(`SELECT count(*) FROM settings WHERE key = 'queued'`).Scan(&n))
	require.Equal(t, 1, n)
}
