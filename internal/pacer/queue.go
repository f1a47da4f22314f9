package pacer

// entry is a queued item tagged with the sequence number it was queued
// under. Remove and Requeue do not search the queue: they change the
// pending index (Pacer.pending), and an entry whose seq no longer matches
// is stale and skipped when it reaches the head. That keeps every operation
// O(1) amortized no matter how many messages an instance has waiting.
type entry struct {
	it  Item
	seq uint64
}

// fifo is one lane's queue: a slice with a moving head, so popping the head
// and pushing back to the head after a pop (Requeue) are both O(1).
type fifo struct {
	q    []entry
	head int
}

// releaseCap is the buffer size above which an emptied queue gives its
// memory back: an instance that once had thousands of messages waiting
// should not keep that buffer while idle.
const releaseCap = 64

func (f *fifo) pushBack(e entry) {
	if f.head > 0 && f.head == len(f.q) {
		f.q, f.head = f.q[:0], 0
	}
	if f.head >= releaseCap && f.head*2 >= len(f.q) {
		// More than half the buffer is consumed: slide the live part down
		// instead of letting append grow the buffer forever.
		n := copy(f.q, f.q[f.head:])
		clear(f.q[n:])
		f.q, f.head = f.q[:n], 0
	}
	f.q = append(f.q, e)
}

func (f *fifo) pushFront(e entry) {
	if f.head > 0 {
		f.head--
		f.q[f.head] = e
		return
	}
	f.q = append(f.q, entry{})
	copy(f.q[1:], f.q)
	f.q[0] = e
}

// peek returns the head entry; ok is false when the queue is empty.
func (f *fifo) peek() (entry, bool) {
	if f.head >= len(f.q) {
		return entry{}, false
	}
	return f.q[f.head], true
}

func (f *fifo) popFront() {
	f.q[f.head] = entry{} // drop the strings for the GC
	f.head++
}

// reset empties the queue, releasing a large buffer.
func (f *fifo) reset() {
	if cap(f.q) > releaseCap {
		f.q = nil
	} else {
		clear(f.q)
		f.q = f.q[:0]
	}
	f.head = 0
}
