package webhookqueue_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/eventbus"
	"github.com/wagateway/wagateway/internal/eventbus/eventbustest"
	"github.com/wagateway/wagateway/internal/outbox"
)

// An outbox event published by eventbus, wrapped by (the fake of)
// EventBridge as a rule's SQS target gets it, reaches the receiver as the
// very body the session host wrote, with its delivery id.
func TestFromOutboxToReceiver(t *testing.T) {
	x := newHarness(t, 0)
	var mu sync.Mutex
	var queued []awsevents.SQSMessage
	ep := eventbustest.New(t, func(_ context.Context, event []byte) error {
		mu.Lock()
		defer mu.Unlock()
		queued = append(queued, record(string(event), 1))
		return nil
	})
	pub := eventbus.New(eventbus.Config{Bus: "wagateway", Clock: x.clk, Log: slog.New(slog.DiscardHandler),
		Client: eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(ep),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})})
	ev := outbox.Event{ID: "0b6c3d1e-7f2a-4c59-9e8d-1a2b3c4d5e6f", TenantID: "acme", Instance: inst,
		Name: "message.received", Body: body(t), CreatedAt: start}
	require.NoError(t, pub.Publish(context.Background(), []outbox.Event{ev}))
	require.Len(t, queued, 1)

	require.Empty(t, x.handle(t, queued...))
	hits := x.rcv.got()
	require.Len(t, hits, 1)
	require.Equal(t, string(ev.Body), string(hits[0].body))
	require.Equal(t, ev.ID, hits[0].delivery)
	require.True(t, hits[0].signatureOK)
	require.Equal(t, []outbox.Outcome{{ID: ev.ID, Attempts: 1, StatusCode: 200, Delivered: true, At: start}}, x.st.recorded())
}
