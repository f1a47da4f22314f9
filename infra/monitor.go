package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// monitored is everything the stack's alarms watch.
type monitored struct {
	topic        awssns.Topic
	shards       []*shard
	webhookQueue queuePair
	apiFn        awslambda.Function
	webhooksFn   awslambda.Function
	httpAPI      awsapigatewayv2.HttpApi
	tables       []awsdynamodb.Table
	cluster      awsecs.Cluster
	// containerInsights: the cluster has Container Insights, whose
	// RunningTaskCount the running-task alarms read; without it they
	// read the sample count of AWS/ECS CPUUtilization, which ECS
	// publishes only while the service has a running task.
	containerInsights bool
	// gatewayTable is the gateway table's name: the dimension of the
	// session host's outbox lag metric.
	gatewayTable *string
}

// Alarm thresholds (README.md "Alarms" says why each and what to do).
const (
	// Oldest message in a queue, in seconds. Lane messages wait, held by
	// the host, while their lane's hourly or daily caps hold them back
	// (up to about a day); SQS deletes any message after 14 days, so the
	// normal and bulk thresholds leave 11 days to act. Commands are
	// answered within 25 s or dropped as stale.
	urgentMaxAgeSeconds  = 3600
	normalMaxAgeSeconds  = 3 * 24 * 3600
	bulkMaxAgeSeconds    = 3 * 24 * 3600
	commandMaxAgeSeconds = 600
	// apiErrorsPer5Min: the API function errs on a crash or a timeout (a
	// session command past 29 s); a few are noise, five in 5 minutes are
	// not. The webhooks function alarms on any error: a delivery that
	// failed is a batch item failure, not a function error.
	apiErrorsPer5Min = 5
	// api5xxPer5Min counts 5xx answers of the HTTP API, including the
	// 502s of session commands the host did not answer.
	api5xxPer5Min = 5
	// outboxMaxLagSeconds: events are published within seconds; five
	// minutes behind means the relay is stuck or EventBridge refuses.
	outboxMaxLagSeconds = 300
)

// Names of the session host's outbox lag metric (Embedded Metric Format
// log lines, about once a minute).
const (
	hostMetricsNamespace = "WaGateway"
	outboxLagMetric      = "OutboxLagSeconds"
	outboxLagDimension   = "Table"
)

// minutes is a metric's period.
func minutes(n float64) awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(n)) }

// newMonitoring declares the stack's alarms, each notifying m.topic:
// per shard its queues and its host, then what every shard shares.
func newMonitoring(scope constructs.Construct, m monitored) {
	for n, s := range m.shards {
		shardAlarms(scope, n, s, m)
	}
	newDLQAlarm(scope, "WebhookDlqAlarm", m.webhookQueue.dlq, "Webhook", m.topic)
	for _, spec := range sharedAlarms(m) {
		newAlarm(scope, m.topic, spec)
	}
}

// shardAlarms are shard n's: a DLQ alarm and an oldest-message alarm
// on each of its four queues, and its host's running task.
func shardAlarms(scope constructs.Construct, n int, s *shard, m monitored) {
	queues := []struct {
		name   string
		pair   queuePair
		maxAge float64
		// periods of 5 minutes: a lane's age grows slowly, a command's
		// matters within minutes.
		periods float64
		todo    string
	}{
		{"Urgent", s.urgent, urgentMaxAgeSeconds, 3, laneTodo},
		{"Normal", s.normal, normalMaxAgeSeconds, 3, laneTodo},
		{"Bulk", s.bulk, bulkMaxAgeSeconds, 3, laneTodo},
		{"Command", s.command, commandMaxAgeSeconds, 2, "The session host is not receiving commands: " +
			"check shard %d's running-task alarm and its logs (HostLogs, stream prefix shard%d)."},
	}
	for _, q := range queues {
		what := fmt.Sprintf("Shard %d %s", n, q.name)
		newDLQAlarm(scope, fmt.Sprintf("Shard%d%sDlqAlarm", n, q.name), q.pair.dlq, what, m.topic)
		newAlarm(scope, m.topic, alarmSpec{
			id: fmt.Sprintf("Shard%d%sAgeAlarm", n, q.name),
			description: fmt.Sprintf("%s queue: its oldest message has waited over %s. ", what, duration(q.maxAge)) +
				fmt.Sprintf(q.todo, n, n),
			metric: q.pair.queue.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{
				Period: minutes(5), Statistic: jsii.String("Maximum"),
			}),
			op: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD, threshold: q.maxAge, periods: q.periods,
			missing: awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
	dims := &map[string]*string{"ClusterName": m.cluster.ClusterName(), "ServiceName": s.service.ServiceName()}
	running := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("ECS/ContainerInsights"), MetricName: jsii.String("RunningTaskCount"),
		DimensionsMap: dims, Period: minutes(1), Statistic: jsii.String("Minimum"),
	})
	source := "Container Insights"
	if !m.containerInsights {
		running = awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/ECS"), MetricName: jsii.String("CPUUtilization"),
			DimensionsMap: dims, Period: minutes(1), Statistic: jsii.String("SampleCount"),
		})
		source = "ECS's service metrics"
	}
	newAlarm(scope, m.topic, alarmSpec{
		id: fmt.Sprintf("Shard%dHostRunningAlarm", n),
		description: fmt.Sprintf("Shard %d has had no running session host task for 3 minutes "+
			"(or %s stopped reporting): its instances neither send nor receive. "+
			"Check the ECS service's events and stopped tasks' reasons, and the host's logs "+
			"(HostLogs, stream prefix shard%d).", n, source, n),
		metric: running,
		// A deployment replaces the task stop-first: about a minute
		// without one is normal. No data means no task reporting.
		op: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD, threshold: 1, periods: 3,
		missing: awscloudwatch.TreatMissingData_BREACHING,
	})
}

// laneTodo is the lane age alarms' advice (%d: the shard, twice).
const laneTodo = "Either the session host is not sending (check shard %d's running-task alarm and the " +
	"host's logs, stream prefix shard%d), or an instance's lane caps hold more than they can send: " +
	"SQS deletes messages after 14 days."

// sharedAlarms are the alarms on what every shard shares: the Lambdas,
// the HTTP API, the tables and the outbox.
func sharedAlarms(m monitored) []alarmSpec {
	sum5 := &awscloudwatch.MetricOptions{Period: minutes(5), Statistic: jsii.String("Sum")}
	notBreaching := awscloudwatch.TreatMissingData_NOT_BREACHING
	above := awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD
	atLeast := awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	specs := []alarmSpec{
		{
			id: "ApiFunctionErrorsAlarm",
			description: fmt.Sprintf("The API function failed %d times or more in 5 minutes (crashes or "+
				"timeouts; clients got 5xx). Read ApiFunctionLogs.", apiErrorsPer5Min),
			metric: m.apiFn.MetricErrors(sum5), op: atLeast, threshold: apiErrorsPer5Min, periods: 1, missing: notBreaching,
		},
		{
			id: "ApiFunctionThrottlesAlarm",
			description: "The API function was throttled (clients got 429/5xx): the account's Lambda " +
				"concurrency is exhausted. Check the account's concurrent executions and raise the quota.",
			metric: m.apiFn.MetricThrottles(sum5), op: above, threshold: 0, periods: 1, missing: notBreaching,
		},
		{
			id: "WebhooksFunctionErrorsAlarm",
			description: "The webhooks function failed (a crash or timeout, not a tenant's endpoint " +
				"refusing: those are batch item failures). Its batch is retried; read WebhooksFunctionLogs.",
			metric: m.webhooksFn.MetricErrors(sum5), op: above, threshold: 0, periods: 1, missing: notBreaching,
		},
		{
			id: "WebhooksFunctionThrottlesAlarm",
			description: "The webhooks function was throttled: deliveries are delayed. Check the " +
				"account's Lambda concurrency.",
			metric: m.webhooksFn.MetricThrottles(sum5), op: above, threshold: 0, periods: 1, missing: notBreaching,
		},
		{
			id: "Api5xxAlarm",
			description: fmt.Sprintf("The HTTP API answered 5xx %d times or more in each of two 5-minute "+
				"periods: the API function fails, or session commands time out (502: the host does "+
				"not answer). Check the function's alarms and the shards' running-task alarms.", api5xxPer5Min),
			metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
				Namespace:  jsii.String("AWS/ApiGateway"),
				MetricName: jsii.String("5xx"),
				DimensionsMap: &map[string]*string{
					"ApiId": m.httpAPI.ApiId(),
					"Stage": jsii.String("$default"),
				},
				Period: minutes(5), Statistic: jsii.String("Sum"),
			}),
			op: atLeast, threshold: api5xxPer5Min, periods: 2, missing: notBreaching,
		},
		{
			id: "OutboxLagAlarm",
			description: fmt.Sprintf("The outbox's oldest unpublished event is over %d s old for 3 "+
				"minutes: events (and so webhooks) are late. Read the session hosts' logs for "+
				"EventBridge PutEvents errors.", outboxMaxLagSeconds),
			// No Unit: an alarm with a unit ignores datapoints sent with
			// another, and would then see only missing data.
			metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
				Namespace:     jsii.String(hostMetricsNamespace),
				MetricName:    jsii.String(outboxLagMetric),
				DimensionsMap: &map[string]*string{outboxLagDimension: m.gatewayTable},
				Period:        minutes(1), Statistic: jsii.String("Maximum"),
			}),
			// A dead host sends nothing: the running-task alarms cover it.
			op: above, threshold: outboxMaxLagSeconds, periods: 3, missing: notBreaching,
		},
	}
	for _, t := range m.tables {
		name := *t.Node().Id()
		specs = append(specs, alarmSpec{
			id: name + "ThrottleAlarm",
			description: name + " throttled reads or writes: the gateway's requests failed or were " +
				"retried. On-demand tables throttle past a partition's limits (a hot key) or the " +
				"account's table quotas; check the table's metrics per operation and the quotas.",
			metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
				// FILL: a sum with one side missing would be missing.
				Expression: jsii.String("FILL(r, 0) + FILL(w, 0)"),
				UsingMetrics: &map[string]awscloudwatch.IMetric{
					"r": t.Metric(jsii.String("ReadThrottleEvents"), sum5),
					"w": t.Metric(jsii.String("WriteThrottleEvents"), sum5),
				},
				Label:  jsii.String(name + " throttle events"),
				Period: minutes(5),
			}),
			op: above, threshold: 0, periods: 1, missing: notBreaching,
		})
	}
	return specs
}

// duration is seconds as an alarm description says it.
func duration(seconds float64) string {
	switch s := int(seconds); {
	case s%(24*3600) == 0:
		return fmt.Sprintf("%d days", s/(24*3600))
	case s%3600 == 0:
		return fmt.Sprintf("%d h", s/3600)
	default:
		return fmt.Sprintf("%d min", s/60)
	}
}
