package cloud_test

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stretchr/testify/require"
)

// On-demand list prices, us-east-1, in USD per million units, as AWS
// publishes them (DynamoDB after its November 2024 cut). Check before
// budgeting: they are inputs of the arithmetic, not measurements.
const (
	priceWRU        = 0.625 // DynamoDB write request unit (≤ 1 KB; a transactional item costs 2)
	priceRRU        = 0.125 // DynamoDB read request unit (≤ 4 KB, strongly consistent; we count every read as 1)
	priceSQS        = 0.50  // SQS FIFO request (standard: 0.40; we price all at FIFO)
	priceEvents     = 1.00  // EventBridge custom event entry
	priceHTTPAPI    = 1.00  // API Gateway HTTP API request
	priceLambdaReq  = 0.20  // Lambda request
	priceLambdaTime = 0.10  // Lambda arm64 duration per request, assuming 256 MB × 30 ms
)

// BenchmarkMessageCost counts the AWS requests one accepted message costs
// end to end on the AWS shape (emulators): in the API Lambda's request,
// in the session host (send, events relayed to EventBridge) and in the
// webhooks Lambda (one message.sent webhook). The requests the processes
// make while idle (long polls) are measured in the same run over a quiet
// period and subtracted, then reported per hour. Target: at most 2
// DynamoDB writes and 1 SQS send in the API request of one send.
func BenchmarkMessageCost(b *testing.B) {
	const n = 40
	s := newShape(b)
	r := newReceiver(b)
	s.tenant()
	s.instance("acme__sales__main", r)
	s.link("acme__sales__main", "5491100000001")
	r.await(b, 20*time.Second, func(d delivery) bool { return d.Event == "instance.connected" })
	time.Sleep(2 * time.Second) // let the linking's events settle

	quiet := 4 * time.Second
	s.resetCalls()
	time.Sleep(quiet)
	idleHost, idleHooks := s.hostCalls.Snapshot(), s.hookCalls.Snapshot()

	s.resetCalls()
	start := time.Now()
	for i := range n {
		code, body, _ := s.call(http.MethodPost, "/message/text",
			fmt.Sprintf(`{"instanceName":"acme__sales__main","to":"5491112345678","text":"m%d","lane":"urgent"}`, i), nil)
		require.Equal(b, http.StatusAccepted, code, body)
	}
	api, apiItems := s.apiCalls.Snapshot(), s.apiCalls.Items()
	require.Eventually(b, func() bool { return countSent(r) == n }, 2*time.Minute, 20*time.Millisecond)
	time.Sleep(2 * time.Second) // relay marks, queue deletes
	elapsed := time.Since(start)
	host, hostItems := s.hostCalls.Snapshot(), s.hostCalls.Items()
	hooks := s.hookCalls.Snapshot()
	scale := float64(elapsed) / float64(quiet)
	for op, c := range idleHost {
		host[op] = max(0, host[op]-int(float64(c)*scale+0.5))
	}
	for op, c := range idleHooks {
		hooks[op] = max(0, hooks[op]-int(float64(c)*scale+0.5))
	}

	per := func(c int) float64 { return float64(c) / n }
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\nAWS requests per accepted message (text, urgent lane, one webhook per message.sent)")
	fmt.Fprintln(w, "operation\tAPI Lambda\tsession host\twebhooks Lambda\t")
	ops := slices.Sorted(maps.Keys(union(api, host, hooks)))
	for _, op := range ops {
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%.2f\t\n", op, per(api[op]), per(host[op]), per(hooks[op]))
	}
	w.Flush()

	apiWrites := writeUnits(api, apiItems, false)
	apiSends := api["AmazonSQS.SendMessage"]
	wru := writeUnits(api, apiItems, true) + writeUnits(host, hostItems, true) + writeUnits(hooks, nil, true)
	rru := reads(api) + reads(host) + reads(hooks)
	sqsReq := sqsCalls(api) + sqsCalls(host) + sqsCalls(hooks)
	// One event per message (message.sent); the webhooks Lambda is priced
	// at one invocation per message, its worst case (batches hold up to 10).
	const events = 1.0
	entries := host["AWSEvents.PutEvents"]
	lambda := 2 * (priceLambdaReq + priceLambdaTime)
	cost := per(wru)*priceWRU + per(rru)*priceRRU + per(sqsReq)*priceSQS + events*priceEvents + priceHTTPAPI + lambda
	b.ReportMetric(per(apiWrites), "ddb-writes/api-send")
	b.ReportMetric(per(apiSends), "sqs-sends/api-send")
	b.ReportMetric(cost, "USD/million-messages")
	fmt.Printf("\nAPI request of one send: %.2f DynamoDB writes (target ≤ 2), %.2f SQS sends (target ≤ 1) — %s\n",
		per(apiWrites), per(apiSends), verdict(per(apiWrites) <= 2 && per(apiSends) <= 1))
	fmt.Printf("End to end: %.2f DynamoDB write units, %.2f read requests, %.2f SQS requests, %.0f EventBridge entry, %d PutEvents calls for %d messages\n",
		per(wru), per(rru), per(sqsReq), events, entries, n)
	fmt.Printf("Cost per million messages at on-demand list prices: about $%.2f (DynamoDB %.2f, SQS %.2f, EventBridge %.2f, API Gateway %.2f, Lambda %.2f)\n",
		cost, per(wru)*priceWRU+per(rru)*priceRRU, per(sqsReq)*priceSQS, events*priceEvents, priceHTTPAPI, lambda)
	idle := sqsCalls(idleHost) + sqsCalls(idleHooks) + reads(idleHost)
	fmt.Printf("Idle: %.0f requests per hour (long polls of 5 queues and the outbox), about $%.2f per month\n\n",
		float64(idle)*float64(time.Hour)/float64(quiet), float64(idle)*float64(730*time.Hour)/float64(quiet)*priceSQS/1e6)
}

func (s *shape) resetCalls() {
	s.apiCalls.Reset()
	s.hostCalls.Reset()
	s.hookCalls.Reset()
}

func countSent(r *receiver) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, d := range r.got {
		if d.Event == "message.sent" {
			n++
		}
	}
	return n
}

func union(ms ...map[string]int) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		for k, v := range m {
			if v > 0 {
				out[k] += v
			}
		}
	}
	return out
}

// writeUnits counts DynamoDB writes: items written; with billed, a
// transactional item counts twice, as DynamoDB bills it.
func writeUnits(calls, items map[string]int, billed bool) int {
	n := calls["DynamoDB_20120810.PutItem"] + calls["DynamoDB_20120810.UpdateItem"] + calls["DynamoDB_20120810.DeleteItem"]
	t := items["DynamoDB_20120810.TransactWriteItems"]
	if billed {
		t *= 2
	}
	return n + t + items["DynamoDB_20120810.BatchWriteItem"]
}

func reads(calls map[string]int) int {
	return calls["DynamoDB_20120810.GetItem"] + calls["DynamoDB_20120810.Query"] + calls["DynamoDB_20120810.BatchGetItem"] +
		calls["DynamoDB_20120810.TransactGetItems"]
}

func sqsCalls(calls map[string]int) int {
	n := 0
	for op, c := range calls {
		if strings.HasPrefix(op, "AmazonSQS.") {
			n += c
		}
	}
	return n
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
