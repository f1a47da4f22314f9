// Package cloud wires the AWS adapters into the gateway's three AWS
// processes: the API Lambda's http.Handler, the webhooks Lambda's SQS
// batch handler and the Fargate session host. The composition roots
// (functions/api, functions/webhooks, sessionhost) read the configuration
// and build the AWS clients; the end-to-end test of the AWS shape builds
// the same processes on emulators through the same functions, so what it
// proves is what runs.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/secret"
	"github.com/wagateway/wagateway/internal/sqs"
	"github.com/wagateway/wagateway/internal/tenant"
	"github.com/wagateway/wagateway/internal/webhook"
	"github.com/wagateway/wagateway/internal/webhookqueue"
)

// Clients are the AWS service clients, built once per process.
type Clients struct {
	DynamoDB    *dynamodb.Client
	SQS         *awssqs.Client
	EventBridge *eventbridge.Client
	// S3 reaches the media bucket. Emulators (tests) need path-style
	// addressing (s3.Options.UsePathStyle); AWS takes either.
	S3 *s3.Client
	// SecretsManager holds the operator key (the API only, when
	// configured with GATEWAY_ADMIN_KEY_SECRET_ARN).
	SecretsManager *secretsmanager.Client
}

// NewClients builds every client from one aws.Config.
func NewClients(awsCfg aws.Config) Clients {
	return Clients{
		DynamoDB:    dynamodb.NewFromConfig(awsCfg),
		SQS:         awssqs.NewFromConfig(awsCfg),
		EventBridge: eventbridge.NewFromConfig(awsCfg),
		S3:          s3.NewFromConfig(awsCfg),
		// Building a client makes no call: processes that never read a
		// secret pay nothing for it.
		SecretsManager: secretsmanager.NewFromConfig(awsCfg),
	}
}

// Options are what differs between production and tests.
type Options struct {
	Clock clock.Clock
	Log   *slog.Logger
	// URLs is the policy for tenant-chosen URLs (webhooks, media): the
	// zero value on AWS (public https only); tests allow loopback.
	URLs netguard.Policy
	// CommandTimeout bounds how long the API waits for the session host;
	// 0 means command.DefaultTimeout.
	CommandTimeout time.Duration
	// WebhookRetryScale multiplies the webhook retry delays; 0 means 1
	// (tests only).
	WebhookRetryScale float64
}

func (o Options) check() error {
	if o.Clock == nil || o.Log == nil {
		return errors.New("cloud: clock and logger are required")
	}
	return nil
}

// APIAdapters are what the API runs on: on AWS, DynamoDB, the shard's
// SQS lane queues, the command client and the media bucket (API builds
// them); tests may pass local ones to exercise the Lambda layer alone.
type APIAdapters struct {
	Store  gateway.Store
	Queues map[lane.Lane]gateway.Enqueuer
	// ExtraShards are the lane queues of shards 1, 2, ... (gateway.Config).
	ExtraShards []map[lane.Lane]gateway.Enqueuer
	Sessions    httpapi.Sessions
	// Media serves GET /instance/{name}/media/{messageId}; nil answers
	// 404 for all media. On AWS it is the media bucket, which links
	// (302) instead of streaming.
	Media httpapi.Media
	// OperatorKey serves the operator key's hash: on AWS the Secrets
	// Manager secret (API builds it); nil means the literal
	// config.AWS.AdminKey.
	OperatorKey httpapi.OperatorKey
}

// API builds the public HTTP API on DynamoDB, the shard's lane queues,
// the command queue, the media bucket and, when the configuration names
// one, the operator key's Secrets Manager secret, which it reads here:
// at cold start, so a secret the role cannot read fails the start, not
// the first operator request.
func API(ctx context.Context, cfg config.AWS, c Clients, o Options) (http.Handler, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	operatorKey, err := operatorKey(ctx, cfg, c, o)
	if err != nil {
		return nil, err
	}
	store := dynamo.New(c.DynamoDB, cfg.Table)
	queues := map[lane.Lane]gateway.Enqueuer{}
	for l, url := range cfg.LaneQueues {
		queues[l] = sqs.New(c.SQS, url)
	}
	var extra []map[lane.Lane]gateway.Enqueuer
	var extraCommands []command.Sender
	for _, sq := range cfg.ExtraShards {
		qs := map[lane.Lane]gateway.Enqueuer{}
		for l, url := range sq.Lanes() {
			qs[l] = sqs.New(c.SQS, url)
		}
		extra, extraCommands = append(extra, qs), append(extraCommands, sqs.New(c.SQS, sq.Command))
	}
	sessions, err := command.NewClient(command.ClientConfig{
		Queue: sqs.New(c.SQS, cfg.CommandQueue), ExtraShards: extraCommands, ShardOf: shardOf(store),
		Results: store, Clock: o.Clock, Log: o.Log, Timeout: o.CommandTimeout,
		// DELETE /instance logs the device out before the keys go, as
		// locally; the deletion goes ahead if the host does not answer.
		ForgetWait: 10 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("command client: %w", err)
	}
	media, err := mediaStore(cfg, c, o)
	if err != nil {
		return nil, err
	}
	return AssembleAPI(cfg, APIAdapters{Store: store, Queues: queues, ExtraShards: extra, Sessions: sessions, Media: media,
		OperatorKey: operatorKey}, o)
}

// shardOf reads an instance's shard, for the commands (rare enough to
// read it each time).
func shardOf(store *dynamo.Store) func(ctx context.Context, name string) (int, error) {
	return func(ctx context.Context, name string) (int, error) {
		in, err := store.GetInstance(ctx, name)
		return in.Shard, err
	}
}

// operatorKey is the secret's key when the configuration names one, else
// nil (AssembleAPI then serves the literal key).
func operatorKey(ctx context.Context, cfg config.AWS, c Clients, o Options) (httpapi.OperatorKey, error) {
	if cfg.AdminKeySecretARN == "" {
		return nil, nil
	}
	if c.SecretsManager == nil {
		return nil, errors.New("operator key: no Secrets Manager client")
	}
	key, err := secret.Load(ctx, secret.Config{Client: c.SecretsManager, ARN: cfg.AdminKeySecretARN, Clock: o.Clock, Log: o.Log})
	if err != nil {
		return nil, fmt.Errorf("operator key: %w", err)
	}
	return key.Hash, nil
}

// AssembleAPI builds the public API on a, configured as on AWS:
// tenant-chosen URLs follow o.URLs (public https only in production), the
// operator key is a.OperatorKey or else cfg.AdminKey, kept only as its
// hash, and the per-tenant rate limit holds per execution environment
// (each concurrent Lambda instance keeps its own buckets). There are no
// sandbox routes on AWS.
func AssembleAPI(cfg config.AWS, a APIAdapters, o Options) (http.Handler, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	svc, err := gateway.New(gateway.Config{Store: a.Store, Queues: a.Queues, ExtraShards: a.ExtraShards,
		Clock: o.Clock, Log: o.Log, URLs: o.URLs})
	if err != nil {
		return nil, fmt.Errorf("gateway service: %w", err)
	}
	key := a.OperatorKey
	if key == nil {
		key = httpapi.FixedOperatorKey(tenant.Hash(cfg.AdminKey))
	}
	return httpapi.New(httpapi.Config{
		Service: svc, OperatorKey: key, Clock: o.Clock, Log: o.Log,
		RatePerSecond: cfg.RatePerSecond, RateBurst: cfg.RateBurst, Sessions: a.Sessions, Media: a.Media,
	}), nil
}

// Webhooks builds the webhooks Lambda's handler: receivers are checked by
// o.URLs after DNS resolution, retries ride on the webhook queue's
// visibility.
func Webhooks(cfg config.AWS, c Clients, o Options) (*webhookqueue.Handler, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	return webhookqueue.New(webhookqueue.Config{
		Store:      dynamo.New(c.DynamoDB, cfg.Table),
		Client:     webhook.New(webhook.Options{Policy: o.URLs}),
		Queue:      sqs.New(c.SQS, cfg.WebhookQueue),
		Clock:      o.Clock,
		Log:        o.Log,
		RetryScale: o.WebhookRetryScale,
	}), nil
}
