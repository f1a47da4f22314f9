package dynamo

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/outbox"
)

// instant is a clock whose waits end at once.
type instant struct{}

func (instant) Now() time.Time { return t0 }
func (instant) After(time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	c <- t0
	return c
}

// cannedStore is a store whose DynamoDB answers each TransactWriteItems
// with the next of reasons (a cancellation) and then success; DynamoDB
// Local runs transactions one at a time and never reports conflicts.
func cannedStore(t *testing.T, reasons ...[]string) (*Store, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if n > len(reasons) {
			_, _ = w.Write([]byte(`{}`))
			return
		}
		codes := make([]string, len(reasons[n-1]))
		for i, c := range reasons[n-1] {
			codes[i] = fmt.Sprintf(`{"Code":%q}`, c)
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
			"Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
			"CancellationReasons":[%s]}`, strings.Join(reasons[n-1], ", "), strings.Join(codes, ","))
	}))
	t.Cleanup(srv.Close)
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	s := New(client, "t")
	s.clock = instant{}
	return s, &calls
}

func twoPuts(s *Store) error {
	ev := testEvent(0)
	return s.write(context.Background(), s.put(s.eventItem(ev), notExists, nil), s.put(commandKey("x"), "", nil))
}

func TestWriteRetriesConflicts(t *testing.T) {
	conflict := []string{"None", reasonConflict}
	s, calls := cannedStore(t, conflict, conflict)
	require.NoError(t, twoPuts(s))
	require.EqualValues(t, 3, calls.Load(), "retried until it landed")

	always := make([][]string, conflictRetries+5)
	for i := range always {
		always[i] = conflict
	}
	s, calls = cannedStore(t, always...)
	var c *canceled
	require.ErrorAs(t, twoPuts(s), &c)
	require.True(t, c.conflict())
	require.EqualValues(t, conflictRetries+1, calls.Load(), "bounded")
}

func TestWriteReportsFailedConditions(t *testing.T) {
	s, calls := cannedStore(t, []string{"None", reasonConditionFailed})
	err := twoPuts(s)
	var c *canceled
	require.ErrorAs(t, err, &c)
	require.False(t, c.failed(0))
	require.True(t, c.failed(1))
	require.EqualValues(t, 1, calls.Load(), "a failed condition is final")
}

// TestRecordAttemptsGoesOn: one failing outcome does not keep the others
// from being recorded, and is reported.
func TestRecordAttemptsGoesOn(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazon.coral.validate#ValidationException","message":"boom"}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	s := New(client, "t")
	err := s.RecordAttempts(context.Background(), []outbox.Outcome{{ID: "a", Delivered: true, At: t0}, {ID: "b", Delivered: true, At: t0}})
	require.ErrorContains(t, err, "record attempt of a")
	require.NotContains(t, err.Error(), "attempt of b")
	require.EqualValues(t, 2, calls.Load())
}

func TestReasonsFromMessage(t *testing.T) {
	cases := []struct {
		msg  string
		n    int
		want []string
	}{
		{"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]", 2,
			[]string{"None", reasonConditionFailed}},
		{"reasons [TransactionConflict]", 3, []string{reasonConflict, "", ""}},
		{"no list at all", 2, []string{"", ""}},
		{"] backwards [", 1, []string{""}},
	}
	for _, c := range cases {
		require.Equal(t, c.want, reasonsFromMessage(c.msg, c.n), c.msg)
	}
}

func FuzzReasonsFromMessage(f *testing.F) {
	f.Add("reasons [None, ConditionalCheckFailed]", 2)
	f.Add("[[]]", 1)
	f.Fuzz(func(t *testing.T, msg string, n int) {
		n = max(0, n%200)
		got := reasonsFromMessage(msg, n)
		require.Len(t, got, n)
		for _, code := range got {
			require.NotContains(t, code, ",")
		}
		require.False(t, (&canceled{codes: got}).failed(n), "an index past the items never failed")
	})
}
