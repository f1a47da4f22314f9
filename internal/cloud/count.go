package cloud

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Doer is the HTTP client the AWS SDK takes (aws.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// RequestCounter counts AWS API calls by operation (the X-Amz-Target
// header that DynamoDB, SQS and EventBridge's JSON protocols carry, e.g.
// "DynamoDB_20120810.PutItem"), to measure what one message costs.
//
// It also asks DynamoDB for the capacity each call consumed
// (ReturnConsumedCapacity TOTAL, added to the request unless the caller
// asked for it) and sums what the answers report, index writes included;
// DynamoDB Local gets transactions wrong, so those it prices itself
// (txcapacity.go). Adding the field changes a signed body, which only an
// emulator accepts: use it against emulators only.
type RequestCounter struct {
	mu       sync.Mutex
	counts   map[string]int
	items    map[string]int     // items written by TransactWriteItems and BatchWriteItem
	capacity map[string]float64 // DynamoDB capacity units consumed, by operation
	tables   map[string]table   // tables seen in transactions (txcapacity.go)
	unpriced int                // transactions that could not be priced
	next     Doer
}

// Wrap returns an HTTP client for the SDK that counts through c.
func (c *RequestCounter) Wrap(next Doer) Doer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = next
	if c.counts == nil {
		c.counts, c.items, c.capacity, c.tables = map[string]int{}, map[string]int{}, map[string]float64{}, map[string]table{}
	}
	return c
}

// Do counts the request's operation, then sends it.
func (c *RequestCounter) Do(r *http.Request) (*http.Response, error) {
	op := r.Header.Get("X-Amz-Target")
	if op == "" {
		op = r.Method + " " + r.URL.Path
	}
	n := 0
	if strings.HasSuffix(op, ".TransactWriteItems") || strings.HasSuffix(op, ".BatchWriteItem") {
		var err error
		if n, err = countItems(r); err != nil {
			return nil, err
		}
	}
	dynamo := strings.HasPrefix(op, "DynamoDB_")
	if dynamo {
		if err := askCapacity(r); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.counts[op]++
	c.items[op] += n
	next := c.next
	c.mu.Unlock()
	if strings.HasSuffix(op, ".TransactWriteItems") {
		body, err := peekBody(r)
		if err != nil {
			return nil, err
		}
		resp, units, ok, err := c.pricedTransaction(next, r, body)
		c.mu.Lock()
		c.capacity[op] += units
		if !ok {
			c.unpriced++
		}
		c.mu.Unlock()
		return resp, err
	}
	resp, err := next.Do(r)
	if err != nil || !dynamo || resp.Body == nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	units := consumed(body)
	c.mu.Lock()
	c.capacity[op] += units
	c.mu.Unlock()
	return resp, nil
}

// peekBody returns r's body and puts it back.
func peekBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// askCapacity adds ReturnConsumedCapacity TOTAL to a DynamoDB request
// that did not ask for it.
func askCapacity(r *http.Request) error {
	if r.Body == nil {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	_ = r.Body.Close()
	var in map[string]json.RawMessage
	if json.Unmarshal(body, &in) == nil {
		if _, ok := in["ReturnConsumedCapacity"]; !ok {
			in["ReturnConsumedCapacity"] = json.RawMessage(`"TOTAL"`)
			if b, err := json.Marshal(in); err == nil {
				body = b
			}
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// consumed sums the capacity units a DynamoDB answer reports (one object,
// or a list for the multi-item calls).
func consumed(body []byte) float64 {
	type cc struct{ CapacityUnits float64 }
	var one struct{ ConsumedCapacity json.RawMessage }
	if json.Unmarshal(body, &one) != nil || len(one.ConsumedCapacity) == 0 {
		return 0
	}
	var c cc
	if json.Unmarshal(one.ConsumedCapacity, &c) == nil {
		return c.CapacityUnits
	}
	var cs []cc
	if json.Unmarshal(one.ConsumedCapacity, &cs) != nil {
		return 0
	}
	sum := 0.0
	for _, c := range cs {
		sum += c.CapacityUnits
	}
	return sum
}

// countItems reads the items a multi-item write carries, and puts the
// (already signed) body back unchanged.
func countItems(r *http.Request) (int, error) {
	if r.Body == nil {
		return 0, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, err
	}
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		TransactItems []json.RawMessage
		RequestItems  map[string][]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, nil // not ours to judge; the service will answer
	}
	n := len(in.TransactItems)
	for _, reqs := range in.RequestItems {
		n += len(reqs)
	}
	return n, nil
}

// Unpriced returns how many transactions could not be priced (their
// capacity is missing from Capacity).
func (c *RequestCounter) Unpriced() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unpriced
}

// Items returns, per multi-item write operation, the items written so far.
func (c *RequestCounter) Items() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.items)
}

// Capacity returns, per DynamoDB operation, the capacity units consumed so
// far (read units for reads, write units for writes), as DynamoDB reported
// them.
func (c *RequestCounter) Capacity() map[string]float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.capacity)
}

// Snapshot returns the counts so far.
func (c *RequestCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// Reset forgets the counts so far.
func (c *RequestCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.counts)
	clear(c.items)
	clear(c.capacity)
	c.unpriced = 0
}
