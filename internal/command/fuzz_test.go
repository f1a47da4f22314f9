package command_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/command"
)

// Whatever DecodeResult accepts, EncodeResult writes back in a form that
// decodes to the same result: nothing accepted is lost or changed.
func FuzzDecodeResult(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"value":"ABCD-1234"}`, `{"device":{"name":"iPhone 12","platform":"WHATSAPP"}}`,
		`{"error":{"kind":"conflict","message":"Instance is already connected"}}`,
		`{"error":{"kind":"session","message":"x"}}`, `{"error":{"kind":"internal","message":"leak?"}}`,
		`{"error":{"kind":"validation","issues":[{"path":["to",0],"message":"Required"}]}}`,
		`{"error":{"kind":"validation","issues":[{"path":null,"message":""}]}}`,
		`{"error":{"kind":"validation","issues":[{"path":[-0,1E2],"message":"x"}]}}`,
		`{"value":"\u00e9\ud800"}`, `{"error":null,"value":""}`, `null`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := command.DecodeResult(b)
		if err != nil {
			return
		}
		again, err := command.EncodeResult(r)
		require.NoError(t, err)
		r2, err := command.DecodeResult(again)
		require.NoError(t, err)
		requireSameResult(t, r, r2)
	})
}

// Whatever DecodeCommand accepts is a valid command that encodes and
// decodes to itself; what it rejects names at most a plausible id.
func FuzzDecodeCommand(f *testing.F) {
	for _, s := range []string{
		`{"id":"c1","kind":"link","instance":"i","issuedAt":"2030-01-02T03:04:05Z"}`,
		`{"id":"c2","kind":"pairing-code","instance":"i","phone":"549","issuedAt":"2030-01-02T03:04:05.123456789+05:00"}`,
		`{"id":"c1","kind":"forget","instance":"i","issuedAt":"9999-12-31T23:59:59-01:00"}`,
		`{"ID":"c1","KIND":"logout","Instance":"i","issuedAt":"2000-01-01T00:00:00Z","x":1}`,
		`{"id":"c1","kind":5}`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := command.DecodeCommand(b)
		if err != nil {
			require.LessOrEqual(t, len(c.ID), 128)
			require.Equal(t, command.Command{ID: c.ID}, c)
			return
		}
		again, err := command.EncodeCommand(c)
		require.NoError(t, err)
		c2, err := command.DecodeCommand(again)
		require.NoError(t, err)
		require.True(t, c.IssuedAt.Equal(c2.IssuedAt))
		c2.IssuedAt = c.IssuedAt
		require.Equal(t, c, c2)
	})
}
