package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// TestSendRecipientsAndMentions: `to` is a number or a group id, stored as
// given; mentions are checked with the rest of the request and kept with
// the content.
func TestSendRecipientsAndMentions(t *testing.T) {
	ctx := context.Background()
	svc, st, _, _ := newService(t, true)
	for i, to := range []string{"5491112345678", "120363025246125486@g.us", "5491112345678-1612345678@g.us"} {
		in := text(fmt.Sprint("hi @5491187654321 ", i))
		in.To, in.Content.Mentions = to, []string{"5491187654321"}
		acc, _, err := svc.Send(ctx, "acme", in, "")
		require.NoError(t, err, to)
		m, err := st.GetMessage(ctx, acc.ID)
		require.NoError(t, err)
		require.Equal(t, to, m.To)
		require.Equal(t, []string{"5491187654321"}, m.Content.Mentions)
	}
	img := text("")
	img.Type, img.Content = message.Image, message.Content{MediaURL: "https://media.example.com/a.png", ViewOnce: true}
	acc, _, err := svc.Send(ctx, "acme", img, "")
	require.NoError(t, err)
	m, err := st.GetMessage(ctx, acc.ID)
	require.NoError(t, err)
	require.True(t, m.Content.ViewOnce, "viewOnce is stored")

	for _, to := range []string{"1234@g.us", "120363025246125486@s.whatsapp.net", "+5491112345678", "12345-1@g.us"} {
		in := text("hi")
		in.To = to
		_, _, err := svc.Send(ctx, "acme", in, "")
		var ve *fault.ValidationError
		require.True(t, errors.As(err, &ve), "%s: %v", to, err)
		require.Equal(t, []fault.Issue{{Path: []any{"to"}, Message: chat.FormatMessage}}, ve.Issues, to)
	}
}
