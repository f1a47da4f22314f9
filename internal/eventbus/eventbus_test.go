package eventbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/eventbus"
	"github.com/wagateway/wagateway/internal/eventbus/eventbustest"
	"github.com/wagateway/wagateway/internal/outbox"
)

const bus = "wagateway-test"

var start = time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)

// client talks to the fake. The SDK's own retries are off so that every
// request the fake counts is one the publisher made.
func client(endpoint string) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

func publisher(endpoint string, clk clock.Clock) *eventbus.Publisher {
	return eventbus.New(eventbus.Config{Client: client(endpoint), Bus: bus, Clock: clk,
		Log: slog.New(slog.DiscardHandler)})
}

// event builds the outbox event of a message.sent, as the session host
// writes it; text pads the body (a message.received) when non-empty.
func event(t testing.TB, i int, text string) outbox.Event {
	t.Helper()
	at := start.Add(time.Duration(i) * time.Second).Add(123 * time.Millisecond)
	var e events.Envelope
	var err error
	if text == "" {
		e, err = events.New(events.MessageSent, "acme__soporte__main", events.Sent{
			ID: uuid.NewString(), To: "5491112345678", Lane: "normal", Type: "text", SentAt: events.FormatTime(at),
		}, at)
	} else {
		e, err = events.New(events.MessageReceived, "acme__soporte__main", events.Received{
			From: "5491112345678", PushName: "Juan", MessageType: "conversation", Text: &text,
			MessageID: fmt.Sprintf("M%d", i), Timestamp: at.Unix(),
		}, at)
	}
	require.NoError(t, err)
	body, err := e.Body()
	require.NoError(t, err)
	return outbox.Event{ID: uuid.NewString(), TenantID: "acme", Instance: "acme__soporte__main",
		Name: string(e.Event), Body: body, CreatedAt: at}
}

func eventsN(t testing.TB, n int) []outbox.Event {
	out := make([]outbox.Event, n)
	for i := range out {
		out[i] = event(t, i, "")
	}
	return out
}

// publish runs Publish while advancing the fake clock through every
// backoff it waits on, and returns its error.
func publish(t *testing.T, p *eventbus.Publisher, clk *clock.Fake, evs []outbox.Event) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.Publish(context.Background(), evs) }()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-done:
			return err
		case <-time.After(time.Millisecond):
			if clk.Waiters() > 0 {
				clk.Advance(5 * time.Second) // the longest backoff
			}
		case <-deadline:
			t.Fatal("Publish did not return")
		}
	}
}

// received collects what the fake forwards, as a rule target gets it.
type received struct {
	mu     sync.Mutex
	events []eventbustest.Event
}

func (r *received) forward(_ context.Context, b []byte) error {
	var ev eventbustest.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *received) all() []eventbustest.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]eventbustest.Event(nil), r.events...)
}

func requestSizes(entries []eventbustest.Entry) []int {
	var sizes []int
	for _, e := range entries {
		for len(sizes) < e.Request {
			sizes = append(sizes, 0)
		}
		sizes[e.Request-1]++
	}
	return sizes
}

func TestPublishBatchesAndShapesEntries(t *testing.T) {
	var stats eventbustest.Stats
	var got received
	ep := eventbustest.New(t, got.forward, eventbustest.Record(&stats))
	clk := clock.NewFake(start)
	evs := eventsN(t, 23)

	require.NoError(t, publish(t, publisher(ep, clk), clk, evs))

	require.Equal(t, 3, stats.Requests())
	entries := stats.Entries()
	require.Equal(t, []int{10, 10, 3}, requestSizes(entries))
	for i, e := range entries {
		ev := evs[i]
		require.Equal(t, "whatsapp.gateway", e.Source)
		require.Equal(t, "message.sent", e.DetailType)
		require.Equal(t, bus, e.EventBusName)
		require.Equal(t, ev.CreatedAt, e.Time, "Time is the event's creation, to the millisecond")
		want, err := events.NewDetail(ev.Body, "acme", ev.ID)
		require.NoError(t, err)
		require.Equal(t, string(want), e.Detail)
	}

	forwarded := got.all()
	require.Len(t, forwarded, 23)
	for i, fe := range forwarded {
		require.Equal(t, "0", fe.Version)
		require.Equal(t, "message.sent", fe.DetailType)
		require.Equal(t, "whatsapp.gateway", fe.Source)
		require.Equal(t, eventbustest.Account, fe.Account)
		require.Equal(t, eventbustest.Region, fe.Region)
		require.Equal(t, []string{}, fe.Resources)
		require.Equal(t, evs[i].CreatedAt.Truncate(time.Second).Format(time.RFC3339), fe.Time)
		d, err := events.ParseDetail(fe.Detail)
		require.NoError(t, err)
		require.Equal(t, evs[i].ID, d.DeliveryID)
		require.Equal(t, "acme", d.TenantID)
		body, err := d.Body()
		require.NoError(t, err)
		require.Equal(t, string(evs[i].Body), string(body), "the webhook body survives the bus byte for byte")
	}
}

func TestPublishSplitsBySize(t *testing.T) {
	var stats eventbustest.Stats
	ep := eventbustest.New(t, nil, eventbustest.Record(&stats))
	clk := clock.NewFake(start)
	text := strings.Repeat("x", 100<<10) // two fit in 256 KiB, three do not
	evs := []outbox.Event{event(t, 0, text), event(t, 1, text), event(t, 2, text), event(t, 3, text), event(t, 4, "")}

	require.NoError(t, publish(t, publisher(ep, clk), clk, evs))
	require.Equal(t, []int{2, 3}, requestSizes(stats.Entries()), "the small one rides with the last two")
}

func TestPublishRetriesRefusedEntriesAlone(t *testing.T) {
	var stats eventbustest.Stats
	var got received
	evs := eventsN(t, 12)
	// Entries 3 and 11 are throttled twice, then taken.
	flaky := map[string]int{evs[3].ID: 2, evs[11].ID: 2}
	var mu sync.Mutex
	ep := eventbustest.New(t, got.forward, eventbustest.Record(&stats), eventbustest.FailEntries(func(e eventbustest.Entry) string {
		d, err := events.ParseDetail([]byte(e.Detail))
		if err != nil {
			return "MalformedDetail"
		}
		mu.Lock()
		defer mu.Unlock()
		if flaky[d.DeliveryID] > 0 {
			flaky[d.DeliveryID]--
			return "ThrottlingException"
		}
		return ""
	}))
	clk := clock.NewFake(start)

	require.NoError(t, publish(t, publisher(ep, clk), clk, evs))
	require.Equal(t, []int{10, 2, 2, 2}, requestSizes(stats.Entries()), "the refused are sent again on their own")
	require.Len(t, got.all(), 12, "each event forwarded once")
}

func TestPublishGivesUp(t *testing.T) {
	var stats eventbustest.Stats
	evs := eventsN(t, 4)
	ep := eventbustest.New(t, nil, eventbustest.Record(&stats), eventbustest.FailEntries(func(e eventbustest.Entry) string {
		if strings.Contains(e.Detail, evs[1].ID) || strings.Contains(e.Detail, evs[2].ID) {
			return "InternalFailure"
		}
		return ""
	}))
	clk := clock.NewFake(start)
	p := eventbus.New(eventbus.Config{Client: client(ep), Bus: bus, Clock: clk, Log: slog.New(slog.DiscardHandler), MaxRetries: 2})

	err := publish(t, p, clk, evs)
	var perr *eventbus.PublishError
	require.ErrorAs(t, err, &perr)
	require.Equal(t, []string{evs[1].ID, evs[2].ID}, perr.NotPublished())
	require.Empty(t, perr.Rejected())
	require.Equal(t, "InternalFailure", perr.Code())
	require.EqualError(t, err, "eventbus: 2 of 4 events not published (InternalFailure)")
	require.Equal(t, []int{4, 2, 2}, requestSizes(stats.Entries()), "the first try and MaxRetries retries")
}

func TestPublishDoesNotRetryPermanentRefusals(t *testing.T) {
	var stats eventbustest.Stats
	ep := eventbustest.New(t, nil, eventbustest.Record(&stats), eventbustest.FailEntries(func(eventbustest.Entry) string {
		return "NotAuthorizedForSourceException"
	}))
	clk := clock.NewFake(start)
	evs := eventsN(t, 3)

	err := publish(t, publisher(ep, clk), clk, evs)
	var perr *eventbus.PublishError
	require.ErrorAs(t, err, &perr)
	require.Len(t, perr.NotPublished(), 3, "kept for the relay to try later, when the policy is fixed")
	require.Equal(t, 1, stats.Requests())
}

func TestPublishRetriesFailedRequests(t *testing.T) {
	var stats eventbustest.Stats
	var got received
	ep := eventbustest.New(t, got.forward, eventbustest.Record(&stats), eventbustest.FailRequests(func(n int) string {
		switch n {
		case 1:
			return "ThrottlingException"
		case 2:
			return "InternalException"
		}
		return ""
	}))
	clk := clock.NewFake(start)

	require.NoError(t, publish(t, publisher(ep, clk), clk, eventsN(t, 5)))
	require.Equal(t, 3, stats.Requests())
	require.Len(t, got.all(), 5)
}

func TestPublishMapsRequestErrors(t *testing.T) {
	ep := eventbustest.New(t, nil, eventbustest.FailRequests(func(int) string { return "AccessDeniedException" }))
	clk := clock.NewFake(start)

	err := publish(t, publisher(ep, clk), clk, eventsN(t, 2))
	var perr *eventbus.PublishError
	require.ErrorAs(t, err, &perr)
	require.Equal(t, "AccessDeniedException", perr.Code())
	require.EqualError(t, err, "eventbus: 2 of 2 events not published (AccessDeniedException)",
		"no SDK text (request ids, endpoints) in the error")
}

func TestPublishRejectsWhatTheBusCannotTake(t *testing.T) {
	var stats eventbustest.Stats
	var got received
	ep := eventbustest.New(t, got.forward, eventbustest.Record(&stats))
	clk := clock.NewFake(start)

	huge := event(t, 0, strings.Repeat("x", 300<<10))
	misnamed := event(t, 1, "")
	misnamed.Name = "message.failed"
	foreign := event(t, 2, "")
	foreign.TenantID = "globex"
	garbage := event(t, 3, "")
	garbage.Body = []byte(`{"event":"message.sent"}`)
	ok := event(t, 4, "")

	err := publish(t, publisher(ep, clk), clk, []outbox.Event{huge, misnamed, foreign, garbage, ok})
	var perr *eventbus.PublishError
	require.ErrorAs(t, err, &perr)
	require.Empty(t, perr.NotPublished())
	require.Equal(t, map[string]string{
		huge.ID:     "event too large for the event bus",
		misnamed.ID: "not a valid event",
		foreign.ID:  "not a valid event",
		garbage.ID:  "not a valid event",
	}, perr.Rejected())
	require.EqualError(t, err, "eventbus: 0 of 5 events not published, 4 rejected")
	require.Equal(t, 1, stats.Requests())
	require.Len(t, got.all(), 1)
}

func TestPublishStopsWithItsContext(t *testing.T) {
	ep := eventbustest.New(t, nil, eventbustest.FailEntries(func(eventbustest.Entry) string { return "ThrottlingException" }))
	clk := clock.NewFake(start)
	p := publisher(ep, clk)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Publish(ctx, eventsN(t, 2)) }()
	require.Eventually(t, func() bool { return clk.Waiters() > 0 }, 5*time.Second, time.Millisecond, "waiting out a backoff")
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	var perr *eventbus.PublishError
	require.True(t, errors.As(err, &perr))
	require.Len(t, perr.NotPublished(), 2)
}

func TestPublishNothing(t *testing.T) {
	var stats eventbustest.Stats
	ep := eventbustest.New(t, nil, eventbustest.Record(&stats))
	require.NoError(t, publisher(ep, clock.NewFake(start)).Publish(context.Background(), nil))
	require.Zero(t, stats.Requests())
	require.Error(t, eventbus.New(eventbus.Config{}).Publish(context.Background(), eventsN(t, 1)), "no client")
}

func TestPublishRetriesOnlyWhatARetryCanFix(t *testing.T) {
	var stats eventbustest.Stats
	evs := eventsN(t, 3)
	throttled := false
	ep := eventbustest.New(t, nil, eventbustest.Record(&stats), eventbustest.FailEntries(func(e eventbustest.Entry) string {
		switch {
		case strings.Contains(e.Detail, evs[0].ID):
			return "MalformedDetail"
		case strings.Contains(e.Detail, evs[2].ID) && !throttled:
			throttled = true // the fake serves one request at a time here
			return "ThrottlingException"
		}
		return ""
	}))
	clk := clock.NewFake(start)

	err := publish(t, publisher(ep, clk), clk, evs)
	var perr *eventbus.PublishError
	require.ErrorAs(t, err, &perr)
	require.Equal(t, []string{evs[0].ID}, perr.NotPublished())
	require.Equal(t, "MalformedDetail", perr.Code())
	require.Equal(t, []int{3, 1}, requestSizes(stats.Entries()))
	require.Contains(t, stats.Entries()[3].Detail, evs[2].ID, "only the throttled entry is sent again")
}
