package whatsapptest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// TestSendReceipt: the recipient's phone tells the sender's device it got
// and then read its messages; whatsmeow sees receipts from the phone's LID
// with its number alongside, the ids in order, and acknowledges them,
// which SendReceipt waits for.
func TestSendReceipt(t *testing.T) {
	s := NewServer(t)
	c, jid := link(t, s, phoneA)
	ctx := context.Background()
	ids := []string{"3EB0A1B2C3D4E5F6A7B8C9", "3EB0A1B2C3D4E5F6A7B8CA"}
	for _, id := range ids {
		_, err := c.SendMessage(ctx, types.NewJID(phoneB, types.DefaultUserServer),
			&waE2E.Message{Conversation: proto.String("hi")}, whatsmeow.SendRequestExtra{ID: id})
		require.NoError(t, err)
	}

	before := time.Now().Truncate(time.Second)
	require.NoError(t, s.SendReceipt(ctx, jid, phoneB, ids[:1], false))
	require.NoError(t, s.SendReceipt(ctx, jid, phoneB, ids, true))
	for _, want := range []struct {
		typ types.ReceiptType
		ids []string
	}{{types.ReceiptTypeDelivered, ids[:1]}, {types.ReceiptTypeRead, ids}} {
		r := next[*events.Receipt](t, c)
		require.Equal(t, want.typ, r.Type)
		require.Equal(t, want.ids, r.MessageIDs)
		require.Equal(t, s.LID(phoneB), r.Sender)
		require.Equal(t, s.LID(phoneB), r.Chat)
		require.Equal(t, types.NewJID(phoneB, types.DefaultUserServer), r.SenderAlt)
		require.False(t, r.IsFromMe)
		require.False(t, r.IsGroup)
		require.False(t, r.Timestamp.Before(before), "%s", r.Timestamp)
	}

	other := types.NewJID(phoneB, types.DefaultUserServer)
	require.True(t, errors.Is(s.SendReceipt(ctx, other, phoneA, ids, false), ErrNotConnected), "no device of phoneB is linked")
}
