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

	"github.com/wagateway/wagateway/internal/cloud"
)

// On-demand list prices, us-east-1, in USD, as AWS publishes them
// (DynamoDB after its November 2024 cut). Check before budgeting: they are
// inputs of the arithmetic, not measurements.
const (
	priceWRU         = 0.625e-6     // DynamoDB write request unit (≤ 1 KB; index writes included, transactions doubled: count.go, txcapacity.go)
	priceRRU         = 0.125e-6     // DynamoDB read request unit (≤ 4 KB strongly consistent, 8 KB eventually)
	priceSQSFIFO     = 0.50e-6      // SQS FIFO request (lane and command queues), per 64 KB chunk
	priceSQSStandard = 0.40e-6      // SQS standard request (the webhook queue)
	priceEvents      = 1.00e-6      // EventBridge custom event entry (per 64 KB chunk)
	priceHTTPAPI     = 1.00e-6      // API Gateway HTTP API request (first 300 million a month)
	priceLambdaReq   = 0.20e-6      // Lambda request
	priceLambdaGBs   = 0.0000133334 // Lambda arm64 duration, per GB-second
	priceLogsGB      = 0.50         // CloudWatch Logs ingestion, per GB
)

// Assumptions the emulators cannot measure, priced in costModel.
const (
	// apiLambdaSeconds and webhooksLambdaSeconds are billed durations per
	// invocation at 256 MB (infra: both functions): the API's request is a
	// read, a write and an SQS send; a webhook delivery waits on the
	// tenant's receiver (50 ms assumed).
	apiLambdaSeconds      = 0.030
	webhooksLambdaSeconds = 0.050
	lambdaGB              = 0.25
	// accessLogBytes is one API access log line (infra/api.go's format,
	// about 300 bytes of JSON) plus CloudWatch's 26 bytes of overhead per
	// event. The Lambdas' platform lines (START, END, REPORT) are dropped
	// by their system log level WARN, and nothing logs per message at
	// INFO.
	accessLogBytes = 330
)

// BenchmarkMessageCost measures the AWS requests one accepted message
// costs end to end on the AWS shape (emulators): in the API Lambda's
// request, in the session host (send, events relayed to EventBridge) and
// in the webhooks Lambda (one message.sent webhook), with the DynamoDB
// capacity each call consumed as DynamoDB Local reports it (index writes
// and transactions included). The requests the processes make while idle
// (long polls) are measured in the same run over a quiet period and
// subtracted, then reported per month. Targets (issue 14): at most $12
// per million messages end to end, each with its webhook, and at most 2
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

	// Longer than a long poll (20 s), so each idle receiver's poll shows.
	quiet := 21 * time.Second
	s.resetCalls()
	time.Sleep(quiet)
	idleHost, idleHooks := s.hostCalls.Snapshot(), s.hookCalls.Snapshot()
	idleCap := s.hostCalls.Capacity()

	s.resetCalls()
	start := time.Now()
	for i := range n {
		code, body, _ := s.call(http.MethodPost, "/message/text",
			fmt.Sprintf(`{"instanceName":"acme__sales__main","to":"5491112345678","text":"m%d","lane":"urgent"}`, i), nil)
		require.Equal(b, http.StatusAccepted, code, body)
	}
	api, apiItems, apiCap := s.apiCalls.Snapshot(), s.apiCalls.Items(), s.apiCalls.Capacity()
	require.Eventually(b, func() bool { return countSent(r) == n }, 2*time.Minute, 20*time.Millisecond)
	time.Sleep(2 * time.Second) // relay marks, queue deletes
	elapsed := time.Since(start)
	host, hostCap := s.hostCalls.Snapshot(), s.hostCalls.Capacity()
	hooks, hookCap := s.hookCalls.Snapshot(), s.hookCalls.Capacity()
	for _, c := range []*cloud.RequestCounter{s.apiCalls, s.hostCalls, s.hookCalls} {
		require.Zero(b, c.Unpriced(), "a transaction could not be priced: its capacity would be missing")
	}
	scale := float64(elapsed) / float64(quiet)
	for op, c := range idleHost {
		host[op] = max(0, host[op]-int(float64(c)*scale+0.5))
	}
	for op, c := range idleCap {
		hostCap[op] = max(0, hostCap[op]-c*scale)
	}
	for op, c := range idleHooks {
		hooks[op] = max(0, hooks[op]-int(float64(c)*scale+0.5))
	}

	per := func(c int) float64 { return float64(c) / n }
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\nAWS requests per accepted message (text, urgent lane, one webhook per message.sent); DynamoDB: calls (capacity units)")
	fmt.Fprintln(w, "operation\tAPI Lambda\tsession host\twebhooks Lambda\t")
	cell := func(calls map[string]int, capacity map[string]float64, op string) string {
		if strings.HasPrefix(op, "DynamoDB_") {
			return fmt.Sprintf("%.2f (%.2f)", per(calls[op]), capacity[op]/n)
		}
		return fmt.Sprintf("%.2f", per(calls[op]))
	}
	for _, op := range slices.Sorted(maps.Keys(union(api, host, hooks))) {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t\n", op, cell(api, apiCap, op), cell(host, hostCap, op), cell(hooks, hookCap, op))
	}
	w.Flush()

	m := costModel{
		wru: (writeCapacity(apiCap) + writeCapacity(hostCap) + writeCapacity(hookCap)) / n,
		rru: (readCapacity(apiCap) + readCapacity(hostCap) + readCapacity(hookCap)) / n,
		// Lane and command queues are FIFO; the webhook queue is standard,
		// and EventBridge's rule sends each event to it (one request the
		// emulated rule does not count).
		fifo:     per(sqsCalls(api) + sqsCalls(host)),
		standard: per(sqsCalls(hooks)) + 1,
		events:   per(host["AWSEvents.PutEvents"]), // one entry per call here: one event per message
	}
	b.ReportMetric(per(writeUnits(api, apiItems)), "ddb-writes/api-send")
	b.ReportMetric(per(api["AmazonSQS.SendMessage"]), "sqs-sends/api-send")
	b.ReportMetric(m.total(), "USD/million-messages")
	fmt.Printf("\nAPI request of one send: %.2f DynamoDB writes (target ≤ 2), %.2f SQS sends (target ≤ 1) — %s\n",
		per(writeUnits(api, apiItems)), per(api["AmazonSQS.SendMessage"]),
		verdict(per(writeUnits(api, apiItems)) <= 2 && per(api["AmazonSQS.SendMessage"]) <= 1))
	fmt.Printf("Per message: %.2f DynamoDB write units, %.2f read units, %.2f SQS FIFO and %.2f standard requests, %.2f EventBridge entries\n",
		m.wru, m.rru, m.fifo, m.standard, m.events)
	fmt.Println(m.table())
	fmt.Printf("Target: at most $12 per million messages — %s\n", verdict(m.total() <= 12))
	month := float64(730*time.Hour) / float64(quiet)
	idleHostSQS, idleHookSQS := float64(sqsCalls(idleHost))*month, float64(sqsCalls(idleHooks))*month
	idleRRU := readCapacity(idleCap) * month
	fmt.Printf("Idle, a month: the session host %.0f SQS requests (long polls of 4 queues) and %.0f DynamoDB read units "+
		"(the relay's polls), about $%.2f; the emulated event source mapping %.0f SQS requests (Lambda's own pollers differ)\n\n",
		idleHostSQS, idleRRU, idleHostSQS*priceSQSFIFO+idleRRU*priceRRU, idleHookSQS)
}

// costModel is the price of one message from its measured requests.
type costModel struct {
	wru, rru, fifo, standard, events float64
}

// items are the rows of the cost table, in USD per million messages.
func (m costModel) items() []struct {
	name, input string
	usd         float64
} {
	lambda := 2*priceLambdaReq + lambdaGB*(apiLambdaSeconds+webhooksLambdaSeconds)*priceLambdaGBs
	return []struct {
		name, input string
		usd         float64
	}{
		{"DynamoDB writes", fmt.Sprintf("%.2f WRU × $0.625/M", m.wru), m.wru * priceWRU * 1e6},
		{"DynamoDB reads", fmt.Sprintf("%.2f RRU × $0.125/M", m.rru), m.rru * priceRRU * 1e6},
		{"SQS FIFO", fmt.Sprintf("%.2f requests × $0.50/M", m.fifo), m.fifo * priceSQSFIFO * 1e6},
		{"SQS standard", fmt.Sprintf("%.2f requests × $0.40/M", m.standard), m.standard * priceSQSStandard * 1e6},
		{"EventBridge", fmt.Sprintf("%.2f entries × $1.00/M", m.events), m.events * priceEvents * 1e6},
		{"API Gateway (HTTP API)", "1 request × $1.00/M", priceHTTPAPI * 1e6},
		{"Lambda", fmt.Sprintf("2 invocations × $0.20/M + 256 MB × (%.0f + %.0f) ms × $0.0000133334/GB-s",
			apiLambdaSeconds*1000, webhooksLambdaSeconds*1000), lambda * 1e6},
		{"CloudWatch Logs", fmt.Sprintf("%d bytes (access log) × $0.50/GB", accessLogBytes), accessLogBytes / 1e9 * priceLogsGB * 1e6},
	}
}

func (m costModel) total() float64 {
	sum := 0.0
	for _, it := range m.items() {
		sum += it.usd
	}
	return sum
}

func (m costModel) table() string {
	var sb strings.Builder
	w := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\nUSD per million messages\tinput\tUSD\t")
	for _, it := range m.items() {
		fmt.Fprintf(w, "%s\t%s\t%.2f\t\n", it.name, it.input, it.usd)
	}
	fmt.Fprintf(w, "total\t\t%.2f\t\n", m.total())
	w.Flush()
	return sb.String()
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

// writeUnits counts DynamoDB items written, a multi-item write's items
// each (the API's target is stated in items).
func writeUnits(calls, items map[string]int) int {
	n := calls["DynamoDB_20120810.PutItem"] + calls["DynamoDB_20120810.UpdateItem"] + calls["DynamoDB_20120810.DeleteItem"]
	return n + items["DynamoDB_20120810.TransactWriteItems"] + items["DynamoDB_20120810.BatchWriteItem"]
}

var dynamoWrites = map[string]bool{
	"DynamoDB_20120810.PutItem": true, "DynamoDB_20120810.UpdateItem": true, "DynamoDB_20120810.DeleteItem": true,
	"DynamoDB_20120810.TransactWriteItems": true, "DynamoDB_20120810.BatchWriteItem": true,
}

// writeCapacity and readCapacity sum the capacity units DynamoDB reported
// for writes and for reads.
func writeCapacity(c map[string]float64) float64 {
	sum := 0.0
	for op, u := range c {
		if dynamoWrites[op] {
			sum += u
		}
	}
	return sum
}

func readCapacity(c map[string]float64) float64 {
	sum := 0.0
	for op, u := range c {
		if !dynamoWrites[op] {
			sum += u
		}
	}
	return sum
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
