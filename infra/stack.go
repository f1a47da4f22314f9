package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecrassets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// maxShards keeps the template under CloudFormation's 500 resources:
// 31 per shard (22 queues, policies, task and service, 9 alarms) on top
// of 59 shared: 493 at 14 shards (494 with the CLI's CDKMetadata);
// TestStack checks the sum.
const maxShards = 14

// maxHostsPerShard bounds the hosts sharing a shard's queues: each
// receives every lane message at first and hands back what another
// holds, so receives grow with the hosts (laneMaxReceives).
const maxHostsPerShard = 10

// Bounds of LeaseTTLSeconds: config.MinLeaseTTL and config.MaxLeaseTTL
// of the application module (which this one must not import).
const (
	minLeaseTTLSeconds = 6
	maxLeaseTTLSeconds = 120
)

// Defaults of the API's and the webhooks' limits (context parameters,
// see main.go and README.md).
const (
	defaultAPIConcurrency     = 50
	defaultAPIRateLimit       = 100 // requests per second, steady
	defaultAPIBurstLimit      = 200
	defaultWebhookConcurrency = 5
)

// hostImageFiles are what `make build` puts in dist/host, the session
// host image's whole build context: a FROM scratch Dockerfile, the static
// binary, and the passwd and group files of its non-root user.
func hostImageFiles() []string { return []string{"Dockerfile", "sessionhost", "passwd", "group"} }

// GatewayStackProps configures the gateway's stack.
type GatewayStackProps struct {
	awscdk.StackProps
	// Shards is the number of shards (lane queues, command queue and
	// HostsPerShard session host tasks each), 1 to maxShards.
	Shards int
	// HostsPerShard is the number of session host tasks per shard, 1 to
	// maxHostsPerShard; 0 means 1. With two or more, a host that dies has
	// its instances reconnected by the others within a lease time.
	HostsPerShard int
	// LeaseTTLSeconds is the session hosts' lease time (GATEWAY_LEASE_TTL),
	// minLeaseTTLSeconds to maxLeaseTTLSeconds; 0 means the host's
	// default, 24. Each connected instance's lease is renewed every third
	// of it (a write: about $0.20 a month per instance at 24 s, $0.08 at
	// 60 s), and a dead host's instances reconnect within about one.
	LeaseTTLSeconds int
	// HostImageDir is the session host image's build context, dist/host
	// of `make build` (hostImageFiles): the image depends on nothing else
	// in the repository.
	HostImageDir string
	// HostCPU and HostMemoryMiB are a session host task's size (a Fargate
	// combination for 256, 512 or 1024 CPU units); 0 means the defaults,
	// 256 and 1024.
	HostCPU, HostMemoryMiB int
	// NoContainerInsights turns Container Insights off on the cluster
	// (context containerInsights=false): its metrics cost about $6 a
	// month per shard, and the running-task alarms then read the free
	// AWS/ECS metrics instead (monitor.go).
	NoContainerInsights bool
	// APIConcurrency is the API function's reserved concurrency; 0 leaves
	// it unreserved (main passes defaultAPIConcurrency unless told).
	APIConcurrency int
	// APIRateLimit and APIBurstLimit are the HTTP API stage's throttling
	// (requests per second, burst); 0 means the defaults, 100 and 200.
	APIRateLimit, APIBurstLimit int
	// WebhookConcurrency is the webhook event source's maximum
	// concurrency, 2 to 1000; 0 means the default, 5.
	WebhookConcurrency int
	// APICode and WebhooksCode are the Lambdas' code: the zips of `make
	// build` (dist/api.zip, dist/webhooks.zip), or directories holding a
	// bootstrap.
	APICode, WebhooksCode string
	// AlarmEmail, if set, is subscribed to the alarm topic.
	AlarmEmail string
	// MediaRetentionDays is how long inbound messages and media are kept
	// (GATEWAY_MEDIA_RETENTION_DAYS, and the media bucket's lifecycle
	// rule), 1 to maxMediaRetentionDays; 0 means
	// defaultMediaRetentionDays.
	MediaRetentionDays int
	// PublicURL is the API's base URL as clients reach it, which media.url
	// starts with (GATEWAY_PUBLIC_URL): set it when a custom domain fronts
	// the HTTP API; empty means the HTTP API's own URL.
	PublicURL string
}

// retentionDays is MediaRetentionDays with its default.
func (p GatewayStackProps) retentionDays() int {
	if p.MediaRetentionDays == 0 {
		return defaultMediaRetentionDays
	}
	return p.MediaRetentionDays
}

// orDefault is v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (p GatewayStackProps) validate() error {
	var errs []error
	if p.Shards < 1 || p.Shards > maxShards {
		errs = append(errs, fmt.Errorf("shards: want 1 to %d, got %d", maxShards, p.Shards))
	}
	if p.HostsPerShard < 0 || p.HostsPerShard > maxHostsPerShard {
		errs = append(errs, fmt.Errorf("hostsPerShard: want 1 to %d, got %d", maxHostsPerShard, p.HostsPerShard))
	}
	if t := p.LeaseTTLSeconds; t != 0 && (t < minLeaseTTLSeconds || t > maxLeaseTTLSeconds) {
		errs = append(errs, fmt.Errorf("leaseTtlSeconds: want %d to %d, got %d", minLeaseTTLSeconds, maxLeaseTTLSeconds, t))
	}
	// The image is built from dist/host alone; its Dockerfile copies the
	// binary, so both must be there.
	for _, f := range []string{"Dockerfile", "sessionhost"} {
		if _, err := os.Stat(filepath.Join(p.HostImageDir, f)); err != nil {
			errs = append(errs, fmt.Errorf("host image dir %q has no %s (run `make build`)", p.HostImageDir, f))
		}
	}
	if err := validHostSize(orDefault(p.HostCPU, defaultHostCPU), orDefault(p.HostMemoryMiB, defaultHostMemoryMiB)); err != nil {
		errs = append(errs, err)
	}
	if p.APIConcurrency < 0 {
		errs = append(errs, fmt.Errorf("API concurrency: want 0 (unreserved) or more, got %d", p.APIConcurrency))
	}
	// API Gateway's account-level limits: 10,000 requests per second,
	// burst 5,000.
	if r := p.APIRateLimit; r < 0 || r > 10000 {
		errs = append(errs, fmt.Errorf("API rate limit: want 1 to 10000 requests per second, got %d", r))
	}
	if b := p.APIBurstLimit; b < 0 || b > 5000 {
		errs = append(errs, fmt.Errorf("API burst limit: want 1 to 5000 requests, got %d", b))
	}
	// SQS event sources take a maximum concurrency of 2 to 1000.
	if c := p.WebhookConcurrency; c != 0 && (c < 2 || c > 1000) {
		errs = append(errs, fmt.Errorf("webhook concurrency: want 2 to 1000, got %d", c))
	}
	if d := p.MediaRetentionDays; d < 0 || d > maxMediaRetentionDays {
		errs = append(errs, fmt.Errorf("media retention: want 1 to %d days, got %d", maxMediaRetentionDays, d))
	}
	if p.PublicURL != "" {
		if u, err := url.Parse(p.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("public URL %q: want the API's http(s) base URL, without query", p.PublicURL))
		}
	}
	if p.AlarmEmail != "" && !strings.Contains(strings.Trim(p.AlarmEmail, "@"), "@") {
		errs = append(errs, fmt.Errorf("alarm e-mail %q is not an address", p.AlarmEmail))
	}
	for _, c := range []struct{ name, path string }{{"API code", p.APICode}, {"webhooks code", p.WebhooksCode}} {
		if _, err := os.Stat(c.path); err != nil {
			errs = append(errs, fmt.Errorf("%s %q is missing (run `make build`)", c.name, c.path))
		}
	}
	return errors.Join(errs...)
}

// NewGatewayStack declares the gateway's AWS shape (ARCHITECTURE.md):
// the state and device tables, the inbound media bucket, per shard the
// lane and command queues and a Fargate session host, the event bus with
// the webhook queue and Lambda, the API Lambda behind an HTTP API, and
// alarms on every DLQ, sent to one SNS topic.
func NewGatewayStack(scope constructs.Construct, id string, props GatewayStackProps) (awscdk.Stack, error) {
	if err := props.validate(); err != nil {
		return nil, fmt.Errorf("gateway stack: %w", err)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String("wagateway"), nil)

	table := newGatewayTable(stack)
	deviceTable := newDeviceTable(stack)
	logBucket := newLogBucket(stack)
	media := newMediaBucket(stack, props.retentionDays(), logBucket)
	hooks := newWebhooks(stack, table, props.WebhooksCode, orDefault(props.WebhookConcurrency, defaultWebhookConcurrency))

	// Public subnets and no NAT gateway (the hosts need only outbound
	// traffic, see newShard); DynamoDB traffic stays on the free gateway
	// endpoint.
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name: jsii.String("public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24),
		}},
	})
	vpc.AddGatewayEndpoint(jsii.String("DynamoDbEndpoint"), &awsec2.GatewayVpcEndpointOptions{
		Service: awsec2.GatewayVpcEndpointAwsService_DYNAMODB(),
	})
	// Flow logs (accepted and rejected) to the log bucket: where the
	// hosts connected, for an incident. S3 rather than CloudWatch Logs:
	// a fraction of the price, and no delivery role.
	vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToS3(logBucket, jsii.String(flowLogPrefix), nil),
		TrafficType: awsec2.FlowLogTrafficType_ALL,
	})
	hostSG := awsec2.NewSecurityGroup(stack, jsii.String("HostSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("Session hosts: outbound only, nothing inbound"),
		AllowAllOutbound: jsii.Bool(true),
	})
	// One image asset for every shard: fingerprinted and built once. Its
	// context is dist/host alone, so its hash (and the tasks' image tag)
	// changes only when the host's binary or Dockerfile does.
	image := awsecrassets.NewDockerImageAsset(stack, jsii.String("HostImage"), &awsecrassets.DockerImageAssetProps{
		Directory: jsii.String(props.HostImageDir),
		Platform:  awsecrassets.Platform_LINUX_ARM64(),
	})
	insights := awsecs.ContainerInsights_ENABLED
	if props.NoContainerInsights {
		insights = awsecs.ContainerInsights_DISABLED
	}
	cluster := awsecs.NewCluster(stack, jsii.String("Cluster"), &awsecs.ClusterProps{
		Vpc: vpc,
		// Per service and task CPU, memory and network metrics, and the
		// running task count the running-task alarms read.
		ContainerInsightsV2: insights,
	})
	if props.NoContainerInsights {
		cdknag.NagSuppressions_AddResourceSuppressions(cluster, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-ECS4"),
			Reason: jsii.String("Container Insights is off by choice (context containerInsights=false) to save its " +
				"custom metrics; the running-task alarms read AWS/ECS CPUUtilization's sample count, which is free."),
		}}, jsii.Bool(false))
	}
	deps := shardDeps{
		cluster:       cluster,
		hostSG:        hostSG,
		image:         awsecs.ContainerImage_FromDockerImageAsset(image),
		table:         table,
		deviceTable:   deviceTable,
		bus:           hooks.bus,
		media:         media,
		retentionDays: props.retentionDays(),
		logs:          newLogGroup(stack, "HostLogs"),
		cpu:           orDefault(props.HostCPU, defaultHostCPU),
		memoryMiB:     orDefault(props.HostMemoryMiB, defaultHostMemoryMiB),
		hosts:         orDefault(props.HostsPerShard, 1),
		leaseTTL:      props.LeaseTTLSeconds,
	}
	alarms := newAlarmTopic(stack, props.AlarmEmail)
	shards := make([]*shard, props.Shards)
	for n := range shards {
		shards[n] = newShard(stack, n, deps)
	}

	a := newAPI(stack, table, shards, media, apiOptions{
		code:          props.APICode,
		retentionDays: props.retentionDays(),
		concurrency:   props.APIConcurrency,
		rateLimit:     orDefault(props.APIRateLimit, defaultAPIRateLimit),
		burstLimit:    orDefault(props.APIBurstLimit, defaultAPIBurstLimit),
	})
	// media.url is built by the session hosts, so they need the API's URL
	// (a token: CloudFormation resolves it at deployment).
	publicURL := a.http.Url()
	if props.PublicURL != "" {
		publicURL = jsii.String(props.PublicURL)
	}
	for _, s := range shards {
		s.setPublicURL(publicURL)
	}
	newMonitoring(stack, monitored{
		topic: alarms, shards: shards, webhookQueue: hooks.queue, apiFn: a.fn, webhooksFn: hooks.fn,
		httpAPI: a.http, tables: []awsdynamodb.Table{table, deviceTable}, cluster: deps.cluster,
		containerInsights: !props.NoContainerInsights,
		gatewayTable:      table.TableName(),
	})

	output := func(id, desc string, v *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: v, Description: jsii.String(desc)})
	}
	output("ApiUrl", "Base URL of the gateway's HTTP API", a.http.Url())
	output("EventBusName", "Event bus of the gateway's events (source "+eventSource+")", hooks.bus.EventBusName())
	output("AdminKeySecretArn", "Secrets Manager secret holding GATEWAY_ADMIN_KEY", a.adminKey.SecretArn())
	output("AlarmTopicArn", "SNS topic every alarm notifies", alarms.TopicArn())
	output("MediaBucketName", "S3 bucket of inbound media (kept when the stack is deleted)", media.BucketName())
	return stack, nil
}
