// Command api is the API Lambda of the AWS shape: API Gateway (HTTP API,
// payload format 2.0) events, through aws-lambda-go-api-proxy, to the
// same http.Handler the local gateway serves, on DynamoDB (state), the
// shard's SQS FIFO lane queues and its command queue (session operations,
// run by the Fargate session host). Built as `bootstrap` for the
// provided.al2023 runtime (make build).
//
// Configuration: the GATEWAY_* variables of config.AWSFromEnv (ForAPI);
// region, credentials and endpoints come from the AWS SDK's own variables
// (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS, ...).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/dynamo"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/sqs"
)

func main() {
	fn, err := setup(context.Background(), os.Getenv)
	if err != nil {
		// Lambda reports the exit as Runtime.ExitError; the log says why.
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
	lambda.Start(fn)
}

// setup reads the configuration once and wires the function: everything
// the cold start does before the first event.
func setup(ctx context.Context, getenv func(string) string) (lambdaFunc, error) {
	cfg, err := config.AWSFromEnv(getenv, config.ForAPI)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	h, err := newHandler(cfg, awsCfg, log)
	if err != nil {
		return nil, err
	}
	return proxy(h, log), nil
}

// newHandler builds the API on the AWS adapters.
func newHandler(cfg config.AWS, awsCfg aws.Config, log *slog.Logger) (http.Handler, error) {
	clk := clock.Real{}
	store := dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.Table)
	sqsClient := awssqs.NewFromConfig(awsCfg)
	queues := map[lane.Lane]gateway.Enqueuer{}
	for l, url := range cfg.LaneQueues {
		queues[l] = sqs.New(sqsClient, url)
	}
	sessions, err := command.NewClient(command.ClientConfig{
		Queue: sqs.New(sqsClient, cfg.CommandQueue), Results: store, Clock: clk, Log: log,
	})
	if err != nil {
		return nil, fmt.Errorf("command client: %w", err)
	}
	return assemble(cfg, adapters{store: store, queues: queues, sessions: sessions}, clk, log)
}
