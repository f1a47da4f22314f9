package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/require"
)

// TestStack synthesizes the stack with one and two shards (a synthesis
// takes seconds, so each is shared by its subtests) and checks the
// template.
func TestStack(t *testing.T) {
	checks := []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"resource counts", checkCounts},
		{"tables mirror the adapters", checkTables},
		{"lane and command queues", checkShardQueues},
		{"webhook queue and event rule", checkWebhookPath},
		{"lambdas", checkFunctions},
		{"session hosts", checkHosts},
		{"least privilege", checkPrivileges},
		{"no secret values", checkNoSecrets},
		{"alarm topic", checkAlarmTopic},
		{"stateful resources kept", checkStatefulKept},
		{"api stage", checkAPIStage},
		{"network and cluster", checkNetwork},
		{"outputs", checkOutputs},
		{"image asset", checkImageAsset},
		{"media bucket", checkMediaBucket},
		{"media grants", checkMediaGrants},
		{"no dependency cycle", checkNoCycle},
	}
	for _, shards := range []int{1, 2} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			f := synth(t, shards)
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) { c.fn(t, f) })
			}
		})
	}
}

// shardQueueNames are the construct names of a shard's queues.
var shardQueueNames = []string{"UrgentQueue", "NormalQueue", "BulkQueue", "CommandQueue"}

func checkCounts(t *testing.T, f *fixture) {
	n := float64(f.shards)
	counts := map[string]float64{
		"AWS::SQS::Queue":          8*n + 2, // 4 queues + 4 DLQs per shard, webhook queue + DLQ
		"AWS::ECS::Service":        n,
		"AWS::ECS::TaskDefinition": n,
		"AWS::ECS::Cluster":        1,
		"AWS::SNS::Topic":          1,
		"AWS::SNS::TopicPolicy":    1, // TLS only
		// Ours, and the provider of the custom resource that empties the
		// VPC's default security group (@aws-cdk/aws-ec2:restrictDefaultSecurityGroup).
		"AWS::Lambda::Function":           3,
		"Custom::VpcRestrictDefaultSG":    1,
		"AWS::Logs::LogGroup":             4, // host, API, webhooks, API access logs
		"AWS::EC2::FlowLog":               1,
		"AWS::Lambda::EventSourceMapping": 1,
		"AWS::DynamoDB::Table":            2,
		"AWS::Events::EventBus":           1,
		"AWS::Events::Rule":               1,
		"AWS::SecretsManager::Secret":     1,
		"AWS::ApiGatewayV2::Api":          1,
		"AWS::ApiGatewayV2::Route":        1,
		"AWS::S3::Bucket":                 2, // media, logs
		"AWS::S3::BucketPolicy":           2,
	}
	cdkAssert(t, func() {
		for typ, c := range counts {
			f.tpl.ResourceCountIs(jsii.String(typ), jsii.Number(c))
		}
	})
	// maxShards must keep the template under CloudFormation's limit.
	perShard := 0
	for path := range f.byPath {
		if strings.HasPrefix(path, "Shard0") {
			perShard++
		}
	}
	shared := len(f.res) - f.shards*perShard
	require.Positive(t, perShard)
	require.LessOrEqualf(t, shared+maxShards*perShard, 500,
		"maxShards=%d would exceed 500 resources (%d shared + %d per shard)", maxShards, shared, perShard)
	t.Logf("%d resources: %d shared + %d per shard; at maxShards=%d: %d", len(f.res), shared, perShard, maxShards,
		shared+maxShards*perShard)
}

func checkTables(t *testing.T, f *fixture) {
	checkTable(t, f.props(t, "GatewayTable/Resource"), gatewayTableSpec(t))
	checkTable(t, f.props(t, "DeviceTable/Resource"), deviceTableSpec(t))
	// The mirror in table.go names the same indexes as the adapter.
	var names []string
	for _, ix := range gatewayTableSpec(t).indexes {
		names = append(names, ix.name)
	}
	var ours []string
	for _, ix := range gatewayIndexes() {
		ours = append(ours, ix.name)
	}
	require.Equal(t, names, ours)
	// State survives the stack, and a hand that deletes the table.
	for _, p := range []string{"GatewayTable/Resource", "DeviceTable/Resource"} {
		require.Equal(t, "Retain", jsonField(t, f, f.id(t, p), "DeletionPolicy"), p)
		require.Equal(t, true, f.props(t, p)["DeletionProtectionEnabled"], p)
	}
}

// jsonField is a top-level attribute (DeletionPolicy, ...) of a resource.
func jsonField(t *testing.T, f *fixture, id, key string) any {
	t.Helper()
	return f.template["Resources"].(map[string]any)[id].(map[string]any)[key]
}

func checkShardQueues(t *testing.T, f *fixture) {
	cdkAssert(t, func() {
		f.tpl.ResourcePropertiesCountIs(jsii.String("AWS::SQS::Queue"), &map[string]any{
			"FifoQueue": true, "ContentBasedDeduplication": false,
		}, jsii.Number(float64(8*f.shards)))
	})
	for s := range f.shards {
		for _, name := range shardQueueNames {
			path := fmt.Sprintf("Shard%d/%s", s, name)
			q := f.props(t, path+"/Resource")
			dlqID := f.id(t, path+"Dlq/Resource")
			dlq := f.res[dlqID].Properties
			require.Equal(t, true, q["FifoQueue"], path)
			require.Equal(t, false, q["ContentBasedDeduplication"], path)
			require.Equal(t, "messageGroup", q["DeduplicationScope"], path)
			require.EqualValues(t, 60, q["VisibilityTimeout"], path)
			require.Equal(t, true, dlq["FifoQueue"], path+": a FIFO queue needs a FIFO DLQ")
			require.Nil(t, dlq["RedrivePolicy"], path+"Dlq")
			want := laneMaxReceives
			if name == "CommandQueue" {
				want = commandMaxReceives
			} else {
				require.EqualValues(t, 14*24*3600, q["MessageRetentionPeriod"], path)
			}
			require.Equal(t, map[string]any{"deadLetterTargetArn": getAtt(dlqID, "Arn"), "maxReceiveCount": float64(want)},
				q["RedrivePolicy"], path)
		}
	}
	// Every queue refuses plain HTTP.
	for _, id := range f.ofType("AWS::SQS::Queue") {
		found := false
		for _, pid := range f.ofType("AWS::SQS::QueuePolicy") {
			p := f.res[pid].Properties
			b, _ := json.Marshal(p)
			if strings.Contains(string(b), `"`+id+`"`) && strings.Contains(string(b), `"aws:SecureTransport":"false"`) {
				found = true
			}
		}
		require.Truef(t, found, "queue %s has no TLS-only policy", id)
	}
}

func checkWebhookPath(t *testing.T, f *fixture) {
	qID := f.id(t, "WebhookQueue/Resource")
	dlqID := f.id(t, "WebhookQueueDlq/Resource")
	q := f.res[qID].Properties
	require.Nil(t, q["FifoQueue"], "the webhook queue is a standard queue")
	require.Equal(t, map[string]any{"deadLetterTargetArn": getAtt(dlqID, "Arn"), "maxReceiveCount": float64(4)}, q["RedrivePolicy"])
	timeout := f.props(t, "WebhooksFunction/Resource")["Timeout"].(float64)
	require.GreaterOrEqual(t, q["VisibilityTimeout"].(float64), 6*timeout, "visibility at least 6 × the function timeout")

	busID := f.id(t, "EventBus/Resource")
	cdkAssert(t, func() {
		f.tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), &map[string]any{
			"EventBusName": ref(busID),
			"EventPattern": assertions.Match_ObjectEquals(&map[string]any{"source": []any{"whatsapp.gateway"}}),
			"State":        "ENABLED",
			"Targets": []any{assertions.Match_ObjectLike(&map[string]any{
				"Arn":              getAtt(qID, "Arn"),
				"DeadLetterConfig": map[string]any{"Arn": getAtt(dlqID, "Arn")},
			})},
		})
	})
	// EventBridge may send to the queue (and its DLQ), only for this rule.
	ruleID := f.id(t, "WebhookRule/Resource")
	for _, target := range []string{qID, dlqID} {
		found := false
		for _, pid := range f.ofType("AWS::SQS::QueuePolicy") {
			p := f.res[pid].Properties
			b, _ := json.Marshal(p["Queues"])
			if !strings.Contains(string(b), `"`+target+`"`) {
				continue
			}
			for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				sm := s.(map[string]any)
				if sm["Principal"] == nil || fmt.Sprint(sm["Principal"]) != fmt.Sprint(map[string]any{"Service": "events.amazonaws.com"}) {
					continue
				}
				acts := actionList(sm["Action"])
				require.Contains(t, acts, "sqs:SendMessage")
				require.Subset(t, []string{"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}, acts)
				cond, _ := json.Marshal(sm["Condition"])
				require.Contains(t, string(cond), `"aws:SourceArn"`)
				require.Contains(t, string(cond), ruleID)
				found = true
			}
		}
		require.Truef(t, found, "EventBridge may not send to %s", target)
	}

	cdkAssert(t, func() {
		f.tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), &map[string]any{
			"EventSourceArn":                 getAtt(qID, "Arn"),
			"FunctionName":                   ref(f.id(t, "WebhooksFunction/Resource")),
			"BatchSize":                      10,
			"MaximumBatchingWindowInSeconds": 1,
			"ScalingConfig":                  map[string]any{"MaximumConcurrency": orDefault(f.in.WebhookConcurrency, 5)},
			"FunctionResponseTypes":          []any{"ReportBatchItemFailures"},
		})
	})
}

func checkFunctions(t *testing.T, f *fixture) {
	for _, p := range []string{"ApiFunction/Resource", "WebhooksFunction/Resource"} {
		fn := f.props(t, p)
		require.Equal(t, "provided.al2023", fn["Runtime"], p)
		require.Equal(t, []any{"arm64"}, fn["Architectures"], p)
		require.Equal(t, "bootstrap", fn["Handler"], p)
		require.EqualValues(t, 256, fn["MemorySize"], p)
		logs := fn["LoggingConfig"].(map[string]any)
		require.Equal(t, map[string]any{
			"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN",
			"LogGroup": ref(f.id(t, strings.TrimSuffix(p, "/Resource")+"Logs/Resource")),
		}, logs, "%s: own log group, JSON, no platform lines", p)
	}
	api := f.props(t, "ApiFunction/Resource")
	require.Less(t, api["Timeout"].(float64), 30.0, "API Gateway gives up at 30 s")
	if f.in.APIConcurrency > 0 {
		require.EqualValues(t, f.in.APIConcurrency, api["ReservedConcurrentExecutions"])
	} else {
		require.NotContains(t, api, "ReservedConcurrentExecutions", "0 is unreserved, not \"never run\"")
	}
	require.NotContains(t, f.props(t, "WebhooksFunction/Resource"), "ReservedConcurrentExecutions",
		"the event source's MaximumConcurrency bounds it")

	s0 := func(q string) any { return ref(f.id(t, "Shard0/"+q+"/Resource")) }
	env := envOf(t, api)
	require.Equal(t, ref(f.id(t, "GatewayTable/Resource")), env[envTable])
	require.Equal(t, s0("UrgentQueue"), env[envQueueUrgent])
	require.Equal(t, s0("NormalQueue"), env[envQueueNormal])
	require.Equal(t, s0("BulkQueue"), env[envQueueBulk])
	require.Equal(t, s0("CommandQueue"), env[envCommandQueue])
	require.Equal(t, ref(f.id(t, "AdminKey/Resource")), env[envAdminKeySecretARN])
	require.Equal(t, ref(f.id(t, "MediaBucket/Resource")), env[envMediaBucket])
	require.Equal(t, strconv.Itoa(f.retention), env[envMediaRetentionDays])
	require.NotContains(t, env, envPublicURL, "the API builds no media.url")
	if f.shards == 1 {
		require.Len(t, env, 8, "API environment: %v", env)
	} else {
		// The other shards' queues, as a JSON list the stack resolves at
		// deployment: Fn::Join of literal JSON and each queue's Ref.
		require.Len(t, env, 9, "API environment: %v", env)
		b, err := json.Marshal(env[envExtraShards])
		require.NoError(t, err)
		for sh := 1; sh < f.shards; sh++ {
			for _, q := range shardQueueNames {
				require.Contains(t, string(b), `{"Ref":"`+f.id(t, fmt.Sprintf("Shard%d/%s/Resource", sh, q))+`"}`)
			}
		}
		for _, field := range []string{`\"urgent\":\"`, `\"normal\":\"`, `\"bulk\":\"`, `\"command\":\"`} {
			require.Equal(t, f.shards-1, strings.Count(string(b), field), "%s in %s", field, b)
		}
	}

	hooks := envOf(t, f.props(t, "WebhooksFunction/Resource"))
	require.Equal(t, map[string]any{
		envTable:        ref(f.id(t, "GatewayTable/Resource")),
		envWebhookQueue: ref(f.id(t, "WebhookQueue/Resource")),
	}, hooks)

	// $default route, payload format 2.0, to the API function.
	cdkAssert(t, func() {
		f.tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), &map[string]any{"RouteKey": "$default"})
		f.tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Integration"), &map[string]any{
			"IntegrationType":      "AWS_PROXY",
			"PayloadFormatVersion": "2.0",
			"IntegrationUri":       getAtt(f.id(t, "ApiFunction/Resource"), "Arn"),
		})
		f.tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Api"), &map[string]any{"ProtocolType": "HTTP"})
	})
}

func checkHosts(t *testing.T, f *fixture) {
	sgID := f.id(t, "HostSecurityGroup/Resource")
	require.Nil(t, f.res[sgID].Properties["SecurityGroupIngress"], "no inbound rule")
	require.Empty(t, f.ofType("AWS::EC2::SecurityGroupIngress"))
	for s := range f.shards {
		sh := fmt.Sprintf("Shard%d/", s)
		task := f.props(t, sh+"HostTask/Resource")
		require.Equal(t, map[string]any{"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}, task["RuntimePlatform"])
		require.Equal(t, []any{"FARGATE"}, task["RequiresCompatibilities"])
		checkHostTask(t, f, s)
		c := task["ContainerDefinitions"].([]any)[0].(map[string]any)
		require.Nil(t, c["PortMappings"], "the session host listens on nothing")
		want := map[string]any{
			envTable:        ref(f.id(t, "GatewayTable/Resource")),
			envDeviceTable:  ref(f.id(t, "DeviceTable/Resource")),
			envQueueUrgent:  ref(f.id(t, sh+"UrgentQueue/Resource")),
			envQueueNormal:  ref(f.id(t, sh+"NormalQueue/Resource")),
			envQueueBulk:    ref(f.id(t, sh+"BulkQueue/Resource")),
			envCommandQueue: ref(f.id(t, sh+"CommandQueue/Resource")),
			envEventBus:     ref(f.id(t, "EventBus/Resource")),
			envDriver:       "whatsmeow",
			envMediaBucket:  ref(f.id(t, "MediaBucket/Resource")),
			// The lifecycle rule's days (checkMediaBucket).
			envMediaRetentionDays: strconv.Itoa(f.retention),
			envShard:              strconv.Itoa(s),
			envPublicURL:          publicURL(t, f),
		}
		if f.in.LeaseTTLSeconds > 0 {
			want[envLeaseTTL] = strconv.Itoa(f.in.LeaseTTLSeconds) + "s"
		}
		require.Equal(t, want, containerEnv(t, task))
		svc := f.props(t, sh+"HostService/Service")
		require.EqualValues(t, f.hosts, svc["DesiredCount"])
		deploy := svc["DeploymentConfiguration"].(map[string]any)
		require.EqualValues(t, 100, deploy["MinimumHealthyPercent"], "start-first: the leases hand instances over")
		require.EqualValues(t, 200, deploy["MaximumPercent"])
		require.Equal(t, "FARGATE", svc["LaunchType"])
		// Kept explicit (the flag that drops it is left out of cdk.json):
		// CloudFormation would replace the service, running a second host
		// next to the old one.
		require.Equal(t, map[string]any{"Type": "ECS"}, svc["DeploymentController"])
		require.Equal(t, ref(f.id(t, sh+"HostTask/Resource")), svc["TaskDefinition"])
		vpc := svc["NetworkConfiguration"].(map[string]any)["AwsvpcConfiguration"].(map[string]any)
		require.Equal(t, []any{getAtt(sgID, "GroupId")}, vpc["SecurityGroups"])
	}
}

func checkPrivileges(t *testing.T, f *fixture) {
	table := f.id(t, "GatewayTable/Resource")
	devices := f.id(t, "DeviceTable/Resource")
	bus := f.id(t, "EventBus/Resource")
	send := []string{"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
	consume := []string{"sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}

	// No role anywhere gets a wildcard action.
	for _, id := range f.ofType("AWS::IAM::Policy") {
		b, _ := json.Marshal(f.res[id].Properties["PolicyDocument"])
		require.NotRegexp(t, regexp.MustCompile(`"[a-z0-9-]+:\*"|"Action":"\*"`), string(b), id)
	}

	api := f.policies(t, "ApiFunctionRole/Resource")
	for _, q := range shardQueueNames {
		for s := range f.shards {
			require.ElementsMatch(t, send, keys(actionsOn(api, f.id(t, fmt.Sprintf("Shard%d/%s/Resource", s, q)))), "API on shard %d's %s", s, q)
		}
	}
	require.Empty(t, actionsOn(api, devices), "the API never touches device keys")
	require.NotContains(t, allActions(api), "events:PutEvents")
	require.NotContains(t, allActions(api), "dynamodb:GetRecords", "no stream access")
	require.Contains(t, actionsOn(api, table), "dynamodb:ConditionCheckItem", "transactions need it")
	secret := f.id(t, "AdminKey/Resource")
	require.ElementsMatch(t, []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
		keys(actionsOn(api, secret)), "the API reads the operator key")

	// Each function's role is its own, with no managed policy: one inline
	// policy writes its own log group's streams.
	for _, fn := range []string{"ApiFunction", "WebhooksFunction"} {
		role := f.res[f.id(t, fn+"Role/Resource")].Properties
		require.Equal(t, getAtt(f.id(t, fn+"Role/Resource"), "Arn"), f.props(t, fn+"/Resource")["Role"])
		require.Nil(t, role["ManagedPolicyArns"], fn)
		require.Equal(t, []any{map[string]any{"PolicyName": "Logs", "PolicyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect": "Allow", "Action": []any{"logs:CreateLogStream", "logs:PutLogEvents"},
				"Resource": getAtt(f.id(t, fn+"Logs/Resource"), "Arn"),
			}},
		}}}, role["Policies"], fn)
	}
	// Indexes are named one by one (no index/*), and only for the roles
	// that query them.
	for _, id := range f.ofType("AWS::IAM::Policy") {
		b, _ := json.Marshal(f.res[id].Properties["PolicyDocument"])
		require.NotContains(t, string(b), "/index/*", id)
	}
	for _, ix := range gatewayIndexNames() {
		require.Contains(t, indexActions(api, table, ix), "dynamodb:Query", ix)
	}

	hooks := f.policies(t, "WebhooksFunctionRole/Resource")
	require.ElementsMatch(t, []string{"dynamodb:GetItem", "dynamodb:UpdateItem"}, keys(actionsOn(hooks, table)))
	require.Empty(t, indexActions(hooks, table, "entity"), "the deliverer queries no index")
	require.ElementsMatch(t, consume, keys(actionsOn(hooks, f.id(t, "WebhookQueue/Resource"))))
	for a := range allActions(hooks) {
		require.Truef(t, strings.HasPrefix(a, "sqs:") || a == "dynamodb:GetItem" || a == "dynamodb:UpdateItem", "webhooks: %s", a)
	}

	for s := range f.shards {
		role := fmt.Sprintf("Shard%d/HostTask/TaskRole/Resource", s)
		host := f.policies(t, role)
		for _, q := range shardQueueNames {
			require.ElementsMatch(t, consume, keys(actionsOn(host, f.id(t, fmt.Sprintf("Shard%d/%s/Resource", s, q)))), "%s on %s", role, q)
			for o := range f.shards {
				if o != s {
					require.Empty(t, actionsOn(host, f.id(t, fmt.Sprintf("Shard%d/%s/Resource", o, q))), "%s on shard %d", role, o)
				}
			}
		}
		require.NotContains(t, allActions(host), "sqs:SendMessage", "the host sends to no queue")
		require.Equal(t, map[string]bool{"events:PutEvents": true}, actionsOn(host, bus))
		require.Contains(t, actionsOn(host, devices), "dynamodb:PutItem")
		require.NotContains(t, allActions(host), "dynamodb:DeleteTable")
	}
}

func checkNoSecrets(t *testing.T, f *fixture) {
	secret := f.id(t, "AdminKey/Resource")
	props := f.res[secret].Properties
	require.Nil(t, props["SecretString"], "the key is generated at deployment, never written in the template")
	require.NotNil(t, props["GenerateSecretString"])

	// The API gets the secret's ARN and reads the key itself: no
	// dynamic reference puts the key in a function's configuration.
	require.Equal(t, ref(secret), envOf(t, f.props(t, "ApiFunction/Resource"))[envAdminKeySecretARN])
	for _, id := range f.ofType("AWS::Lambda::Function") {
		b, _ := json.Marshal(f.res[id].Properties["Environment"])
		require.NotContains(t, string(b), "{{resolve:secretsmanager:", id)
	}
	raw, _ := json.Marshal(f.template)
	require.NotContains(t, string(raw), "{{resolve:secretsmanager:", "no dynamic reference to a secret anywhere")
	// The operator key outlives the stack: the operators hold it.
	require.Equal(t, "Retain", jsonField(t, f, secret, "DeletionPolicy"))

	// No variable that names a secret holds a literal anywhere.
	secretish := regexp.MustCompile(`(?i)KEY|SECRET|PASSWORD|TOKEN`)
	check := func(where string, env map[string]any) {
		for name, v := range env {
			if secretish.MatchString(name) {
				_, literal := v.(string)
				require.Falsef(t, literal, "%s: %s is a literal", where, name)
			}
		}
	}
	for _, id := range f.ofType("AWS::Lambda::Function") {
		if e, ok := f.res[id].Properties["Environment"].(map[string]any); ok {
			check(id, e["Variables"].(map[string]any))
		}
	}
	for _, id := range f.ofType("AWS::ECS::TaskDefinition") {
		check(id, containerEnv(t, f.res[id].Properties))
	}
	require.NotContains(t, string(raw), "SecretString\":\"", "no literal secret string")
}

func checkAlarmTopic(t *testing.T, f *fixture) {
	subs := f.ofType("AWS::SNS::Subscription")
	if f.alarmEmail == "" {
		require.Empty(t, subs)
		return
	}
	require.Len(t, subs, 1)
	require.Equal(t, map[string]any{"Protocol": "email", "Endpoint": f.alarmEmail,
		"TopicArn": ref(f.id(t, "AlarmTopic/Resource"))}, f.res[subs[0]].Properties)
}

func checkOutputs(t *testing.T, f *fixture) {
	outs := f.template["Outputs"].(map[string]any)
	api := outs["ApiUrl"].(map[string]any)["Value"]
	b, _ := json.Marshal(api)
	require.Contains(t, string(b), f.id(t, "HttpApi/Resource"))
	require.Equal(t, ref(f.id(t, "EventBus/Resource")), outs["EventBusName"].(map[string]any)["Value"])
	require.Equal(t, ref(f.id(t, "AlarmTopic/Resource")), outs["AlarmTopicArn"].(map[string]any)["Value"])
	require.Equal(t, ref(f.id(t, "MediaBucket/Resource")), outs["MediaBucketName"].(map[string]any)["Value"])
}

// checkImageAsset reads the cloud assembly: the session host image is
// built for linux/arm64 from dist/host alone (its Dockerfile, no other
// file of the repository).
func checkImageAsset(t *testing.T, f *fixture) {
	images := imageAssets(t, f.outdir)
	require.Len(t, images, 1, "one image for every shard")
	for _, img := range images {
		require.Empty(t, img.Source.DockerFile, "dist/host's own Dockerfile")
		require.Equal(t, "linux/arm64", img.Source.Platform)
		var staged []string
		entries, err := os.ReadDir(filepath.Join(f.outdir, img.Source.Directory))
		require.NoError(t, err)
		for _, e := range entries {
			staged = append(staged, e.Name())
		}
		require.ElementsMatch(t, hostImageFiles(), staged, "the build context is dist/host, nothing else")
	}
}

// imageAsset is a Docker image of the cloud assembly's asset manifest.
type imageAsset struct {
	Source struct {
		Directory  string `json:"directory"`
		DockerFile string `json:"dockerFile"`
		Platform   string `json:"platform"`
	} `json:"source"`
}

// imageAssets is the Docker images of the stack's asset manifest, by
// hash.
func imageAssets(t *testing.T, outdir string) map[string]imageAsset {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(outdir, testStack+".assets.json"))
	require.NoError(t, err)
	var manifest struct {
		DockerImages map[string]imageAsset `json:"dockerImages"`
	}
	require.NoError(t, json.Unmarshal(raw, &manifest))
	return manifest.DockerImages
}

func TestStackPropsValidation(t *testing.T) {
	code := placeholderCode(t)
	repo := fakeRepo(t, "")
	valid := func() GatewayStackProps {
		return GatewayStackProps{Shards: 1, HostImageDir: filepath.Join(repo, "dist", "host"), APICode: code, WebhooksCode: code}
	}
	noBinary := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(noBinary, "Dockerfile"), []byte("FROM scratch\n"), 0o644))
	tests := []struct {
		name string
		edit func(*GatewayStackProps)
		want string
	}{
		{"no shard", func(p *GatewayStackProps) { p.Shards = 0 }, "shards: want 1 to"},
		{"too many shards", func(p *GatewayStackProps) { p.Shards = maxShards + 1 }, "shards: want 1 to"},
		{"lease time too short", func(p *GatewayStackProps) { p.LeaseTTLSeconds = minLeaseTTLSeconds - 1 }, "leaseTtlSeconds: want 6 to 120"},
		{"lease time too long", func(p *GatewayStackProps) { p.LeaseTTLSeconds = maxLeaseTTLSeconds + 1 }, "leaseTtlSeconds: want 6 to 120"},
		{"no dist/host", func(p *GatewayStackProps) { p.HostImageDir = t.TempDir() }, "has no Dockerfile (run `make build`)"},
		{"no host binary", func(p *GatewayStackProps) { p.HostImageDir = noBinary }, "has no sessionhost (run `make build`)"},
		{"no zips", func(p *GatewayStackProps) { p.APICode, p.WebhooksCode = "nope/api.zip", "nope/webhooks.zip" }, "run `make build`"},
		{"bad alarm e-mail", func(p *GatewayStackProps) { p.AlarmEmail = "ops@" }, "not an address"},
		{"negative retention", func(p *GatewayStackProps) { p.MediaRetentionDays = -1 }, "media retention"},
		{"retention over a year", func(p *GatewayStackProps) { p.MediaRetentionDays = 366 }, "media retention"},
		{"public url with a query", func(p *GatewayStackProps) { p.PublicURL = "https://wa.example.com/?x" }, "public URL"},
		{"public url not http", func(p *GatewayStackProps) { p.PublicURL = "wa.example.com" }, "public URL"},
		{"host cpu not fargate's", func(p *GatewayStackProps) { p.HostCPU = 384 }, "host CPU: want 256, 512 or 1024"},
		{"host cpu too large", func(p *GatewayStackProps) { p.HostCPU, p.HostMemoryMiB = 2048, 4096 }, "host CPU"},
		{"host memory too small for the cpu", func(p *GatewayStackProps) { p.HostCPU, p.HostMemoryMiB = 1024, 1024 }, "host memory"},
		{"host memory over 2 GiB at 256", func(p *GatewayStackProps) { p.HostMemoryMiB = 4096 }, "host memory: 256 CPU units take"},
		{"negative API concurrency", func(p *GatewayStackProps) { p.APIConcurrency = -1 }, "API concurrency"},
		{"API rate over the account's", func(p *GatewayStackProps) { p.APIRateLimit = 10001 }, "API rate limit"},
		{"API burst over the account's", func(p *GatewayStackProps) { p.APIBurstLimit = 5001 }, "API burst limit"},
		{"webhook concurrency 1", func(p *GatewayStackProps) { p.WebhookConcurrency = 1 }, "webhook concurrency: want 2 to 1000"},
		{"webhook concurrency over 1000", func(p *GatewayStackProps) { p.WebhookConcurrency = 1001 }, "webhook concurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.edit(&p)
			// Validation fails before any construct is made, so no app
			// is needed.
			_, err := NewGatewayStack(nil, "x", p)
			require.ErrorContains(t, err, tt.want)
		})
	}
	p := valid()
	p.Shards = maxShards
	require.NoError(t, p.validate())
	for _, size := range [][2]int{{256, 512}, {256, 2048}, {512, 1024}, {512, 4096}, {1024, 2048}, {1024, 8192}} {
		p := valid()
		p.HostCPU, p.HostMemoryMiB = size[0], size[1]
		require.NoError(t, p.validate(), "%v", size)
	}
}
