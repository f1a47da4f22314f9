package whatsapptest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/types/events"
)

// TestCallOffer: a voice and a video call reach the client as offers from
// the caller's LID with the number alongside; the client's reject is
// recorded by the time Call returns, since whatsmeow acknowledges the
// offer after its handlers ran.
func TestCallOffer(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA, func(c *client) {
		c.SynchronousAck = true
		c.AddEventHandler(func(evt any) {
			if offer, ok := evt.(*events.CallOffer); ok && offer.Data.GetChildByTag("video").Tag == "video" {
				_ = c.RejectCall(context.Background(), offer.CallCreator, offer.CallID)
			}
		})
	})
	ctx := context.Background()

	voice, err := s.Call(ctx, pn(phoneA), phoneB, false)
	require.NoError(t, err)
	offer := next[*events.CallOffer](t, c)
	require.Equal(t, voice, offer.CallID)
	require.Regexp(t, `^[0-9A-F]{32}$`, offer.CallID)
	require.Equal(t, s.LID(phoneB), offer.CallCreator)
	require.Equal(t, pn(phoneB), offer.CallCreatorAlt)
	require.WithinDuration(t, time.Now(), offer.Timestamp, 5*time.Second)
	require.Empty(t, s.CallRejects(jid), "a voice call is left ringing")

	video, err := s.Call(ctx, pn(phoneA), phoneC, true)
	require.NoError(t, err)
	require.Equal(t, video, next[*events.CallOffer](t, c).CallID)
	require.Equal(t, []CallReject{{From: jid, CallID: video, Caller: phoneC}}, s.CallRejects(jid))

	c.Disconnect()
	_, err = s.Call(ctx, pn(phoneA), phoneB, false)
	require.ErrorIs(t, err, ErrNotConnected)
}

// TestGroupNotificationUnacknowledged: a client whose handler refuses a
// group notification does not acknowledge it, and the control says so.
func TestGroupNotificationUnacknowledged(t *testing.T) {
	s := NewServer(t)
	_, _ = link(t, s, phoneA, func(c *client) {
		c.SynchronousAck = true
		c.AddEventHandlerWithSuccessStatus(func(evt any) bool {
			_, refuse := evt.(*events.GroupInfo)
			return !refuse
		})
	})
	g, err := s.CreateGroup(groupID, "Ventas", phoneB, phoneA)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.RenameGroup(ctx, g, phoneB, "Ventas 2026"), ErrNotAcknowledged)
	st, _ := s.Group(g)
	require.Equal(t, "Ventas 2026", st.Subject, "the change happened all the same")
}
