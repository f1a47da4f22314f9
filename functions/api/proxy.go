package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/google/uuid"
)

// lambdaFunc is what lambda.Start runs: one API Gateway HTTP API event
// (payload format 2.0) in, one response out.
type lambdaFunc func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

type eventHeadersKey struct{}

// proxy serves API Gateway events with h through aws-lambda-go-api-proxy.
// Routing uses the event's rawPath, so the API must be on the $default
// stage (a named stage prefixes rawPath with its name) and its route
// $default or ANY /{proxy+}. Two things are added to the adapter:
//   - The adapter splits every header value at commas (as if it were a
//     list), so an Idempotency-Key "a,b" would reach the API as "a": the
//     event's header values are restored as sent, which is what the local
//     gateway's net/http server gives the same handler.
//   - An event the adapter cannot turn into a request (a body marked
//     base64 that is not, a path that is not a valid URL) gets a 400 of
//     the API's own shape with an x-request-id, instead of the adapter's
//     504 and a Lambda error (API Gateway's bare 500).
func proxy(h http.Handler, log *slog.Logger) lambdaFunc {
	adapter := httpadapter.NewV2(restoreHeaders(h))
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		res, err := adapter.ProxyWithContext(context.WithValue(ctx, eventHeadersKey{}, ev.Headers), ev)
		if err != nil {
			rid := uuid.NewString()
			log.WarnContext(ctx, "malformed API Gateway event", "requestId", rid, "err", err.Error())
			return malformed(rid), nil
		}
		return res, nil
	}
}

// restoreHeaders puts back the event's header values as sent (see proxy).
func restoreHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hs, ok := r.Context().Value(eventHeadersKey{}).(map[string]string); ok {
			for k, v := range hs {
				r.Header.Set(k, v)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// malformed is the API's 400 for a request that could not be read at all.
func malformed(requestID string) events.APIGatewayV2HTTPResponse {
	body, _ := json.Marshal(map[string]any{
		"error":  "Validation error",
		"issues": []map[string]any{{"path": []string{}, "message": "Malformed request"}},
	})
	body = append(body, '\n')
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusBadRequest,
		Headers: map[string]string{
			"Content-Type":   "application/json",
			"Content-Length": strconv.Itoa(len(body)),
			"X-Request-Id":   requestID,
		},
		Body: string(body),
	}
}
