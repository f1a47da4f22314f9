package sqs

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/queue"
)

// These tests check what the adapter says to SQS and how it reads SQS's
// answers, against a fake that records the JSON the SDK sends and answers
// as AWS does. They cover what the emulator cannot show: the exact request
// fields (group, deduplication id, whole seconds), and answers fauxqs never
// gives (a stale Delete, per-entry batch failures).

type request struct {
	Action string
	Body   map[string]any
}

// answer is the fake's reply to one request: status, the awsquery error
// header AWS adds to errors ("" for none), and the JSON body.
type answer struct {
	status     int
	queryError string
	body       any
}

type fakeSQS struct {
	mu      sync.Mutex
	reqs    []request
	respond func(r request) answer
}

func newFake(t *testing.T, respond func(r request) answer) (*Queue, *fakeSQS) {
	t.Helper()
	f := &fakeSQS{respond: respond}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := request{Action: strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS."), Body: body}
		f.mu.Lock()
		f.reqs = append(f.reqs, req)
		f.mu.Unlock()
		a := answer{status: http.StatusOK, body: map[string]any{}}
		if f.respond != nil {
			a = f.respond(req)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if a.queryError != "" {
			w.Header().Set("X-Amzn-Query-Error", a.queryError)
		}
		w.WriteHeader(a.status)
		_ = json.NewEncoder(w).Encode(a.body)
	}))
	t.Cleanup(srv.Close)
	cli := awssqs.New(awssqs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1, // one answer, one request
	})
	return New(cli, srv.URL+"/000000000000/lane-send.fifo"), f
}

func (f *fakeSQS) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func awsError(status int, typ, queryCode, message string) answer {
	return answer{status: status, queryError: queryCode + ";Sender", body: map[string]any{
		"__type": "com.amazonaws.sqs#" + typ, "message": message,
	}}
}

func TestSendRequest(t *testing.T) {
	q, f := newFake(t, nil)
	require.NoError(t, q.Send(t.Context(), "acme-sales", "msg-1", []byte(`{"id":"msg-1"}`)))
	require.NoError(t, q.Send(t.Context(), "", "msg-2", []byte(`{"id":"msg-2"}`)))
	reqs := f.requests()
	require.Len(t, reqs, 2)
	require.Equal(t, request{Action: "SendMessage", Body: map[string]any{
		"QueueUrl":               q.url,
		"MessageBody":            `{"id":"msg-1"}`,
		"MessageGroupId":         "acme-sales",
		"MessageDeduplicationId": "msg-1",
	}}, reqs[0], "FIFO: the instance groups, the message id deduplicates")
	require.Equal(t, request{Action: "SendMessage", Body: map[string]any{
		"QueueUrl":    q.url,
		"MessageBody": `{"id":"msg-2"}`,
	}}, reqs[1], "standard queue: neither group nor deduplication id")
}

func TestReceiveRequest(t *testing.T) {
	attrs := []any{"ApproximateReceiveCount", "MessageGroupId", "MessageDeduplicationId"}
	tests := []struct {
		name             string
		max              int
		visibility, wait time.Duration
		want             map[string]any // the fields besides QueueUrl and the attribute names
	}{
		{"whole seconds", 10, 30 * time.Second, 20 * time.Second,
			map[string]any{"MaxNumberOfMessages": 10.0, "VisibilityTimeout": 30.0, "WaitTimeSeconds": 20.0}},
		{"rounded up", 7, 1500 * time.Millisecond, 2500 * time.Millisecond,
			map[string]any{"MaxNumberOfMessages": 7.0, "VisibilityTimeout": 2.0, "WaitTimeSeconds": 3.0}},
		{"under a second is one", 1, time.Millisecond, time.Millisecond,
			map[string]any{"MaxNumberOfMessages": 1.0, "VisibilityTimeout": 1.0, "WaitTimeSeconds": 1.0}},
		{"wait capped at SQS's 20s", 1, time.Hour, time.Minute,
			map[string]any{"MaxNumberOfMessages": 1.0, "VisibilityTimeout": 3600.0, "WaitTimeSeconds": 20.0}},
		// The SDK leaves zero out: the queue's default wait (0) applies.
		{"no wait", 1, time.Minute, 0,
			map[string]any{"MaxNumberOfMessages": 1.0, "VisibilityTimeout": 60.0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, f := newFake(t, nil)
			ds, err := q.Receive(t.Context(), tc.max, tc.visibility, tc.wait)
			require.NoError(t, err)
			require.Empty(t, ds)
			want := map[string]any{"QueueUrl": q.url, "MessageSystemAttributeNames": attrs, "AttributeNames": attrs}
			for k, v := range tc.want {
				want[k] = v
			}
			require.Equal(t, []request{{Action: "ReceiveMessage", Body: want}}, f.requests())
		})
	}
}

func message(body, receipt string, attrs map[string]string) map[string]any {
	sum := md5.Sum([]byte(body))
	return map[string]any{
		"MessageId": "id-" + receipt, "ReceiptHandle": receipt, "Body": body,
		"MD5OfBody": hex.EncodeToString(sum[:]), "Attributes": attrs,
	}
}

func TestReceiveAnswer(t *testing.T) {
	q, _ := newFake(t, func(request) answer {
		return answer{status: http.StatusOK, body: map[string]any{"Messages": []any{
			message("a", "r1", map[string]string{"ApproximateReceiveCount": "3", "MessageGroupId": "acme", "MessageDeduplicationId": "m1"}),
			message("b", "r2", map[string]string{"ApproximateReceiveCount": "1"}),
		}}}
	})
	ds, err := q.Receive(t.Context(), 10, time.Minute, 0)
	require.NoError(t, err)
	require.Equal(t, []queue.Delivery{
		{Body: []byte("a"), GroupID: "acme", DedupID: "m1", Receipt: "r1", ReceiveCount: 3},
		{Body: []byte("b"), Receipt: "r2", ReceiveCount: 1},
	}, ds)
}

// Without a receive count the consumer could not tell a redelivery; the
// message stays in flight and comes back, so failing loses nothing.
func TestReceiveAnswerWithoutCountFails(t *testing.T) {
	for _, count := range []string{"", "0", "x"} {
		q, _ := newFake(t, func(request) answer {
			attrs := map[string]string{"MessageGroupId": "acme"}
			if count != "" {
				attrs["ApproximateReceiveCount"] = count
			}
			return answer{status: http.StatusOK, body: map[string]any{"Messages": []any{message("a", "r1", attrs)}}}
		})
		_, err := q.Receive(t.Context(), 10, time.Minute, 0)
		require.ErrorContains(t, err, "ApproximateReceiveCount", "count %q", count)
	}
}

func TestChangeVisibilityRequest(t *testing.T) {
	q, f := newFake(t, nil)
	require.NoError(t, q.ChangeVisibility(t.Context(), "r1", 0))
	require.NoError(t, q.ChangeVisibility(t.Context(), "r1", 90500*time.Millisecond))
	require.NoError(t, q.Delete(t.Context(), "r1"))
	require.Equal(t, []request{
		{Action: "ChangeMessageVisibility", Body: map[string]any{"QueueUrl": q.url, "ReceiptHandle": "r1", "VisibilityTimeout": 0.0}},
		{Action: "ChangeMessageVisibility", Body: map[string]any{"QueueUrl": q.url, "ReceiptHandle": "r1", "VisibilityTimeout": 91.0}},
		{Action: "DeleteMessage", Body: map[string]any{"QueueUrl": q.url, "ReceiptHandle": "r1"}},
	}, f.requests())
}

// TestStaleReceiptAnswers maps the answers AWS gives for a receipt that no
// longer names an in-flight delivery, including the stale Delete the
// emulator never reports.
func TestStaleReceiptAnswers(t *testing.T) {
	tests := []struct {
		name  string
		reply answer
		stale bool
	}{
		{"deleted or malformed", awsError(400, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
			`The input receipt handle "r1" is not a valid receipt handle.`), true},
		{"visibility ended", awsError(400, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
			"Message does not exist or is not available for visibility timeout change."), true},
		{"FIFO receipt expired", awsError(400, "InvalidParameterValue", "InvalidParameterValue",
			"Value r1 for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."), true},
		{"old receipt format", awsError(400, "InvalidIdFormat", "InvalidIdFormat",
			"The specified receipt handle isn't valid for the current version."), true},
		{"another invalid parameter", awsError(400, "InvalidParameterValue", "InvalidParameterValue",
			"Value 50000 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."), false},
		{"no such queue", awsError(400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
			"The specified queue does not exist."), false},
		{"server error", answer{status: 500, body: map[string]any{"__type": "InternalFailure", "message": "boom"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := newFake(t, func(request) answer { return tc.reply })
			for op, err := range map[string]error{
				"delete":            q.Delete(t.Context(), "r1"),
				"change visibility": q.ChangeVisibility(t.Context(), "r1", time.Minute),
			} {
				require.Error(t, err)
				require.Equal(t, tc.stale, errors.Is(err, queue.ErrStaleReceipt), "%s: %v", op, err)
				require.ErrorContains(t, err, "queue lane-send.fifo: "+op)
			}
		})
	}
}

func TestDeleteBatchRequests(t *testing.T) {
	receipts := make([]string, 23)
	for i := range receipts {
		receipts[i] = fmt.Sprint("r", i)
	}
	call := 0
	q, f := newFake(t, func(r request) answer {
		call++
		entries := r.Body["Entries"].([]any)
		var ok, failed []any
		for _, e := range entries {
			id := e.(map[string]any)["Id"].(string)
			switch {
			case call == 2 && id == "4": // receipt 14
				failed = append(failed, map[string]any{"Id": id, "Code": "ReceiptHandleIsInvalid", "Message": "The input receipt handle is invalid.", "SenderFault": true})
			case call == 3 && id == "0": // receipt 20
				failed = append(failed, map[string]any{"Id": id, "Code": "InternalError", "Message": "try again", "SenderFault": false})
			case call == 3 && id == "2": // receipt 22: left unanswered
			default:
				ok = append(ok, map[string]any{"Id": id})
			}
		}
		return answer{status: http.StatusOK, body: map[string]any{"Successful": ok, "Failed": failed}}
	})
	err := q.DeleteBatch(t.Context(), receipts)

	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Equal(t, []int{14, 20, 22}, sortedKeys(be.Failed))
	require.ErrorIs(t, be.Failed[14], queue.ErrStaleReceipt)
	require.ErrorContains(t, be.Failed[20], "InternalError: try again")
	require.NotErrorIs(t, be.Failed[20], queue.ErrStaleReceipt)
	require.ErrorContains(t, be.Failed[22], "did not answer")
	require.ErrorIs(t, err, queue.ErrStaleReceipt, "one stale entry shows through the batch error")
	require.ErrorContains(t, err, "3 of the receipts failed")

	reqs := f.requests()
	require.Len(t, reqs, 3, "ten entries per request")
	for n, r := range reqs {
		require.Equal(t, "DeleteMessageBatch", r.Action)
		require.Equal(t, q.url, r.Body["QueueUrl"])
		entries := r.Body["Entries"].([]any)
		require.Len(t, entries, min(10, 23-10*n))
		for i, e := range entries {
			require.Equal(t, map[string]any{"Id": fmt.Sprint(i), "ReceiptHandle": fmt.Sprint("r", 10*n+i)}, e)
		}
	}
}

// A request that fails as a whole fails its ten entries, and the others
// are still deleted.
func TestDeleteBatchRequestFailure(t *testing.T) {
	call := 0
	q, f := newFake(t, func(r request) answer {
		if call++; call == 1 {
			return answer{status: 500, body: map[string]any{"__type": "InternalFailure", "message": "boom"}}
		}
		var ok []any
		for _, e := range r.Body["Entries"].([]any) {
			ok = append(ok, map[string]any{"Id": e.(map[string]any)["Id"]})
		}
		return answer{status: http.StatusOK, body: map[string]any{"Successful": ok}}
	})
	receipts := make([]string, 12)
	for i := range receipts {
		receipts[i] = fmt.Sprint("r", i)
	}
	var be *BatchError
	require.ErrorAs(t, q.DeleteBatch(t.Context(), receipts), &be)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sortedKeys(be.Failed))
	require.NotErrorIs(t, be, queue.ErrStaleReceipt)
	require.Len(t, f.requests(), 2)
}

func sortedKeys(m map[int]error) []int { return slices.Sorted(maps.Keys(m)) }
