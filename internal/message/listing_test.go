package message

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 15, 10, 30, 0, 123_000_000, time.UTC)
	for _, c := range []Cursor{
		{At: at, Direction: Out, ID: "3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10"},
		{At: at, Direction: In, ID: "3EB0C7A1F4D2E98B5A61"},
		{At: time.UnixMilli(0).UTC(), Direction: In, ID: "x"},
		{At: at, Direction: In, ID: "id.with.dots"},
	} {
		got, err := ParseCursor(c.Encode())
		require.NoError(t, err, c)
		require.Equal(t, c, got)
	}
}

func TestParseCursorRejects(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, s := range map[string]string{
		"empty":             "",
		"not base64":        "!!!",
		"padded":            base64.URLEncoding.EncodeToString([]byte("1.in.AB")),
		"standard alphabet": "MTc3MzU5Njc2MDAwMC5vdXQuYT8+Pz4",
		"no separators":     enc("1773596760000"),
		"no id":             enc("1773596760000.in."),
		"unknown direction": enc("1773596760000.sideways.AB"),
		"negative time":     enc("-1.in.AB"),
		"leading zero":      enc("01.in.AB"),
		"plus sign":         enc("+1.in.AB"),
		"time too far":      enc("253402300800000.in.AB"),
		"space in id":       enc("1.in.A B"),
		"control in id":     enc("1.in.A\x00"),
		"non-ASCII id":      enc("1.in.é"),
		"id too long":       enc("1.in." + string(make([]byte, 129))),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCursor(s)
			require.ErrorIs(t, err, ErrBadCursor)
		})
	}
}

func TestCursorOrder(t *testing.T) {
	at := time.UnixMilli(1000)
	for name, tc := range map[string]struct {
		newer, older Cursor
	}{
		"later time first":         {Cursor{at.Add(time.Millisecond), In, "A"}, Cursor{at, Out, "Z"}},
		"out before in, same ms":   {Cursor{at, Out, "A"}, Cursor{at, In, "Z"}},
		"higher id first, same ms": {Cursor{at, In, "B"}, Cursor{at, In, "A"}},
		"a prefix sorts after":     {Cursor{at, In, "AB"}, Cursor{at, In, "A"}},
	} {
		t.Run(name, func(t *testing.T) {
			require.True(t, tc.newer.Before(tc.older))
			require.False(t, tc.older.Before(tc.newer))
			require.False(t, tc.newer.Before(tc.newer))
		})
	}
}

// FuzzParseCursor: whatever a client sends as cursor, the parser either
// refuses it or accepts the one spelling Encode writes for what it read.
func FuzzParseCursor(f *testing.F) {
	f.Add(Cursor{At: time.UnixMilli(1773596760000), Direction: Out, ID: "3b2e1f4a-9c7d"}.Encode())
	f.Add(Cursor{At: time.UnixMilli(1), Direction: In, ID: "3EB0"}.Encode())
	f.Add("")
	f.Add("MS5pbi5B")
	f.Add("MDEuaW4uQQ")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			require.ErrorIs(t, err, ErrBadCursor)
			return
		}
		require.True(t, c.Direction.Valid())
		require.True(t, validCursorID(c.ID))
		require.Equal(t, s, c.Encode())
	})
}
