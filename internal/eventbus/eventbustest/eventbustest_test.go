package eventbustest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/eventbus/eventbustest"
)

func client(endpoint string) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
}

func entries(n int, detail string) []types.PutEventsRequestEntry {
	out := make([]types.PutEventsRequestEntry, n)
	for i := range out {
		out[i] = types.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(detail)}
	}
	return out
}

// The fake enforces EventBridge's request limits, so a publisher that
// breaks them fails its tests instead of production.
func TestFakeEnforcesLimits(t *testing.T) {
	var stats eventbustest.Stats
	forwarded := 0
	c := client(eventbustest.New(t, func(context.Context, []byte) error { forwarded++; return nil }, eventbustest.Record(&stats)))
	for _, tc := range []struct {
		name    string
		entries []types.PutEventsRequestEntry
	}{
		{"11 entries", entries(11, `{}`)},
		{"over 256 KiB", entries(2, `{"x":"`+strings.Repeat("x", 130<<10)+`"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: tc.entries})
			var apiErr smithy.APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			require.Equal(t, "ValidationException", apiErr.ErrorCode())
		})
	}
	require.Zero(t, forwarded)

	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{"ok":true}`)},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`[1]`)},
		{Source: aws.String("s"), Detail: aws.String(`{}`)},
	}})
	require.NoError(t, err)
	require.EqualValues(t, 2, out.FailedEntryCount)
	require.NotEmpty(t, aws.ToString(out.Entries[0].EventId))
	require.Equal(t, "MalformedDetail", aws.ToString(out.Entries[1].ErrorCode))
	require.Equal(t, "InvalidArgument", aws.ToString(out.Entries[2].ErrorCode))
	require.Equal(t, 1, forwarded)
	require.Equal(t, 3, stats.Requests())
}

func TestFakeAnswersForwardFailures(t *testing.T) {
	c := client(eventbustest.New(t, func(context.Context, []byte) error { return errors.New("queue down") }))
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries(1, `{}`)})
	require.NoError(t, err)
	require.EqualValues(t, 1, out.FailedEntryCount)
	require.Equal(t, "InternalFailure", aws.ToString(out.Entries[0].ErrorCode))
}
