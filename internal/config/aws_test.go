package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lane"
)

const (
	qURL    = "https://sqs.us-east-1.amazonaws.com/123456789012/"
	testKey = "operator-key-0123456789"
)

// fullAWS is a complete environment for every role.
func fullAWS() map[string]string {
	return map[string]string{
		"GATEWAY_TABLE":         "wagateway",
		"GATEWAY_QUEUE_URGENT":  qURL + "lane-urgent.fifo",
		"GATEWAY_QUEUE_NORMAL":  qURL + "lane-normal.fifo",
		"GATEWAY_QUEUE_BULK":    qURL + "lane-bulk.fifo",
		"GATEWAY_COMMAND_QUEUE": qURL + "commands.fifo",
		"GATEWAY_WEBHOOK_QUEUE": qURL + "webhooks",
		"GATEWAY_EVENT_BUS":     "wagateway",
		"GATEWAY_ADMIN_KEY":     testKey,
		"GATEWAY_DEVICE_TABLE":  "wagateway-devices",
		"GATEWAY_MEDIA_BUCKET":  "wagateway-media",
		"GATEWAY_PUBLIC_URL":    apiURL,
	}
}

const apiURL = "https://abc123.execute-api.us-east-1.amazonaws.com/"

// with returns fullAWS changed by kv (pairs; an empty value unsets).
func with(kv ...string) map[string]string {
	m := fullAWS()
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

func only(keys ...string) map[string]string {
	m := map[string]string{}
	for _, k := range keys {
		m[k] = fullAWS()[k]
	}
	return m
}

func TestAWSComplete(t *testing.T) {
	c, err := AWSFromEnv(env(fullAWS()), ForAPI|ForHost|ForWebhooks)
	require.NoError(t, err)
	require.Equal(t, AWS{
		Table: "wagateway",
		LaneQueues: map[lane.Lane]string{lane.Urgent: qURL + "lane-urgent.fifo", lane.Normal: qURL + "lane-normal.fifo",
			lane.Bulk: qURL + "lane-bulk.fifo"},
		CommandQueue: qURL + "commands.fifo", WebhookQueue: qURL + "webhooks", EventBus: "wagateway",
		AdminKey: testKey, RatePerSecond: 50, RateBurst: 100, LogLevel: slog.LevelInfo,
		Driver: DriverWhatsmeow, DeviceTable: "wagateway-devices", LaneDelayScale: 1,
		MediaBucket: "wagateway-media", PublicURL: apiURL, MediaRetentionDays: 30,
	}, c)
	require.Equal(t, 30*24*time.Hour, c.MediaRetention())
}

func TestAWSRoles(t *testing.T) {
	lanes := []string{"GATEWAY_QUEUE_URGENT", "GATEWAY_QUEUE_NORMAL", "GATEWAY_QUEUE_BULK"}
	api := []string{"GATEWAY_TABLE", "GATEWAY_COMMAND_QUEUE", "GATEWAY_ADMIN_KEY", "GATEWAY_MEDIA_BUCKET"}
	host := []string{"GATEWAY_TABLE", "GATEWAY_COMMAND_QUEUE", "GATEWAY_EVENT_BUS", "GATEWAY_DEVICE_TABLE", "GATEWAY_MEDIA_BUCKET",
		"GATEWAY_PUBLIC_URL"}
	cases := []struct {
		name    string
		env     map[string]string
		roles   Role
		missing []string // variables the error must name; none: no error
	}{
		{"api minimal", only(append(lanes, api...)...), ForAPI, nil},
		{"host minimal", only(append(lanes, host...)...), ForHost, nil},
		{"webhooks minimal", only("GATEWAY_TABLE", "GATEWAY_WEBHOOK_QUEUE"), ForWebhooks, nil},
		{"api empty", nil, ForAPI, append(lanes, api...)},
		{"host empty", nil, ForHost, append(lanes, host...)},
		{"sandbox host needs no device table", with("GATEWAY_DRIVER", "sandbox", "GATEWAY_DEVICE_TABLE", ""), ForHost, nil},
		{"whatsmeow host needs its device table", with("GATEWAY_DEVICE_TABLE", ""), ForHost, []string{"GATEWAY_DEVICE_TABLE"}},
		{"api needs no device table", with("GATEWAY_DEVICE_TABLE", ""), ForAPI, nil},
		{"webhooks empty", nil, ForWebhooks, []string{"GATEWAY_TABLE", "GATEWAY_WEBHOOK_QUEUE"}},
		{"api needs no bus or webhook queue", with("GATEWAY_EVENT_BUS", "", "GATEWAY_WEBHOOK_QUEUE", ""), ForAPI, nil},
		{"host needs no admin key", with("GATEWAY_ADMIN_KEY", ""), ForHost, nil},
		{"host needs its bus", with("GATEWAY_EVENT_BUS", ""), ForHost, []string{"GATEWAY_EVENT_BUS"}},
		{"api and host together", with("GATEWAY_ADMIN_KEY", "", "GATEWAY_EVENT_BUS", ""), ForAPI | ForHost,
			[]string{"GATEWAY_ADMIN_KEY", "GATEWAY_EVENT_BUS"}},
		{"api needs the bucket", with("GATEWAY_MEDIA_BUCKET", ""), ForAPI, []string{"GATEWAY_MEDIA_BUCKET"}},
		{"host needs the bucket", with("GATEWAY_MEDIA_BUCKET", ""), ForHost, []string{"GATEWAY_MEDIA_BUCKET"}},
		{"webhooks need no bucket", with("GATEWAY_MEDIA_BUCKET", "", "GATEWAY_PUBLIC_URL", ""), ForWebhooks, nil},
		// The API is reached at its own URL; only the host, which builds
		// media.url and serves nothing, must be told it.
		{"api needs no public url", with("GATEWAY_PUBLIC_URL", ""), ForAPI, nil},
		{"host needs the public url", with("GATEWAY_PUBLIC_URL", ""), ForHost, []string{"GATEWAY_PUBLIC_URL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := AWSFromEnv(env(tc.env), tc.roles)
			if tc.missing == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, v := range tc.missing {
				require.Contains(t, err.Error(), v+": required")
			}
			require.Equal(t, len(tc.missing), strings.Count(err.Error(), ": required"), err.Error())
		})
	}
}

func TestAWSValues(t *testing.T) {
	all := ForAPI | ForHost | ForWebhooks
	cases := []struct {
		name string
		env  map[string]string
		bad  string // the variable the error must name; "": valid
		want func(c AWS) bool
	}{
		{"rate and burst", with("GATEWAY_RATE_LIMIT", "2.5", "GATEWAY_RATE_BURST", "7"), "",
			func(c AWS) bool { return c.RatePerSecond == 2.5 && c.RateBurst == 7 }},
		{"rate off", with("GATEWAY_RATE_LIMIT", "0"), "", func(c AWS) bool { return c.RatePerSecond == 0 }},
		{"log level", with("GATEWAY_LOG_LEVEL", "debug"), "", func(c AWS) bool { return c.LogLevel == slog.LevelDebug }},
		{"event bus arn", with("GATEWAY_EVENT_BUS", "arn:aws:events:us-east-1:123456789012:event-bus/gw"), "",
			func(c AWS) bool { return strings.HasPrefix(c.EventBus, "arn:") }},
		{"emulator queue url", with("GATEWAY_QUEUE_BULK", "http://127.0.0.1:4100/000000000000/bulk.fifo"), "",
			func(c AWS) bool { return c.LaneQueues[lane.Bulk] == "http://127.0.0.1:4100/000000000000/bulk.fifo" }},
		{"extra shards", with("GATEWAY_EXTRA_SHARDS", `[{"urgent":"`+qURL+`u1.fifo","normal":"`+qURL+`n1.fifo","bulk":"`+qURL+
			`b1.fifo","command":"`+qURL+`c1.fifo"}]`), "",
			func(c AWS) bool {
				return len(c.ExtraShards) == 1 && c.ExtraShards[0].Lanes()[lane.Normal] == qURL+"n1.fifo" && c.ExtraShards[0].Command == qURL+"c1.fifo"
			}},
		{"extra shard missing a queue", with("GATEWAY_EXTRA_SHARDS", `[{"urgent":"`+qURL+`u1.fifo"}]`), "GATEWAY_EXTRA_SHARDS[0]", nil},
		{"extra shard lane not FIFO", with("GATEWAY_EXTRA_SHARDS", `[{"urgent":"`+qURL+`u1","normal":"`+qURL+`n1.fifo","bulk":"`+qURL+
			`b1.fifo","command":"`+qURL+`c1.fifo"}]`), "GATEWAY_EXTRA_SHARDS[0].urgent", nil},
		{"extra shards not JSON", with("GATEWAY_EXTRA_SHARDS", `urgent=x`), "GATEWAY_EXTRA_SHARDS", nil},
		{"shard", with("GATEWAY_SHARD", "3"), "", func(c AWS) bool { return c.Shard == 3 }},
		{"negative shard", with("GATEWAY_SHARD", "-1"), "GATEWAY_SHARD", nil},
		{"lease time", with("GATEWAY_LEASE_TTL", "1m"), "", func(c AWS) bool { return c.LeaseTTL == time.Minute }},
		{"lease time default", with("GATEWAY_LEASE_TTL", ""), "", func(c AWS) bool { return c.LeaseTTL == 0 }},
		{"lease time too short", with("GATEWAY_LEASE_TTL", "5s"), "GATEWAY_LEASE_TTL", nil},
		{"lease time too long", with("GATEWAY_LEASE_TTL", "121s"), "GATEWAY_LEASE_TTL", nil},
		{"lease time without unit", with("GATEWAY_LEASE_TTL", "24"), "GATEWAY_LEASE_TTL", nil},
		{"negative rate", with("GATEWAY_RATE_LIMIT", "-1"), "GATEWAY_RATE_LIMIT", nil},
		{"NaN rate", with("GATEWAY_RATE_LIMIT", "NaN"), "GATEWAY_RATE_LIMIT", nil},
		{"zero burst", with("GATEWAY_RATE_BURST", "0"), "GATEWAY_RATE_BURST", nil},
		{"bad level", with("GATEWAY_LOG_LEVEL", "loud"), "GATEWAY_LOG_LEVEL", nil},
		{"short admin key", with("GATEWAY_ADMIN_KEY", "short"), "GATEWAY_ADMIN_KEY", nil},
		{"table charset", with("GATEWAY_TABLE", "my table"), "GATEWAY_TABLE", nil},
		{"table too short", with("GATEWAY_TABLE", "ab"), "GATEWAY_TABLE", nil},
		{"lane queue not fifo", with("GATEWAY_QUEUE_NORMAL", qURL+"normal"), "GATEWAY_QUEUE_NORMAL", nil},
		{"lane queue no scheme", with("GATEWAY_QUEUE_URGENT", "lane-urgent.fifo"), "GATEWAY_QUEUE_URGENT", nil},
		{"command queue not a url", with("GATEWAY_COMMAND_QUEUE", "ftp://x/y"), "GATEWAY_COMMAND_QUEUE", nil},
		{"webhook queue no path", with("GATEWAY_WEBHOOK_QUEUE", "https://sqs.example"), "GATEWAY_WEBHOOK_QUEUE", nil},
		{"bus with spaces", with("GATEWAY_EVENT_BUS", "my bus"), "GATEWAY_EVENT_BUS", nil},
		{"sandbox with delay scale", with("GATEWAY_DRIVER", "sandbox", "GATEWAY_LANE_DELAY_SCALE", "0.01"), "",
			func(c AWS) bool { return c.Driver == DriverSandbox && c.LaneDelayScale == 0.01 }},
		{"delay scale needs the sandbox", with("GATEWAY_LANE_DELAY_SCALE", "0.01"), "GATEWAY_LANE_DELAY_SCALE", nil},
		{"zero delay scale", with("GATEWAY_DRIVER", "sandbox", "GATEWAY_LANE_DELAY_SCALE", "0"), "GATEWAY_LANE_DELAY_SCALE", nil},
		{"unknown driver", with("GATEWAY_DRIVER", "baileys"), "GATEWAY_DRIVER", nil},
		{"device table charset", with("GATEWAY_DEVICE_TABLE", "my devices"), "GATEWAY_DEVICE_TABLE", nil},
		{"retention", with("GATEWAY_MEDIA_RETENTION_DAYS", "7"), "",
			func(c AWS) bool { return c.MediaRetentionDays == 7 && c.MediaRetention() == 7*24*time.Hour }},
		{"retention a year", with("GATEWAY_MEDIA_RETENTION_DAYS", "365"), "", func(c AWS) bool { return c.MediaRetentionDays == 365 }},
		{"retention zero", with("GATEWAY_MEDIA_RETENTION_DAYS", "0"), "GATEWAY_MEDIA_RETENTION_DAYS", nil},
		{"retention over a year", with("GATEWAY_MEDIA_RETENTION_DAYS", "366"), "GATEWAY_MEDIA_RETENTION_DAYS", nil},
		{"retention not whole", with("GATEWAY_MEDIA_RETENTION_DAYS", "1.5"), "GATEWAY_MEDIA_RETENTION_DAYS", nil},
		{"emulator public url", with("GATEWAY_PUBLIC_URL", "http://127.0.0.1:8080"), "",
			func(c AWS) bool { return c.PublicURL == "http://127.0.0.1:8080" }},
		{"public url with a path", with("GATEWAY_PUBLIC_URL", "https://wa.example.com/gateway"), "",
			func(c AWS) bool { return c.PublicURL == "https://wa.example.com/gateway" }},
		{"public url with a query", with("GATEWAY_PUBLIC_URL", "https://wa.example.com/?a=b"), "GATEWAY_PUBLIC_URL", nil},
		{"public url with an empty query", with("GATEWAY_PUBLIC_URL", "https://wa.example.com/?"), "GATEWAY_PUBLIC_URL", nil},
		{"public url with a fragment", with("GATEWAY_PUBLIC_URL", "https://wa.example.com/#x"), "GATEWAY_PUBLIC_URL", nil},
		{"public url not http", with("GATEWAY_PUBLIC_URL", "ftp://wa.example.com"), "GATEWAY_PUBLIC_URL", nil},
		{"public url no host", with("GATEWAY_PUBLIC_URL", "https:///x"), "GATEWAY_PUBLIC_URL", nil},
		{"public url relative", with("GATEWAY_PUBLIC_URL", "wa.example.com"), "GATEWAY_PUBLIC_URL", nil},
		{"bucket with dots", with("GATEWAY_MEDIA_BUCKET", "media.example.com"), "",
			func(c AWS) bool { return c.MediaBucket == "media.example.com" }},
		{"bucket uppercase", with("GATEWAY_MEDIA_BUCKET", "Media"), "GATEWAY_MEDIA_BUCKET", nil},
		{"bucket too short", with("GATEWAY_MEDIA_BUCKET", "ab"), "GATEWAY_MEDIA_BUCKET", nil},
		{"bucket an ARN", with("GATEWAY_MEDIA_BUCKET", "arn:aws:s3:::media"), "GATEWAY_MEDIA_BUCKET", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := AWSFromEnv(env(tc.env), all)
			if tc.bad != "" {
				require.ErrorContains(t, err, tc.bad)
				return
			}
			require.NoError(t, err)
			require.True(t, tc.want(c), "%+v", c)
		})
	}
}

// A variable no role needs is still validated when set.
func TestAWSUnneededVariableChecked(t *testing.T) {
	for name, v := range map[string]string{
		"GATEWAY_QUEUE_URGENT": "not a url",
		"GATEWAY_MEDIA_BUCKET": "No_Bucket",
		"GATEWAY_PUBLIC_URL":   "https://x/?q",
	} {
		m := only("GATEWAY_TABLE", "GATEWAY_WEBHOOK_QUEUE")
		m[name] = v
		_, err := AWSFromEnv(env(m), ForWebhooks)
		require.ErrorContains(t, err, name)
	}
	// The API does not need GATEWAY_PUBLIC_URL, but a bad one is named.
	_, err := AWSFromEnv(env(with("GATEWAY_PUBLIC_URL", "nope")), ForAPI)
	require.ErrorContains(t, err, "GATEWAY_PUBLIC_URL")
}

func TestAWSAllErrorsAtOnce(t *testing.T) {
	m := with("GATEWAY_TABLE", "x", "GATEWAY_RATE_BURST", "-3", "GATEWAY_ADMIN_KEY", "short", "GATEWAY_QUEUE_BULK", "")
	_, err := AWSFromEnv(env(m), ForAPI)
	require.Error(t, err)
	for _, v := range []string{"GATEWAY_TABLE", "GATEWAY_RATE_BURST", "GATEWAY_ADMIN_KEY", "GATEWAY_QUEUE_BULK"} {
		require.Contains(t, err.Error(), v)
	}
}

func TestAWSNeverEchoesAdminKey(t *testing.T) {
	secret := "0123456789abcde" // 15 characters: rejected
	_, err := AWSFromEnv(env(with("GATEWAY_ADMIN_KEY", secret)), ForAPI)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
}

func TestAWSInvalidRoles(t *testing.T) {
	for _, r := range []Role{0, 1 << 5} {
		_, err := AWSFromEnv(env(fullAWS()), r)
		require.Error(t, err)
	}
}

func TestAWSMode(t *testing.T) {
	require.False(t, AWSMode(env(nil)))
	require.False(t, AWSMode(env(map[string]string{"GATEWAY_QUEUE_URGENT": qURL + "u.fifo"})))
	require.True(t, AWSMode(env(only("GATEWAY_TABLE"))))
}

const secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wagateway/operator-key-AbCdEf"

// The operator key comes from a Secrets Manager secret or, outside the
// stack, from the environment: the API needs exactly one of them.
func TestAWSAdminKeySources(t *testing.T) {
	const arnVar = "GATEWAY_ADMIN_KEY_SECRET_ARN"
	viaSecret := func(arn string) map[string]string { return with(arnVar, arn, "GATEWAY_ADMIN_KEY", "") }
	cases := []struct {
		name  string
		env   map[string]string
		roles Role
		want  AWS    // the two fields; checked when err is ""
		err   string // what the error must say
	}{
		{"secret", viaSecret(secretARN), ForAPI, AWS{AdminKeySecretARN: secretARN}, ""},
		{"literal key", fullAWS(), ForAPI, AWS{AdminKey: testKey}, ""},
		{"partial ARN (no random suffix)", viaSecret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:op"), ForAPI,
			AWS{AdminKeySecretARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:op"}, ""},
		{"GovCloud", viaSecret("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:op-AbCdEf"), ForAPI,
			AWS{AdminKeySecretARN: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:op-AbCdEf"}, ""},
		{"China", viaSecret("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a/b_c+d=e.f@g-AbCdEf"), ForAPI,
			AWS{AdminKeySecretARN: "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a/b_c+d=e.f@g-AbCdEf"}, ""},
		{"neither", with("GATEWAY_ADMIN_KEY", ""), ForAPI, AWS{}, arnVar + " or GATEWAY_ADMIN_KEY: required"},
		{"host needs neither", with("GATEWAY_ADMIN_KEY", ""), ForHost, AWS{}, ""},
		{"both", with(arnVar, secretARN), ForAPI, AWS{}, "set only one; remove GATEWAY_ADMIN_KEY"},
		{"both, even where unneeded", with(arnVar, secretARN), ForHost, AWS{}, "set only one; remove GATEWAY_ADMIN_KEY"},
		{"not an ARN", viaSecret("wagateway/operator-key"), ForAPI, AWS{}, arnVar + ": not an ARN"},
		{"too few parts", viaSecret("arn:aws:secretsmanager:us-east-1:123456789012:op"), ForAPI, AWS{}, arnVar + ": not an ARN"},
		{"partition", viaSecret("arn:gcp:secretsmanager:us-east-1:123456789012:secret:op"), ForAPI, AWS{}, arnVar + ": the partition"},
		{"another service", viaSecret("arn:aws:ssm:us-east-1:123456789012:parameter:op"), ForAPI, AWS{}, arnVar + ": not a Secrets Manager ARN"},
		{"no region", viaSecret("arn:aws:secretsmanager::123456789012:secret:op"), ForAPI, AWS{}, arnVar + ": the region"},
		{"account", viaSecret("arn:aws:secretsmanager:us-east-1:1234:secret:op"), ForAPI, AWS{}, arnVar + ": the account"},
		{"resource type", viaSecret("arn:aws:secretsmanager:us-east-1:123456789012:key:op"), ForAPI, AWS{}, arnVar + ": not a secret's ARN"},
		{"empty name", viaSecret("arn:aws:secretsmanager:us-east-1:123456789012:secret:"), ForAPI, AWS{}, arnVar + ": the secret name"},
		{"name with a space", viaSecret("arn:aws:secretsmanager:us-east-1:123456789012:secret:my key"), ForAPI, AWS{}, arnVar + ": the secret name"},
		{"bad ARN checked where unneeded", with(arnVar, "nope", "GATEWAY_ADMIN_KEY", ""), ForHost, AWS{}, arnVar + ": not an ARN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := AWSFromEnv(env(tc.env), tc.roles)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.NotContains(t, err.Error(), "\n", "one problem, reported once")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want.AdminKeySecretARN, c.AdminKeySecretARN)
			require.Equal(t, tc.want.AdminKey, c.AdminKey)
		})
	}
}

// Neither variable's value reaches the error, even when the key itself
// was pasted where the ARN belongs.
func TestAWSNeverEchoesSecretARN(t *testing.T) {
	pasted := "Zq8vT2mX4kR7pL1nW6yB3cH9jD5fG0sA2eU8iO4rT6wY1qZ3"
	for _, m := range []map[string]string{
		with("GATEWAY_ADMIN_KEY_SECRET_ARN", pasted, "GATEWAY_ADMIN_KEY", ""),
		with("GATEWAY_ADMIN_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:"+pasted+" x",
			"GATEWAY_ADMIN_KEY", ""),
		with("GATEWAY_ADMIN_KEY_SECRET_ARN", secretARN, "GATEWAY_ADMIN_KEY", pasted),
	} {
		_, err := AWSFromEnv(env(m), ForAPI)
		require.Error(t, err)
		require.NotContains(t, err.Error(), pasted)
		require.NotContains(t, err.Error(), "operator-key-AbCdEf")
	}
}
