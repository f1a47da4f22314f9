// Package sqs is the AWS adapter of the lane queue port: one SQS FIFO
// queue per lane, the instance as MessageGroupId and the message id as
// MessageDeduplicationId, so SQS itself keeps each instance's messages in
// order, one in flight at a time, and drops a retried Send. The same Queue
// also sends to standard queues (the webhook queue), without group or
// deduplication.
//
// The contract is the one the conformance suite in internal/queue/queuetest
// checks; this package passes it against the fauxqs emulator
// (internal/emulator).
package sqs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/queue"
)

var (
	_ host.Receiver    = (*Queue)(nil)
	_ gateway.Enqueuer = (*Queue)(nil)
)

// SQS limits.
const (
	maxReceive    = 10 // messages per ReceiveMessage, entries per batch
	maxVisibility = 12 * time.Hour
	maxWait       = 20 * time.Second
)

// receiveAttributes are the system attributes a delivery needs. They are
// asked for under both the current and the deprecated parameter name:
// AWS reads either, and some emulators only the old one.
var receiveAttributes = []types.MessageSystemAttributeName{
	types.MessageSystemAttributeNameApproximateReceiveCount,
	types.MessageSystemAttributeNameMessageGroupId,
	types.MessageSystemAttributeNameMessageDeduplicationId,
}

// Queue is one SQS queue, addressed by URL.
type Queue struct {
	client *awssqs.Client
	url    string
	name   string // last segment of the URL, for error messages
}

// New returns the queue at queueURL, reached through client.
func New(client *awssqs.Client, queueURL string) *Queue {
	return &Queue{client: client, url: queueURL, name: queueURL[strings.LastIndex(queueURL, "/")+1:]}
}

// Send enqueues body. On a FIFO queue groupID orders it (the instance) and
// dedupID (the message id) makes a retried Send within five minutes a
// no-op. groupID "" sends to a standard queue, which has neither: dedupID
// is then ignored, and consumers must tolerate duplicates.
//
// SQS takes text only, so body must be valid UTF-8 (the gateway sends
// JSON).
func (q *Queue) Send(ctx context.Context, groupID, dedupID string, body []byte) error {
	if len(body) == 0 || !utf8.Valid(body) {
		return fmt.Errorf("queue %s: send: body must be non-empty UTF-8 text", q.name)
	}
	in := &awssqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body))}
	if groupID != "" {
		if dedupID == "" {
			return fmt.Errorf("queue %s: send: a FIFO send needs a deduplication id", q.name)
		}
		in.MessageGroupId, in.MessageDeduplicationId = aws.String(groupID), aws.String(dedupID)
	}
	if _, err := q.client.SendMessage(ctx, in); err != nil {
		return q.fail(ctx, "send", err)
	}
	return nil
}

// Receive hands out up to max (1..10) messages, each invisible to other
// receivers for visibility. With wait > 0 it long-polls: SQS answers as
// soon as a message is receivable, or empty when wait ends. Durations go
// to SQS in whole seconds, rounded up; wait is capped at SQS's 20 s (a
// caller that wants longer polls again).
//
// A wait of 0 is left out of the request, as the SDK leaves out every zero,
// so SQS uses the queue's ReceiveMessageWaitTimeSeconds: lane queues keep
// the default 0 for a Receive without wait to return at once.
func (q *Queue) Receive(ctx context.Context, max int, visibility, wait time.Duration) ([]queue.Delivery, error) {
	if max < 1 || max > maxReceive {
		return nil, fmt.Errorf("queue %s: receive: max must be 1..%d, got %d", q.name, maxReceive, max)
	}
	// A visibility of 0 would be left out of the request (see above) and
	// mean the queue's default instead.
	if visibility <= 0 || visibility > maxVisibility || wait < 0 {
		return nil, fmt.Errorf("queue %s: receive: visibility must be 1s..12h and wait not negative, got %v and %v",
			q.name, visibility, wait)
	}
	legacy := make([]types.QueueAttributeName, len(receiveAttributes))
	for i, a := range receiveAttributes {
		legacy[i] = types.QueueAttributeName(a)
	}
	out, err := q.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(q.url),
		MaxNumberOfMessages:         int32(max),
		VisibilityTimeout:           seconds(visibility),
		WaitTimeSeconds:             seconds(min(wait, maxWait)),
		MessageSystemAttributeNames: receiveAttributes,
		AttributeNames:              legacy,
	})
	if err != nil {
		return nil, q.fail(ctx, "receive", err)
	}
	ds := make([]queue.Delivery, 0, len(out.Messages))
	for _, m := range out.Messages {
		d, err := delivery(m)
		if err != nil {
			// The message stays in flight until its visibility ends, then
			// comes back: nothing is lost by failing the whole call.
			return nil, fmt.Errorf("queue %s: receive: message %s: %w", q.name, aws.ToString(m.MessageId), err)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

func delivery(m types.Message) (queue.Delivery, error) {
	count, err := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	if err != nil || count < 1 {
		return queue.Delivery{}, errors.New("no valid ApproximateReceiveCount in the answer")
	}
	if m.ReceiptHandle == nil || m.Body == nil {
		return queue.Delivery{}, errors.New("no receipt handle or body in the answer")
	}
	return queue.Delivery{
		Body:         []byte(*m.Body),
		GroupID:      m.Attributes[string(types.MessageSystemAttributeNameMessageGroupId)],
		DedupID:      m.Attributes[string(types.MessageSystemAttributeNameMessageDeduplicationId)],
		Receipt:      *m.ReceiptHandle,
		ReceiveCount: count,
	}, nil
}

// ChangeVisibility restarts the invisibility of an in-flight message at
// visibility from now (rounded up to whole seconds): longer to keep
// holding it while it waits in the scheduler, 0 to release it at once.
func (q *Queue) ChangeVisibility(ctx context.Context, receipt string, visibility time.Duration) error {
	if visibility < 0 || visibility > maxVisibility {
		return fmt.Errorf("queue %s: change visibility: visibility must be 0..12h, got %v", q.name, visibility)
	}
	_, err := q.client.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{
		QueueUrl:          aws.String(q.url),
		ReceiptHandle:     aws.String(receipt),
		VisibilityTimeout: seconds(visibility),
	})
	if err != nil {
		return q.fail(ctx, "change visibility", err)
	}
	return nil
}

// Delete removes an in-flight message for good, which lets the next
// message of its group be received. SQS reports some stale receipts
// (queue.ErrStaleReceipt) and accepts others silently.
func (q *Queue) Delete(ctx context.Context, receipt string) error {
	_, err := q.client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{
		QueueUrl:      aws.String(q.url),
		ReceiptHandle: aws.String(receipt),
	})
	if err != nil {
		return q.fail(ctx, "delete", err)
	}
	return nil
}

// seconds rounds d up to whole seconds, as SQS takes them: rounding down
// would turn a short hold into "release now" or "the queue default".
func seconds(d time.Duration) int32 {
	return int32((d + time.Second - 1) / time.Second)
}
