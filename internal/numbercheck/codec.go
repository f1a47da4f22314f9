package numbercheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// The stored form of an instance's uses, the same in every store: a
// version byte, the number of uses, then per use (oldest first) its time
// in Unix milliseconds — the first as a signed varint, the others as the
// unsigned varint gap to the one before — and its count as an unsigned
// varint. A full hour of single-number requests (500 uses) takes under
// 1.8 KB, typical requests of tens of numbers (at most 50 uses) a few
// hundred bytes, so a DynamoDB item usually stays within one write unit.
const formatV1 = 1

// ErrCorrupt is stored uses that Decode cannot read.
var ErrCorrupt = errors.New("corrupt number check record")

// Encode renders uses, which must be oldest first with N in 1..Limit (as
// Reserve returns them), at millisecond precision.
func Encode(uses []Use) []byte {
	b := make([]byte, 0, 2+len(uses)*4)
	b = append(b, formatV1)
	b = binary.AppendUvarint(b, uint64(len(uses)))
	var prev int64
	for i, u := range uses {
		at := u.At.UnixMilli()
		if i == 0 {
			b = binary.AppendVarint(b, at)
		} else {
			b = binary.AppendUvarint(b, uint64(at-prev))
		}
		b = binary.AppendUvarint(b, uint64(u.N))
		prev = at
	}
	return b
}

// Decode reads what Encode wrote. It refuses anything Reserve cannot have
// produced (more than Limit uses, a count outside 1..Limit, times out of
// order or out of range, trailing bytes), so a damaged record is an error
// rather than a limit silently lifted.
func Decode(b []byte) ([]Use, error) {
	r := reader{b: b}
	if v := r.byte(); v != formatV1 {
		return nil, fmt.Errorf("%w: format %d", ErrCorrupt, v)
	}
	count := r.uvarint()
	if r.err != nil || count > Limit {
		return nil, fmt.Errorf("%w: %d uses", ErrCorrupt, count)
	}
	uses := make([]Use, 0, count)
	var at int64
	for i := range int(count) {
		if i == 0 {
			at = r.varint()
		} else {
			gap := r.uvarint()
			if gap > uint64(math.MaxInt64-at) {
				return nil, fmt.Errorf("%w: time overflows", ErrCorrupt)
			}
			at += int64(gap)
		}
		n := r.uvarint()
		if r.err != nil {
			return nil, fmt.Errorf("%w: use %d: %v", ErrCorrupt, i, r.err)
		}
		if n < 1 || n > Limit {
			return nil, fmt.Errorf("%w: use %d counts %d", ErrCorrupt, i, n)
		}
		uses = append(uses, Use{At: time.UnixMilli(at).UTC(), N: int(n)})
	}
	if len(r.b) > 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	return uses, nil
}

// reader consumes b, remembering the first error.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}
