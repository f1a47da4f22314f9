// Command echo is a Lambda function for the lambdafake tests. It answers
// a payload with what it received and what the Runtime API told it;
// {"fail": "text"} returns an error, {"panic": true} panics (the process
// then exits, as aws-lambda-go does). With ECHO_INIT_FAIL set it reports
// an init error instead of polling, as a function whose setup failed.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type in struct {
	Say   string `json:"say"`
	Fail  string `json:"fail"`
	Panic bool   `json:"panic"`
}

type out struct {
	Said       string `json:"said"`
	RequestID  string `json:"requestId"`
	Arn        string `json:"arn"`
	DeadlineMs int64  `json:"deadlineMs"`
	Function   string `json:"function"`
}

func handle(ctx context.Context, e in) (out, error) {
	if e.Panic {
		panic("asked to panic")
	}
	if e.Fail != "" {
		return out{}, errors.New(e.Fail)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	dl, _ := ctx.Deadline()
	return out{Said: e.Say, RequestID: lc.AwsRequestID, Arn: lc.InvokedFunctionArn, DeadlineMs: dl.UnixMilli(),
		Function: lambdacontext.FunctionName}, nil
}

func main() {
	if msg := os.Getenv("ECHO_INIT_FAIL"); msg != "" {
		body := fmt.Sprintf(`{"errorType":"Runtime.ConfigError","errorMessage":%q}`, msg)
		res, err := http.Post("http://"+os.Getenv("AWS_LAMBDA_RUNTIME_API")+"/2018-06-01/runtime/init/error",
			"application/json", bytes.NewBufferString(body))
		if err == nil {
			res.Body.Close()
		}
		os.Exit(1)
	}
	lambda.Start(handle)
}
