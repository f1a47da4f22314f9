package sqlite

import (
	"strconv"
	"sync"
	"time"
)

// leases holds the claims on deliveries that a dispatcher has taken and
// not yet settled, in memory rather than in the table.
//
// A claim written to the table cost as much as the outcome written after
// the attempt (a row rewrite and an index move per delivery), for state
// that only this process needs: the database belongs to one process (Open
// locks it), and when that process dies its claims must end anyway — kept
// in memory they end at once, so a restarted gateway retries what was in
// flight without waiting for a lease to run out.
type leases struct {
	mu    sync.Mutex
	byRow map[int64]lease
	byID  map[string]int64
}

type lease struct {
	id    string
	until time.Time
}

func newLeases() *leases {
	return &leases{byRow: map[int64]lease{}, byID: map[string]int64{}}
}

// held lists, as a JSON array for json_each, the rows leased beyond now;
// leases that ran out are dropped on the way, so their deliveries can be
// claimed again.
func (l *leases) held(now time.Time) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := make([]byte, 0, 2+12*len(l.byRow))
	b = append(b, '[')
	for row, ls := range l.byRow {
		if !ls.until.After(now) {
			delete(l.byRow, row)
			delete(l.byID, ls.id)
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, row, 10)
	}
	return string(append(b, ']'))
}

// take leases the claimed rows until until.
func (l *leases) take(rows []int64, ids []string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, row := range rows {
		l.byRow[row] = lease{id: ids[i], until: until}
		l.byID[ids[i]] = row
	}
}

// release ends the leases of settled deliveries; unknown ids are ignored.
func (l *leases) release(ids []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		if row, ok := l.byID[id]; ok {
			delete(l.byID, id)
			delete(l.byRow, row)
		}
	}
}

// row is the rowid of a leased delivery, for binding: nil when id holds
// no lease.
func (l *leases) row(id string) any {
	l.mu.Lock()
	defer l.mu.Unlock()
	if row, ok := l.byID[id]; ok {
		return row
	}
	return nil
}
