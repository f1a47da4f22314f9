package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

const (
	// webhooksTimeoutSeconds covers a batch of 10 delivered concurrently,
	// each attempt bounded at 10 s (internal/webhook), plus state writes.
	webhooksTimeoutSeconds = 30
	// webhookMaxReceives is webhook.MaxAttempts: the handler counts the
	// attempt by SQS's receive count and releases the message after the
	// last one, for the redrive policy to dead-letter it.
	webhookMaxReceives = 4
	// webhookBatchSize is the SQS event source's batch.
	webhookBatchSize = 10
	// webhookBatchingWindowSeconds: under load the event source waits up
	// to a second to fill a batch, fewer invocations for the same
	// deliveries; idle, a lone event waits at most that second.
	webhookBatchingWindowSeconds = 1
)

// webhooks is the event delivery side: the bus, the rule, the queue and
// the Lambda that drains it.
type webhooks struct {
	bus   awsevents.EventBus
	queue queuePair
	fn    awslambda.Function
}

// newWebhooks routes every gateway event on the bus to the webhook queue
// and drains it with the webhooks Lambda.
//
// maxConcurrency bounds how many webhooks Lambdas the queue's event source
// runs at once (2 to 1000): the deliveries one stack makes in parallel,
// so a flood of events queues up instead of taking the account's
// concurrency (the other functions', the API's).
func newWebhooks(scope constructs.Construct, table awsdynamodb.Table, code string, maxConcurrency int) *webhooks {
	bus := awsevents.NewEventBus(scope, jsii.String("EventBus"), nil)
	// AWS's guidance: visibility at least six times the function's
	// timeout, so a batch retried after throttling is not received twice.
	// The handler sets each failed message's visibility itself to the
	// retry delay (1 s, 5 s, 30 s), so this only bounds a crashed batch.
	q := newQueuePair(scope, "WebhookQueue", queueOptions{
		visibilitySeconds: 6 * webhooksTimeoutSeconds,
		maxReceives:       webhookMaxReceives,
	})
	awsevents.NewRule(scope, jsii.String("WebhookRule"), &awsevents.RuleProps{
		Description:  jsii.String("Every gateway event to the webhook queue"),
		EventBus:     bus,
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings(eventSource)},
		// An event EventBridge cannot put on the queue lands in the same
		// DLQ as the ones whose deliveries failed: both hold the event
		// envelope, so one redrive serves both.
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(q.queue, &awseventstargets.SqsQueueProps{
			DeadLetterQueue: q.dlq,
		})},
	})

	fn := newFunction(scope, "WebhooksFunction", functionOptions{
		code:           code,
		description:    "Delivers gateway events as signed webhooks",
		timeoutSeconds: webhooksTimeoutSeconds,
		memoryMiB:      256,
		env: map[string]*string{
			envTable:        table.TableName(),
			envWebhookQueue: q.queue.QueueUrl(),
		},
	})
	// The event source grants receive, change visibility and delete.
	fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(q.queue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(webhookBatchSize),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(webhookBatchingWindowSeconds)),
		MaxConcurrency:          jsii.Number(float64(maxConcurrency)),
		ReportBatchItemFailures: jsii.Bool(true),
	}))
	// Least privilege: the deliverer reads the instance (GetInstance) and
	// updates the delivery record (RecordAttempts), nothing else. Widen
	// here when internal/webhookqueue's Store grows.
	// Items only, no index.
	grantTable(table, fn, "dynamodb:GetItem", "dynamodb:UpdateItem")
	return &webhooks{bus: bus, queue: q, fn: fn}
}
