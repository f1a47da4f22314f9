package main

// The real function: `bootstrap` built as for Lambda (CGO off,
// lambda.norpc; for this machine's architecture so it can run here),
// started against the fake Runtime API (internal/lambdafake) with only the
// environment Lambda would give it, on DynamoDB Local and the SQS
// emulator. It proves main's wiring: configuration, the SDK endpoints
// from AWS_ENDPOINT_URL_*, the DynamoDB store, the lane queues and the
// command path to a session host.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/lambdafake"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/sqs"

	"github.com/wagateway/wagateway/internal/testbin"
)

func TestMain(m *testing.M) {
	code := emulator.Main(m)
	if bootstrapDir != "" {
		_ = os.RemoveAll(bootstrapDir)
	}
	os.Exit(code)
}

var (
	bootstrapOnce sync.Once
	bootstrapDir  string
	bootstrapErr  error
)

// buildBootstrap compiles this function once per test binary as Lambda
// runs it (CGO off, lambda.norpc), for this machine's architecture. The
// release flags (-trimpath, -s -w) change nothing the tests look at and
// would cost a second compile of every dependency; the bench uses them.
func buildBootstrap(tb testing.TB) string {
	tb.Helper()
	bootstrapOnce.Do(func() {
		bootstrapDir, bootstrapErr = os.MkdirTemp("", "api-bootstrap-")
		if bootstrapErr != nil {
			return
		}
		testbin.Build(tb, ".", bootstrapDir, "bootstrap", "lambda.norpc")
	})
	if bootstrapErr != nil {
		tb.Fatal(bootstrapErr)
	}
	return filepath.Join(bootstrapDir, "bootstrap")
}

// awsShard is one table and one shard's queues on the emulators.
type awsShard struct {
	env      []string // the function's GATEWAY_* and AWS_* variables
	store    *dynamo.Store
	lanes    map[lane.Lane]*sqs.Queue
	commands *sqs.Queue
}

func newAWSShard(t *testing.T) awsShard {
	t.Helper()
	ddbEP, sqsEP := emulator.DynamoDB(t), emulator.SQS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	suffix := strings.ReplaceAll(uuid.NewString()[:13], "-", "")
	table := "api-lambda-" + suffix
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(ddbEP),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	require.NoError(t, dynamo.CreateTable(ctx, ddb, table))
	sqsClient := emulator.SQSClient(sqsEP)
	s := awsShard{store: dynamo.New(ddb, table), lanes: map[lane.Lane]*sqs.Queue{}}
	s.env = []string{
		"GATEWAY_TABLE=" + table,
		"GATEWAY_ADMIN_KEY=" + testAdminKey,
		"GATEWAY_LOG_LEVEL=debug",
		// No media route is called: the bucket is only configured.
		"GATEWAY_MEDIA_BUCKET=wagateway-media",
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL_DYNAMODB=" + ddbEP,
		"AWS_ENDPOINT_URL_SQS=" + sqsEP,
	}
	for _, l := range lane.All() {
		url := emulator.CreateQueue(t, sqsEP, "api-"+string(l)+"-"+suffix, true, "", 0)
		s.lanes[l] = sqs.New(sqsClient, url)
		s.env = append(s.env, "GATEWAY_QUEUE_"+strings.ToUpper(string(l))+"="+url)
	}
	cmdURL := emulator.CreateQueue(t, sqsEP, "api-commands-"+suffix, true, "", 0)
	s.commands = sqs.New(sqsClient, cmdURL)
	s.env = append(s.env, "GATEWAY_COMMAND_QUEUE="+cmdURL)
	return s
}

// hostDouble stands in for the Fargate session host behind the command
// worker: it answers a QR code and a device, and nothing else.
type hostDouble struct {
	httpapi.GroupSessions // the group and contact operations: not in these tests (internal/cloud has them)
}

func (hostDouble) LinkQR(context.Context, string) (string, error) { return "2@lambda-test-qr", nil }
func (hostDouble) PairingCode(context.Context, string, string) (string, error) {
	return "", fault.New(fault.ErrConflict, "not in this test")
}
func (hostDouble) Device(context.Context, string) (driver.Device, error) {
	return driver.Device{Name: "iPhone 12", Platform: "WHATSAPP"}, nil
}
func (hostDouble) Logout(context.Context, string) error    { return nil }
func (hostDouble) Restart(context.Context, string) error   { return nil }
func (hostDouble) Forget(context.Context, string)          {}
func (hostDouble) SettingsChanged(context.Context, string) {}
func (hostDouble) MarkRead(context.Context, string, []string) error {
	return fault.New(fault.ErrConflict, "not in this test")
}

// invokeAPI sends r's API Gateway event to the function and decodes the
// proxy response.
func invokeAPI(t *testing.T, fn *lambdafake.Function, r req) reply {
	t.Helper()
	payload, err := json.Marshal(apiEvent(r))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 29*time.Second) // API Gateway's integration timeout
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	require.NoError(t, err)
	require.Nil(t, res.Err, "the function failed the invocation; output:\n%s", fn.Output())
	var out events.APIGatewayV2HTTPResponse
	require.NoError(t, json.Unmarshal(res.Payload, &out), "%s", res.Payload)
	return toReply(t, out)
}

func TestBootstrapOnEmulators(t *testing.T) {
	bin := buildBootstrap(t)
	shard := newAWSShard(t)
	rt, err := lambdafake.New(lambdafake.Options{FunctionName: "wagateway-api"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	fn, err := rt.Start(bin, shard.env, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, fn.Stop()) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cold, err := fn.ColdStart(ctx)
	require.NoError(t, err, "output:\n%s", fn.Output())
	t.Logf("cold start (process start to first /next): %s", cold)

	// The session host's side of the command queue.
	worker, err := command.NewWorker(command.WorkerConfig{Queue: shard.commands, Results: shard.store, Sessions: hostDouble{},
		Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); _ = worker.Run(wctx) }()
	t.Cleanup(func() { stopWorker(); <-workerDone })

	r := invokeAPI(t, fn, req{method: "GET", target: "/health"})
	require.Equal(t, 200, r.status, "%s", r.body)
	require.Equal(t, "ok", r.json(t)["status"])
	require.Regexp(t, `^[0-9a-f-]{36}$`, r.header.Get("x-request-id"))

	r = invokeAPI(t, fn, req{method: "POST", target: "/admin/tenants", header: admin(),
		body: []byte(`{"tenantId":"acme"}`), base64: true})
	require.Equal(t, 201, r.status, "%s", r.body)
	require.Equal(t, "acme", r.json(t)["tenantId"])
	r = invokeAPI(t, fn, req{method: "POST", target: "/admin/tenants", header: map[string]string{"x-admin-key": "not-the-operator-key"},
		body: []byte(`{"tenantId":"other"}`)})
	require.Equal(t, 401, r.status)
	r = invokeAPI(t, fn, req{method: "POST", target: "/admin/tenants/acme/keys", header: admin()})
	require.Equal(t, 201, r.status, "%s", r.body)
	k := r.json(t)["apikey"].(string)

	// State in DynamoDB; AWS rules for URLs (no loopback).
	const name = "acme__soporte__main"
	r = invokeAPI(t, fn, req{method: "POST", target: "/instance/create", header: key(k),
		body: []byte(`{"instanceName":"` + name + `","webhookUrl":"http://127.0.0.1:9/h","webhookSecret":"0123456789abcdef"}`)})
	require.Equal(t, 400, r.status, "%s", r.body)
	r = invokeAPI(t, fn, req{method: "POST", target: "/instance/create", header: key(k),
		body: []byte(`{"instanceName":"` + name + `","webhookUrl":"https://hooks.example.com/wa","webhookSecret":"0123456789abcdef"}`)})
	require.Equal(t, 201, r.status, "%s", r.body)
	got, err := shard.store.GetInstance(ctx, name)
	require.NoError(t, err)
	require.Equal(t, "https://hooks.example.com/wa", got.WebhookURL)

	// A send lands on its lane's FIFO queue.
	r = invokeAPI(t, fn, req{method: "POST", target: "/message/text", header: key(k),
		body: []byte(`{"instanceName":"` + name + `","to":"5491112345678","text":"hi","lane":"urgent"}`)})
	require.Equal(t, 202, r.status, "%s", r.body)
	id := r.json(t)["id"].(string)
	ds, err := shard.lanes[lane.Urgent].Receive(ctx, 10, 30*time.Second, 5*time.Second)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Contains(t, string(ds[0].Body), id)
	r = invokeAPI(t, fn, req{method: "GET", target: "/message/" + id, header: key(k)})
	require.Equal(t, 200, r.status)
	require.Equal(t, "pending", r.json(t)["status"])

	// Session routes go through the command queue to the host and back.
	r = invokeAPI(t, fn, req{method: "GET", target: "/instance/" + name + "/qr", header: key(k)})
	require.Equal(t, 200, r.status, "%s", r.body)
	require.True(t, strings.HasPrefix(r.json(t)["qrcode"].(string), "data:image/png;base64,"))
	r = invokeAPI(t, fn, req{method: "GET", target: "/instance/" + name + "/device", header: key(k)})
	require.Equal(t, 200, r.status, "%s", r.body)
	require.Equal(t, "iPhone 12", r.json(t)["device"])

	// No sandbox on AWS.
	r = invokeAPI(t, fn, req{method: "GET", target: "/sandbox/" + name + "/sent", header: key(k)})
	require.Equal(t, 404, r.status)
	require.Contains(t, fn.Output(), `"level":"DEBUG"`, "logs are JSON")
	require.NotContains(t, fn.Output(), testAdminKey)
	require.NotContains(t, fn.Output(), k)
}

// A configuration error ends the process before its first poll, naming
// every problem; Lambda shows it as Runtime.ExitError with this log.
func TestBootstrapConfigError(t *testing.T) {
	bin := buildBootstrap(t)
	rt, err := lambdafake.New(lambdafake.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	fn, err := rt.Start(bin, []string{"GATEWAY_TABLE=wagateway", "GATEWAY_ADMIN_KEY=short"}, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = fn.ColdStart(ctx)
	require.ErrorContains(t, err, "function exited")
	for _, v := range []string{"GATEWAY_QUEUE_URGENT", "GATEWAY_COMMAND_QUEUE", "GATEWAY_ADMIN_KEY"} {
		require.Contains(t, fn.Output(), v)
	}
	require.NotContains(t, fn.Output(), "short")
	require.Error(t, fn.Stop())
}

func TestSetupConfigError(t *testing.T) {
	_, err := setup(context.Background(), func(string) string { return "" })
	require.ErrorContains(t, err, "GATEWAY_TABLE: required")
}
