package sqlite

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway/storetest"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/tenant"
)

var _ host.Store = (*Store)(nil)

func TestSessionConformance(t *testing.T) {
	storetest.RunSession(t, func(t *testing.T) storetest.SessionStore { return NewStore(openQueueDB(t), nil) })
}

// TestReleaseSendClaims: the claims a dead process left end at the next
// start, so a flush reaches those messages at once; other messages keep
// their status.
func TestReleaseSendClaims(t *testing.T) {
	ctx := t.Context()
	s := NewStore(openQueueDB(t), nil)
	at := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	require.NoError(t, s.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: at}))
	n, err := instance.ParseName("acme__c__a")
	require.NoError(t, err)
	require.NoError(t, s.CreateInstance(ctx, instance.Instance{Name: n, WebhookURL: "https://hooks.example.com/x",
		WebhookSecret: "0123456789abcdef", State: instance.StateClose, CreatedAt: at}))
	var ids []string
	for range 3 {
		m := message.Message{ID: uuid.NewString(), Tenant: "acme", Instance: "acme__c__a", Lane: lane.Normal,
			To: "5491112345678", Type: message.Text, Content: message.Content{Text: "hi"}, Status: message.Pending, CreatedAt: at}
		require.NoError(t, s.CreateMessage(ctx, m, nil))
		ok, err := s.ClaimSend(ctx, m.ID, at.Add(message.SendClaim))
		require.NoError(t, err)
		require.True(t, ok)
		ids = append(ids, m.ID)
	}
	ok, err := s.MarkSent(ctx, ids[2], "3EB0X", at, nil)
	require.NoError(t, err)
	require.True(t, ok)

	released, err := s.ReleaseSendClaims(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, released, "the pending ones")
	flushed, err := s.FlushPending(ctx, "acme__c__a", at, nil)
	require.NoError(t, err)
	require.Equal(t, 2, flushed)
	m, err := s.GetMessage(ctx, ids[2])
	require.NoError(t, err)
	require.Equal(t, message.Sent, m.Status)
}
