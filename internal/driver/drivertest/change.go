package drivertest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// Changed is an edit or a deletion for everyone as the recipient's side
// received it: what WhatsApp carries of driver.Edit and driver.Revoke.
type Changed struct {
	Change      message.Change
	WAMessageID string // the change's own id
	TargetWAID  string // the message changed
	To          string
	Text        string // an edit's new text or caption
}

// editAndRevoke: edits of a text and of a caption, and a deletion for
// everyone, reach the chat naming the message they change; a closed
// instance changes nothing (ErrNotConnected, so the host waits).
func editAndRevoke(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	outs := outbounds(phoneB)
	text, image := outs[0], outs[1]
	require.NoError(t, s.d.Send(ctx, instA, text))
	require.NoError(t, s.d.Send(ctx, instA, image))

	require.NoError(t, s.d.Edit(ctx, instA, driver.Edit{MessageID: text.MessageID, WAMessageID: "3EB0E1E2E3E4E5E6E7E8E9",
		TargetWAID: text.WAMessageID, To: phoneB, Type: message.Text, Text: "Hola de nuevo ✏️"}))
	require.NoError(t, s.d.Edit(ctx, instA, driver.Edit{MessageID: image.MessageID, WAMessageID: "3EB0E1E2E3E4E5E6E7E8EA",
		TargetWAID: image.WAMessageID, To: phoneB, Type: message.Image, Text: "the better picture"}))
	require.NoError(t, s.d.Revoke(ctx, instA, driver.Revoke{MessageID: text.MessageID, WAMessageID: "3EB0E1E2E3E4E5E6E7E8EB",
		TargetWAID: text.WAMessageID, To: phoneB}))

	require.Equal(t, []Changed{
		{Change: message.ChangeEdit, WAMessageID: "3EB0E1E2E3E4E5E6E7E8E9", TargetWAID: text.WAMessageID, To: phoneB, Text: "Hola de nuevo ✏️"},
		{Change: message.ChangeEdit, WAMessageID: "3EB0E1E2E3E4E5E6E7E8EA", TargetWAID: image.WAMessageID, To: phoneB, Text: "the better picture"},
		{Change: message.ChangeRevoke, WAMessageID: "3EB0E1E2E3E4E5E6E7E8EB", TargetWAID: text.WAMessageID, To: phoneB},
	}, s.p.Changed(instA))
	require.Equal(t, onWire(outs[:2]), onWire(s.p.Sent(instA)), "changes are not new messages")

	require.ErrorIs(t, s.d.Edit(ctx, instB, driver.Edit{MessageID: text.MessageID, WAMessageID: "3EB0E1E2E3E4E5E6E7E8EC",
		TargetWAID: text.WAMessageID, To: phoneB, Type: message.Text, Text: "x"}), driver.ErrNotConnected)
	require.ErrorIs(t, s.d.Revoke(ctx, instB, driver.Revoke{MessageID: text.MessageID, WAMessageID: "3EB0E1E2E3E4E5E6E7E8ED",
		TargetWAID: text.WAMessageID, To: phoneB}), driver.ErrNotConnected)
	require.Empty(t, s.p.Changed(instB))
}
