package pacer

import "time"

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// window is one lane's memory of its own sends, just enough to answer "may
// this lane send at t, and if not, from when?" for both rolling windows.
//
// It keeps the newest min(sends, limit) send times, oldest first, in a ring
// of UnixNano values (8 bytes each rather than time.Time's 24, so a busy
// normal lane costs 4 KB and a bulk lane 1.6 KB). limit is the larger of the
// lane's caps, because the hourly cap only needs the PerHour-th newest send
// and the daily cap the PerDay-th newest: anything older can never decide
// anything again. The ring grows by doubling up to limit, so an idle pacer
// holds no buffer at all, and once full each send overwrites the oldest
// entry: O(1) per send with no trimming pass.
type window struct {
	perHour, perDay int
	limit           int
	buf             []int64
	start, n        int
}

func newWindow(perHour, perDay int) window {
	return window{perHour: perHour, perDay: perDay, limit: max(perHour, perDay, 0)}
}

// at returns the i-th oldest retained send (0 = oldest).
func (w *window) at(i int) int64 {
	return w.buf[(w.start+i)%len(w.buf)]
}

// push records a send. Times are kept non-decreasing: a send reported
// earlier than the newest one (clock skew, out-of-order callbacks) is
// counted at the newest time instead, which can only keep the lane capped a
// little longer — the safe direction for anti-ban limits.
func (w *window) push(ns int64) {
	if w.limit == 0 {
		return
	}
	if w.n > 0 {
		ns = max(ns, w.at(w.n-1))
	}
	if w.n < len(w.buf) {
		w.buf[(w.start+w.n)%len(w.buf)] = ns
		w.n++
		return
	}
	if len(w.buf) < w.limit {
		grown := make([]int64, min(max(2*len(w.buf), 8), w.limit))
		for i := range w.n {
			grown[i] = w.at(i)
		}
		w.buf, w.start = grown, 0
		w.buf[w.n] = ns
		w.n++
		return
	}
	w.buf[w.start] = ns
	w.start = (w.start + 1) % len(w.buf)
}

// freeAt returns the UnixNano time from which the lane is under both caps,
// given the sends recorded so far; a value <= now means it may send now.
// The hourly cap is reached while the PerHour-th newest send is less than
// an hour old (the window is (t-60m, t]), so it frees exactly one hour after
// that send; likewise for the day. Both conditions only relax as time
// passes, so the later of the two is when both hold.
func (w *window) freeAt() int64 {
	free := int64(minNanos)
	if w.perHour > 0 && w.n >= w.perHour {
		free = max(free, w.at(w.n-w.perHour)+int64(hour))
	}
	if w.perDay > 0 && w.n >= w.perDay {
		free = max(free, w.at(w.n-w.perDay)+int64(day))
	}
	return free
}

// minNanos is "no constraint": earlier than any real send time.
const minNanos = -1 << 63
