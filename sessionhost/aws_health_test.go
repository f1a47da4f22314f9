package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/sqs"
)

// TestAWSModeHealth: the session host started as ECS starts it serves
// the container health check: `sessionhost health` with the same
// environment exits 1 until every poller has polled, then 0; the outbox
// lag goes to stdout as EMF with the table dimension; a non-loopback
// GATEWAY_HEALTH_ADDR stops the start.
func TestAWSModeHealth(t *testing.T) {
	dynamoEP, sqsEP := emulator.DynamoDB(t), emulator.SQS(t)
	prefix := "hh-" + uuid.NewString()[:8]
	table := prefix + "-state"
	require.NoError(t, dynamo.CreateTable(context.Background(), dynamoClient(dynamoEP), table))
	env := map[string]string{
		"GATEWAY_TABLE":         table,
		"GATEWAY_QUEUE_URGENT":  emulator.CreateQueue(t, sqsEP, prefix+"-urgent", true, "", 0),
		"GATEWAY_QUEUE_NORMAL":  emulator.CreateQueue(t, sqsEP, prefix+"-normal", true, "", 0),
		"GATEWAY_QUEUE_BULK":    emulator.CreateQueue(t, sqsEP, prefix+"-bulk", true, "", 0),
		"GATEWAY_COMMAND_QUEUE": emulator.CreateQueue(t, sqsEP, prefix+"-command", true, "", 0),
		"GATEWAY_EVENT_BUS":     "gateway",
		"GATEWAY_DRIVER":        "sandbox",
		"GATEWAY_MEDIA_BUCKET":  "wagateway-media",
		"GATEWAY_PUBLIC_URL":    "https://abc123.execute-api.us-east-1.amazonaws.com/",
		"GATEWAY_HEALTH_ADDR":   freeAddr(t),
	}
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamoEP)
	t.Setenv("AWS_ENDPOINT_URL_SQS", sqsEP)
	t.Setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:9") // unused: no event is published
	getenv := func(k string) string { return env[k] }

	r := cli(t, env, "health")
	require.Equal(t, 1, r.code, "nothing runs yet")
	require.Contains(t, r.stderr, "connection refused")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- runAWS(ctx, getenv, &stdout, &logs) }()

	// Messages that are no command nor lane message end the receivers'
	// 20 s long polls at once; the host and the worker drop them.
	for _, q := range []string{"GATEWAY_QUEUE_URGENT", "GATEWAY_QUEUE_NORMAL", "GATEWAY_QUEUE_BULK", "GATEWAY_COMMAND_QUEUE"} {
		require.NoError(t, sqs.New(emulator.SQSClient(sqsEP), env[q]).Send(ctx, "probe", uuid.NewString(), []byte("{}")))
	}
	require.Eventually(t, func() bool {
		r = cli(t, env, "health")
		return r.code == 0
	}, 30*time.Second, 50*time.Millisecond, "healthy once every poller has polled: %s", r.stderr)
	require.Empty(t, r.stderr)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the session host did not stop")
	}
	require.Contains(t, logs.String(), `"health":"`+env["GATEWAY_HEALTH_ADDR"]+`"`)
	// Stopping writes the unfinished minute's lag: one EMF line.
	var line struct {
		AWS struct {
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
			}
		} `json:"_aws"`
		Table            string
		OutboxLagSeconds *float64
	}
	out := strings.TrimSpace(stdout.String())
	require.Equal(t, 0, strings.Count(out, "\n"), "one line: %s", out)
	require.NoError(t, json.Unmarshal([]byte(out), &line), out)
	require.Equal(t, table, line.Table)
	require.Equal(t, "WaGateway", line.AWS.CloudWatchMetrics[0].Namespace)
	require.Equal(t, [][]string{{"Table"}}, line.AWS.CloudWatchMetrics[0].Dimensions)
	require.NotNil(t, line.OutboxLagSeconds)
	r = cli(t, env, "health")
	require.Equal(t, 1, r.code, "the listener stopped with the host")

	// Only loopback: the session host accepts no inbound connections.
	env["GATEWAY_HEALTH_ADDR"] = "0.0.0.0:8081"
	err := runAWS(context.Background(), getenv, &stdout, &logs)
	require.ErrorContains(t, err, "GATEWAY_HEALTH_ADDR")
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
