package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/tenant"
)

// rawTTL reads the ttl attribute of the item at k; ok is false without one.
func rawTTL(t *testing.T, s *Store, k item) (int64, bool) {
	t.Helper()
	it, found, err := s.get(context.Background(), k)
	require.NoError(t, err)
	require.True(t, found)
	_, ok := it[attrTTL]
	return getInt(it, attrTTL), ok
}

func mustInstance(t *testing.T, s *Store, name string) {
	t.Helper()
	ctx := context.Background()
	n, err := instance.ParseName(name)
	require.NoError(t, err)
	err = s.CreateTenant(ctx, tenant.Tenant{ID: n.Tenant, CreatedAt: t0})
	if err != nil {
		require.ErrorContains(t, err, "conflict")
	}
	require.NoError(t, s.CreateInstance(ctx, instance.Instance{Name: n, State: instance.StateClose, CreatedAt: t0}))
}

func pendingMessage(inst string) message.Message {
	return message.Message{ID: uuid.NewString(), Tenant: "acme", Instance: inst, Lane: lane.Normal, To: "5491112345678",
		Type: message.Text, Content: message.Content{Text: "hi"}, Status: message.Pending, CreatedAt: t0}
}

func TestTTLAttributes(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	ttl, err := s.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(s.table)})
	require.NoError(t, err)
	require.Equal(t, types.TimeToLiveStatusEnabled, ttl.TimeToLiveDescription.TimeToLiveStatus)
	require.Equal(t, "ttl", aws.ToString(ttl.TimeToLiveDescription.AttributeName))

	mustInstance(t, s, "acme__c__a")
	expires := t0.Add(24 * time.Hour) // 123 ms past a second: rounded up
	require.NoError(t, s.CreateMessage(ctx, pendingMessage("acme__c__a"),
		&gateway.Idempotency{TenantID: "acme", Key: "k", Status: 202, Body: []byte(`{}`), ExpiresAt: expires}))
	v, ok := rawTTL(t, s, idemKey("acme", "k"))
	require.True(t, ok)
	require.Equal(t, expires.Unix()+1, v)

	require.NoError(t, s.PutCommandResult(ctx, "cmd", []byte(`{}`), expires))
	v, ok = rawTTL(t, s, commandKey("cmd"))
	require.True(t, ok)
	require.Equal(t, expires.Unix()+1, v)

	done, dead, due := testEvent(0), testEvent(time.Second), testEvent(2*time.Second)
	for _, ev := range []outbox.Event{done, dead, due} {
		require.NoError(t, s.AddEvent(ctx, ev))
		_, ok = rawTTL(t, s, deliveryKey(ev.ID))
		require.False(t, ok, "a delivery in progress never expires")
	}
	at := time.Date(2026, 3, 16, 8, 0, 0, 0, time.UTC)
	require.NoError(t, s.RecordAttempts(ctx, []outbox.Outcome{
		{ID: done.ID, Attempts: 1, StatusCode: 200, Delivered: true, At: at},
		{ID: dead.ID, Attempts: 4, StatusCode: 500, At: at},
		{ID: due.ID, Attempts: 1, StatusCode: 500, Next: at.Add(time.Second), At: at},
	}))
	v, ok = rawTTL(t, s, deliveryKey(done.ID))
	require.True(t, ok)
	require.Equal(t, at.Add(7*24*time.Hour).Unix(), v)
	v, ok = rawTTL(t, s, deliveryKey(dead.ID))
	require.True(t, ok)
	require.Equal(t, at.Add(14*24*time.Hour).Unix(), v)
	_, ok = rawTTL(t, s, deliveryKey(due.ID))
	require.False(t, ok)

	require.NoError(t, s.Redeliver(ctx, dead.ID, at))
	_, ok = rawTTL(t, s, deliveryKey(dead.ID))
	require.False(t, ok, "a redelivered event lives until it finishes again")
}
