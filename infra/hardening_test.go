package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// indexActions is what the statements allow on the index ix of table
// (its own ARN, table ARN + "/index/<ix>").
func indexActions(sts []statement, table, ix string) map[string]bool {
	want, _ := json.Marshal(map[string]any{"Fn::Join": []any{"", []any{getAtt(table, "Arn"), "/index/" + ix}}})
	out := map[string]bool{}
	for _, s := range sts {
		for _, r := range s.Resources {
			if b, _ := json.Marshal(r); string(b) == string(want) {
				for _, a := range s.Actions {
					out[a] = true
				}
			}
		}
	}
	return out
}

// checkStatefulKept: what holds data the gateway cannot rebuild is kept
// when the stack is deleted or the resource replaced.
func checkStatefulKept(t *testing.T, f *fixture) {
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::SecretsManager::Secret",
		"AWS::Logs::LogGroup"} {
		ids := f.ofType(typ)
		require.NotEmpty(t, ids, typ)
		for _, id := range ids {
			require.Equal(t, "Retain", jsonField(t, f, id, "DeletionPolicy"), "%s %s", typ, id)
			require.Equal(t, "Retain", jsonField(t, f, id, "UpdateReplacePolicy"), "%s %s", typ, id)
		}
	}
	for _, id := range f.ofType("AWS::DynamoDB::Table") {
		require.Equal(t, true, f.res[id].Properties["DeletionProtectionEnabled"], id)
	}
	for _, id := range f.ofType("AWS::Logs::LogGroup") {
		require.EqualValues(t, 30, f.res[id].Properties["RetentionInDays"], "%s: retained, yet emptied", id)
	}
}

// checkAPIStage: the default stage logs each request as JSON to its own
// log group, without headers or query string, and is throttled.
func checkAPIStage(t *testing.T, f *fixture) {
	stage := f.props(t, "HttpApi/DefaultStage/Resource")
	logs := stage["AccessLogSettings"].(map[string]any)
	require.Equal(t, getAtt(f.id(t, "ApiAccessLogs/Resource"), "Arn"), logs["DestinationArn"])
	var format map[string]string
	require.NoError(t, json.Unmarshal([]byte(logs["Format"].(string)), &format), "JSON lines")
	require.Equal(t, map[string]string{
		"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
		"httpMethod": "$context.httpMethod", "routeKey": "$context.routeKey", "path": "$context.path",
		"status": "$context.status", "protocol": "$context.protocol", "responseLength": "$context.responseLength",
		"integrationLatency": "$context.integrationLatency", "integrationErrorMessage": "$context.integrationErrorMessage",
	}, format)
	require.NotContains(t, strings.ToLower(logs["Format"].(string)), "header", "never a header (apikey)")
	require.NotContains(t, logs["Format"].(string), "querystring")

	routes := stage["DefaultRouteSettings"].(map[string]any)
	require.EqualValues(t, orDefault(f.in.APIRateLimit, 100), routes["ThrottlingRateLimit"])
	require.EqualValues(t, orDefault(f.in.APIBurstLimit, 200), routes["ThrottlingBurstLimit"])
}

// checkNetwork: the VPC's flow logs and the media bucket's access logs
// go to the log bucket; the cluster has Container Insights unless told.
func checkNetwork(t *testing.T, f *fixture) {
	logBucket := f.id(t, "LogBucket/Resource")
	flows := f.ofType("AWS::EC2::FlowLog")
	require.Len(t, flows, 1)
	flow := f.res[flows[0]].Properties
	require.Equal(t, ref(f.id(t, "Vpc/Resource")), flow["ResourceId"])
	require.Equal(t, "ALL", flow["TrafficType"])
	require.Equal(t, "s3", flow["LogDestinationType"])
	b, _ := json.Marshal(flow["LogDestination"])
	require.Contains(t, string(b), logBucket)
	require.Contains(t, string(b), flowLogPrefix)

	media := f.props(t, "MediaBucket/Resource")
	require.Equal(t, map[string]any{"DestinationBucketName": ref(logBucket), "LogFilePrefix": accessLogPrefix},
		media["LoggingConfiguration"])
	lb := f.res[logBucket].Properties
	require.Equal(t, []any{map[string]any{"Id": "ExpireLogs", "ExpirationInDays": float64(logBucketRetentionDays), "Status": "Enabled"}},
		lb["LifecycleConfiguration"].(map[string]any)["Rules"])
	require.Equal(t, map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true,
		"RestrictPublicBuckets": true}, lb["PublicAccessBlockConfiguration"])

	cluster := f.props(t, "Cluster/Resource")
	insights := "enabled"
	if f.in.NoContainerInsights {
		insights = "disabled"
	}
	require.Equal(t, []any{map[string]any{"Name": "containerInsights", "Value": insights}}, cluster["ClusterSettings"])
}

// checkHostTask: a session host task is read-only but for /tmp, checks
// its own health, and has the size asked for.
func checkHostTask(t *testing.T, f *fixture, shard int) {
	task := f.props(t, fmt.Sprintf("Shard%d/HostTask/Resource", shard))
	require.Equal(t, fmt.Sprint(orDefault(f.in.HostCPU, 256)), task["Cpu"])
	require.Equal(t, fmt.Sprint(orDefault(f.in.HostMemoryMiB, 1024)), task["Memory"])
	require.Equal(t, []any{map[string]any{"Name": "tmp"}}, task["Volumes"], "task storage, no host path")
	c := task["ContainerDefinitions"].([]any)[0].(map[string]any)
	require.Equal(t, true, c["ReadonlyRootFilesystem"])
	require.Equal(t, []any{map[string]any{"ContainerPath": "/tmp", "SourceVolume": "tmp", "ReadOnly": false}}, c["MountPoints"])
	require.Equal(t, map[string]any{
		"Command": []any{"CMD", "/sessionhost", "health"}, "Interval": float64(30), "Timeout": float64(5),
		"Retries": float64(3), "StartPeriod": float64(60),
	}, c["HealthCheck"])
}
