package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Queue settings. Every queue keeps SQS-managed encryption (the default),
// refuses plain-HTTP access and is kept (RETAIN) when the stack is deleted
// or the queue replaced: each holds messages not yet sent, commands or
// events not yet delivered, and a DLQ what the gateway gave up on.
const (
	// laneVisibilitySeconds is the lane queues' default; the session host sets
	// its own on every receive and extends it while it holds a message
	// (internal/host: holdFor = 60 s).
	laneVisibilitySeconds = 60
	// laneMaxReceives is SQS's highest. A message is received again after
	// every host restart or deployment, and with several hosts on a
	// shard, every host that does not hold its instance hands it back at
	// once: with h hosts it takes h receives on average to reach the
	// holder, and a run of misses must never send it to the DLQ (10
	// hosts missing 1,000 times in a row: 0.9^1000, about 1e-46).
	// Unreadable bodies are deleted by the host, not retried, so the DLQ
	// is for a host that keeps failing, not for poison messages.
	laneMaxReceives = 1000
	// commandMaxReceives: commands are handed back the same way; one
	// older than its client's wait is dropped as stale by the worker
	// (internal/command), except forget, which is idempotent.
	commandMaxReceives = 100
	// retentionDays is SQS's longest: a message may wait days in the bulk
	// lane under its daily limit, and a DLQ must keep what it gets at
	// least as long as the source queue.
	retentionDays = 14
)

// queueOptions is what differs between the gateway's queues.
type queueOptions struct {
	fifo              bool
	visibilitySeconds float64
	maxReceives       float64
	retentionDays     float64 // 0: SQS's default (4 days)
}

// queuePair is a queue and its dead-letter queue.
type queuePair struct {
	queue, dlq awssqs.Queue
}

// newQueuePair makes queue id with its DLQ (id+"Dlq") under scope. FIFO
// queues deduplicate on the sender's deduplication id only
// (content-based deduplication off: two identical texts are two
// messages), per message group (the gateway's group is the instance),
// which allows SQS's high-throughput FIFO mode.
func newQueuePair(scope constructs.Construct, id string, o queueOptions) queuePair {
	common := func(p *awssqs.QueueProps) *awssqs.QueueProps {
		p.EnforceSSL = jsii.Bool(true)
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
		if o.fifo {
			p.Fifo = jsii.Bool(true)
			p.ContentBasedDeduplication = jsii.Bool(false)
			p.DeduplicationScope = awssqs.DeduplicationScope_MESSAGE_GROUP
			p.FifoThroughputLimit = awssqs.FifoThroughputLimit_PER_MESSAGE_GROUP_ID
		}
		return p
	}
	dlq := awssqs.NewQueue(scope, jsii.String(id+"Dlq"), common(&awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(retentionDays)),
	}))
	props := common(&awssqs.QueueProps{
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(o.visibilitySeconds)),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(o.maxReceives)},
	})
	if o.retentionDays > 0 {
		props.RetentionPeriod = awscdk.Duration_Days(jsii.Number(o.retentionDays))
	}
	return queuePair{queue: awssqs.NewQueue(scope, jsii.String(id), props), dlq: dlq}
}
