package whatsapptest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/socket"
)

// stream frames data the way whatsmeow's FrameSocket sends it.
func stream(frames ...[]byte) []byte {
	out := bytes.Clone(socket.WAConnHeader)
	for _, f := range frames {
		out = append(out, byte(len(f)>>16), byte(len(f)>>8), byte(len(f)))
		out = append(out, f...)
	}
	return out
}

func TestFrameReader(t *testing.T) {
	cases := []struct {
		name   string
		chunks [][]byte
		want   [][]byte
		err    bool
	}{
		{"one message", [][]byte{stream([]byte("hello"))}, [][]byte{[]byte("hello")}, false},
		{"header alone first", [][]byte{socket.WAConnHeader, stream([]byte("x"))[4:]}, [][]byte{[]byte("x")}, false},
		{"split length", [][]byte{stream([]byte("abc"))[:5], stream([]byte("abc"))[5:]}, [][]byte{[]byte("abc")}, false},
		{"two in one", [][]byte{stream([]byte("a"), []byte("bc"))}, [][]byte{[]byte("a"), []byte("bc")}, false},
		{"empty frame", [][]byte{stream([]byte{})}, [][]byte{{}}, false},
		{"bad header", [][]byte{[]byte("GET /\r\n")}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fr frameReader
			var got [][]byte
			var err error
			for _, c := range tc.chunks {
				var frames [][]byte
				if frames, err = fr.push(c); err != nil {
					break
				}
				got = append(got, frames...)
			}
			if tc.err {
				require.ErrorIs(t, err, errFrame)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// FuzzFrameReader: however the stream is cut into messages, the frames
// come out whole and in order, and garbage never panics.
func FuzzFrameReader(f *testing.F) {
	f.Add([]byte("frame one"), []byte("two"), uint(3))
	f.Add([]byte{}, []byte{0xff, 0, 0}, uint(0))
	f.Fuzz(func(t *testing.T, a, b []byte, cut uint) {
		data := stream(a, b)
		at := int(cut % uint(len(data)+1))
		var fr frameReader
		first, err := fr.push(data[:at])
		require.NoError(t, err)
		rest, err := fr.push(data[at:])
		require.NoError(t, err)
		require.Equal(t, [][]byte{a, b}, append(first, rest...))

		var raw frameReader
		_, _ = raw.push(a) // arbitrary bytes: an error or frames, never a panic
		_, _ = raw.push(b)
	})
}
