package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/require"
)

// documentedDLQExpression is the DLQ alarms' expression as README.md
// "Alarms" gives it; the test checks both say the same.
const documentedDLQExpression = "IF(m > 0 AND (MINUTE(m) >= 5 OR " +
	"(HOUR(m) != 0 AND HOUR(m) != 6 AND HOUR(m) != 12 AND HOUR(m) != 18)), 1, 0)"

// wantAlarm is what one alarm must be. metric is the alarm's metric
// properties: Namespace, MetricName, Dimensions, Statistic and Period
// for a plain metric, or Metrics for metric math.
type wantAlarm struct {
	metric    map[string]any
	op        string
	threshold float64
	periods   float64
	missing   string
}

// TestAlarms checks every alarm of the stack, with one and two shards:
// the exact set (so a removed or unexpected alarm fails), and each
// one's metric, threshold, periods, missing-data treatment and action.
func TestAlarms(t *testing.T) {
	for _, shards := range []int{1, 2} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			f := synth(t, shards)
			want := wantAlarms(t, f)
			got := map[string]map[string]any{}
			for _, id := range f.ofType("AWS::CloudWatch::Alarm") {
				path, _ := f.res[id].Metadata["aws:cdk:path"].(string)
				got[strings.TrimPrefix(path, testStack+"/")] = f.res[id].Properties
			}
			require.Equal(t, sortedKeys(want), sortedKeys(got))
			// 9 per shard (4 DLQ, 4 age, 1 running task) and 9 shared.
			require.Len(t, got, 9*shards+9)
			for path, w := range want {
				t.Run(path, func(t *testing.T) { checkAlarm(t, f, got[path], w) })
			}
		})
	}
}

func checkAlarm(t *testing.T, f *fixture, got map[string]any, w wantAlarm) {
	for k, v := range w.metric {
		require.Equal(t, norm(t, v), got[k], k)
	}
	require.Equal(t, w.op, got["ComparisonOperator"])
	require.Equal(t, w.threshold, got["Threshold"])
	require.Equal(t, w.periods, got["EvaluationPeriods"])
	require.Equal(t, w.periods, got["DatapointsToAlarm"])
	require.Equal(t, w.missing, got["TreatMissingData"])
	// The topic on ALARM, and nothing on OK: the DLQ alarms go OK for
	// 5 minutes every 6 hours.
	require.Equal(t, norm(t, []any{ref(f.id(t, "AlarmTopic/Resource"))}), got["AlarmActions"])
	require.NotContains(t, got, "OKActions")
	require.NotContains(t, got, "InsufficientDataActions")
	require.NotEmpty(t, got["AlarmDescription"])
}

// wantAlarms is every alarm the stack must have, by construct path.
func wantAlarms(t *testing.T, f *fixture) map[string]wantAlarm {
	const (
		gt, ge, lt   = "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold"
		notBreaching = "notBreaching"
	)
	dlq := func(queuePath string) wantAlarm {
		return wantAlarm{metric: map[string]any{"Metrics": []any{
			map[string]any{"Id": "expr_1", "Expression": documentedDLQExpression, "ReturnData": true,
				"Label": anyLabel},
			map[string]any{"Id": "m", "ReturnData": false, "MetricStat": map[string]any{
				"Metric": map[string]any{"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
					"Dimensions": dims("QueueName", getAtt(f.id(t, queuePath), "QueueName"))},
				"Period": 60, "Stat": "Maximum"}},
		}}, op: gt, threshold: 0, periods: 1, missing: notBreaching}
	}
	plain := func(ns, name, stat string, period int, dimensions []any) map[string]any {
		return map[string]any{"Namespace": ns, "MetricName": name, "Statistic": stat, "Period": period,
			"Dimensions": dimensions}
	}
	want := map[string]wantAlarm{"WebhookDlqAlarm/Resource": dlq("WebhookQueueDlq/Resource")}
	ages := map[string]struct{ seconds, periods float64 }{
		"Urgent": {3600, 3}, "Normal": {3 * 86400, 3}, "Bulk": {3 * 86400, 3}, "Command": {600, 2},
	}
	for n := range f.shards {
		for name, age := range ages {
			queue := fmt.Sprintf("Shard%d/%sQueue", n, name)
			want[fmt.Sprintf("Shard%d%sDlqAlarm/Resource", n, name)] = dlq(queue + "Dlq/Resource")
			want[fmt.Sprintf("Shard%d%sAgeAlarm/Resource", n, name)] = wantAlarm{
				metric: plain("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", 300,
					dims("QueueName", getAtt(f.id(t, queue+"/Resource"), "QueueName"))),
				op: gt, threshold: age.seconds, periods: age.periods, missing: notBreaching,
			}
		}
		service := append(dims("ClusterName", ref(f.id(t, "Cluster/Resource"))),
			dims("ServiceName", getAtt(f.id(t, fmt.Sprintf("Shard%d/HostService/Service", n)), "Name"))...)
		running := plain("ECS/ContainerInsights", "RunningTaskCount", "Minimum", 60, service)
		if f.in.NoContainerInsights {
			running = plain("AWS/ECS", "CPUUtilization", "SampleCount", 60, service)
		}
		want[fmt.Sprintf("Shard%dHostRunningAlarm/Resource", n)] = wantAlarm{
			metric: running, op: lt, threshold: 1, periods: 3, missing: "breaching",
		}
	}
	lambda := func(fn, metric string) map[string]any {
		return plain("AWS/Lambda", metric, "Sum", 300, dims("FunctionName", ref(f.id(t, fn+"/Resource"))))
	}
	want["ApiFunctionErrorsAlarm/Resource"] = wantAlarm{metric: lambda("ApiFunction", "Errors"),
		op: ge, threshold: 5, periods: 1, missing: notBreaching}
	want["ApiFunctionThrottlesAlarm/Resource"] = wantAlarm{metric: lambda("ApiFunction", "Throttles"),
		op: gt, threshold: 0, periods: 1, missing: notBreaching}
	want["WebhooksFunctionErrorsAlarm/Resource"] = wantAlarm{metric: lambda("WebhooksFunction", "Errors"),
		op: gt, threshold: 0, periods: 1, missing: notBreaching}
	want["WebhooksFunctionThrottlesAlarm/Resource"] = wantAlarm{metric: lambda("WebhooksFunction", "Throttles"),
		op: gt, threshold: 0, periods: 1, missing: notBreaching}
	want["Api5xxAlarm/Resource"] = wantAlarm{
		metric: plain("AWS/ApiGateway", "5xx", "Sum", 300, append(
			dims("ApiId", ref(f.id(t, "HttpApi/Resource"))), dims("Stage", "$default")...)),
		op: ge, threshold: 5, periods: 2, missing: notBreaching,
	}
	want["OutboxLagAlarm/Resource"] = wantAlarm{
		metric: plain("WaGateway", "OutboxLagSeconds", "Maximum", 60,
			dims("Table", ref(f.id(t, "GatewayTable/Resource")))),
		op: gt, threshold: 300, periods: 3, missing: notBreaching,
	}
	for _, table := range []string{"GatewayTable", "DeviceTable"} {
		throttles := func(id, metric string) map[string]any {
			return map[string]any{"Id": id, "ReturnData": false, "MetricStat": map[string]any{
				"Metric": map[string]any{"Namespace": "AWS/DynamoDB", "MetricName": metric,
					"Dimensions": dims("TableName", ref(f.id(t, table+"/Resource")))},
				"Period": 300, "Stat": "Sum"}}
		}
		want[table+"ThrottleAlarm/Resource"] = wantAlarm{metric: map[string]any{"Metrics": []any{
			map[string]any{"Id": "expr_1", "Expression": "FILL(r, 0) + FILL(w, 0)", "ReturnData": true, "Label": anyLabel},
			throttles("r", "ReadThrottleEvents"),
			throttles("w", "WriteThrottleEvents"),
		}}, op: gt, threshold: 0, periods: 1, missing: notBreaching}
	}
	// Labels are for graphs: take the template's rather than repeat them.
	for path, w := range want {
		if ms, ok := w.metric["Metrics"].([]any); ok {
			label := f.props(t, path)["Metrics"].([]any)[0].(map[string]any)["Label"]
			require.NotEmpty(t, label, path)
			ms[0].(map[string]any)["Label"] = label
		}
	}
	return want
}

// anyLabel stands for a math expression's label until wantAlarms sets
// the template's.
const anyLabel = "(label)"

// TestDLQExpressionDocumented: README.md gives the expression the DLQ
// alarms use, and its period.
func TestDLQExpressionDocumented(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(raw)
	_, section, ok := strings.Cut(readme, "\n## Alarms\n")
	require.True(t, ok, "README.md has no Alarms section")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, s := range []string{"`" + documentedDLQExpression + "`", "every 6 hours"} {
		require.Truef(t, strings.Contains(section, s), "README.md Alarms lacks %q", s)
	}
	require.Equal(t, documentedDLQExpression, dlqRenotifyExpression)
}

// TestDLQAlarmNoWarnings: CDK accepts the expression (its identifiers
// are all metrics it is given) without a warning.
func TestDLQAlarmNoWarnings(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Dlq"), nil)
	dlq := awssqs.NewQueue(stack, jsii.String("Q"), nil)
	newDLQAlarm(stack, "A", dlq, "Test", awssns.NewTopic(stack, jsii.String("T"), nil))
	cdkAssert(t, func() {
		assertions.Annotations_FromStack(stack).HasNoWarning(jsii.String("*"), assertions.Match_AnyValue())
		assertions.Annotations_FromStack(stack).HasNoError(jsii.String("*"), assertions.Match_AnyValue())
	})
}

// TestDuration: the ages in the age alarms' descriptions.
func TestDuration(t *testing.T) {
	for _, c := range []struct {
		seconds float64
		want    string
	}{{3600, "1 h"}, {3 * 86400, "3 days"}, {600, "10 min"}, {7200, "2 h"}} {
		require.Equal(t, c.want, duration(c.seconds))
	}
}

// dims is one CloudFormation metric dimension, in a list.
func dims(name string, value any) []any {
	return []any{map[string]any{"Name": name, "Value": value}}
}

// norm is v as it reads back from the template's JSON (numbers as
// float64, lists as []any).
func norm(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
