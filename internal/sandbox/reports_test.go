package sandbox_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/sandbox"
)

// receipts is a host that also records receipts, as the session host does.
type receipts struct {
	*drivertest.Recorder
	mu  sync.Mutex
	got []driver.Receipt
	err error
}

func (r *receipts) Receipt(_ string, rc driver.Receipt) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rc)
	return r.err
}

func (r *receipts) all() []driver.Receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]driver.Receipt(nil), r.got...)
}

// openWith is open with a host of the caller's.
func openWith(t *testing.T, ev driver.Events, rec *drivertest.Recorder, instance string) (*sandbox.Network, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	n := sandbox.New(ev, clk, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, n.Connect(context.Background(), instance, "5491112345678"))
	rec.Expect(t, instance, drivertest.Connecting)
	rec.Expect(t, instance, drivertest.Connected)
	return n, clk
}

// TestInboundKinds: every kind reaches the host as given, a group's
// message with its chat, and a file as its bytes.
func TestInboundKinds(t *testing.T) {
	n, ev, _ := open(t, "acme__c__main")
	file := []byte("\x89PNG\r\n\x1a\nimage")
	for _, in := range []driver.Inbound{
		{From: "5491187654321", MessageType: "stickerMessage", Media: sandbox.InboundMedia(file, "image/webp", "")},
		{From: "5491187654321", MessageType: "locationMessage", Location: &message.LocationContent{Latitude: -34.6, Longitude: -58.4}},
		{From: "5491187654321", MessageType: "contactMessage", Contacts: []driver.InboundContact{{FullName: "Ana", PhoneNumbers: []string{"+54 9 11"}}}},
		{From: "5491187654321", MessageType: "pollCreationMessage", Poll: &driver.InboundPoll{Question: "q", Options: []string{"a", "b"}}},
		{From: "5491187654321", Text: "hi all", Chat: "120363025246125486@g.us", Mentions: []string{"5491112345678"},
			Quoted: &driver.InboundQuote{MessageID: "3EB0AA"}},
	} {
		require.NoError(t, n.Inbound("acme__c__main", in))
		got := ev.Expect(t, "acme__c__main", drivertest.Received).Inbound
		require.Equal(t, in.Location, got.Location)
		require.Equal(t, in.Contacts, got.Contacts)
		require.Equal(t, in.Poll, got.Poll)
		require.Equal(t, in.Mentions, got.Mentions)
		require.Equal(t, in.Quoted, got.Quoted)
		if in.Chat != "" {
			require.Equal(t, in.Chat, got.Chat)
			require.True(t, got.IsGroup)
		} else {
			require.Equal(t, in.From, got.Chat, "a direct chat is named by the sender")
			require.False(t, got.IsGroup)
		}
		if in.Media != nil {
			require.Equal(t, int64(len(file)), got.Media.Size)
			rc, err := got.Media.Open(context.Background())
			require.NoError(t, err)
			b, err := io.ReadAll(rc)
			require.NoError(t, err)
			require.NoError(t, rc.Close())
			require.Equal(t, file, b)
		}
	}
}

func TestInboundRefuses(t *testing.T) {
	n, ev, _ := open(t, "acme__c__main")
	big := make([]byte, 1<<20+1) // a sticker's limit is 1 MiB
	for name, in := range map[string]driver.Inbound{
		"media kind without media": {From: "5491187654321", MessageType: "imageMessage"},
		"media on a text":          {From: "5491187654321", Text: "x", Media: sandbox.InboundMedia([]byte("x"), "", "")},
		"chat not a group":         {From: "5491187654321", Text: "x", Chat: "5491100000000"},
		"file over its limit":      {From: "5491187654321", MessageType: "stickerMessage", Media: sandbox.InboundMedia(big, "image/webp", "")},
	} {
		require.Error(t, n.Inbound("acme__c__main", in), name)
	}
	err := n.Inbound("acme__c__main", driver.Inbound{From: "5491187654321", MessageType: "stickerMessage",
		Media: sandbox.InboundMedia(big, "image/webp", "")})
	require.ErrorIs(t, err, sandbox.ErrMediaTooLarge)
	ev.Quiet(t, "acme__c__main")
}

func TestMediaLimit(t *testing.T) {
	for typ, want := range map[string]int64{"imageMessage": 5 << 20, "stickerMessage": 1 << 20,
		"documentMessage": 100 << 20, "audioMessage": 16 << 20, "videoMessage": 16 << 20} {
		got, ok := sandbox.MediaLimit(typ)
		require.True(t, ok, typ)
		require.Equal(t, want, got, typ)
	}
	for _, typ := range []string{"conversation", "locationMessage", "faxMessage"} {
		_, ok := sandbox.MediaLimit(typ)
		require.False(t, ok, typ)
	}
}

// TestReceipt: a receipt names the message by the WhatsApp id it was
// sent with, at the network's time; one for a message the network never
// got, or on a closed instance, reports nothing.
func TestReceipt(t *testing.T) {
	rec := drivertest.NewRecorder()
	host := &receipts{Recorder: rec}
	n, clk := openWith(t, host, rec, "acme__c__main")
	ctx := context.Background()
	require.NoError(t, n.Send(ctx, "acme__c__main", driver.Outbound{MessageID: "m1", WAMessageID: "3EB0AAAA",
		To: "5491187654321", Type: message.Text, Text: "hi"}))
	require.NoError(t, n.Edit(ctx, "acme__c__main", driver.Edit{MessageID: "m1", WAMessageID: "3EB0EDIT",
		TargetWAID: "3EB0AAAA", To: "5491187654321", Text: "hello"}))
	clk.Advance(time.Minute)

	require.NoError(t, n.Receipt("acme__c__main", "m1", driver.Delivered))
	require.NoError(t, n.Receipt("acme__c__main", "m1", driver.Read))
	at := t0.Add(time.Minute)
	require.Equal(t, []driver.Receipt{
		{WAMessageIDs: []string{"3EB0AAAA"}, Status: driver.Delivered, At: at},
		{WAMessageIDs: []string{"3EB0AAAA"}, Status: driver.Read, At: at},
	}, host.all(), "the message's id, not its edit's")

	require.ErrorIs(t, n.Receipt("acme__c__main", "m2", driver.Read), sandbox.ErrUnknownMessage)
	require.Error(t, n.Receipt("acme__c__main", "m1", "seen"))
	host.err = errors.New("store down")
	require.Error(t, n.Receipt("acme__c__main", "m1", driver.Read), "not acknowledged")
	host.err = nil
	n.Disconnect("acme__c__main")
	require.ErrorIs(t, n.Receipt("acme__c__main", "m1", driver.Read), driver.ErrNotConnected)
	require.Len(t, host.all(), 3)
}

// TestUpdate: updates reach the host in order with messages; a vote
// carries hashes, as WhatsApp's do.
func TestUpdate(t *testing.T) {
	n, ev, _ := open(t, "acme__c__main")
	require.NoError(t, n.Inbound("acme__c__main", driver.Inbound{From: "5491187654321", Text: "hi"}))
	require.NoError(t, n.Update("acme__c__main", driver.Update{Kind: driver.Reacted, From: "5491187654321",
		MessageID: "3EB0AA", Emoji: "👍", Chat: "120363025246125486@g.us"}))
	require.NoError(t, n.Update("acme__c__main", driver.Update{Kind: driver.Voted, From: "5491187654321",
		MessageID: "3EB0BB", SelectedOptions: []string{"Pizza", "Sushi"}}))
	require.NoError(t, n.Update("acme__c__main", driver.Update{Kind: driver.Voted, From: "5491187654321",
		MessageID: "3EB0BB", SelectedOptions: []string{}}))

	ev.Expect(t, "acme__c__main", drivertest.Received)
	r := ev.Expect(t, "acme__c__main", drivertest.Updated).Update
	require.Equal(t, driver.Update{Kind: driver.Reacted, From: "5491187654321", MessageID: "3EB0AA", Emoji: "👍",
		Chat: "120363025246125486@g.us", IsGroup: true, Timestamp: t0}, r)
	v := ev.Expect(t, "acme__c__main", drivertest.Updated).Update
	pizza, sushi := sha256.Sum256([]byte("Pizza")), sha256.Sum256([]byte("Sushi"))
	require.Equal(t, [][]byte{pizza[:], sushi[:]}, v.OptionHashes)
	require.Nil(t, v.SelectedOptions, "names travel only as hashes")
	require.Equal(t, "5491187654321", v.Chat)
	require.Equal(t, []string{"Pizza", "Sushi"}, message.PollSelected([]string{"Sushi", "Pizza", "Tacos"}, v.OptionHashes))
	w := ev.Expect(t, "acme__c__main", drivertest.Updated).Update
	require.Empty(t, w.OptionHashes, "a withdrawn vote selects nothing")

	for name, u := range map[string]driver.Update{
		"bad from":   {Kind: driver.Edited, From: "+54", MessageID: "3EB0AA"},
		"no id":      {Kind: driver.Revoked, From: "5491187654321"},
		"bad kind":   {Kind: "poke", From: "5491187654321", MessageID: "3EB0AA"},
		"bad chat":   {Kind: driver.Revoked, From: "5491187654321", MessageID: "3EB0AA", Chat: "x@g.us"},
		"not a user": {Kind: driver.Revoked, From: "5491187654321", MessageID: "3EB0AA", Chat: "5491100000000"},
	} {
		require.Error(t, n.Update("acme__c__main", u), name)
	}
	ev.Quiet(t, "acme__c__main")
}

// TestReportsNeedAListener: a host without ReceiptEvents or UpdateEvents
// would drop what the phone did; the network says so instead.
func TestReportsNeedAListener(t *testing.T) {
	n := sandbox.New(nop{}, clock.NewFake(t0), nil)
	require.NoError(t, n.Connect(context.Background(), "acme__c__main", "5491112345678"))
	require.ErrorIs(t, n.Receipt("acme__c__main", "m1", driver.Read), sandbox.ErrNotHeard)
	require.ErrorIs(t, n.Update("acme__c__main", driver.Update{Kind: driver.Revoked, From: "5491187654321",
		MessageID: "3EB0AA"}), sandbox.ErrNotHeard)
}
