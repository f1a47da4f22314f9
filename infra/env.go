package main

// Environment variables the gateway's processes read. They duplicate the
// names in internal/config/aws.go on purpose: this module must not import
// the application module, so that the app's tests never compile the CDK.
// Keep both sides in step.
const (
	envTable        = "GATEWAY_TABLE"
	envQueueUrgent  = "GATEWAY_QUEUE_URGENT"
	envQueueNormal  = "GATEWAY_QUEUE_NORMAL"
	envQueueBulk    = "GATEWAY_QUEUE_BULK"
	envCommandQueue = "GATEWAY_COMMAND_QUEUE"
	// envExtraShards is, for the API, the queues of shards 1, 2, ... as a
	// JSON list of {"urgent","normal","bulk","command"} URLs; envShard is
	// a session host's shard number.
	envExtraShards  = "GATEWAY_EXTRA_SHARDS"
	envShard        = "GATEWAY_SHARD"
	envLeaseTTL     = "GATEWAY_LEASE_TTL" // a session host's lease time, e.g. "24s"
	envWebhookQueue = "GATEWAY_WEBHOOK_QUEUE"
	envEventBus     = "GATEWAY_EVENT_BUS"
	// envAdminKeySecretARN is the ARN of the operator key's secret: the
	// API reads the key at cold start (and again for rotation), so the
	// key itself is never in the function's configuration.
	envAdminKeySecretARN = "GATEWAY_ADMIN_KEY_SECRET_ARN"
	envDriver            = "GATEWAY_DRIVER"
	envDeviceTable       = "GATEWAY_DEVICE_TABLE" // whatsmeow's device keys (internal/devicestore)
	// Inbound media: the bucket (host and API), the API's URL that
	// media.url starts with (host), the retention (host and API, and the
	// bucket's lifecycle rule).
	envMediaBucket        = "GATEWAY_MEDIA_BUCKET"
	envPublicURL          = "GATEWAY_PUBLIC_URL"
	envMediaRetentionDays = "GATEWAY_MEDIA_RETENTION_DAYS"

	driverWhatsmeow = "whatsmeow"
)

// eventSource is the EventBridge source of every gateway event (events/,
// ARCHITECTURE.md "Events"): events.Source in the application module.
const eventSource = "whatsapp.gateway"
