package message

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Direction tells the two kinds of listed message apart: what an instance
// sent (Out) and what it received (In).
type Direction string

// The directions of GET /instance/{name}/messages.
const (
	In  Direction = "in"
	Out Direction = "out"
)

// Valid reports whether d is In or Out.
func (d Direction) Valid() bool { return d == In || d == Out }

// Listing limits: API.md's bounds of the limit query parameter.
const (
	DefaultListLimit = 50
	MaxListLimit     = 100
)

// ListQuery selects a page of an instance's messages, newest first.
type ListQuery struct {
	// Direction "" means both.
	Direction Direction
	// Chat, when not "", keeps the messages of one chat: an outbound
	// message's To, an inbound one's Chat.
	Chat string
	// Limit is how many items at most, 1 to MaxListLimit.
	Limit int
	// After, when not zero, is the last item of the previous page: the
	// page starts right after it in the listing order.
	After Cursor
}

// Listed is one item of the listing: Out set for an outbound message, In
// for an inbound one.
type Listed struct {
	Out *Message
	In  *Received
}

// Direction is which of the two l holds.
func (l Listed) Direction() Direction {
	if l.In != nil {
		return In
	}
	return Out
}

// At is the listing time: an outbound message's CreatedAt, the time the
// gateway received an inbound one.
func (l Listed) At() time.Time {
	if l.In != nil {
		return l.In.ReceivedAt
	}
	return l.Out.CreatedAt
}

// ID is the tie-breaker: our id for an outbound message, WhatsApp's for
// an inbound one.
func (l Listed) ID() string {
	if l.In != nil {
		return l.In.WAMessageID
	}
	return l.Out.ID
}

// Cursor is l's position in the listing.
func (l Listed) Cursor() Cursor {
	return Cursor{At: l.At().Truncate(time.Millisecond), Direction: l.Direction(), ID: l.ID()}
}

// Cursor is a position in the listing. The listing order is descending
// by (At in ms, Direction, ID), strings compared bytewise ("out" before
// "in" on the same millisecond): a total order over an instance's
// messages that both stores can follow with an index, so a page that
// starts after a cursor is a keyset range, stable while newer messages
// arrive (they sort before it) and never repeating or skipping one.
type Cursor struct {
	At        time.Time // millisecond precision, as the stores keep times
	Direction Direction
	ID        string
}

// IsZero reports whether c is no position (the first page).
func (c Cursor) IsZero() bool { return c.Direction == "" }

// Before reports whether position c comes before (is newer than) o in
// the listing order.
func (c Cursor) Before(o Cursor) bool {
	a, b := c.At.UnixMilli(), o.At.UnixMilli()
	switch {
	case a != b:
		return a > b
	case c.Direction != o.Direction:
		return c.Direction > o.Direction
	default:
		return c.ID > o.ID
	}
}

// Cursor limits. The id is ours (a UUID) or WhatsApp's (hex, about 20
// characters); the bounds leave room without letting a cursor grow a
// query without end.
const (
	maxCursorID = 128
	// maxCursorMS is the end of year 9999: a sane bound on At.
	maxCursorMS = 253402300799999
)

// ErrBadCursor is returned by ParseCursor for anything Encode did not
// write.
var ErrBadCursor = errors.New("malformed cursor")

// cursorEncoding is URL-safe (a cursor goes in a query string) and strict,
// so one cursor has one spelling.
var cursorEncoding = base64.RawURLEncoding.Strict()

// Encode writes c as the opaque nextCursor clients pass back:
// base64url of "<ms>.<direction>.<id>".
func (c Cursor) Encode() string {
	return cursorEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMilli(), 10) + "." + string(c.Direction) + "." + c.ID))
}

// ParseCursor reads a cursor Encode wrote. It accepts only the canonical
// spelling (no leading zeros, no padding), so that Encode(ParseCursor(s))
// is s; anything else is ErrBadCursor.
func ParseCursor(s string) (Cursor, error) {
	raw, err := cursorEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	msText, rest, ok := strings.Cut(string(raw), ".")
	if !ok {
		return Cursor{}, ErrBadCursor
	}
	dir, id, ok := strings.Cut(rest, ".")
	if !ok || !Direction(dir).Valid() || !validCursorID(id) {
		return Cursor{}, ErrBadCursor
	}
	msec, err := strconv.ParseInt(msText, 10, 64)
	if err != nil || msec < 0 || msec > maxCursorMS || strconv.FormatInt(msec, 10) != msText {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{At: time.UnixMilli(msec).UTC(), Direction: Direction(dir), ID: id}, nil
}

// validCursorID accepts printable ASCII without spaces: every id either
// side uses, and nothing a store key could trip on.
func validCursorID(id string) bool {
	if id == "" || len(id) > maxCursorID {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}
