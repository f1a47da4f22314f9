// Command api is the API Lambda of the AWS shape: API Gateway (HTTP API,
// payload format 2.0) events, through aws-lambda-go-api-proxy, to the
// same http.Handler the local gateway serves, on DynamoDB (state), the
// shard's SQS FIFO lane queues, its command queue (session operations,
// run by the Fargate session host) and the S3 media bucket (inbound
// media, which GET /instance/{name}/media/{messageId} answers with a 302
// to a presigned link, never through the function). Built as `bootstrap`
// for the provided.al2023 runtime (make build). The wiring is internal/cloud's,
// shared with the end-to-end test of the AWS shape.
//
// Configuration: the GATEWAY_* variables of config.AWSFromEnv (ForAPI);
// region, credentials and endpoints come from the AWS SDK's own variables
// (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS,
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SECRETS_MANAGER, ...). The
// operator key is not in the environment: GATEWAY_ADMIN_KEY_SECRET_ARN
// names the Secrets Manager secret that holds it, read at cold start
// (a role that cannot read it fails the start) and again every 5
// minutes, so a new value put into the secret is accepted within 5
// minutes without a redeploy. GATEWAY_ADMIN_KEY, the literal key, is
// for emulators and for running the function outside the stack.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wagateway/wagateway/internal/cloud"
	"github.com/wagateway/wagateway/internal/config"
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
func setup(ctx context.Context, getenv func(string) string) (cloud.LambdaFunc, error) {
	p, err := cloud.Load(ctx, getenv, config.ForAPI, os.Stderr)
	if err != nil {
		return nil, err
	}
	h, err := cloud.API(ctx, p.Config, p.Clients, p.Options)
	if err != nil {
		return nil, err
	}
	return cloud.Proxy(h, p.Options.Log), nil
}
