package eventbus

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/require"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		try      int
		min, max time.Duration
	}{
		{0, 100 * time.Millisecond, 200 * time.Millisecond},
		{1, 200 * time.Millisecond, 400 * time.Millisecond},
		{3, 800 * time.Millisecond, 1600 * time.Millisecond},
		{4, 1600 * time.Millisecond, 3200 * time.Millisecond},
		{5, 2500 * time.Millisecond, 5 * time.Second},
		{60, 2500 * time.Millisecond, 5 * time.Second},
	} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := backoff(tc.try)
			require.GreaterOrEqual(t, d, tc.min, "try %d", tc.try)
			require.LessOrEqual(t, d, tc.max, "try %d", tc.try)
			seen[d] = true
		}
		require.Greater(t, len(seen), 1, "try %d is jittered", tc.try)
	}
}

func TestEntrySize(t *testing.T) {
	e := types.PutEventsRequestEntry{Source: aws.String("whatsapp.gateway"), DetailType: aws.String("message.sent"),
		Detail: aws.String(`{"a":"é"}`), EventBusName: aws.String("bus")}
	require.Equal(t, 16+12+10+3, entrySize(e), "UTF-8 bytes, not runes")
	e.Time = aws.Time(time.Unix(0, 0))
	e.Resources = []string{"arn:x"}
	require.Equal(t, 16+12+10+3+14+5, entrySize(e))
}
