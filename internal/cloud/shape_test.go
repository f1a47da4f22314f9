package cloud_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/sqs"
)

func TestMain(m *testing.M) { os.Exit(emulator.Main(m)) }

const (
	adminKey = "operator-key-0123456789"
	secret   = "webhook-secret-0123456789"
)

// shape is the whole AWS shape on emulators: DynamoDB Local, fauxqs for
// every queue, a PutEvents fake that forwards each event to the webhook
// queue as the EventBridge rule would, the API Lambda's handler (fed API
// Gateway v2 events), the session host in AWS mode with the sandbox
// driver, and the webhooks Lambda's handler fed by a poller that plays
// the SQS event source mapping.
type shape struct {
	t       testing.TB
	api     cloud.LambdaFunc
	sandbox *sandbox.Network // shard 0's
	// sandboxes are each shard's host's network, by shard.
	sandboxes []*sandbox.Network
	dlq       *sqs.Queue
	// AWS requests made by each process: the API Lambda, the session
	// host (with its relay), the webhooks Lambda (with the poller that
	// plays its event source mapping).
	apiCalls, hostCalls, hookCalls *cloud.RequestCounter
	ctx                            context.Context
	apiKey                         string
	lambdaMu                       sync.Mutex
	// s3 reads the media bucket (gofakes3), uncounted.
	s3 *s3.Client
	// bus holds every event published to the bus, as the rule got it.
	busMu sync.Mutex
	bus   []eventbustest.Event
}

func newShape(t testing.TB) *shape {
	t.Helper()
	return newShapeN(t, 1)
}

// newShapeN is newShape with n shards: each with its own lane and
// command queues and one session host (with its own sandbox network),
// the API enqueuing on all of them.
func newShapeN(t testing.TB, n int) *shape {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	dynamoEP := emulator.DynamoDB(t)
	sqsEP := emulator.SQS(t)
	s3EP := newS3(t)
	var busEP string
	// clients builds one process's AWS clients, counting its requests.
	clients := func(c *cloud.RequestCounter) cloud.Clients {
		hc := c.Wrap(http.DefaultClient)
		return cloud.Clients{
			DynamoDB:    dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(dynamoEP), Credentials: creds, HTTPClient: hc}),
			SQS:         awssqs.New(awssqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(sqsEP), Credentials: creds, HTTPClient: hc}),
			EventBridge: eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(busEP), Credentials: creds, HTTPClient: hc}),
			S3:          s3Client(s3EP, hc),
		}
	}
	setup := clients(&cloud.RequestCounter{})
	table := "shape-" + uuid.NewString()[:8]
	require.NoError(t, dynamo.CreateTable(ctx, setup.DynamoDB, table))

	prefix := "shape-" + uuid.NewString()[:8]
	shardQueues := make([]config.ShardQueues, n)
	for i := range shardQueues {
		p := fmt.Sprintf("%s-s%d", prefix, i)
		q := func(name string) string {
			return emulator.CreateQueue(t, sqsEP, p+"-"+name, true, p+"-"+name+"-dlq", 10)
		}
		shardQueues[i] = config.ShardQueues{Urgent: q("urgent"), Normal: q("normal"), Bulk: q("bulk"),
			Command: emulator.CreateQueue(t, sqsEP, p+"-command", true, "", 0)}
	}
	lanes, commandURL := shardQueues[0].Lanes(), shardQueues[0].Command
	webhookURL := emulator.CreateQueue(t, sqsEP, prefix+"-webhooks", false, prefix+"-webhooks-dlq", 4)
	sqsClient := emulator.SQSClient(sqsEP)
	rule := sqs.New(sqsClient, webhookURL)
	dlqURL := strings.TrimSuffix(webhookURL, prefix+"-webhooks") + prefix + "-webhooks-dlq"

	// The rule: every event of the bus goes to the webhook queue.
	var s *shape
	busEP = eventbustest.New(t, func(ctx context.Context, ev []byte) error {
		var e eventbustest.Event
		if err := json.Unmarshal(ev, &e); err != nil {
			return err
		}
		s.busMu.Lock()
		s.bus = append(s.bus, e)
		s.busMu.Unlock()
		return rule.Send(ctx, "", "", ev)
	})
	s = &shape{t: t, dlq: sqs.New(sqsClient, dlqURL), ctx: ctx,
		apiCalls: &cloud.RequestCounter{}, hostCalls: &cloud.RequestCounter{}, hookCalls: &cloud.RequestCounter{}}
	apiClients, hostClients, hookClients := clients(s.apiCalls), clients(s.hostCalls), clients(s.hookCalls)
	s.s3 = s3Client(s3EP, nil)

	cfg := config.AWS{Table: table, LaneQueues: lanes, CommandQueue: commandURL, WebhookQueue: webhookURL,
		EventBus: "gateway", AdminKey: adminKey, RateBurst: 1, LogLevel: slog.LevelInfo,
		MediaBucket: mediaBucket, PublicURL: publicURL, MediaRetentionDays: config.DefaultMediaRetentionDays}
	opts := cloud.Options{Clock: clock.Real{}, Log: log, URLs: netguard.Policy{AllowLoopback: true},
		CommandTimeout: 15 * time.Second, WebhookRetryScale: 0.1}

	apiCfg := cfg
	apiCfg.ExtraShards = shardQueues[1:]
	handler, err := cloud.API(ctx, apiCfg, apiClients, opts)
	require.NoError(t, err)
	s.api = cloud.Proxy(handler, log)

	var hostsDone []chan struct{}
	for i, sq := range shardQueues {
		deferred := driver.NewDeferred()
		net := sandbox.New(deferred, clock.Real{}, rand.New(rand.NewPCG(uint64(i)+1, 2)))
		s.sandboxes = append(s.sandboxes, net)
		hostCfg := cfg
		hostCfg.LaneQueues, hostCfg.CommandQueue, hostCfg.Shard = sq.Lanes(), sq.Command, i
		host, err := cloud.NewSessionHost(hostCfg, hostClients, cloud.HostOptions{Options: opts, Driver: net, DelayScale: 0.01,
			Holder: fmt.Sprintf("host-shape-%d", i)})
		require.NoError(t, err)
		deferred.Bind(host.Host)
		done := make(chan struct{})
		hostsDone = append(hostsDone, done)
		go func() { defer close(done); _ = host.Run(ctx) }()
	}
	s.sandbox = s.sandboxes[0]

	hooks, err := cloud.Webhooks(cfg, hookClients, opts)
	require.NoError(t, err)
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		eventSourceMapping(ctx, sqs.New(hookClients.SQS, webhookURL), hooks.Handle)
	}()
	t.Cleanup(func() {
		cancel()
		for _, done := range hostsDone {
			<-done
		}
		<-pollDone
	})
	return s
}

// eventSourceMapping plays Lambda's SQS event source mapping with
// ReportBatchItemFailures: receive a batch, invoke, delete the records
// that did not fail.
func eventSourceMapping(ctx context.Context, q *sqs.Queue, handle func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)) {
	for ctx.Err() == nil {
		got, err := q.Receive(ctx, 10, 60*time.Second, time.Second)
		if err != nil || len(got) == 0 {
			continue
		}
		ev := events.SQSEvent{}
		for i, d := range got {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: strconv.Itoa(i), ReceiptHandle: d.Receipt, Body: string(d.Body),
				Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(d.ReceiveCount)}, EventSource: "aws:sqs"})
		}
		res, err := handle(ctx, ev)
		if err != nil {
			continue // the whole batch comes back after its visibility
		}
		failed := map[string]bool{}
		for _, f := range res.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		for i, d := range got {
			if !failed[strconv.Itoa(i)] {
				_ = q.Delete(ctx, d.Receipt)
			}
		}
	}
}

// call sends one API Gateway v2 event through the API Lambda's handler.
func (s *shape) call(method, path, body string, headers map[string]string) (int, map[string]any, []any) {
	s.t.Helper()
	rawPath, rawQuery, _ := strings.Cut(path, "?")
	h := map[string]string{"content-type": "application/json"}
	if s.apiKey != "" {
		h["apikey"] = s.apiKey
	}
	for k, v := range headers {
		h[k] = v
	}
	req := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", RawPath: rawPath, RawQueryString: rawQuery,
		Headers: h, Body: body, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: rawPath, Protocol: "HTTP/1.1", SourceIP: "203.0.113.9"},
			RequestID: uuid.NewString(), Stage: "$default", TimeEpoch: time.Now().UnixMilli()}}
	res, err := s.api(s.ctx, req)
	require.NoError(s.t, err)
	var obj map[string]any
	var arr []any
	if strings.HasPrefix(strings.TrimSpace(res.Body), "[") {
		require.NoError(s.t, json.Unmarshal([]byte(res.Body), &arr), res.Body)
	} else if res.Body != "" {
		require.NoError(s.t, json.Unmarshal([]byte(res.Body), &obj), res.Body)
	}
	return res.StatusCode, obj, arr
}

// receiver is a loopback webhook receiver that verifies every signature
// exactly as API.md shows, and fails while down is set.
type receiver struct {
	*httptest.Server
	down atomic.Bool
	mu   sync.Mutex
	got  []delivery
	hits map[string]int // attempts per delivery id
}

type delivery struct {
	ID, Event string
	Body      map[string]any
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{hits: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(raw)
		if hex.EncodeToString(mac.Sum(nil)) != req.Header.Get("x-gateway-signature") {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := req.Header.Get("x-gateway-delivery")
		r.mu.Lock()
		r.hits[id]++
		r.mu.Unlock()
		if r.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		r.mu.Lock()
		r.got = append(r.got, delivery{ID: id, Event: req.Header.Get("x-gateway-event"), Body: body})
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

// await waits for a delivered event matching match.
func (r *receiver) await(t testing.TB, limit time.Duration, match func(delivery) bool) delivery {
	t.Helper()
	var found delivery
	require.Eventually(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, d := range r.got {
			if match(d) {
				found = d
				return true
			}
		}
		return false
	}, limit, 20*time.Millisecond)
	return found
}

func (r *receiver) attempts(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[id]
}

// tenant creates tenant acme and an API key through the admin routes.
func (s *shape) tenant() {
	s.t.Helper()
	code, _, _ := s.call(http.MethodPost, "/admin/tenants", `{"tenantId":"acme"}`, map[string]string{"x-admin-key": adminKey})
	require.Equal(s.t, http.StatusCreated, code)
	code, key, _ := s.call(http.MethodPost, "/admin/tenants/acme/keys", "", map[string]string{"x-admin-key": adminKey})
	require.Equal(s.t, http.StatusCreated, code)
	s.apiKey = key["apikey"].(string)
}

// instance creates an instance whose webhooks go to r.
func (s *shape) instance(name string, r *receiver) {
	s.t.Helper()
	code, body, _ := s.call(http.MethodPost, "/instance/create",
		fmt.Sprintf(`{"instanceName":%q,"webhookUrl":%q,"webhookSecret":%q}`, name, r.URL+"/hook", secret), nil)
	require.Equal(s.t, http.StatusCreated, code, body)
}

// link asks the API for a QR (a command to the session host, answered
// within the request) and lets the sandbox phone scan it.
func (s *shape) link(name, phone string) {
	s.t.Helper()
	code, body, _ := s.call(http.MethodGet, "/instance/"+name+"/qr", "", nil)
	require.Equal(s.t, http.StatusOK, code, body)
	require.Contains(s.t, body["qrcode"], "data:image/png;base64,")
	// The phone scans the code of the network that showed it: the host
	// of the instance's shard.
	var errs []error
	for _, net := range s.sandboxes {
		err := net.Scan(name, phone)
		if err == nil {
			return
		}
		errs = append(errs, err)
	}
	require.NoError(s.t, errors.Join(errs...))
}

// published reports whether the bus got an event of type detailType for
// instance.
func (s *shape) published(detailType, instance string) bool {
	s.busMu.Lock()
	defer s.busMu.Unlock()
	for _, e := range s.bus {
		var d struct {
			InstanceName string `json:"instanceName"`
		}
		if e.DetailType == detailType && json.Unmarshal(e.Detail, &d) == nil && d.InstanceName == instance {
			return true
		}
	}
	return false
}
