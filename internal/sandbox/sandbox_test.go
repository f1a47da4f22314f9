package sandbox_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/sandbox"
)

var _ drivertest.Driver = (*sandbox.Network)(nil)

var t0 = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// phone adapts the network's richer Sent to the suite's Phone.
type phone struct{ *sandbox.Network }

var _ drivertest.Phone = phone{}

func (p phone) Sent(instance string) []driver.Outbound {
	var out []driver.Outbound
	for _, r := range p.Network.Sent(instance) {
		if r.Edit == nil && r.Revoke == nil {
			out = append(out, r.Outbound)
		}
	}
	return out
}

// Changed reads the edit and revoke records of the log.
func (p phone) Changed(instance string) []drivertest.Changed {
	var out []drivertest.Changed
	for _, r := range p.Network.Sent(instance) {
		switch {
		case r.Edit != nil:
			out = append(out, drivertest.Changed{Change: message.ChangeEdit, WAMessageID: r.WAMessageID,
				TargetWAID: r.Edit.TargetWAID, To: r.To, Text: r.Edit.Text})
		case r.Revoke != nil:
			out = append(out, drivertest.Changed{Change: message.ChangeRevoke, WAMessageID: r.WAMessageID,
				TargetWAID: r.Revoke.TargetWAID, To: r.To})
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	seed := uint64(0)
	drivertest.Run(t, func(t *testing.T, events driver.Events, clk *clock.Fake) (drivertest.Driver, drivertest.Phone) {
		seed++ // a "restarted" sandbox must not repeat the codes of the first
		n := sandbox.New(events, clk, rand.New(rand.NewPCG(seed, 1)))
		return n, phone{n}
	})
}

var _ drivertest.GroupDriver = (*sandbox.Network)(nil)

var _ drivertest.GroupPhone = phone{}

func TestGroupConformance(t *testing.T) {
	drivertest.RunGroups(t, func(t *testing.T, events driver.Events, clk *clock.Fake) (drivertest.GroupDriver, drivertest.GroupPhone) {
		n := sandbox.New(events, clk, rand.New(rand.NewPCG(7, 1)))
		return n, phone{n}
	})
}

// open returns a network with instance linked to 5491112345678.
func open(t *testing.T, instance string) (*sandbox.Network, *drivertest.Recorder, *clock.Fake) {
	t.Helper()
	ev := drivertest.NewRecorder()
	clk := clock.NewFake(t0)
	n := sandbox.New(ev, clk, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, n.Link(context.Background(), instance))
	ev.Expect(t, instance, drivertest.QR)
	require.NoError(t, n.Scan(instance, "5491112345678"))
	ev.Expect(t, instance, drivertest.Connecting)
	ev.Expect(t, instance, drivertest.Connected)
	return n, ev, clk
}

func TestNotOnWhatsApp(t *testing.T) {
	n, _, _ := open(t, "acme__c__main")
	ctx := context.Background()
	err := n.Send(ctx, "acme__c__main", driver.Outbound{MessageID: "m1", To: "9991112345678", Type: message.Text, Text: "hi"})
	var se *driver.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "number not on WhatsApp", se.Reason)
	require.Equal(t, sandbox.NotOnWhatsApp, se.Reason)
	require.Empty(t, n.Sent("acme__c__main"), "WhatsApp received nothing")

	err = n.Send(ctx, "acme__c__main", driver.Outbound{To: "12ab", Type: message.Text})
	require.ErrorAs(t, err, &se, "an invalid number fails for good too")
	err = n.Send(ctx, "acme__c__main", driver.Outbound{To: "5491187654321", Type: "fax"})
	require.ErrorAs(t, err, &se, "so does an unknown type")

	require.NoError(t, n.Send(ctx, "acme__c__main", driver.Outbound{To: "5499991234567", Type: message.Text}),
		"only the prefix counts")

	n.Disconnect("acme__c__main")
	err = n.Send(ctx, "acme__c__main", driver.Outbound{To: "9991112345678", Type: message.Text})
	require.ErrorIs(t, err, driver.ErrNotConnected, "a closed instance keeps the message pending, whatever the number")
}

func TestSentRecord(t *testing.T) {
	n, _, clk := open(t, "acme__c__main")
	ctx := context.Background()
	media := []byte("\x89PNG\r\n\x1a\nimage")
	out := driver.Outbound{MessageID: "m1", WAMessageID: "3EB0AAAA", To: "5491187654321", Type: message.Image,
		Caption: "hi", MediaURL: "https://media.example.com/a.png", Media: media, ContentType: "image/png", Lane: "urgent"}
	require.NoError(t, n.Send(ctx, "acme__c__main", out))
	clk.Advance(90 * time.Second)
	second := driver.Outbound{MessageID: "m2", To: "5491187654321", Type: message.Text, Text: "no WhatsApp id given"}
	require.NoError(t, n.Send(ctx, "acme__c__main", second))
	media[0] = 0 // the caller reusing its buffer

	got := n.Sent("acme__c__main")
	require.Len(t, got, 2)
	require.Equal(t, "\x89PNG\r\n\x1a\nimage", string(got[0].Media), "the network keeps its own copy")
	got[0].Media = nil
	out.Media = nil
	require.Equal(t, sandbox.SentRecord{Outbound: out, SentAt: t0}, got[0])
	require.Equal(t, t0.Add(90*time.Second), got[1].SentAt)
	require.Regexp(t, `^3EB0[0-9A-F]{18}$`, got[1].WAMessageID, "a missing WhatsApp id is made up")
	require.Equal(t, "m2", got[1].MessageID)

	require.NotNil(t, n.Sent("acme__nobody__main"), "an unknown instance has an empty log, not null")
	require.Empty(t, n.Sent("acme__nobody__main"))
}

// TestSentRecordOwnsItsContent: the log keeps what was sent, whatever
// the caller does afterwards with the contacts, poll or place it passed.
func TestSentRecordOwnsItsContent(t *testing.T) {
	n, _, _ := open(t, "acme__c__main")
	ctx := context.Background()
	place := &message.LocationContent{Latitude: 1, Longitude: 2, Name: "here"}
	cards := []message.ContactCard{{FullName: "Juan", PhoneNumber: "5491112345678"}}
	poll := &message.PollContent{Question: "q", Options: []string{"a", "b"}, SelectableCount: 1}
	for _, out := range []driver.Outbound{
		{MessageID: "m1", To: "5491187654321", Type: message.Location, Location: place},
		{MessageID: "m2", To: "5491187654321", Type: message.Contact, Contacts: cards},
		{MessageID: "m3", To: "5491187654321", Type: message.Poll, Poll: poll},
	} {
		require.NoError(t, n.Send(ctx, "acme__c__main", out))
	}
	place.Name, cards[0].FullName, poll.Question, poll.Options[0] = "there", "Ana", "p", "z"

	got := n.Sent("acme__c__main")
	require.Len(t, got, 3)
	require.Equal(t, &message.LocationContent{Latitude: 1, Longitude: 2, Name: "here"}, got[0].Location)
	require.Equal(t, []message.ContactCard{{FullName: "Juan", PhoneNumber: "5491112345678"}}, got[1].Contacts)
	require.Equal(t, &message.PollContent{Question: "q", Options: []string{"a", "b"}, SelectableCount: 1}, got[2].Poll)
}

func TestCodesLookLikeWhatsApps(t *testing.T) {
	ev := drivertest.NewRecorder()
	n := sandbox.New(ev, clock.NewFake(t0), nil)
	require.NoError(t, n.Link(context.Background(), "acme__c__main"))
	qr := ev.Expect(t, "acme__c__main", drivertest.QR).Code
	require.Regexp(t, `^2@[A-Za-z0-9+/]+=*(,[A-Za-z0-9+/]+=*){3}$`, qr)

	for range 50 {
		code, err := n.PairingCode(context.Background(), "acme__c__main", "5491112345678")
		require.NoError(t, err)
		require.Regexp(t, `^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$`, code, "WhatsApp's alphabet: no 0, I, O, U")
	}
	require.Equal(t, []drivertest.Event{{Kind: drivertest.QR, Instance: "acme__c__main", Code: qr}}, ev.Events(),
		"pairing continues the linking under way")
}

func TestLinkLinkedIsClear(t *testing.T) {
	n, _, _ := open(t, "acme__c__main")
	require.ErrorIs(t, n.Link(context.Background(), "acme__c__main"), sandbox.ErrAlreadyLinked)
	_, err := n.PairingCode(context.Background(), "acme__c__main", "5491112345678")
	require.ErrorIs(t, err, sandbox.ErrAlreadyLinked)
}

func TestPhoneSideValidates(t *testing.T) {
	n, ev, _ := open(t, "acme__c__main")
	require.Error(t, n.Scan("acme__c__other", "+54 9 11"), "a bad number is not a scan")
	require.Error(t, n.Drop("acme__c__main", "exploded"))
	require.Error(t, n.Inbound("acme__c__main", driver.Inbound{From: "5491187654321", MessageType: "stickerMessage"}))
	require.Error(t, n.Inbound("acme__c__main", driver.Inbound{From: "nobody", Text: "hi"}))
	require.ErrorIs(t, n.Drop("acme__c__other", driver.ConnectionLost), driver.ErrNotConnected)

	require.NoError(t, n.Inbound("acme__c__main", driver.Inbound{From: "5491187654321", Text: "hi"}))
	in := ev.Expect(t, "acme__c__main", drivertest.Received).Inbound
	require.Equal(t, "conversation", in.MessageType, "the default type")
	require.Regexp(t, `^3EB0[0-9A-F]{18}$`, in.MessageID)
	require.Equal(t, t0, in.Timestamp)

	require.NoError(t, n.Drop("acme__c__main", driver.ConnectionLost))
	ev.Expect(t, "acme__c__main", drivertest.Disconnected)
	err := n.Inbound("acme__c__main", driver.Inbound{From: "5491187654321", Text: "hi"})
	require.ErrorIs(t, err, driver.ErrNotConnected, "nobody is there to receive it")
	ev.Quiet(t, "acme__c__main")
}
