package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/lane"
)

// Role names a process of the AWS shape. Each needs only some of the
// variables; AWSFromEnv requires exactly those of the roles it is given,
// so the webhooks Lambda is not made to carry lane queue URLs.
type Role uint8

// The processes of the AWS shape; combine with | (the session host in
// tests may play several).
const (
	// ForAPI is the API Lambda: table, lane queues, command queue,
	// operator key (a Secrets Manager secret, or the literal key),
	// media bucket.
	ForAPI Role = 1 << iota
	// ForHost is the Fargate session host: table, lane queues, command
	// queue, event bus, media bucket, public URL.
	ForHost
	// ForWebhooks is the webhooks Lambda: table, webhook queue.
	ForWebhooks
)

// ShardQueues are one shard's queue URLs.
type ShardQueues struct {
	Urgent  string `json:"urgent"`
	Normal  string `json:"normal"`
	Bulk    string `json:"bulk"`
	Command string `json:"command"`
}

// Lanes maps the lane queues by lane.
func (q ShardQueues) Lanes() map[lane.Lane]string {
	return map[lane.Lane]string{lane.Urgent: q.Urgent, lane.Normal: q.Normal, lane.Bulk: q.Bulk}
}

// Bounds of GATEWAY_LEASE_TTL. Below 6 s a renewal every third of it
// leaves too little room for a slow store call; above 2 minutes a dead
// host's phones wait longer than a QR code lives.
const (
	MinLeaseTTL = 6 * time.Second
	MaxLeaseTTL = 2 * time.Minute
)

// AWS configures the processes of the AWS shape (API.md, README "On
// AWS"). Endpoints are not part of it: the AWS SDK reads AWS_REGION,
// credentials and, for emulators, AWS_ENDPOINT_URL /
// AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS /
// AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL_S3 itself in
// config.LoadDefaultConfig.
type AWS struct {
	Table        string               // GATEWAY_TABLE
	LaneQueues   map[lane.Lane]string // GATEWAY_QUEUE_URGENT / _NORMAL / _BULK (FIFO queue URLs)
	CommandQueue string               // GATEWAY_COMMAND_QUEUE (queue URL)
	// ExtraShards are the queues of shards 1, 2, ... for the API of a
	// deployment with several shards (GATEWAY_EXTRA_SHARDS, a JSON list
	// of {"urgent","normal","bulk","command"} queue URLs); the variables
	// above are shard 0's.
	ExtraShards []ShardQueues
	// Shard is the session host's shard (GATEWAY_SHARD, default 0): it
	// connects only that shard's instances, from that shard's queues.
	Shard int
	// LeaseTTL is how long a session host's lease on an instance lasts
	// unrenewed (GATEWAY_LEASE_TTL, a Go duration from MinLeaseTTL to
	// MaxLeaseTTL; 0: the host's default, 24 s). A host renews every
	// third of it, one write per connected instance each time, and a dead
	// host's instances reconnect elsewhere within about one lease time:
	// a longer lease costs less and fails over more slowly.
	LeaseTTL     time.Duration
	WebhookQueue string // GATEWAY_WEBHOOK_QUEUE (queue URL)
	EventBus     string // GATEWAY_EVENT_BUS (name or ARN)
	// AdminKeySecretARN is the Secrets Manager secret whose SecretString
	// is the operator key for /admin (GATEWAY_ADMIN_KEY_SECRET_ARN). The
	// API reads it at cold start and again every few minutes, so a key
	// put with put-secret-value takes effect without a redeploy, and the
	// key is never in the function's configuration, which read-only
	// access to the account shows.
	AdminKeySecretARN string
	// AdminKey is the operator key itself (GATEWAY_ADMIN_KEY), the
	// alternative to AdminKeySecretARN for emulators and for running the
	// function outside the stack; callers keep only its tenant.Hash.
	AdminKey      string
	RatePerSecond float64 // GATEWAY_RATE_LIMIT, per tenant and execution environment; 0 = off
	RateBurst     int     // GATEWAY_RATE_BURST
	LogLevel      slog.Level
	// Driver is the session host's WhatsApp driver (GATEWAY_DRIVER):
	// whatsmeow, or sandbox for trials and tests.
	Driver string
	// DeviceTable keeps whatsmeow's device keys (GATEWAY_DEVICE_TABLE);
	// the session host needs it with the whatsmeow driver.
	DeviceTable string
	// LaneDelayScale multiplies lane delays (GATEWAY_LANE_DELAY_SCALE);
	// honoured only with the sandbox driver.
	LaneDelayScale float64
	// MediaBucket is the S3 bucket of inbound media
	// (GATEWAY_MEDIA_BUCKET): the session host writes it, the API reads
	// it and hands out presigned links.
	MediaBucket string
	// PublicURL is the API's base URL (GATEWAY_PUBLIC_URL). The session
	// host builds media.url from it, so the host needs it: unlike the
	// local gateway, it serves no HTTP and has no address of its own to
	// fall back on.
	PublicURL string
	// MediaRetentionDays is how long inbound messages and their media
	// are kept (GATEWAY_MEDIA_RETENTION_DAYS); the bucket's lifecycle
	// rule must expire media/ after as many days.
	MediaRetentionDays int
}

// MediaRetention is the retention of inbound messages and media.
func (c AWS) MediaRetention() time.Duration {
	return time.Duration(c.MediaRetentionDays) * 24 * time.Hour
}

// laneQueueVars are the variables of the lane queues.
var laneQueueVars = map[lane.Lane]string{
	lane.Urgent: "GATEWAY_QUEUE_URGENT",
	lane.Normal: "GATEWAY_QUEUE_NORMAL",
	lane.Bulk:   "GATEWAY_QUEUE_BULK",
}

// tableName is DynamoDB's rule for table names.
var tableName = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// bucketName is S3's rule for general purpose bucket names (3-63
// lowercase letters, digits, '.' and '-', starting and ending with a
// letter or digit); the finer rules (no "..", not an IP address) are left
// to S3, which names the problem itself.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// AWSMode reports whether the environment describes the AWS shape (a
// table is configured); the session host uses it to choose its shape.
func AWSMode(getenv func(string) string) bool { return getenv("GATEWAY_TABLE") != "" }

// AWSFromEnv reads AWS from getenv (os.Getenv in main) for the given
// roles and reports every invalid or missing value at once. A variable
// no role requires is still checked when it is set, so a typo never
// passes silently. Logs are always JSON on AWS (CloudWatch), so there is
// no format setting.
func AWSFromEnv(getenv func(string) string, roles Role) (AWS, error) {
	if roles == 0 || roles&^(ForAPI|ForHost|ForWebhooks) != 0 {
		return AWS{}, fmt.Errorf("config: invalid role set %d", roles)
	}
	c := AWS{
		Table:             getenv("GATEWAY_TABLE"),
		LaneQueues:        map[lane.Lane]string{},
		CommandQueue:      getenv("GATEWAY_COMMAND_QUEUE"),
		WebhookQueue:      getenv("GATEWAY_WEBHOOK_QUEUE"),
		EventBus:          getenv("GATEWAY_EVENT_BUS"),
		AdminKey:          getenv("GATEWAY_ADMIN_KEY"),
		AdminKeySecretARN: getenv("GATEWAY_ADMIN_KEY_SECRET_ARN"),
		RatePerSecond:     50,
		RateBurst:         100,
		LogLevel:          slog.LevelInfo,
		Driver:            or(getenv("GATEWAY_DRIVER"), DriverWhatsmeow),
		DeviceTable:       getenv("GATEWAY_DEVICE_TABLE"),
		LaneDelayScale:    1,
		MediaBucket:       getenv("GATEWAY_MEDIA_BUCKET"),
		PublicURL:         getenv("GATEWAY_PUBLIC_URL"),
		// The local gateway's default and bounds: one contract (API.md).
		MediaRetentionDays: DefaultMediaRetentionDays,
	}
	var errs []error
	required := func(name, v string, need Role) bool {
		if v != "" {
			return true
		}
		if roles&need != 0 {
			errs = append(errs, fmt.Errorf("%s: required", name))
		}
		return false
	}
	queueURL := func(name, v string, fifo bool) {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path == "" {
			errs = append(errs, fmt.Errorf("%s %q: want an SQS queue URL", name, v))
			return
		}
		if fifo && !strings.HasSuffix(u.Path, ".fifo") {
			errs = append(errs, fmt.Errorf("%s %q: want a FIFO queue (name ending in .fifo)", name, v))
		}
	}

	if required("GATEWAY_TABLE", c.Table, ForAPI|ForHost|ForWebhooks) && !tableName.MatchString(c.Table) {
		errs = append(errs, fmt.Errorf("GATEWAY_TABLE %q: want 3-255 letters, digits, '_', '-' or '.'", c.Table))
	}
	for _, l := range lane.All() {
		name := laneQueueVars[l]
		if v := getenv(name); required(name, v, ForAPI|ForHost) {
			queueURL(name, v, true)
			c.LaneQueues[l] = v
		}
	}
	if required("GATEWAY_COMMAND_QUEUE", c.CommandQueue, ForAPI|ForHost) {
		queueURL("GATEWAY_COMMAND_QUEUE", c.CommandQueue, false)
	}
	if v := getenv("GATEWAY_EXTRA_SHARDS"); v != "" {
		dec := json.NewDecoder(strings.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c.ExtraShards); err != nil {
			errs = append(errs, fmt.Errorf(`GATEWAY_EXTRA_SHARDS: want a JSON list of {"urgent","normal","bulk","command"} queue URLs: %w`, err))
		}
		for i, sq := range c.ExtraShards {
			for l, u := range sq.Lanes() {
				queueURL(fmt.Sprintf("GATEWAY_EXTRA_SHARDS[%d].%s", i, l), u, true)
			}
			queueURL(fmt.Sprintf("GATEWAY_EXTRA_SHARDS[%d].command", i), sq.Command, false)
		}
	}
	if v := getenv("GATEWAY_SHARD"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("GATEWAY_SHARD %q: want a shard number (0, 1, ...)", v))
		}
		c.Shard = n
	}
	if v := getenv("GATEWAY_LEASE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < MinLeaseTTL || d > MaxLeaseTTL {
			errs = append(errs, fmt.Errorf("GATEWAY_LEASE_TTL %q: want a duration from %s to %s, e.g. 24s", v, MinLeaseTTL, MaxLeaseTTL))
		}
		c.LeaseTTL = d
	}
	if required("GATEWAY_WEBHOOK_QUEUE", c.WebhookQueue, ForWebhooks) {
		queueURL("GATEWAY_WEBHOOK_QUEUE", c.WebhookQueue, false)
	}
	if required("GATEWAY_EVENT_BUS", c.EventBus, ForHost) && (len(c.EventBus) > 1600 || strings.ContainsAny(c.EventBus, " \t\r\n")) {
		errs = append(errs, fmt.Errorf("GATEWAY_EVENT_BUS %q: want an event bus name or ARN", c.EventBus))
	}
	errs = append(errs, adminKeyProblems(c, roles)...)
	if v := getenv("GATEWAY_RATE_LIMIT"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			errs = append(errs, fmt.Errorf("GATEWAY_RATE_LIMIT %q: want a number of at least 0", v))
		} else {
			c.RatePerSecond = f
		}
	}
	if v := getenv("GATEWAY_RATE_BURST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("GATEWAY_RATE_BURST %q: want a whole number of at least 1", v))
		} else {
			c.RateBurst = n
		}
	}
	if c.Driver != DriverWhatsmeow && c.Driver != DriverSandbox {
		errs = append(errs, fmt.Errorf("GATEWAY_DRIVER %q: want %s or %s", c.Driver, DriverWhatsmeow, DriverSandbox))
	}
	needDevices := ForHost
	if c.Driver != DriverWhatsmeow {
		needDevices = 0
	}
	if required("GATEWAY_DEVICE_TABLE", c.DeviceTable, needDevices) && !tableName.MatchString(c.DeviceTable) {
		errs = append(errs, fmt.Errorf("GATEWAY_DEVICE_TABLE %q: want 3-255 letters, digits, '_', '-' or '.'", c.DeviceTable))
	}
	if v := getenv("GATEWAY_LANE_DELAY_SCALE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || !(f > 0) || math.IsInf(f, 0):
			errs = append(errs, fmt.Errorf("GATEWAY_LANE_DELAY_SCALE %q: want a number above 0", v))
		case c.Driver != DriverSandbox:
			errs = append(errs, errors.New("GATEWAY_LANE_DELAY_SCALE: only with GATEWAY_DRIVER=sandbox (real numbers keep the real delays)"))
		default:
			c.LaneDelayScale = f
		}
	}
	if required("GATEWAY_MEDIA_BUCKET", c.MediaBucket, ForAPI|ForHost) && !bucketName.MatchString(c.MediaBucket) {
		errs = append(errs, fmt.Errorf("GATEWAY_MEDIA_BUCKET %q: want an S3 bucket name (3-63 lowercase letters, digits, '.' or '-')", c.MediaBucket))
	}
	if required("GATEWAY_PUBLIC_URL", c.PublicURL, ForHost) {
		if p := publicURLProblem(c.PublicURL); p != "" {
			errs = append(errs, errors.New(p))
		}
	}
	if err := retentionDays(getenv, &c.MediaRetentionDays); err != nil {
		errs = append(errs, err)
	}
	if v := getenv("GATEWAY_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("GATEWAY_LOG_LEVEL %q: want debug, info, warn or error", v))
		}
	}
	return c, errors.Join(errs...)
}

// adminKeyProblems checks the operator key's two sources: the API needs
// exactly one. Neither value is ever echoed, since error texts end up in
// logs and a key pasted into the wrong variable must not leak through
// them.
func adminKeyProblems(c AWS, roles Role) []error {
	const arnVar, keyVar = "GATEWAY_ADMIN_KEY_SECRET_ARN", "GATEWAY_ADMIN_KEY"
	var errs []error
	switch {
	case c.AdminKeySecretARN != "" && c.AdminKey != "":
		errs = append(errs, fmt.Errorf("%s and %s: set only one; remove %s (the key then comes from the secret)",
			arnVar, keyVar, keyVar))
	case c.AdminKeySecretARN == "" && c.AdminKey == "" && roles&ForAPI != 0:
		errs = append(errs, fmt.Errorf("%s or %s: required", arnVar, keyVar))
	}
	if c.AdminKeySecretARN != "" {
		if p := secretARNProblem(c.AdminKeySecretARN); p != "" {
			errs = append(errs, fmt.Errorf("%s: %s", arnVar, p))
		}
	}
	if c.AdminKey != "" && len(c.AdminKey) < 16 {
		errs = append(errs, fmt.Errorf("%s: use at least 16 characters", keyVar))
	}
	return errs
}

// What each part of a secret ARN may hold: a partition
// (aws, aws-cn, aws-us-gov, ...), a region, an account id, and a name
// with the characters Secrets Manager allows (a full ARN adds "-" and six
// characters to it).
var (
	arnPartition  = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	arnRegion     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	arnAccount    = regexp.MustCompile(`^[0-9]{12}$`)
	arnSecretName = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,519}$`)
)

// secretARNProblem says what is wrong with arn as a Secrets Manager
// secret ARN, or "" when nothing is. It names the part, not its value.
func secretARNProblem(arn string) string {
	const want = "want arn:<partition>:secretsmanager:<region>:<account>:secret:<name>"
	parts := strings.SplitN(arn, ":", 7)
	switch {
	case len(parts) != 7 || parts[0] != "arn":
		return "not an ARN; " + want
	case !arnPartition.MatchString(parts[1]):
		return "the partition is not aws, aws-cn, aws-us-gov or another aws-*; " + want
	case parts[2] != "secretsmanager":
		return "not a Secrets Manager ARN (the service must be secretsmanager); " + want
	case !arnRegion.MatchString(parts[3]):
		return "the region is missing or not a region such as us-east-1; " + want
	case !arnAccount.MatchString(parts[4]):
		return "the account is not 12 digits; " + want
	case parts[5] != "secret":
		return "not a secret's ARN (the resource type must be secret); " + want
	case !arnSecretName.MatchString(parts[6]):
		return "the secret name is empty, too long or has characters other than letters, digits and /_+=.@-"
	}
	return ""
}
