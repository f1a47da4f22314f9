package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/message"
)

// TestChangeRules: what PATCH and DELETE /message/{id} do by the
// message's state, on the fake clock: the 15-minute edit window, the
// send claim, and a queue that refuses the change.
func TestChangeRules(t *testing.T) {
	ctx := context.Background()
	svc, st, fq, clk := newService(t, false)
	send := func(in string) string {
		acc, _, err := svc.Send(ctx, "acme", text(in), "")
		require.NoError(t, err)
		return acc.ID
	}
	edit := func(id, s string) (message.Message, bool, error) {
		return svc.EditMessage(ctx, "acme", id, message.Edit{Text: &s})
	}
	conflict := func(t *testing.T, err error, says string) {
		t.Helper()
		require.ErrorIs(t, err, fault.ErrConflict)
		require.Contains(t, err.Error(), says)
	}

	sent := send("helo")
	ok, err := st.MarkSent(ctx, sent, host.WAMessageID(sent), clk.Now(), nil)
	require.NoError(t, err)
	require.True(t, ok)
	clk.Advance(message.EditWindow - time.Second)
	queued := len(fq.sent)
	_, accepted, err := edit(sent, "hello")
	require.NoError(t, err)
	require.True(t, accepted, "an edit within the window is queued")
	require.Len(t, fq.sent, queued+1)
	require.NotEqual(t, sent, fq.sent[queued], "a change has its own queue id: the message's own would be deduplicated")

	clk.Advance(time.Second)
	_, _, err = edit(sent, "hello again")
	conflict(t, err, "15 minutes")
	_, accepted, err = svc.DeleteMessage(ctx, "acme", sent)
	require.NoError(t, err)
	require.True(t, accepted, "a deletion for everyone has no window here")

	fresh := send("x")
	m, accepted, err := svc.DeleteMessage(ctx, "acme", fresh)
	require.NoError(t, err)
	require.False(t, accepted, "a pending message is cancelled at once")
	require.Equal(t, message.ErrorCancelled, m.Error)
	_, _, err = svc.DeleteMessage(ctx, "acme", fresh)
	conflict(t, err, "cancelled")
	_, _, err = edit(fresh, "x")
	conflict(t, err, "never sent")

	claimed := send("being sent")
	ok, err = st.ClaimSend(ctx, claimed, clk.Now().Add(message.SendClaim))
	require.NoError(t, err)
	require.True(t, ok)
	_, _, err = edit(claimed, "too late")
	conflict(t, err, "being sent")
	_, _, err = svc.DeleteMessage(ctx, "acme", claimed)
	conflict(t, err, "being sent")
	m, err = svc.Message(ctx, "acme", claimed)
	require.NoError(t, err)
	require.Equal(t, "being sent", m.Content.Text, "the claimed message keeps what its send read")
	require.Equal(t, message.Pending, m.Status)

	ok, err = st.MarkSent(ctx, claimed, host.WAMessageID(claimed), clk.Now(), nil)
	require.NoError(t, err)
	require.True(t, ok)
	fq.down = true
	_, _, err = edit(claimed, "now sent")
	require.Error(t, err, "no 202 for a change that is not queued")
	require.NotErrorIs(t, err, fault.ErrConflict)
}

// TestEditNeedsTheKindsField: only kinds with a text or caption can be
// edited, and only that field.
func TestEditNeedsTheKindsField(t *testing.T) {
	ctx := context.Background()
	svc, _, _, _ := newService(t, false)
	acc, _, err := svc.Send(ctx, "acme", text("hi"), "")
	require.NoError(t, err)
	caption := "x"
	_, _, err = svc.EditMessage(ctx, "acme", acc.ID, message.Edit{Caption: &caption})
	var ve *fault.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, []any{"caption"}, ve.Issues[0].Path)
	_, _, err = svc.EditMessage(ctx, "other", acc.ID, message.Edit{Text: &caption})
	require.ErrorIs(t, err, fault.ErrNotFound, "another tenant's message does not exist")
	_, _, err = svc.DeleteMessage(ctx, "other", acc.ID)
	require.ErrorIs(t, err, fault.ErrNotFound)
}
