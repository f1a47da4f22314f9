package whatsapptest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// qrRef is the ref part of a QR code.
func qrRef(code string) string {
	ref, _, _, _, _ := parseQR(code)
	return ref
}

func TestQRCodesRotate(t *testing.T) {
	s := NewServer(t)
	c := newClient(t, s, t.TempDir())
	qr, err := c.GetQRChannel(context.Background())
	require.NoError(t, err)
	require.NoError(t, c.Connect())

	first := nextCode(t, qr)
	require.Equal(t, 60*time.Second, first.Timeout, "the first code lives 60 s")
	require.True(t, strings.HasPrefix(first.Code, "https://wa.me/settings/linked_devices#2@"), first.Code)
	codes := next[*events.QR](t, c).Codes
	require.Len(t, codes, qrRefs, "WhatsApp hands out six refs at once")
	require.Equal(t, first.Code, codes[0])

	require.Equal(t, 1, s.RefreshQR())
	fresh := nextCode(t, qr)
	require.NotEqual(t, qrRef(first.Code), qrRef(fresh.Code), "a refresh shows a new ref at once")

	_, err = s.Scan(context.Background(), first.Code, phoneA)
	require.NoError(t, err, "an earlier ref of the same linking still scans")
	next[*events.PairSuccess](t, c)
	next[*events.Connected](t, c)
}

func TestPairThenReconnect(t *testing.T) {
	s := NewServer(t, WithPlatform("smba"), WithFullPreKeyUpload())
	dir := t.TempDir()
	ctx := context.Background()
	c := newClient(t, s, dir)
	qr, err := c.GetQRChannel(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Connect())
	jid, err := s.Scan(ctx, nextCode(t, qr).Code, phoneA)
	require.NoError(t, err)
	require.Equal(t, types.JID{User: phoneA, Device: 1, Server: types.DefaultUserServer}, jid)

	ok := next[*events.PairSuccess](t, c)
	require.Equal(t, jid, ok.ID)
	require.Equal(t, types.JID{User: s.LID(phoneA).User, Device: 1, Server: types.HiddenUserServer}, ok.LID)
	require.Equal(t, "smba", ok.Platform)
	next[*events.Connected](t, c)
	require.True(t, c.IsLoggedIn())
	require.Equal(t, jid, *c.Store.ID)
	require.Equal(t, []types.JID{jid}, s.Devices(phoneA))
	s.mu.Lock()
	require.Len(t, s.phones[phoneA].devices[1].preKeys, 812, "whatsmeow's initial upload")
	s.mu.Unlock()

	// A restarted process logs in with the stored device.
	c.Disconnect()
	require.Eventually(t, func() bool { return !s.Connected(jid) }, wait, 10*time.Millisecond)
	again := newClient(t, s, dir)
	require.Equal(t, jid, *again.Store.ID)
	require.NoError(t, again.Connect())
	next[*events.Connected](t, again)
	require.True(t, s.Connected(jid))

	// A second linking of the same number is another device.
	_, second := link(t, s, phoneA)
	require.Equal(t, uint16(2), second.Device)
}

func TestPairingCode(t *testing.T) {
	s := NewServer(t)
	ctx := context.Background()
	c := newClient(t, s, t.TempDir())
	qr, err := c.GetQRChannel(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Connect())
	nextCode(t, qr) // the connection is up

	_, err = s.EnterCode(ctx, phoneA, "AAAA-AAAA")
	require.ErrorIs(t, err, ErrNoLinking, "no code asked for yet")
	code, err := c.PairPhone(ctx, phoneA, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
	require.NoError(t, err)
	require.Regexp(t, `^[A-Z0-9]{4}-[A-Z0-9]{4}$`, code)

	_, err = s.EnterCode(ctx, phoneA, "ZZZZ-ZZZZ")
	require.ErrorContains(t, err, "wrong code")
	jid, err := s.EnterCode(ctx, phoneA, code)
	require.NoError(t, err)
	require.Equal(t, jid, next[*events.PairSuccess](t, c).ID)
	next[*events.Connected](t, c)
	require.True(t, s.Connected(jid))
}

func TestScanWithoutLinking(t *testing.T) {
	s := NewServer(t)
	ctx := context.Background()
	_, err := s.Scan(ctx, "not a code", phoneA)
	require.Error(t, err)

	c, _ := link(t, s, phoneA)
	require.NotNil(t, c.Store.ID)
	key := strings.Repeat("A", 43) + "="
	_, err = s.Scan(ctx, "2@nope,"+key+","+key+","+key, phoneB)
	require.ErrorIs(t, err, ErrNoLinking)

	other := newClient(t, s, t.TempDir())
	qr, err := other.GetQRChannel(ctx)
	require.NoError(t, err)
	require.NoError(t, other.Connect())
	code := nextCode(t, qr).Code
	other.Disconnect()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.linkings) == 0
	}, wait, 10*time.Millisecond, "the server forgets a closed linking")
	_, err = s.Scan(ctx, code, phoneB)
	require.ErrorIs(t, err, ErrNoLinking)
}

func FuzzParseQR(f *testing.F) {
	key := strings.Repeat("A", 43) + "="
	f.Add("https://wa.me/settings/linked_devices#2@abc," + key + "," + key + "," + key + ",1")
	f.Add("2@x,,,")
	f.Add("#")
	f.Fuzz(func(t *testing.T, code string) {
		ref, _, _, adv, err := parseQR(code)
		if err == nil {
			require.NotEmpty(t, ref)
			require.Len(t, adv, 32)
		}
	})
}
