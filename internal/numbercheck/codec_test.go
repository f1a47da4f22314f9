package numbercheck

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCodecRoundTrip(t *testing.T) {
	full := make([]Use, 0, Limit)
	for i := range Limit {
		full = append(full, at(time.Duration(i)*7200*time.Millisecond, 1))
	}
	for name, uses := range map[string][]Use{
		"none":             {},
		"one":              {at(0, 50)},
		"same instant":     {at(0, 1), at(0, 2)},
		"an hour apart":    {at(0, 500), at(time.Hour, 1)},
		"before 1970":      {{At: time.UnixMilli(-5).UTC(), N: 3}, {At: time.UnixMilli(7).UTC(), N: 4}},
		"a full hour of 1": full,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Decode(Encode(uses))
			require.NoError(t, err)
			require.Equal(t, uses, got)
		})
	}
	// The largest an hour can get: 500 single checks, the most gaps that
	// fit in the hour at 3 bytes (16384 ms, 217 of them), all the others
	// at 2 (128 ms).
	worst := make([]Use, 0, Limit)
	var gap time.Duration
	for i := range Limit {
		worst = append(worst, Use{At: t0.Add(gap), N: 1})
		if i < 217 {
			gap += 16384 * time.Millisecond
		} else {
			gap += 128 * time.Millisecond
		}
	}
	require.Less(t, worst[Limit-1].At.Sub(worst[0].At), Window)
	require.Less(t, len(Encode(full)), len(Encode(worst)))
	require.Less(t, len(Encode(worst)), 1800, "a full hour stays under 1.8 KB")
}

// TestCodecKeepsDecisions: a store that keeps only the encoding decides as
// one that kept the uses.
func TestCodecKeepsDecisions(t *testing.T) {
	var uses []Use
	now := t0.Add(123456 * time.Microsecond)
	for i := range 40 {
		now = now.Add(time.Duration(i) * 1777 * time.Millisecond)
		d, err := Reserve(uses, 13, now)
		require.NoError(t, err)
		if !d.OK {
			continue
		}
		decoded, err := Decode(Encode(d.Uses))
		require.NoError(t, err)
		require.Equal(t, d.Uses, decoded)
		uses = decoded
	}
}

func TestDecodeRefuses(t *testing.T) {
	uv := func(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
	for name, b := range map[string][]byte{
		"empty":            nil,
		"unknown format":   {2, 0},
		"no count":         {1},
		"too many uses":    uv([]byte{1}, Limit+1),
		"missing use":      {1, 1},
		"missing count":    binary.AppendVarint([]byte{1, 1}, 5),
		"count zero":       uv(binary.AppendVarint([]byte{1, 1}, 5), 0),
		"count over":       uv(binary.AppendVarint([]byte{1, 1}, 5), Limit+1),
		"trailing bytes":   append(Encode([]Use{at(0, 1)}), 0),
		"time overflows":   uv(uv(uv(binary.AppendVarint([]byte{1, 2}, math.MaxInt64-1), 1), 5), 1),
		"truncated varint": {1, 0x80},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(b)
			require.ErrorIs(t, err, ErrCorrupt)
		})
	}
}

// FuzzDecode: Decode never panics, and whatever it accepts is what Reserve
// could have stored: oldest first, counts in range, at most Limit uses,
// and it encodes back to the same uses.
func FuzzDecode(f *testing.F) {
	f.Add(Encode(nil))
	f.Add(Encode([]Use{at(0, 50)}))
	f.Add(Encode([]Use{at(0, 1), at(time.Second, 499)}))
	f.Add([]byte{1, 0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		uses, err := Decode(b)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		require.LessOrEqual(t, len(uses), Limit)
		for i, u := range uses {
			require.True(t, u.N >= 1 && u.N <= Limit)
			if i > 0 {
				require.False(t, u.At.Before(uses[i-1].At))
			}
		}
		again, err := Decode(Encode(uses))
		require.NoError(t, err)
		require.Equal(t, uses, again)
	})
}
