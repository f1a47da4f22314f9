package main

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Default size of a session host task (context hostCpu, hostMemoryMiB):
// 0.25 vCPU and 1 GiB, the cheapest Fargate size with room to spare. An
// idle linked instance costs ~140 KiB (TOOLCHAIN.md), so memory is not
// what bounds a shard; inbound media goes through /tmp, not memory.
const (
	defaultHostCPU       = 256
	defaultHostMemoryMiB = 1024
)

// hostTmp is where the session host downloads inbound media
// (os.TempDir()): the only writable path of its read-only root.
const hostTmp = "/tmp"

// validHostSize checks a task size against Fargate's combinations for
// 0.25, 0.5 and 1 vCPU (larger tasks are not needed: see the defaults).
func validHostSize(cpu, memoryMiB int) error {
	valid := map[int][]int{
		256:  {512, 1024, 2048},
		512:  {1024, 2048, 3072, 4096},
		1024: {2048, 3072, 4096, 5120, 6144, 7168, 8192},
	}
	mems, ok := valid[cpu]
	if !ok {
		return fmt.Errorf("host CPU: want 256, 512 or 1024 units, got %d", cpu)
	}
	if !slices.Contains(mems, memoryMiB) {
		return fmt.Errorf("host memory: %d CPU units take %v MiB, got %d", cpu, mems, memoryMiB)
	}
	return nil
}

// shardDeps is what every shard shares.
type shardDeps struct {
	cluster     awsecs.Cluster
	hostSG      awsec2.ISecurityGroup
	image       awsecs.ContainerImage
	table       awsdynamodb.Table
	deviceTable awsdynamodb.Table
	bus         awsevents.EventBus
	logs        awslogs.LogGroup
	media       awss3.Bucket
	// retentionDays is GATEWAY_MEDIA_RETENTION_DAYS, the bucket's rule's.
	retentionDays int
	// cpu and memoryMiB are the task's size (validHostSize).
	cpu, memoryMiB int
	// hosts is the number of session host tasks per shard.
	hosts int
	// leaseTTL is GATEWAY_LEASE_TTL in seconds; 0 leaves the host's default.
	leaseTTL int
}

// shard is {three lane FIFO queues, one command queue, one Fargate
// service with hostsPerShard tasks} (ARCHITECTURE.md "Scaling out").
type shard struct {
	urgent, normal, bulk, command queuePair
	service                       awsecs.FargateService
	// host is the session host's container; the stack adds the API's
	// URL to its environment once the API exists (see setPublicURL).
	host awsecs.ContainerDefinition
}

// setPublicURL tells the session host the API's base URL, which media.url
// starts with (GATEWAY_PUBLIC_URL). It comes after the shard because the
// API is built on shard 0's queues; the template has no cycle, as the API
// depends on queues and the bucket, never on a task definition.
func (s *shard) setPublicURL(url *string) {
	s.host.AddEnvironment(jsii.String(envPublicURL), url)
}

// lanes are the lane queues, most urgent first.
func (s *shard) lanes() []queuePair { return []queuePair{s.urgent, s.normal, s.bulk} }

// dlqs are the shard's dead-letter queues.
func (s *shard) dlqs() []awssqs.Queue {
	return []awssqs.Queue{s.urgent.dlq, s.normal.dlq, s.bulk.dlq, s.command.dlq}
}

// queueEnv is the shard's queue URLs under the variables the API and the
// session host read.
func (s *shard) queueEnv() map[string]*string {
	return map[string]*string{
		envQueueUrgent:  s.urgent.queue.QueueUrl(),
		envQueueNormal:  s.normal.queue.QueueUrl(),
		envQueueBulk:    s.bulk.queue.QueueUrl(),
		envCommandQueue: s.command.queue.QueueUrl(),
	}
}

// newShard makes shard number n under its own construct ("Shard<n>").
func newShard(scope constructs.Construct, n int, d shardDeps) *shard {
	sc := constructs.NewConstruct(scope, jsii.String(fmt.Sprintf("Shard%d", n)))
	lane := queueOptions{fifo: true, visibilitySeconds: laneVisibilitySeconds, maxReceives: laneMaxReceives, retentionDays: retentionDays}
	s := &shard{
		urgent: newQueuePair(sc, "UrgentQueue", lane),
		normal: newQueuePair(sc, "NormalQueue", lane),
		bulk:   newQueuePair(sc, "BulkQueue", lane),
		// The worker sets its own visibility on every receive (the
		// client's timeout plus a margin, under 60 s).
		command: newQueuePair(sc, "CommandQueue", queueOptions{fifo: true, visibilitySeconds: 60, maxReceives: commandMaxReceives}),
	}

	task := awsecs.NewFargateTaskDefinition(sc, jsii.String("HostTask"), &awsecs.FargateTaskDefinitionProps{
		Cpu:            jsii.Number(float64(d.cpu)),
		MemoryLimitMiB: jsii.Number(float64(d.memoryMiB)),
		RuntimePlatform: &awsecs.RuntimePlatform{
			CpuArchitecture:       awsecs.CpuArchitecture_ARM64(),
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(),
		},
	})
	env := s.queueEnv()
	env[envTable] = d.table.TableName()
	env[envDeviceTable] = d.deviceTable.TableName()
	env[envEventBus] = d.bus.EventBusName()
	env[envDriver] = jsii.String(driverWhatsmeow)
	env[envMediaBucket] = d.media.BucketName()
	env[envMediaRetentionDays] = jsii.String(strconv.Itoa(d.retentionDays))
	env[envShard] = jsii.String(strconv.Itoa(n))
	if d.leaseTTL > 0 {
		env[envLeaseTTL] = jsii.String(strconv.Itoa(d.leaseTTL) + "s")
	}
	// The root filesystem is read-only (the image is one static binary);
	// /tmp is a volume of the task's ephemeral storage, which Fargate
	// gives every task (no host path: nothing outlives the task).
	task.AddVolume(&awsecs.Volume{Name: jsii.String("tmp")})
	// No port mappings: the host accepts no inbound connections; its
	// work arrives on the queues.
	s.host = task.AddContainer(jsii.String("sessionhost"), &awsecs.ContainerDefinitionOptions{
		Image:                  d.image,
		Essential:              jsii.Bool(true),
		ReadonlyRootFilesystem: jsii.Bool(true),
		Environment:            &env,
		// `sessionhost health` exits 0 when the host polled its queues
		// in the last two minutes. An unhealthy task is replaced, and a
		// new one that never gets healthy (it cannot reach AWS) fails
		// its deployment, which the circuit breaker rolls back.
		HealthCheck: &awsecs.HealthCheck{
			Command:     jsii.Strings("CMD", "/sessionhost", "health"),
			Interval:    awscdk.Duration_Seconds(jsii.Number(30)),
			Timeout:     awscdk.Duration_Seconds(jsii.Number(5)),
			Retries:     jsii.Number(3),
			StartPeriod: awscdk.Duration_Seconds(jsii.Number(60)),
		},
		Logging: awsecs.LogDriver_AwsLogs(&awsecs.AwsLogDriverProps{
			LogGroup:     d.logs,
			StreamPrefix: jsii.String(fmt.Sprintf("shard%d", n)),
		}),
		// The host releases the messages it holds on SIGTERM.
		StopTimeout: awscdk.Duration_Seconds(jsii.Number(30)),
	})
	s.host.AddMountPoints(&awsecs.MountPoint{
		SourceVolume: jsii.String("tmp"), ContainerPath: jsii.String(hostTmp), ReadOnly: jsii.Bool(false),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(task, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-ECS2"),
		Reason: jsii.String("The environment holds resource names and URLs (tables, queues, bus, bucket, API URL) " +
			"and settings, no secret: the host reads no secret."),
	}}, jsii.Bool(false))
	// The execution role pulls the image: ecr:GetAuthorizationToken has
	// no resource to name.
	cdknag.NagSuppressions_AddResourceSuppressions(task.ObtainExecutionRole(), &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("ecr:GetAuthorizationToken is account-wide: AWS requires Resource \"*\" for it."),
		AppliesTo: &[]any{jsii.String("Resource::*")},
	}}, jsii.Bool(true))

	// Least privilege: the host reads and writes both tables, consumes
	// (receive, change visibility, delete) its own shard's queues,
	// publishes on the bus and writes inbound media (grantMediaWrite); it
	// sends to no queue.
	role := task.TaskRole()
	grantData(d.table, gatewayIndexNames(), role)
	grantData(d.deviceTable, nil, role)
	for _, q := range append(s.lanes(), s.command) {
		q.queue.GrantConsumeMessages(role)
	}
	d.bus.GrantPutEventsTo(role, nil)
	grantMediaWrite(d.media, role)

	s.service = awsecs.NewFargateService(sc, jsii.String("HostService"), &awsecs.FargateServiceProps{
		Cluster:        d.cluster,
		TaskDefinition: task,
		DesiredCount:   jsii.Number(float64(d.hosts)),
		// Start-first: the new tasks start while the old ones run, and a
		// stopping host releases its instance leases one by one on
		// SIGTERM, so each instance moves with one reconnect's gap
		// (ARCHITECTURE.md "Sessions, leases and commands"). Leases and
		// their fencing tokens make the overlap safe: a host connects and
		// writes for an instance only while it holds its lease.
		MinHealthyPercent: jsii.Number(100),
		MaxHealthyPercent: jsii.Number(200),
		CircuitBreaker:    &awsecs.DeploymentCircuitBreaker{Enable: jsii.Bool(true), Rollback: jsii.Bool(true)},
		SecurityGroups:    &[]awsec2.ISecurityGroup{d.hostSG},
		// Public subnets without a NAT gateway: a public address is the
		// task's way out (WhatsApp, AWS APIs); the security group lets
		// nothing in.
		AssignPublicIp: jsii.Bool(true),
		VpcSubnets:     &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC},
	})
	return s
}
