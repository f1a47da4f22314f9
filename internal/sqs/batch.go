package sqs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/wagateway/wagateway/internal/queue"
)

// BatchError lists the receipts a DeleteBatch did not delete, each under
// its index in the caller's slice, so the caller can retry exactly those.
// errors.Is(err, queue.ErrStaleReceipt) holds if any of them was stale.
type BatchError struct {
	Queue  string
	Failed map[int]error
}

func (e *BatchError) Error() string {
	idx := make([]int, 0, len(e.Failed))
	for i := range e.Failed {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	parts := make([]string, len(idx))
	for n, i := range idx {
		parts[n] = fmt.Sprintf("receipt %d: %v", i, e.Failed[i])
	}
	return fmt.Sprintf("queue %s: delete batch: %d of the receipts failed: %s", e.Queue, len(idx), strings.Join(parts, "; "))
}

// Unwrap exposes every entry's error to errors.Is and errors.As.
func (e *BatchError) Unwrap() []error {
	out := make([]error, 0, len(e.Failed))
	for _, err := range e.Failed {
		out = append(out, err)
	}
	return out
}

// DeleteBatch deletes the messages of receipts, ten per request (SQS's
// limit). Entries fail one by one: the error, a *BatchError, names those
// that did, and every other receipt was deleted. It stops early only when
// ctx ends, and then returns ctx.Err().
func (q *Queue) DeleteBatch(ctx context.Context, receipts []string) error {
	failed := map[int]error{}
	for start := 0; start < len(receipts); start += maxReceive {
		chunk := receipts[start:min(start+maxReceive, len(receipts))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(chunk))
		for i, r := range chunk {
			// The id is the index in the chunk: unique, and maps back.
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(r)}
		}
		out, err := q.client.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err != nil {
			err = q.fail(ctx, "delete batch", err)
			if ctx.Err() != nil {
				return err
			}
			for i := range chunk {
				failed[start+i] = err
			}
			continue
		}
		answered := map[int]bool{}
		for _, ok := range out.Successful {
			if i, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil {
				answered[i] = true
			}
		}
		for _, f := range out.Failed {
			i, err := strconv.Atoi(aws.ToString(f.Id))
			if err != nil || i < 0 || i >= len(chunk) {
				continue // not an id we sent; the entry shows up as unanswered
			}
			answered[i] = true
			failed[start+i] = entryError(f)
		}
		for i := range chunk {
			if !answered[i] {
				failed[start+i] = errors.New("SQS did not answer for this entry")
			}
		}
	}
	if len(failed) > 0 {
		return &BatchError{Queue: q.name, Failed: failed}
	}
	return nil
}

func entryError(f types.BatchResultErrorEntry) error {
	code, msg := aws.ToString(f.Code), aws.ToString(f.Message)
	if staleReceipt(code, msg) {
		return queue.ErrStaleReceipt
	}
	return fmt.Errorf("%s: %s", code, msg)
}
