package cloud

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
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
type RequestCounter struct {
	mu     sync.Mutex
	counts map[string]int
	items  map[string]int // items written by TransactWriteItems and BatchWriteItem
	next   Doer
}

// Wrap returns an HTTP client for the SDK that counts through c.
func (c *RequestCounter) Wrap(next Doer) Doer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = next
	if c.counts == nil {
		c.counts, c.items = map[string]int{}, map[string]int{}
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
	c.mu.Lock()
	c.counts[op]++
	c.items[op] += n
	next := c.next
	c.mu.Unlock()
	return next.Do(r)
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

// Items returns, per multi-item write operation, the items written so far.
func (c *RequestCounter) Items() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.items)
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
}
