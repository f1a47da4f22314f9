package sqlite

import (
	"errors"
	"fmt"
	"strings"
)

// enqueueItem is one send without an idempotency key, as the enqueue
// group writes it: the message row and its lane queue entry.
type enqueueItem struct {
	row  messageRow
	q    *Queue
	body []byte
}

// maxRows is the most rows one grouped insert binds. A group is split into
// power-of-two chunks, so each table has at most a handful of statement
// texts (one per size), each prepared once.
const maxRows = 32

// errGroupShort: an insert of the group added fewer rows than it was
// given (an instance is gone); the writes then run one by one, and the
// one concerned reports it.
var errGroupShort = errors.New("grouped insert added fewer rows than given")

// newEnqueueGroup is the Group of CreateAndEnqueue without idempotency
// key: all the messages of a batch in one insert per chunk, then all their
// queue entries likewise, instead of two statements per send.
func newEnqueueGroup() *Group {
	return &Group{Run: func(tx *Tx, items []any) error {
		sends := make([]enqueueItem, len(items))
		for i, it := range items {
			sends[i] = it.(enqueueItem)
		}
		return chunks(len(sends), func(lo, hi int) error {
			return insertMessages(tx, sends[lo:hi])
		}, func(lo, hi int) error {
			return insertQueueEntries(tx, sends, lo, hi)
		})
	}}
}

// chunks calls each step over [0, n) in power-of-two chunks of at most
// maxRows: every message is inserted before any queue entry, as the
// writes one by one would leave them.
func chunks(n int, steps ...func(lo, hi int) error) error {
	for _, step := range steps {
		for lo := 0; lo < n; {
			size := maxRows
			for size > n-lo {
				size /= 2
			}
			if err := step(lo, lo+size); err != nil {
				return err
			}
			lo += size
		}
	}
	return nil
}

// insertMessages inserts the messages of sends with one statement, each
// only if its instance exists, as insertMessage does one at a time.
func insertMessages(tx *Tx, sends []enqueueItem) error {
	args := make([]any, 0, 12*len(sends))
	for _, s := range sends {
		args = s.row.args(args)
	}
	res, err := tx.Exec(`INSERT OR FAIL INTO messages(`+messageColumns+`) SELECT * FROM (VALUES `+
		placeholders(len(sends), 12)+`) AS v WHERE EXISTS (SELECT 1 FROM instances WHERE name = v.column3)`, args...)
	if err != nil {
		return fmt.Errorf("insert %d messages: %w", len(sends), err)
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(sends)) {
		return errors.Join(err, errGroupShort)
	}
	return nil
}

// insertQueueEntries adds the queue entries of sends[lo:hi] in send
// order. A group's head is its oldest entry: an entry is the head if its
// group had no entry before this statement (checked against the table as
// it was before the statement, which SQLite reads in full before it
// inserts, since it reads the table it inserts into) and no earlier send
// of this batch is in its group.
func insertQueueEntries(tx *Tx, sends []enqueueItem, lo, hi int) error {
	args := make([]any, 0, 7*(hi-lo))
	for i := lo; i < hi; i++ {
		s := sends[i]
		first := 1
		for _, e := range sends[:i] {
			if e.q.name == s.q.name && e.row.m.Instance == s.row.m.Instance {
				first = 0
				break
			}
		}
		args = append(args, i, s.q.name, s.row.m.Instance, s.row.m.ID, s.body, s.q.clk.Now().UnixMilli(), first)
	}
	_, err := tx.Exec(`INSERT OR FAIL INTO queue_messages
		(queue, group_id, dedup_id, body, visible_at, receive_count, sent_at, is_head)
		SELECT v.column2, v.column3, v.column4, v.column5, v.column6, 0, v.column6,
			v.column7 AND NOT EXISTS (SELECT 1 FROM queue_messages WHERE queue = v.column2 AND group_id = v.column3)
		FROM (VALUES `+placeholders(hi-lo, 7)+`) AS v ORDER BY v.column1`, args...)
	if err != nil {
		return fmt.Errorf("queue %d messages: %w", hi-lo, err)
	}
	return nil
}

// placeholders is rows rows of cols "?" each: (?, ?), (?, ?).
func placeholders(rows, cols int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(rows * (len(row) + 2))
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}
