package webhookqueue_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/outbox"
	"github.com/wagateway/wagateway/internal/webhook"
	"github.com/wagateway/wagateway/internal/webhookqueue"
)

const (
	inst   = "acme__soporte__main"
	secret = "0123456789abcdef-first"
	text   = "Hello, I need help"
	phone  = "5491112345678"
)

var start = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// hit is one request the receiver got.
type hit struct {
	event, delivery string
	path            string
	body            []byte
	signatureOK     bool
}

// receiver is a real loopback webhook endpoint. It checks the signature
// the way API.md tells receivers to:
// hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest() == signature.
type receiver struct {
	mu     sync.Mutex
	secret string
	status int
	hits   []hit
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{secret: secret, status: http.StatusOK}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		m := hmac.New(sha256.New, []byte(r.secret))
		m.Write(raw)
		want := hex.EncodeToString(m.Sum(nil))
		r.hits = append(r.hits, hit{event: req.Header.Get("x-gateway-event"), delivery: req.Header.Get("x-gateway-delivery"),
			path: req.URL.Path, body: raw, signatureOK: hmac.Equal([]byte(want), []byte(req.Header.Get("x-gateway-signature")))})
		w.WriteHeader(r.status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) set(status int, secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.secret = status, secret
}

func (r *receiver) got() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.hits)
}

// store is an in-memory Store.
type store struct {
	mu        sync.Mutex
	instances map[string]instance.Instance
	outcomes  []outbox.Outcome
	reads     int
	readErr   error
	recordErr error
}

func (s *store) GetInstance(_ context.Context, name string) (instance.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.readErr != nil {
		return instance.Instance{}, s.readErr
	}
	in, ok := s.instances[name]
	if !ok {
		return instance.Instance{}, fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	return in, nil
}

func (s *store) RecordAttempts(_ context.Context, outcomes []outbox.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recordErr != nil {
		return s.recordErr
	}
	s.outcomes = append(s.outcomes, outcomes...)
	return nil
}

func (s *store) recorded() []outbox.Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.outcomes)
}

func (s *store) setWebhook(url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := instance.ParseName(inst)
	s.instances[inst] = instance.Instance{Name: n, WebhookURL: url, WebhookSecret: secret}
}

// queue records visibility changes by receipt.
type queue struct {
	mu      sync.Mutex
	changes map[string][]time.Duration
	err     error
}

func (q *queue) ChangeVisibility(_ context.Context, receipt string, d time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.changes == nil {
		q.changes = map[string][]time.Duration{}
	}
	q.changes[receipt] = append(q.changes[receipt], d)
	return q.err
}

func (q *queue) of(receipt string) []time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changes[receipt]
}

// syncBuffer is a log sink safe for the concurrent handler.
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

type harness struct {
	rcv   *receiver
	st    *store
	q     *queue
	clk   *clock.Fake
	logs  *syncBuffer
	h     *webhookqueue.Handler
	scale float64
}

func newHarness(t *testing.T, scale float64) *harness {
	x := &harness{rcv: newReceiver(t), st: &store{instances: map[string]instance.Instance{}}, q: &queue{},
		clk: clock.NewFake(start), logs: &syncBuffer{}}
	x.st.setWebhook(x.rcv.srv.URL+"/hook", secret)
	client := webhook.New(webhook.Options{Policy: netguard.Policy{AllowLoopback: true}, Timeout: 5 * time.Second})
	t.Cleanup(client.CloseIdleConnections)
	x.h = webhookqueue.New(webhookqueue.Config{Store: x.st, Client: client, Queue: x.q, Clock: x.clk,
		Log: slog.New(slog.NewTextHandler(x.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), RetryScale: scale})
	return x
}

func (x *harness) handle(t *testing.T, recs ...awsevents.SQSMessage) []string {
	t.Helper()
	resp, err := x.h.Handle(context.Background(), awsevents.SQSEvent{Records: recs})
	require.NoError(t, err)
	var kept []string
	for _, f := range resp.BatchItemFailures {
		kept = append(kept, f.ItemIdentifier)
	}
	return kept
}

// body is a message.received webhook body, as the session host makes it.
func body(t testing.TB) []byte {
	t.Helper()
	e, err := events.New(events.MessageReceived, inst, events.Received{From: phone, PushName: "Juan <3",
		MessageType: "conversation", Text: ptr(text), MessageID: "AC3E", Timestamp: 1773596760}, start)
	require.NoError(t, err)
	b, err := e.Body()
	require.NoError(t, err)
	return b
}

func ptr(s string) *string { return &s }

// busEvent wraps a detail as EventBridge hands it to the queue.
func busEvent(t testing.TB, detailType string, detail []byte) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"version": "0", "id": uuid.NewString(), "detail-type": detailType,
		"source": "whatsapp.gateway", "account": "123456789012", "time": "2026-03-15T10:30:00Z",
		"region": "us-east-1", "resources": []string{}, "detail": json.RawMessage(detail)})
	require.NoError(t, err)
	return string(b)
}

// message is the SQS record of one event delivery, received count times.
func message(t testing.TB, delivery string, count int) awsevents.SQSMessage {
	t.Helper()
	detail, err := events.NewDetail(body(t), "acme", delivery)
	require.NoError(t, err)
	return record(busEvent(t, "message.received", detail), count)
}

func record(b string, count int) awsevents.SQSMessage {
	id := uuid.NewString()
	return awsevents.SQSMessage{MessageId: id, ReceiptHandle: "receipt-" + id, Body: b,
		Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(count)}, EventSource: "aws:sqs"}
}

func TestDeliversSigned(t *testing.T) {
	x := newHarness(t, 0)
	rec := message(t, "d-1", 1)

	require.Empty(t, x.handle(t, rec))
	hits := x.rcv.got()
	require.Len(t, hits, 1)
	require.True(t, hits[0].signatureOK)
	require.Equal(t, "message.received", hits[0].event)
	require.Equal(t, "d-1", hits[0].delivery)
	require.Equal(t, string(body(t)), string(hits[0].body), "the body signed and sent is the session host's, byte for byte")
	require.Equal(t, []outbox.Outcome{{ID: "d-1", Attempts: 1, StatusCode: 200, Delivered: true, At: start}}, x.st.recorded())
	require.Empty(t, x.q.of(rec.ReceiptHandle), "acknowledged, not released")
}

func TestRetriesOnTheScheduleThenDeadLetters(t *testing.T) {
	for _, tc := range []struct {
		scale float64
		want  []time.Duration // visibility after attempts 1, 2, 3
	}{
		{1, []time.Duration{time.Second, 5 * time.Second, 30 * time.Second}},
		{0.01, []time.Duration{time.Second, time.Second, time.Second}}, // at least a whole second
		{2.5, []time.Duration{3 * time.Second, 13 * time.Second, 75 * time.Second}},
	} {
		t.Run(fmt.Sprint(tc.scale), func(t *testing.T) {
			x := newHarness(t, tc.scale)
			x.rcv.set(http.StatusServiceUnavailable, secret)
			for n := 1; n <= webhook.MaxAttempts; n++ {
				rec := message(t, "d-1", n)
				require.Equal(t, []string{rec.MessageId}, x.handle(t, rec), "attempt %d kept", n)
				o := x.st.recorded()[n-1]
				require.Equal(t, n, o.Attempts)
				require.Equal(t, 503, o.StatusCode)
				require.Equal(t, "HTTP 503", o.LastError)
				require.False(t, o.Delivered)
				if n < webhook.MaxAttempts {
					require.Equal(t, []time.Duration{tc.want[n-1]}, x.q.of(rec.ReceiptHandle))
					require.Equal(t, start.Add(tc.want[n-1]), o.Next, "the record says when SQS hands it back")
				} else {
					require.Equal(t, []time.Duration{0}, x.q.of(rec.ReceiptHandle), "released for the redrive to the DLQ")
					require.True(t, o.Next.IsZero(), "dead")
				}
			}
			require.Len(t, x.rcv.got(), webhook.MaxAttempts)
			require.Contains(t, x.logs.String(), "delivery dead-lettered")
		})
	}
}

func TestMalformedMessagesGoToTheDLQ(t *testing.T) {
	x := newHarness(t, 0)
	good, err := events.NewDetail(body(t), "acme", "d-1")
	require.NoError(t, err)
	var foreign map[string]any
	require.NoError(t, json.Unmarshal([]byte(busEvent(t, "message.received", good)), &foreign))
	foreign["source"] = "aws.s3"
	foreignB, err := json.Marshal(foreign)
	require.NoError(t, err)
	badPhone := bytes.Replace(good, []byte(`"from":"`+phone), []byte(`"from":"+`+phone), 1)

	for _, tc := range []struct {
		name, body, reason string
	}{
		{"not JSON", `{"version":"0",` + text, "not an EventBridge event"},
		{"not an object", `[1]`, "not an EventBridge event"},
		{"no detail", `{"version":"0","source":"whatsapp.gateway","detail-type":"message.received"}`, "not an EventBridge event"},
		{"trailing data", busEvent(t, "message.received", good) + `{}`, "not an EventBridge event"},
		{"other version", `{"version":"1","source":"whatsapp.gateway","detail-type":"message.received","detail":{}}`, "unknown EventBridge event version"},
		{"foreign source", string(foreignB), "not a whatsapp.gateway event"},
		{"detail breaking the contract", busEvent(t, "message.received", badPhone), "detail breaks the event contract"},
		{"detail without a delivery id", busEvent(t, "message.received", body(t)), "detail breaks the event contract"},
		{"detail-type of another event", busEvent(t, "message.sent", good), "detail-type is not the detail's event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := record(tc.body, 1)
			require.Equal(t, []string{rec.MessageId}, x.handle(t, rec))
			require.Equal(t, []time.Duration{0}, x.q.of(rec.ReceiptHandle))
			require.Contains(t, x.logs.String(), tc.reason)
		})
	}
	require.Empty(t, x.rcv.got())
	require.Empty(t, x.st.recorded())
	logs := x.logs.String()
	for _, secretish := range []string{text, phone, "Juan"} {
		require.NotContains(t, logs, secretish, "no body contents in logs")
	}
}

func TestUnrecordedOutcomeIsKept(t *testing.T) {
	x := newHarness(t, 0)
	x.st.recordErr = errors.New("table unavailable")

	delivered := message(t, "d-1", 1)
	require.Equal(t, []string{delivered.MessageId}, x.handle(t, delivered), "delivered but not recorded: retried, never lost")
	require.Empty(t, x.q.of(delivered.ReceiptHandle), "back after the queue's visibility timeout")

	x.rcv.set(http.StatusInternalServerError, secret)
	failed := message(t, "d-2", 2)
	require.Equal(t, []string{failed.MessageId}, x.handle(t, failed))
	require.Equal(t, []time.Duration{5 * time.Second}, x.q.of(failed.ReceiptHandle), "the schedule still holds")

	deleted := message(t, "d-3", 1)
	x.st.mu.Lock()
	delete(x.st.instances, inst)
	x.st.mu.Unlock()
	require.Equal(t, []string{deleted.MessageId}, x.handle(t, deleted))
	require.Contains(t, x.logs.String(), "record delivery attempt")
}

func TestSecretRotationApplies(t *testing.T) {
	x := newHarness(t, 0)
	x.rcv.set(http.StatusInternalServerError, secret)
	first := message(t, "d-1", 1)
	require.Equal(t, []string{first.MessageId}, x.handle(t, first))

	// The tenant rotates the secret (and the receiver with it) before
	// the retry: the retry is signed with the new one.
	const rotated = "fedcba9876543210-second"
	x.st.setWebhook(x.rcv.srv.URL+"/new", rotated)
	x.rcv.set(http.StatusOK, rotated)
	retry := message(t, "d-1", 2)
	require.Empty(t, x.handle(t, retry))

	hits := x.rcv.got()
	require.Len(t, hits, 2)
	require.True(t, hits[0].signatureOK)
	require.Equal(t, "/hook", hits[0].path)
	require.True(t, hits[1].signatureOK, "signed with the rotated secret")
	require.Equal(t, "/new", hits[1].path, "sent to the new URL")
	require.Equal(t, "d-1", hits[1].delivery, "same delivery id across retries")
	require.Equal(t, outbox.Outcome{ID: "d-1", Attempts: 2, StatusCode: 200, Delivered: true, At: start}, x.st.recorded()[1])
}

func TestInstanceDeletedIsDeadAtOnce(t *testing.T) {
	x := newHarness(t, 0)
	x.st.mu.Lock()
	delete(x.st.instances, inst)
	x.st.mu.Unlock()
	rec := message(t, "d-1", 1)

	require.Empty(t, x.handle(t, rec), "dead in the table; nothing left to deliver to, so not for the DLQ")
	require.Empty(t, x.rcv.got())
	require.Equal(t, []outbox.Outcome{{ID: "d-1", Attempts: webhook.MaxAttempts, LastError: "instance deleted", At: start}}, x.st.recorded())
}

func TestNoWebhookURLRetriesAsLocally(t *testing.T) {
	x := newHarness(t, 0)
	x.st.setWebhook("", secret)
	rec := message(t, "d-1", 1)

	require.Equal(t, []string{rec.MessageId}, x.handle(t, rec))
	require.Equal(t, []outbox.Outcome{{ID: "d-1", Attempts: 1, LastError: "invalid webhook URL", At: start, Next: start.Add(time.Second)}}, x.st.recorded())
}

func TestInstanceReadFailureIsRetried(t *testing.T) {
	x := newHarness(t, 0)
	x.st.readErr = errors.New("table unavailable")
	rec := message(t, "d-1", 2)

	require.Equal(t, []string{rec.MessageId}, x.handle(t, rec))
	require.Equal(t, []time.Duration{5 * time.Second}, x.q.of(rec.ReceiptHandle))
	require.Empty(t, x.st.recorded())
	require.Empty(t, x.rcv.got())
}

func TestReceiveCounts(t *testing.T) {
	x := newHarness(t, 0)
	x.rcv.set(http.StatusInternalServerError, secret)

	beyond := message(t, "d-1", webhook.MaxAttempts+1)
	require.Equal(t, []string{beyond.MessageId}, x.handle(t, beyond))
	require.Empty(t, x.rcv.got(), "no attempt past the last")
	require.Empty(t, x.st.recorded())
	require.Empty(t, x.q.of(beyond.ReceiptHandle))
	require.Contains(t, x.logs.String(), "redrive policy")

	for _, count := range []string{"", "x", "0", "-3"} {
		rec := message(t, "d-2", 1)
		rec.Attributes["ApproximateReceiveCount"] = count
		if count == "" {
			rec.Attributes = nil
		}
		require.Equal(t, []string{rec.MessageId}, x.handle(t, rec))
		require.Equal(t, []time.Duration{time.Second}, x.q.of(rec.ReceiptHandle), "count %q is the first attempt", count)
	}
}

func TestVisibilityFailureStillKeeps(t *testing.T) {
	x := newHarness(t, 0)
	x.rcv.set(http.StatusInternalServerError, secret)
	x.q.err = errors.New("queue unavailable")
	rec := message(t, "d-1", 1)
	require.Equal(t, []string{rec.MessageId}, x.handle(t, rec))
	require.Contains(t, x.logs.String(), "change webhook message visibility")
}

func TestMixedBatch(t *testing.T) {
	x := newHarness(t, 0)
	var recs []awsevents.SQSMessage
	var wantKept []string
	for i := range 20 {
		delivery := fmt.Sprintf("d-%02d", i)
		rec := message(t, delivery, 1)
		if i%3 == 0 {
			rec = record(`not json`, 1)
			wantKept = append(wantKept, rec.MessageId)
		}
		recs = append(recs, rec)
	}
	require.ElementsMatch(t, wantKept, x.handle(t, recs...))
	require.Len(t, x.rcv.got(), 13)
	require.Len(t, x.st.recorded(), 13)
	x.st.mu.Lock()
	require.Equal(t, 1, x.st.reads, "an instance is read once per batch")
	x.st.mu.Unlock()
}

func TestCanceledInvocationRecordsNothing(t *testing.T) {
	x := newHarness(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := message(t, "d-1", 1)
	resp, err := x.h.Handle(ctx, awsevents.SQSEvent{Records: []awsevents.SQSMessage{rec}})
	require.NoError(t, err)
	require.Equal(t, []awsevents.SQSBatchItemFailure{{ItemIdentifier: rec.MessageId}}, resp.BatchItemFailures)
	require.Empty(t, x.st.recorded())
}

func TestResponseJSON(t *testing.T) {
	x := newHarness(t, 0)
	resp, err := x.h.Handle(context.Background(), awsevents.SQSEvent{})
	require.NoError(t, err)
	b, err := json.Marshal(resp)
	require.NoError(t, err)
	require.JSONEq(t, `{"batchItemFailures":[]}`, string(b), "every record done")
}
