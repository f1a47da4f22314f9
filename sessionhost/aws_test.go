package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/lease"
)

// TestAWSModeStartsAndStops runs the session host as ECS would start it
// (GATEWAY_TABLE set, endpoints from the SDK's variables) against the
// emulators: it starts, logs JSON, and stops cleanly on its context. The
// whole AWS shape is exercised end to end in internal/cloud.
func TestAWSModeStartsAndStops(t *testing.T) {
	dynamoEP, sqsEP := emulator.DynamoDB(t), emulator.SQS(t)
	prefix := "host-" + uuid.NewString()[:8]
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
		// No media arrives: the bucket is only configured.
		"GATEWAY_MEDIA_BUCKET": "wagateway-media",
		"GATEWAY_PUBLIC_URL":   "https://abc123.execute-api.us-east-1.amazonaws.com/",
		"GATEWAY_HEALTH_ADDR":  "127.0.0.1:0", // not the default port: tests run side by side
		"GATEWAY_LEASE_TTL":    "90s",
	}
	// The SDK reads these from the process environment itself.
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamoEP)
	t.Setenv("AWS_ENDPOINT_URL_SQS", sqsEP)
	t.Setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:9") // unused: no event is published

	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- runAWS(ctx, func(k string) string { return env[k] }, io.Discard, &logs) }()
	// Its presence lease shows it up, for the lease time it was given.
	leases := dynamo.NewLeaseStore(dynamoClient(dynamoEP), table)
	var presence lease.Lease
	require.Eventually(t, func() bool {
		ls, _ := leases.List(context.Background())
		for _, l := range ls {
			if strings.HasPrefix(l.Instance, lease.ShardPresence(0)) {
				presence = l
				return true
			}
		}
		return false
	}, 20*time.Second, 50*time.Millisecond)
	left := time.Until(presence.Expires)
	require.Greater(t, left, 60*time.Second, "GATEWAY_LEASE_TTL=90s")
	require.LessOrEqual(t, left, 90*time.Second)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the session host did not stop")
	}
	require.Contains(t, logs.String(), `"msg":"session host started"`)

	// A configuration error names every bad variable and starts nothing.
	delete(env, "GATEWAY_EVENT_BUS")
	env["GATEWAY_DRIVER"] = "whatsmeow"
	err := runAWS(context.Background(), func(k string) string { return env[k] }, io.Discard, &logs)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "GATEWAY_EVENT_BUS") && strings.Contains(err.Error(), "GATEWAY_DEVICE_TABLE"), err.Error())

	// Without the API's URL the host could only hand out relative
	// media.url links: it does not start.
	delete(env, "GATEWAY_PUBLIC_URL")
	err = runAWS(context.Background(), func(k string) string { return env[k] }, io.Discard, &logs)
	require.ErrorContains(t, err, "GATEWAY_PUBLIC_URL: required")
}

func dynamoClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

// TestMain stops the emulators the tests of this package started.
func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }
