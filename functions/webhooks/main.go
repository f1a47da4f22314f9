// Command webhooks is the webhooks Lambda of the AWS shape: SQS batches of
// gateway events (fed by the EventBridge rule) become signed webhook
// POSTs, with retries through the queue's visibility and a DLQ for what
// is left (internal/webhookqueue). Built as `bootstrap` for the
// provided.al2023 runtime (make build).
//
// Configuration: the GATEWAY_* variables of config.AWSFromEnv
// (ForWebhooks); region, credentials and endpoints come from the AWS
// SDK's own variables (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_SQS, ...).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wagateway/wagateway/internal/cloud"
	"github.com/wagateway/wagateway/internal/config"
)

func main() {
	fn, err := setup(context.Background(), os.Getenv)
	if err != nil {
		// Lambda reports the exit as Runtime.ExitError; the log says why.
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
	lambda.Start(fn)
}

// lambdaFunc is what lambda.Start runs: one SQS batch in, the records to
// keep (batch item failures) out.
type lambdaFunc func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// setup reads the configuration once and wires the function.
func setup(ctx context.Context, getenv func(string) string) (lambdaFunc, error) {
	p, err := cloud.Load(ctx, getenv, config.ForWebhooks, os.Stderr)
	if err != nil {
		return nil, err
	}
	h, err := cloud.Webhooks(p.Config, p.Clients, p.Options)
	if err != nil {
		return nil, err
	}
	return h.Handle, nil
}
