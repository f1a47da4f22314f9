package main

// The operator key from Secrets Manager, through the API's real wiring
// (cloud.API on DynamoDB Local, the Lambda proxy) and through setup and
// the bootstrap binary as Lambda starts them, against a GetSecretValue
// fake.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/cloud"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/emulator"
	"github.com/wagateway/wagateway/internal/lambdafake"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/secret"
	"github.com/wagateway/wagateway/internal/secret/secrettest"
)

const (
	secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wagateway/operator-key-AbCdEf"
	// 48 alphanumerics, as the stack generates them.
	secretKey  = "Kf3vQ9mX2pL7nW4yB8cH1jD6sG0aE5uR3tY7iO2qZ9wM4xN1"
	rotatedKey = "Tz6bN1vC8xM3qW5eR9tY2uI7oP4aS0dF6gH1jK3lZ8mB5nV2"
	// Nothing listens there: the routes under test never reach SQS or S3.
	deadEndpoint = "http://127.0.0.1:9"
)

// createTenant posts a new tenant with the operator key k and returns
// the status.
func createTenant(t *testing.T, fn cloud.LambdaFunc, k string) int {
	t.Helper()
	res, err := fn(context.Background(), apiEvent(req{method: "POST", target: "/admin/tenants",
		header: map[string]string{"x-admin-key": k}, body: jsonBody(t, map[string]any{"tenantId": "t" + uuid.NewString()[:8]})}))
	require.NoError(t, err)
	r := toReply(t, res)
	require.NotEqual(t, http.StatusInternalServerError, r.status, "%s", r.body)
	return r.status
}

func TestOperatorKeyRotationThroughTheAPI(t *testing.T) {
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(emulator.DynamoDB(t)), Credentials: creds})
	table := "api-secret-" + uuid.NewString()[:8]
	require.NoError(t, dynamo.CreateTable(ctx, ddb, table))
	sm := secrettest.New(t)
	sm.Put(secretARN, secretKey)
	clk := clock.NewFake(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))

	lanes := map[lane.Lane]string{}
	for _, l := range lane.All() {
		lanes[l] = deadEndpoint + "/000000000000/" + string(l) + ".fifo"
	}
	cfg := config.AWS{Table: table, LaneQueues: lanes, CommandQueue: deadEndpoint + "/000000000000/commands.fifo",
		AdminKeySecretARN: secretARN, RateBurst: 1, MediaBucket: "wagateway-media",
		MediaRetentionDays: config.DefaultMediaRetentionDays}
	clients := cloud.Clients{
		DynamoDB:       ddb,
		SQS:            awssqs.New(awssqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(deadEndpoint), Credentials: creds}),
		S3:             s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(deadEndpoint), Credentials: creds, UsePathStyle: true}),
		SecretsManager: sm.Client(),
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := cloud.API(ctx, cfg, clients, cloud.Options{Clock: clk, Log: log})
	require.NoError(t, err)
	fn := cloud.Proxy(h, log)
	require.Equal(t, 1, sm.Requests(), "read at cold start")

	require.Equal(t, http.StatusCreated, createTenant(t, fn, secretKey))
	require.Equal(t, http.StatusUnauthorized, createTenant(t, fn, rotatedKey))
	require.Equal(t, http.StatusUnauthorized, createTenant(t, fn, testAdminKey))

	// put-secret-value: the old key holds until the cache is 5 minutes
	// old, then the new one replaces it.
	sm.Put(secretARN, rotatedKey)
	clk.Advance(secret.RefreshAfter - time.Second)
	require.Equal(t, http.StatusCreated, createTenant(t, fn, secretKey))
	require.Equal(t, http.StatusUnauthorized, createTenant(t, fn, rotatedKey))
	require.Equal(t, 1, sm.Requests())
	clk.Advance(time.Second)
	require.Equal(t, http.StatusCreated, createTenant(t, fn, rotatedKey))
	require.Equal(t, http.StatusUnauthorized, createTenant(t, fn, secretKey))
	require.Equal(t, 2, sm.Requests())

	// Secrets Manager failing keeps the current key working.
	sm.Fail("InternalServiceError")
	clk.Advance(secret.RefreshAfter)
	require.Equal(t, http.StatusCreated, createTenant(t, fn, rotatedKey))
	require.Equal(t, 3, sm.Requests())
}

// awsEnv sets the SDK's own variables for setup, pointed at sm; the
// GATEWAY_* variables come through getenv.
func awsEnv(t *testing.T, sm *secrettest.Fake) {
	t.Setenv("AWS_REGION", secrettest.Region)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.URL)
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
}

func apiVars() map[string]string {
	q := deadEndpoint + "/000000000000/"
	return map[string]string{
		"GATEWAY_TABLE": "wagateway", "GATEWAY_MEDIA_BUCKET": "wagateway-media",
		"GATEWAY_QUEUE_URGENT": q + "urgent.fifo", "GATEWAY_QUEUE_NORMAL": q + "normal.fifo",
		"GATEWAY_QUEUE_BULK": q + "bulk.fifo", "GATEWAY_COMMAND_QUEUE": q + "commands.fifo",
		"GATEWAY_ADMIN_KEY_SECRET_ARN": secretARN,
	}
}

// setup reads the secret named by GATEWAY_ADMIN_KEY_SECRET_ARN with the
// client NewClients built (its endpoint from the SDK's variables).
func TestSetupReadsTheSecret(t *testing.T) {
	cases := []struct {
		name, fail string
		put        bool
		want       []string // in the error; none: setup works
	}{
		{name: "readable", put: true},
		{name: "access denied", put: true, fail: "AccessDeniedException",
			want: []string{secretARN, "the function's role needs secretsmanager:GetSecretValue"}},
		{name: "not found", want: []string{secretARN, "no such secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sm := secrettest.New(t)
			awsEnv(t, sm)
			if tc.put {
				sm.Put(secretARN, secretKey)
			}
			sm.Fail(tc.fail)
			vars := apiVars()
			fn, err := setup(context.Background(), func(k string) string { return vars[k] })
			require.Equal(t, 1, sm.Requests())
			if tc.want == nil {
				require.NoError(t, err)
				require.NotNil(t, fn)
				return
			}
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			require.NotContains(t, err.Error(), secretKey)
		})
	}
}

func TestSetupRefusesBothKeySources(t *testing.T) {
	vars := apiVars()
	vars["GATEWAY_ADMIN_KEY"] = testAdminKey
	_, err := setup(context.Background(), func(k string) string { return vars[k] })
	require.ErrorContains(t, err, "remove GATEWAY_ADMIN_KEY")
	require.NotContains(t, err.Error(), testAdminKey)
}

// The real binary: a secret the role cannot read ends the cold start,
// and the log says which secret and what the role needs.
func TestBootstrapSecretUnreadable(t *testing.T) {
	bin := buildBootstrap(t)
	sm := secrettest.New(t)
	sm.Put(secretARN, secretKey)
	sm.Fail("AccessDeniedException")
	rt, err := lambdafake.New(lambdafake.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	env := []string{"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + sm.URL}
	for k, v := range apiVars() {
		env = append(env, k+"="+v)
	}
	fn, err := rt.Start(bin, env, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = fn.ColdStart(ctx)
	require.ErrorContains(t, err, "function exited")
	out := fn.Output()
	require.Contains(t, out, secretARN)
	require.Contains(t, out, "needs secretsmanager:GetSecretValue")
	require.False(t, strings.Contains(out, secretKey))
	require.Equal(t, 1, sm.Requests())
	require.Error(t, fn.Stop())
}
