// Package queue holds the values shared by the lane queue adapters and
// their consumers. The queue contract itself (FIFO per group, one message
// of a group in flight at a time, deduplication) is written down, and
// enforced on every adapter, by the conformance suite in queuetest.
package queue

import "errors"

// Delivery is a message handed out by Receive. It stays invisible to other
// receivers until its visibility timeout ends or it is deleted.
type Delivery struct {
	Body         []byte
	GroupID      string
	DedupID      string
	Receipt      string // opaque handle for Delete and ChangeVisibility
	ReceiveCount int    // 1 on first delivery
}

// ErrStaleReceipt means the receipt no longer names an in-flight delivery:
// the message was deleted, or its visibility ran out and it may have been
// handed to another receiver.
var ErrStaleReceipt = errors.New("queue: receipt is no longer valid")
