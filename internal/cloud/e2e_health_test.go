package cloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/cloud"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/eventbus/eventbustest"
	"github.com/wagateway/wagateway/internal/health"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/sqs"
)

// TestSessionHostHealth runs the session host as on AWS, on the
// emulators and a fake clock: its loopback GET /health answers 200 once
// every poller has polled, and 503 naming the urgent lane once that
// queue stops answering for more than two minutes while the others keep
// polling; meanwhile it writes the outbox lag as an EMF line with the
// table dimension.
func TestSessionHostHealth(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	dynamoEP, sqsEP, s3EP := emulator.DynamoDB(t), emulator.SQS(t), newS3(t)
	busEP := eventbustest.New(t, func(context.Context, []byte) error { return nil })
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(dynamoEP), Credentials: creds})
	table := "health-" + uuid.NewString()[:8]
	require.NoError(t, dynamo.CreateTable(ctx, ddb, table))
	prefix := "health-" + uuid.NewString()[:8]
	lanes := map[lane.Lane]string{}
	for _, l := range lane.All() {
		lanes[l] = emulator.CreateQueue(t, sqsEP, prefix+"-"+string(l), true, "", 0)
	}
	commandURL := emulator.CreateQueue(t, sqsEP, prefix+"-command", true, "", 0)
	// poke ends the long polls (up to 20 s) of the receivers of these
	// queues at once, with a message that is no command nor lane message:
	// the worker and the host drop it.
	poke := func(urls ...string) {
		for _, u := range urls {
			require.NoError(t, sqs.New(emulator.SQSClient(sqsEP), u).Send(ctx, "probe", uuid.NewString(), []byte("{}")))
		}
	}

	// The receives of the urgent and the command queue go through
	// switches that, once thrown, never answer again (a partition, not a
	// quick error).
	cmds := &partition{next: http.DefaultClient, target: "AmazonSQS.ReceiveMessage", queue: commandURL}
	urgent := &partition{next: cmds, target: "AmazonSQS.ReceiveMessage", queue: lanes[lane.Urgent]}
	clients := cloud.Clients{
		DynamoDB:    ddb,
		SQS:         awssqs.New(awssqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(sqsEP), Credentials: creds, HTTPClient: urgent}),
		EventBridge: eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(busEP), Credentials: creds}),
		S3:          s3Client(s3EP, nil),
	}
	cfg := config.AWS{Table: table, LaneQueues: lanes, CommandQueue: commandURL, EventBus: "gateway",
		MediaBucket: mediaBucket, PublicURL: publicURL, MediaRetentionDays: config.DefaultMediaRetentionDays}
	start := time.Now().UTC().Truncate(time.Millisecond)
	clk := clock.NewFake(start)
	log := slog.New(slog.DiscardHandler)
	var metrics lines
	deferred := driver.NewDeferred()
	sh, err := cloud.NewSessionHost(cfg, clients, cloud.HostOptions{
		Options: cloud.Options{Clock: clk, Log: log, URLs: netguard.Policy{AllowLoopback: true}},
		Driver:  sandbox.New(deferred, clk, rand.New(rand.NewPCG(1, 2))), HealthAddr: "127.0.0.1:0", Metrics: &metrics,
		Holder: "host-health",
	})
	require.NoError(t, err)
	deferred.Bind(sh.Host)
	var pollers []string
	for _, st := range sh.Health().Stale {
		require.True(t, st.LastSuccess.IsZero())
		pollers = append(pollers, st.Poller)
	}
	require.Equal(t, []string{"lane urgent", "lane normal", "lane bulk", "outbox relay", "command queue"}, pollers,
		"before Run: every poller, none polled yet")
	done := make(chan error, 1)
	go func() { done <- sh.Run(ctx) }()
	url := "http://" + sh.HealthAddr() + "/health"

	poke(lanes[lane.Urgent], lanes[lane.Normal], lanes[lane.Bulk], commandURL)
	require.Eventually(t, func() bool {
		code, body := get(t, url)
		return code == http.StatusOK && body == `{"status":"ok"}`+"\n"
	}, 30*time.Second, 20*time.Millisecond, "200 once every poller has polled")

	// The urgent queue stops answering. Once each of its receivers is
	// stuck in it, none can record a success any more: then two minutes
	// and a second pass, during which every other poller polls again.
	urgent.cut()
	poke(lanes[lane.Urgent])
	require.Eventually(t, urgent.allStuck, 30*time.Second, 10*time.Millisecond)
	clk.Advance(health.DefaultMaxAge + time.Second)
	poke(lanes[lane.Normal], lanes[lane.Bulk], commandURL)
	var stale struct {
		Status string `json:"status"`
		Stale  []struct {
			Poller      string  `json:"poller"`
			LastSuccess *string `json:"lastSuccess"`
		} `json:"stale"`
	}
	staleNow := func(names ...string) func() bool {
		return func() bool {
			code, body := get(t, url)
			stale.Stale = nil
			if code != http.StatusServiceUnavailable || json.Unmarshal([]byte(body), &stale) != nil || len(stale.Stale) != len(names) {
				return false
			}
			for i, n := range names {
				if stale.Stale[i].Poller != n {
					return false
				}
			}
			return true
		}
	}
	require.Eventually(t, staleNow("lane urgent"), 30*time.Second, 20*time.Millisecond,
		"503 naming only the urgent lane once the others polled again")
	require.Equal(t, "unhealthy", stale.Status)
	require.Equal(t, clock.Format(start), *stale.Stale[0].LastSuccess, "its last success was before the clock moved")
	require.Equal(t, []health.Stale{{Poller: "lane urgent", LastSuccess: start}}, sh.Health().Stale)

	// The same for the command queue, which the command worker polls.
	cmds.cut()
	poke(commandURL)
	require.Eventually(t, cmds.allStuck, 30*time.Second, 10*time.Millisecond)
	clk.Advance(health.DefaultMaxAge + time.Second)
	poke(lanes[lane.Normal], lanes[lane.Bulk])
	require.Eventually(t, staleNow("lane urgent", "command queue"), 30*time.Second, 20*time.Millisecond)

	// The minutes passed: the relay saw an empty outbox, a lag of 0.
	require.Eventually(t, func() bool { return metrics.count() > 0 }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"WaGateway","Dimensions":[["Table"]],`+
		`"Metrics":[{"Name":"OutboxLagSeconds","Unit":"Seconds"}]}]},"Table":%q,"OutboxLagSeconds":0}`+"\n",
		start.Add(health.DefaultMaxAge+time.Second).UnixMilli(), table), metrics.first())

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the session host did not stop")
	}
	_, err = http.Get(url)
	require.Error(t, err, "the health listener stops with Run")
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body)
}

// partition passes requests to next until cut; from then on the
// requests of one operation on one queue never get an answer (until
// their context ends), including those already under way.
type partition struct {
	next          cloud.Doer
	target, queue string

	mu       sync.Mutex
	down     bool
	passing  int // requests passed on, not answered yet
	blocked  int // requests held unanswered
	mostSeen int // the most requests under way at once
}

func (p *partition) cut() {
	p.mu.Lock()
	p.down = true
	p.mu.Unlock()
}

// allStuck reports whether every receiver is held: none is under way
// nor between an answer and its next request (where it could still
// record a success). Receivers each have at most one request under way
// and keep one under way all the time (long polls), so their number is
// the most requests ever seen under way at once.
func (p *partition) allStuck() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.passing == 0 && p.blocked > 0 && p.blocked >= p.mostSeen
}

func (p *partition) count(passing, blocked int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.passing += passing
	p.blocked += blocked
	p.mostSeen = max(p.mostSeen, p.passing+p.blocked)
}

func (p *partition) Do(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") != p.target || !p.concerns(r) {
		return p.next.Do(r)
	}
	if p.isDown() {
		return nil, p.hold(r, 0)
	}
	p.count(1, 0)
	res, err := p.next.Do(r)
	if err == nil && p.isDown() {
		_ = res.Body.Close()
		return nil, p.hold(r, -1)
	}
	p.count(-1, 0)
	return res, err
}

func (p *partition) isDown() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

// hold holds r until its context ends; passing is -1 if it was passed
// on, to move it from passing to blocked in one step.
func (p *partition) hold(r *http.Request, passing int) error {
	p.count(passing, 1)
	<-r.Context().Done()
	p.count(0, -1)
	return errors.New("no answer")
}

// concerns reports whether r's body names the queue; it leaves the body
// as it was.
func (p *partition) concerns(r *http.Request) bool {
	if r.Body == nil {
		return false
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return err == nil && strings.Contains(string(body), p.queue)
}

// lines collects what is written, one Write call per line.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, string(b))
	return len(b), nil
}

func (l *lines) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.got)
}

func (l *lines) first() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.got[0]
}
