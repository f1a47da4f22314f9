package gateway_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
)

// requireIssueAt: err is a 400 with one issue, at field.
func requireIssueAt(t *testing.T, err error, field string) {
	t.Helper()
	var ve *fault.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Len(t, ve.Issues, 1, "%v", ve.Issues)
	require.Equal(t, []any{field}, ve.Issues[0].Path)
}

// TestReplyToResolves: replyTo names a sent message of the same instance
// or a received one it still keeps; the quote is stored with the message.
// Anything else is a 400 at replyTo.
func TestReplyToResolves(t *testing.T) {
	ctx := context.Background()
	svc, st, _, clk := newService(t, true)
	_, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__other",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)
	rec := message.Received{Instance: "acme__c__main", WAMessageID: "ABC123", Chat: "5491112345678",
		From: "5491112345678", Type: "conversation", Text: "¿precio?", ReceivedAt: clk.Now()}
	require.NoError(t, st.AddReceived(ctx, rec, outbox.Event{ID: "e1", TenantID: "acme", Instance: rec.Instance,
		Name: "message.received", Body: []byte(`{}`), CreatedAt: clk.Now()}))

	sent, _, err := svc.Send(ctx, "acme", text("our {text|words}"), "")
	require.NoError(t, err)
	ok, err := st.MarkSent(ctx, sent.ID, message.WAMessageID(sent.ID), clk.Now(), nil)
	require.NoError(t, err)
	require.True(t, ok)
	pending, _, err := svc.Send(ctx, "acme", text("later"), "")
	require.NoError(t, err)
	otherIn := text("elsewhere")
	otherIn.InstanceName = "acme__c__other"
	other, _, err := svc.Send(ctx, "acme", otherIn, "")
	require.NoError(t, err)
	_, err = st.MarkSent(ctx, other.ID, message.WAMessageID(other.ID), clk.Now(), nil)
	require.NoError(t, err)

	reply := func(ref string) (message.Message, error) {
		in := text("re")
		in.ReplyTo = ref
		acc, _, err := svc.Send(ctx, "acme", in, "")
		if err != nil {
			return message.Message{}, err
		}
		return st.GetMessage(ctx, acc.ID)
	}
	m, err := reply("ABC123")
	require.NoError(t, err)
	require.Equal(t, &message.Quote{WAMessageID: "ABC123", From: "5491112345678", Text: "¿precio?"}, m.Content.Quote)
	m, err = reply(sent.ID)
	require.NoError(t, err)
	require.Equal(t, &message.Quote{WAMessageID: message.WAMessageID(sent.ID), Text: "our {text|words}"}, m.Content.Quote)

	for name, ref := range map[string]string{"pending": pending.ID, "another instance's": other.ID,
		"unknown WhatsApp id": "NOPE", "unknown id": "3b2e1f4a-1111-4222-8333-444455556666",
		"too long": string(make([]byte, 200))} {
		t.Run(name, func(t *testing.T) {
			_, err := reply(ref)
			requireIssueAt(t, err, "replyTo")
		})
	}
	clk.Advance(message.ReceivedRetention)
	_, err = reply("ABC123")
	requireIssueAt(t, err, "replyTo")
}
