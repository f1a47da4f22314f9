package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newAlarmTopic is the SNS topic every alarm notifies, with an e-mail
// subscription when email is set (AWS asks the address to confirm it).
// Other subscribers (chat, paging) are added to the topic outside the
// stack.
func newAlarmTopic(scope constructs.Construct, email string) awssns.Topic {
	topic := awssns.NewTopic(scope, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("WhatsApp gateway alarms"),
		// A policy denies publishing without TLS (cdk-nag SNS3).
		EnforceSSL: jsii.Bool(true),
	})
	if email != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return topic
}

// alarmSpec is one alarm: what it watches and when it fires.
type alarmSpec struct {
	id string
	// description is what the alarm means and what to do: it is the
	// text the notification carries.
	description string
	metric      awscloudwatch.IMetric
	op          awscloudwatch.ComparisonOperator
	threshold   float64
	// periods is both the evaluation periods and the datapoints to alarm
	// (N out of N).
	periods float64
	missing awscloudwatch.TreatMissingData
}

// newAlarm declares spec's alarm with one action, on ALARM: the topic.
// No OK action: a recovery is seen on the alarm itself, and the DLQ
// alarms' periodic OK (dlqRenotifyExpression) would otherwise mail too.
func newAlarm(scope constructs.Construct, topic awssns.ITopic, spec alarmSpec) awscloudwatch.Alarm {
	alarm := awscloudwatch.NewAlarm(scope, jsii.String(spec.id), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(spec.description),
		Metric:             spec.metric,
		Threshold:          jsii.Number(spec.threshold),
		ComparisonOperator: spec.op,
		EvaluationPeriods:  jsii.Number(spec.periods),
		DatapointsToAlarm:  jsii.Number(spec.periods),
		TreatMissingData:   spec.missing,
	})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
	return alarm
}

// dlqRenotifyExpression is 1 while the dead-letter queue holds messages
// (m: ApproximateNumberOfMessagesVisible, Maximum per minute), except for
// the first 5 minutes of 00, 06, 12 and 18 h UTC, when it is 0. An alarm
// notifies only on entering ALARM, so one left in ALARM for days says
// nothing more; the brief OK every 6 hours makes it enter ALARM again,
// and notify again, for as long as the queue is not dealt with. No code
// runs for it: CloudWatch metric math's HOUR and MINUTE read each
// datapoint's UTC timestamp.
const dlqRenotifyExpression = "IF(m > 0 AND (MINUTE(m) >= 5 OR " +
	"(HOUR(m) != 0 AND HOUR(m) != 6 AND HOUR(m) != 12 AND HOUR(m) != 18)), 1, 0)"

// newDLQAlarm raises an alarm on topic as soon as a dead-letter queue
// holds a message, and again every 6 hours while it still does
// (dlqRenotifyExpression): each message there is a message, command or
// webhook the gateway gave up on. Missing data (an idle queue) is not a
// breach.
func newDLQAlarm(scope constructs.Construct, id string, dlq awssqs.Queue, what string, topic awssns.ITopic) awscloudwatch.Alarm {
	return newAlarm(scope, topic, alarmSpec{
		id: id,
		description: what + " dead-letter queue holds messages: each is one the gateway gave up on. " +
			"Read them (SQS console, or aws sqs receive-message), fix the cause, then redrive them to " +
			"their queue or purge the DLQ. Notified again every 6 hours (00:05, 06:05, 12:05, 18:05 UTC) " +
			"while the queue is not empty.",
		metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(dlqRenotifyExpression),
			UsingMetrics: &map[string]awscloudwatch.IMetric{
				"m": dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
					Period:    awscdk.Duration_Minutes(jsii.Number(1)),
					Statistic: jsii.String("Maximum"),
				}),
			},
			Label:  jsii.String(what + " DLQ holds messages (0 for 5 min every 6 h)"),
			Period: awscdk.Duration_Minutes(jsii.Number(1)),
		}),
		op:        awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		threshold: 0,
		periods:   1,
		missing:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
}
