package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/queue"
)

const (
	// dedupWindow is how long SQS FIFO remembers a deduplication id.
	dedupWindow = 5 * time.Minute
	// dedupSweep bounds how many expired dedup rows one sweep deletes, so a
	// burst that expires at once never makes a single Send slow; sweeps run
	// at most once per sweepEvery, which still outpaces any send rate the
	// writer can sustain (32 rows per 10 ms).
	dedupSweep = 32
	sweepEvery = 10 * time.Millisecond
	// pollInterval is how often a waiting Receive re-checks the table for
	// messages whose visibility ran out; Sends wake it at once instead.
	pollInterval = 200 * time.Millisecond
	// maxReceive is the SQS limit on messages per Receive.
	maxReceive = 10
)

// headsQuery lists the receivable messages of queue ?1 at time ?2: the
// heads (oldest message of their group) that are visible, oldest visible
// first. Only a head can be received, which is what keeps one message per
// group in flight; a group's next message becomes its head when the head
// is deleted. The partial index on heads makes this a range scan whatever
// the number of groups.
const headsQuery = `
SELECT seq, group_id, dedup_id, body, receive_count FROM queue_messages
WHERE queue = ?1 AND is_head = 1 AND visible_at <= ?2
ORDER BY visible_at, seq
LIMIT CAST(?3 AS INTEGER)` // see the note on LIMIT in stmt.go

// Queue is one lane queue stored in the gateway database, so that the local
// gateway needs no SQS: same semantics, checked by the same conformance
// suite (internal/queue/queuetest).
//
// Time comes from the injected clock: timestamps, and also the long-poll
// deadline and re-check tick of Receive (clk.After). With clock.Real these
// are ordinary timers. With a fake clock a waiting Receive returns only when
// a Send (or Delete, or ChangeVisibility to 0) wakes it, when the test
// advances the clock, or when ctx ends: fake-clock tests can then expire
// visibilities without sleeping and never hang on real-time timers.
//
// The instant wake-up on Send is in-process and per *Queue value: share one
// Queue between the producer and the consumers of a lane. A second Queue
// with the same name on the same DB still works, but its receivers notice
// new messages only at the next re-check (pollInterval).
type Queue struct {
	db   *DB
	name string
	clk  clock.Clock

	lastSweep atomic.Int64 // unix ms of the last dedup sweep

	mu      sync.Mutex
	changed chan struct{} // closed (and replaced) when a message may have become receivable
}

// NewQueue returns the queue called name in db. Queues are created on first
// Send; several names share the same tables.
func NewQueue(db *DB, name string, clk clock.Clock) *Queue {
	return &Queue{db: db, name: name, clk: clk, changed: make(chan struct{})}
}

// Send enqueues body at the tail of group groupID, unless dedupID was sent
// to this queue within the last five minutes: then it is accepted and
// dropped, so a producer may retry a Send whose outcome it does not know.
func (q *Queue) Send(ctx context.Context, groupID, dedupID string, body []byte) error {
	if groupID == "" || dedupID == "" {
		return fmt.Errorf("queue %s: send: group id and deduplication id are required", q.name)
	}
	var added bool
	err := q.db.Write(ctx, func(tx *Tx) error {
		var err error
		added, err = q.sendTx(tx, groupID, dedupID, body, true)
		return err
	})
	if err != nil {
		return fmt.Errorf("queue %s: send: %w", q.name, err)
	}
	if added {
		q.wake()
	}
	return nil
}

// sendTx is Send inside a caller's write transaction, so a producer can
// store its own record and enqueue atomically. It reports whether the
// message was added (false: a duplicate within the window); the caller
// calls wake after the commit when it was. A caller whose own insert in the
// same transaction already guarantees dedupID is new (a primary key) passes
// dedup false and skips the deduplication record.
func (q *Queue) sendTx(tx *Tx, groupID, dedupID string, body []byte, dedup bool) (bool, error) {
	if body == nil {
		body = []byte{} // a nil slice would bind as NULL
	}
	now := q.clk.Now().UnixMilli()
	if !dedup {
		return true, q.insert(tx, groupID, dedupID, body, now)
	}
	// Sweep at most once per sweepEvery: correctness never depends on it
	// (an expired row counts as expired), only the table size does.
	if last := q.lastSweep.Load(); now-last >= sweepEvery.Milliseconds() || now < last {
		if _, err := tx.Exec(`DELETE FROM queue_dedup WHERE rowid IN
			(SELECT rowid FROM queue_dedup WHERE expires_at <= ? LIMIT CAST(? AS INTEGER))`, now, dedupSweep); err != nil {
			return false, fmt.Errorf("sweep dedup ids: %w", err)
		}
		q.lastSweep.Store(now)
	}
	// Insert the id, or revive an expired row the sweep has not reached.
	res, err := tx.Exec(`INSERT INTO queue_dedup (queue, dedup_id, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (queue, dedup_id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE queue_dedup.expires_at <= ?`, q.name, dedupID, now+dedupWindow.Milliseconds(), now)
	if err != nil {
		return false, fmt.Errorf("record dedup id: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err // a duplicate within the window: accepted, dropped
	}
	return true, q.insert(tx, groupID, dedupID, body, now)
}

func (q *Queue) insert(tx *Tx, groupID, dedupID string, body []byte, now int64) error {
	if _, err := tx.Exec(`INSERT INTO queue_messages
		(queue, group_id, dedup_id, body, visible_at, receive_count, sent_at, is_head)
		VALUES (?1, ?2, ?3, ?4, ?5, 0, ?5,
			NOT EXISTS (SELECT 1 FROM queue_messages WHERE queue = ?1 AND group_id = ?2))`,
		q.name, groupID, dedupID, body, now); err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

// Receive hands out up to max receivable messages, at most one per group,
// oldest group head first, each invisible to other receivers for
// visibility. With wait > 0 it long-polls: it returns as soon as something
// is receivable, or empty once wait has passed.
func (q *Queue) Receive(ctx context.Context, max int, visibility, wait time.Duration) ([]queue.Delivery, error) {
	if max < 1 || max > maxReceive {
		return nil, fmt.Errorf("queue %s: receive: max must be 1..%d, got %d", q.name, maxReceive, max)
	}
	if visibility < 0 || wait < 0 {
		return nil, fmt.Errorf("queue %s: receive: negative visibility or wait", q.name)
	}
	var deadline <-chan time.Time
	probe := false
	for {
		q.mu.Lock()
		changed := q.changed // taken before looking, so no wake-up is missed
		q.mu.Unlock()
		ds, err := q.receiveOnce(ctx, max, visibility, probe)
		if err != nil || len(ds) > 0 || wait <= 0 {
			return ds, err
		}
		if deadline == nil {
			deadline = q.clk.After(wait)
		}
		select {
		case <-changed:
			probe = false
		case <-q.clk.After(pollInterval):
			probe = true // most ticks find nothing: look on the read pool first
		case <-deadline:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// receiveOnce marks and returns the receivable heads in one write, which
// makes it atomic against concurrent receivers. With probe it first checks
// on the read pool, so idle long polls do not occupy the writer.
func (q *Queue) receiveOnce(ctx context.Context, max int, visibility time.Duration, probe bool) ([]queue.Delivery, error) {
	if probe {
		var n int
		err := q.db.queryRow(ctx, `SELECT count(*) FROM (`+headsQuery+`)`,
			q.name, q.clk.Now().UnixMilli(), 1).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("queue %s: receive: probe: %w", q.name, err)
		}
		if n == 0 {
			return nil, nil
		}
	}
	var out []queue.Delivery
	err := q.db.Write(ctx, func(tx *Tx) error {
		now := q.clk.Now().UnixMilli()
		rows, err := tx.Query(headsQuery, q.name, now, max)
		if err != nil {
			return err
		}
		var seqs []int64
		for rows.Next() {
			var d queue.Delivery
			var seq int64
			if err := rows.Scan(&seq, &d.GroupID, &d.DedupID, &d.Body, &d.ReceiveCount); err != nil {
				_ = rows.Close()
				return err
			}
			seqs = append(seqs, seq)
			out = append(out, d)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		until := now + visibility.Milliseconds()
		for i, seq := range seqs {
			// The seq in the receipt makes Delete a primary-key lookup.
			receipt := strconv.FormatInt(seq, 10) + "." + uuid.NewString()
			if _, err := tx.Exec(`UPDATE queue_messages SET receipt = ?, visible_at = ?,
				receive_count = receive_count + 1 WHERE seq = ?`, receipt, until, seq); err != nil {
				return err
			}
			out[i].Receipt = receipt
			out[i].ReceiveCount++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queue %s: receive: %w", q.name, err)
	}
	return out, nil
}

// ChangeVisibility restarts the invisibility of an in-flight message at
// visibility from now: longer to keep holding it, 0 to release it at once.
func (q *Queue) ChangeVisibility(ctx context.Context, receipt string, visibility time.Duration) error {
	if visibility < 0 {
		return fmt.Errorf("queue %s: change visibility: negative visibility", q.name)
	}
	err := q.inFlight(ctx, "change visibility", receipt, func(tx *Tx, seq, now int64) (sql.Result, error) {
		return tx.Exec(`UPDATE queue_messages SET visible_at = ? WHERE seq = ? AND queue = ?
			AND receipt = ? AND visible_at > ?`, now+visibility.Milliseconds(), seq, q.name, receipt, now)
	})
	if err == nil && visibility == 0 {
		q.wake()
	}
	return err
}

// Delete removes an in-flight message for good, which lets the next message
// of its group be received.
func (q *Queue) Delete(ctx context.Context, receipt string) error {
	err := q.inFlight(ctx, "delete", receipt, func(tx *Tx, seq, now int64) (sql.Result, error) {
		var group string
		err := tx.QueryRow(`DELETE FROM queue_messages WHERE seq = ? AND queue = ?
			AND receipt = ? AND visible_at > ? RETURNING group_id`, seq, q.name, receipt, now).Scan(&group)
		if errors.Is(err, sql.ErrNoRows) {
			return noRows{}, nil
		}
		if err != nil {
			return nil, err
		}
		// Only a head is ever in flight: its successor becomes the head.
		if _, err := tx.Exec(`UPDATE queue_messages SET is_head = 1 WHERE seq =
			(SELECT min(seq) FROM queue_messages WHERE queue = ? AND group_id = ?)`, q.name, group); err != nil {
			return nil, err
		}
		return oneRow{}, nil
	})
	if err == nil {
		q.wake()
	}
	return err
}

// inFlight runs exec, a statement restricted to the row that receipt names
// while it is still in flight, and turns "no row" into ErrStaleReceipt.
func (q *Queue) inFlight(ctx context.Context, op, receipt string, exec func(tx *Tx, seq, now int64) (sql.Result, error)) error {
	stale := fmt.Errorf("queue %s: %s: %w", q.name, op, queue.ErrStaleReceipt)
	head, _, ok := strings.Cut(receipt, ".")
	seq, err := strconv.ParseInt(head, 10, 64)
	if !ok || err != nil {
		return stale
	}
	err = q.db.Write(ctx, func(tx *Tx) error {
		res, err := exec(tx, seq, q.clk.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, stale)
		}
		return nil
	})
	if err != nil && !errors.Is(err, queue.ErrStaleReceipt) {
		return fmt.Errorf("queue %s: %s: %w", q.name, op, err)
	}
	return err
}

// ReleaseInFlight makes every in-flight message of the queue receivable at
// once and voids its receipt, and reports how many there were. It is for
// a process that just took the database lock: the only receivers that
// could hold those messages died with the previous process, and waiting
// out their visibility would stall each FIFO group (an instance's lane)
// behind them for that long.
func (q *Queue) ReleaseInFlight(ctx context.Context) (int, error) {
	var n int64
	err := q.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE queue_messages SET visible_at = ?2, receipt = NULL
			WHERE queue = ?1 AND is_head = 1 AND visible_at > ?2 AND receipt IS NOT NULL`, q.name, q.clk.Now().UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("queue %s: release in-flight messages: %w", q.name, err)
	}
	if n > 0 {
		q.wake()
	}
	return int(n), nil
}

// Len counts the messages not yet deleted, in flight or not, for the
// gateway's stats and for operators watching a backlog.
func (q *Queue) Len(ctx context.Context) (int, error) {
	var n int
	err := q.db.queryRow(ctx, `SELECT count(*) FROM queue_messages WHERE queue = ?`, q.name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("queue %s: len: %w", q.name, err)
	}
	return n, nil
}

// noRows and oneRow report what a multi-statement step touched.
type (
	noRows struct{}
	oneRow struct{}
)

func (noRows) LastInsertId() (int64, error) { return 0, nil }
func (noRows) RowsAffected() (int64, error) { return 0, nil }
func (oneRow) LastInsertId() (int64, error) { return 0, nil }
func (oneRow) RowsAffected() (int64, error) { return 1, nil }

// wake tells every waiting Receive to look again.
func (q *Queue) wake() {
	q.mu.Lock()
	close(q.changed)
	q.changed = make(chan struct{})
	q.mu.Unlock()
}
