package cloud

import (
	"maps"
	"net/http"
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
	next   Doer
}

// Wrap returns an HTTP client for the SDK that counts through c.
func (c *RequestCounter) Wrap(next Doer) Doer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = next
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	return c
}

// Do counts the request's operation, then sends it.
func (c *RequestCounter) Do(r *http.Request) (*http.Response, error) {
	op := r.Header.Get("X-Amz-Target")
	if op == "" {
		op = r.Method + " " + r.URL.Path
	}
	c.mu.Lock()
	c.counts[op]++
	next := c.next
	c.mu.Unlock()
	return next.Do(r)
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
}
