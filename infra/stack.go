package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecrassets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// maxShards keeps the template under CloudFormation's 500 resources
// (26 per shard on top of 40 shared; TestStack checks the sum).
const maxShards = 15

// hostDockerfile is the session host's Dockerfile, relative to the
// repository root (its build context).
const hostDockerfile = "sessionhost/Dockerfile"

// GatewayStackProps configures the gateway's stack.
type GatewayStackProps struct {
	awscdk.StackProps
	// Shards is the number of shards (lane queues, command queue and one
	// session host task each), 1 to maxShards.
	Shards int
	// SourceDir is the repository root: the session host image's build
	// context (sessionhost/Dockerfile, filtered by its .dockerignore).
	SourceDir string
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

func (p GatewayStackProps) validate() error {
	var errs []error
	if p.Shards < 1 || p.Shards > maxShards {
		errs = append(errs, fmt.Errorf("shards: want 1 to %d, got %d", maxShards, p.Shards))
	}
	if _, err := os.Stat(filepath.Join(p.SourceDir, hostDockerfile)); err != nil {
		errs = append(errs, fmt.Errorf("source dir %q: no %s", p.SourceDir, hostDockerfile))
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
	media := newMediaBucket(stack, props.retentionDays())
	hooks := newWebhooks(stack, table, props.WebhooksCode)

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
	hostSG := awsec2.NewSecurityGroup(stack, jsii.String("HostSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("Session hosts: outbound only, nothing inbound"),
		AllowAllOutbound: jsii.Bool(true),
	})
	// One image asset for every shard: fingerprinted and built once.
	image := awsecrassets.NewDockerImageAsset(stack, jsii.String("HostImage"), &awsecrassets.DockerImageAssetProps{
		Directory: jsii.String(props.SourceDir),
		File:      jsii.String(hostDockerfile),
		Platform:  awsecrassets.Platform_LINUX_ARM64(),
		// The .dockerignore leaves out every Dockerfile (**/Dockerfile)
		// and CDK re-includes only a top-level one; the staged context
		// must still hold the one the build names.
		Exclude: jsii.Strings("!" + hostDockerfile),
	})
	deps := shardDeps{
		cluster:       awsecs.NewCluster(stack, jsii.String("Cluster"), &awsecs.ClusterProps{Vpc: vpc}),
		hostSG:        hostSG,
		image:         awsecs.ContainerImage_FromDockerImageAsset(image),
		table:         table,
		deviceTable:   deviceTable,
		bus:           hooks.bus,
		media:         media,
		retentionDays: props.retentionDays(),
		logs: awslogs.NewLogGroup(stack, jsii.String("HostLogs"), &awslogs.LogGroupProps{
			Retention: awslogs.RetentionDays_ONE_MONTH,
		}),
	}
	alarms := newAlarmTopic(stack, props.AlarmEmail)
	shards := make([]*shard, props.Shards)
	for n := range shards {
		shards[n] = newShard(stack, n, deps)
		names := []string{"Urgent", "Normal", "Bulk", "Command"}
		for i, dlq := range shards[n].dlqs() {
			newDLQAlarm(stack, fmt.Sprintf("Shard%d%sDlqAlarm", n, names[i]), dlq,
				fmt.Sprintf("Shard %d %s", n, names[i]), alarms)
		}
	}
	newDLQAlarm(stack, "WebhookDlqAlarm", hooks.queue.dlq, "Webhook", alarms)

	a := newAPI(stack, table, shards[0], media, props.retentionDays(), props.APICode)
	// media.url is built by the session hosts, so they need the API's URL
	// (a token: CloudFormation resolves it at deployment).
	publicURL := a.http.Url()
	if props.PublicURL != "" {
		publicURL = jsii.String(props.PublicURL)
	}
	for _, s := range shards {
		s.setPublicURL(publicURL)
	}

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
