package host_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

// TestGroupsMentionsViewOnceReachTheDriver: the host hands the driver the
// chat as queued (a group id too), the mentions, and view-once.
func TestGroupsMentionsViewOnceReachTheDriver(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(png) }))
	t.Cleanup(srv.Close)
	r := newLinkedRig(t)
	ctx := context.Background()
	const group = "120363025246125486@g.us"
	_, _, err := r.svc.Send(ctx, "acme", gateway.SendInput{InstanceName: mainInst, To: group, Lane: "urgent",
		Type: message.Text, Content: message.Content{Text: "hi @5491100000002", Mentions: []string{"5491100000002"}}}, "")
	require.NoError(t, err)
	_, _, err = r.svc.Send(ctx, "acme", gateway.SendInput{InstanceName: mainInst, To: "5491100000001", Lane: "urgent",
		Type: message.Image, Content: message.Content{MediaURL: srv.URL + "/a.png", ViewOnce: true}}, "")
	require.NoError(t, err)
	waitFor(t, "two sends", func() bool { return len(r.drv.sentList()) == 2 })
	sent := r.drv.sentList()
	byType := map[message.Type]int{sent[0].Type: 0, sent[1].Type: 1}
	text, img := sent[byType[message.Text]], sent[byType[message.Image]]
	require.Equal(t, group, text.To)
	require.Equal(t, []string{"5491100000002"}, text.Mentions)
	require.False(t, text.ViewOnce)
	require.True(t, img.ViewOnce)
	require.Empty(t, img.Mentions)
}
