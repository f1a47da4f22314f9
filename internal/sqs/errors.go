package sqs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/wagateway/wagateway/internal/queue"
)

// fail turns an SDK error of operation op into the error Queue returns:
// ctx.Err() when the caller gave up (a long poll cut short is not a queue
// failure), queue.ErrStaleReceipt when SQS says the receipt no longer
// names an in-flight delivery, else the error wrapped with the queue.
func (q *Queue) fail(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var (
		api         smithy.APIError
		invalid     *types.ReceiptHandleIsInvalid
		notInflight *types.MessageNotInflight
	)
	if errors.As(err, &invalid) || errors.As(err, &notInflight) ||
		errors.As(err, &api) && staleReceipt(api.ErrorCode(), api.ErrorMessage()) {
		return fmt.Errorf("queue %s: %s: %w", q.name, op, queue.ErrStaleReceipt)
	}
	return fmt.Errorf("queue %s: %s: %w", q.name, op, err)
}

// staleReceipt reports whether an SQS error code and message (of a call or
// of one batch entry) mean that the receipt is stale. SQS words it several
// ways: ReceiptHandleIsInvalid (deleted, or malformed), MessageNotInflight
// (ChangeMessageVisibility after the visibility ended), InvalidIdFormat (an
// old receipt format), and, for FIFO queues, InvalidParameterValue "...
// for parameter ReceiptHandle is invalid. Reason: The receipt handle has
// expired." Other invalid parameters are caller bugs and stay errors.
// Codes may carry the prefix of SQS's former query protocol, which the
// JSON protocol still sends in a header.
func staleReceipt(code, message string) bool {
	switch strings.TrimPrefix(code, "AWS.SimpleQueueService.") {
	case "ReceiptHandleIsInvalid", "MessageNotInflight", "InvalidIdFormat":
		return true
	case "InvalidParameterValue":
		return strings.Contains(strings.ToLower(message), "receipthandle") ||
			strings.Contains(strings.ToLower(message), "receipt handle")
	}
	return false
}
