package whatsapp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestReadReceiptsOnFakeServer: messages received in a direct chat and in
// a group, marked read through the driver, reach the fake WhatsApp server
// as <receipt type="read"> nodes: one per call, every id listed, the
// direct chat addressed by the LID its messages came from, the group's
// receipt naming the participant who wrote.
func TestReadReceiptsOnFakeServer(t *testing.T) {
	s := newInboundSetup(t)
	ctx := context.Background()
	group, err := s.srv.CreateGroup(groupID, "Ventas", phoneB, phoneA, phoneC)
	require.NoError(t, err)
	for _, id := range []string{"3EB0D1000001", "3EB0D1000002"} {
		s.deliver(t, id, &waE2E.Message{Conversation: proto.String("hola " + id)})
	}
	require.NoError(t, s.srv.DeliverGroup(ctx, s.jid, group, whatsapptest.Inbound{ID: "3EB0D1000003", From: phoneC,
		PushName: "Carla", Message: &waE2E.Message{Conversation: proto.String("en el grupo")}}))
	s.ev.Expect(t, inst, drivertest.Received)
	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

	tests := []struct {
		name string
		r    driver.ReadReceipt
		want whatsapptest.ReadReceipt
	}{
		{"direct chat, two messages",
			driver.ReadReceipt{Chat: phoneB, Sender: phoneB, WAMessageIDs: []string{"3EB0D1000001", "3EB0D1000002"}, At: at},
			whatsapptest.ReadReceipt{From: s.jid, To: s.srv.LID(phoneB), Phone: phoneB, Type: "read",
				IDs: []string{"3EB0D1000001", "3EB0D1000002"}, At: at}},
		{"group",
			driver.ReadReceipt{Chat: group.String(), Sender: phoneC, WAMessageIDs: []string{"3EB0D1000003"}, At: at.Add(time.Minute)},
			whatsapptest.ReadReceipt{From: s.jid, To: group, Participant: pnJID(phoneC), Type: "read",
				IDs: []string{"3EB0D1000003"}, At: at.Add(time.Minute)}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, s.d.MarkRead(ctx, inst, tt.r))
			var got []whatsapptest.ReadReceipt
			require.Eventually(t, func() bool {
				got = s.srv.ReadReceipts(s.jid)
				return len(got) > i
			}, 5*time.Second, 5*time.Millisecond)
			require.Len(t, got, i+1, "one receipt per call, and none of the delivery receipts")
			require.Equal(t, tt.want, got[i])
		})
	}
}

// TestReadReceiptRefused: what the driver refuses before anything goes
// to WhatsApp, and an instance that is not open.
func TestReadReceiptRefused(t *testing.T) {
	s := newInboundSetup(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		r    driver.ReadReceipt
	}{
		{"no ids", driver.ReadReceipt{Chat: phoneB, Sender: phoneB, At: at}},
		{"an empty id", driver.ReadReceipt{Chat: phoneB, Sender: phoneB, WAMessageIDs: []string{"3EB0D1", ""}, At: at}},
		{"not a chat", driver.ReadReceipt{Chat: "status@broadcast", Sender: phoneB, WAMessageIDs: []string{"3EB0D1"}, At: at}},
		{"group without its writer", driver.ReadReceipt{Chat: groupID + "@g.us", WAMessageIDs: []string{"3EB0D1"}, At: at}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := s.d.MarkRead(ctx, inst, tt.r)
			require.Error(t, err)
			require.False(t, errors.Is(err, driver.ErrNotConnected), "a bad receipt is no connection problem: %v", err)
		})
	}
	require.Empty(t, s.srv.ReadReceipts(s.jid))

	s.d.Disconnect(inst)
	err := s.d.MarkRead(ctx, inst, driver.ReadReceipt{Chat: phoneB, Sender: phoneB, WAMessageIDs: []string{"3EB0D1"}, At: at})
	require.ErrorIs(t, err, driver.ErrNotConnected)
}
