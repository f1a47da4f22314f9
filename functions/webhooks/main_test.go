package main

// The real function: `bootstrap` built as Lambda runs it (CGO off,
// lambda.norpc; for this machine's architecture), started against the
// fake Runtime API with only the environment Lambda would give it, on
// DynamoDB Local and the SQS emulator. internal/webhookqueue tests the
// delivery logic; this proves main's wiring: configuration, the SDK
// endpoints, the DynamoDB store, the webhook queue's visibility changes,
// and the AWS address policy (a loopback receiver is never reached).

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lambdafake"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/sqs"
	"github.com/wagateway/wagateway/internal/tenant"

	"github.com/wagateway/wagateway/internal/testbin"
)

func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }

func buildBootstrap(t *testing.T) string {
	t.Helper()
	return testbin.Build(t, ".", t.TempDir(), "bootstrap", "lambda.norpc")
}

// busEvent is an event as the EventBridge rule puts it on the queue.
func busEvent(t *testing.T, body []byte, tenantID, deliveryID string) string {
	t.Helper()
	detail, err := events.NewDetail(body, tenantID, deliveryID)
	require.NoError(t, err)
	b, err := json.Marshal(map[string]any{"version": "0", "id": uuid.NewString(), "detail-type": "instance.connected",
		"source": events.Source, "account": "123456789012", "time": "2026-03-15T10:30:00Z", "region": "us-east-1",
		"resources": []string{}, "detail": json.RawMessage(detail)})
	require.NoError(t, err)
	return string(b)
}

func TestBootstrapOnEmulators(t *testing.T) {
	bin := buildBootstrap(t)
	ddbEP, sqsEP := emulator.DynamoDB(t), emulator.SQS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := strings.ReplaceAll(uuid.NewString()[:13], "-", "")
	table := "webhooks-lambda-" + suffix
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(ddbEP),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	require.NoError(t, dynamo.CreateTable(ctx, ddb, table))
	store := dynamo.New(ddb, table)
	queueURL := emulator.CreateQueue(t, sqsEP, "webhooks-"+suffix, false, "", 0)
	q := sqs.New(emulator.SQSClient(sqsEP), queueURL)

	// A receiver on loopback: allowed locally, never on AWS.
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer rcv.Close()
	const name = "acme__soporte__main"
	now := time.Now().UTC().Truncate(time.Millisecond)
	require.NoError(t, store.CreateTenant(ctx, tenant.Tenant{ID: "acme", CreatedAt: now}))
	n, err := instance.ParseName(name)
	require.NoError(t, err)
	require.NoError(t, store.CreateInstance(ctx, instance.Instance{Name: n, WebhookURL: rcv.URL + "/hook",
		WebhookSecret: "0123456789abcdef", State: instance.StateClose, CreatedAt: now}))
	env, err := events.New(events.InstanceConnected, name, events.Connection{State: "open"}, now)
	require.NoError(t, err)
	body, err := env.Body()
	require.NoError(t, err)
	deliveryID := uuid.NewString()
	require.NoError(t, store.AddEvent(ctx, outbox.Event{ID: deliveryID, TenantID: "acme", Instance: name,
		Name: string(events.InstanceConnected), Body: body, CreatedAt: now}))

	require.NoError(t, q.Send(ctx, "", "", []byte(busEvent(t, body, "acme", deliveryID))))
	got, err := q.Receive(ctx, 1, 30*time.Second, 5*time.Second)
	require.NoError(t, err)
	require.Len(t, got, 1)

	rt, err := lambdafake.New(lambdafake.Options{FunctionName: "wagateway-webhooks"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	fn, err := rt.Start(bin, []string{
		"GATEWAY_TABLE=" + table, "GATEWAY_WEBHOOK_QUEUE=" + queueURL,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL_DYNAMODB=" + ddbEP, "AWS_ENDPOINT_URL_SQS=" + sqsEP,
	}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, fn.Stop()) })
	_, err = fn.ColdStart(ctx)
	require.NoError(t, err, "output:\n%s", fn.Output())

	batch := awsevents.SQSEvent{Records: []awsevents.SQSMessage{
		{MessageId: "m-1", ReceiptHandle: got[0].Receipt, Body: string(got[0].Body), EventSource: "aws:sqs",
			Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(got[0].ReceiveCount)}},
	}}
	payload, err := json.Marshal(batch)
	require.NoError(t, err)
	res, err := fn.Invoke(ctx, payload)
	require.NoError(t, err)
	require.Nil(t, res.Err, "output:\n%s", fn.Output())
	var out awsevents.SQSEventResponse
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	require.Equal(t, []awsevents.SQSBatchItemFailure{{ItemIdentifier: "m-1"}}, out.BatchItemFailures,
		"a failed attempt is kept for its retry")
	require.Zero(t, hits.Load(), "the loopback receiver must not be reached on AWS")

	d, err := store.GetDelivery(ctx, deliveryID)
	require.NoError(t, err)
	require.Equal(t, outbox.Retrying, d.Status)
	require.Equal(t, 1, d.Attempts)
	require.NotEmpty(t, d.LastError)

	// The retry delay (1 s) was set on the message: it comes back after it,
	// not after the 30 s visibility it was received with.
	start := time.Now()
	again, err := q.Receive(ctx, 1, 30*time.Second, 10*time.Second)
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.Less(t, time.Since(start), 9*time.Second)
	require.Equal(t, 2, again[0].ReceiveCount)
}

// A configuration error ends the process before its first poll, naming
// every problem.
func TestBootstrapConfigError(t *testing.T) {
	bin := buildBootstrap(t)
	rt, err := lambdafake.New(lambdafake.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	fn, err := rt.Start(bin, []string{"GATEWAY_WEBHOOK_QUEUE=queue"}, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = fn.ColdStart(ctx)
	require.ErrorContains(t, err, "function exited")
	require.Contains(t, fn.Output(), "GATEWAY_TABLE: required")
	require.Contains(t, fn.Output(), `GATEWAY_WEBHOOK_QUEUE "queue"`)
	require.NotContains(t, fn.Output(), "GATEWAY_QUEUE_URGENT", "the webhooks function needs no lane queues")
	require.Error(t, fn.Stop())
}
