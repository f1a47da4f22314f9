package config

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLocalDefaults(t *testing.T) {
	c, err := LocalFromEnv(env(nil))
	require.NoError(t, err)
	require.Equal(t, Local{Addr: "127.0.0.1:8080", DataDir: "./data", Driver: "whatsmeow", LaneDelayScale: 1,
		WebhookRetryScale: 1, RatePerSecond: 50, RateBurst: 100, LogLevel: slog.LevelInfo,
		MediaRetentionDays: 30}, c)
	require.Equal(t, "http://127.0.0.1:41234", c.WithListener("127.0.0.1:41234").PublicURL, "the address as bound")
	require.Equal(t, 30*24*time.Hour, c.MediaRetention())
}

func TestLocalValues(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		ok   bool
		want func(c Local) bool
	}{
		{"sandbox scale", map[string]string{"GATEWAY_DRIVER": "sandbox", "GATEWAY_LANE_DELAY_SCALE": "0.01"}, true,
			func(c Local) bool { return c.LaneDelayScale == 0.01 }},
		{"scale ignored without sandbox", map[string]string{"GATEWAY_LANE_DELAY_SCALE": "0.01"}, true,
			func(c Local) bool { return c.LaneDelayScale == 1 }},
		{"zero scale", map[string]string{"GATEWAY_DRIVER": "sandbox", "GATEWAY_LANE_DELAY_SCALE": "0"}, false, nil},
		{"bad driver", map[string]string{"GATEWAY_DRIVER": "x"}, false, nil},
		{"bad addr", map[string]string{"GATEWAY_ADDR": "8080"}, false, nil},
		{"public url", map[string]string{"GATEWAY_PUBLIC_URL": "https://wa.example.com/gw"}, true,
			func(c Local) bool { return c.PublicURL == "https://wa.example.com/gw" }},
		{"public url kept over the listener", map[string]string{"GATEWAY_PUBLIC_URL": "https://wa.example.com"}, true,
			func(c Local) bool { return c.WithListener("127.0.0.1:1").PublicURL == "https://wa.example.com" }},
		{"public url without scheme", map[string]string{"GATEWAY_PUBLIC_URL": "wa.example.com"}, false, nil},
		{"public url with query", map[string]string{"GATEWAY_PUBLIC_URL": "https://wa.example.com/?x=1"}, false, nil},
		{"retention", map[string]string{"GATEWAY_MEDIA_RETENTION_DAYS": "7"}, true,
			func(c Local) bool { return c.MediaRetention() == 7*24*time.Hour }},
		{"retention zero", map[string]string{"GATEWAY_MEDIA_RETENTION_DAYS": "0"}, false, nil},
		{"retention over a year", map[string]string{"GATEWAY_MEDIA_RETENTION_DAYS": "366"}, false, nil},
		{"retention not a number", map[string]string{"GATEWAY_MEDIA_RETENTION_DAYS": "30d"}, false, nil},
		{"short admin key", map[string]string{"GATEWAY_ADMIN_KEY": "short"}, false, nil},
		{"rate off", map[string]string{"GATEWAY_RATE_LIMIT": "0"}, true, func(c Local) bool { return c.RatePerSecond == 0 }},
		{"bad burst", map[string]string{"GATEWAY_RATE_BURST": "0"}, false, nil},
		{"json logs", map[string]string{"GATEWAY_LOG_FORMAT": "json", "GATEWAY_LOG_LEVEL": "debug"}, true,
			func(c Local) bool { return c.LogJSON && c.LogLevel == slog.LevelDebug }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LocalFromEnv(env(tc.env))
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.True(t, tc.want(c), "%+v", c)
		})
	}
}

// TestLocalIgnored: a valid setting the configuration does not use is
// listed, with why, for main to warn about; it is not an error.
func TestLocalIgnored(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", nil, nil},
		{"lane scale with whatsmeow", map[string]string{"GATEWAY_LANE_DELAY_SCALE": "0.1"}, []string{"GATEWAY_LANE_DELAY_SCALE"}},
		{"retry scale with whatsmeow", map[string]string{"GATEWAY_DRIVER": "whatsmeow", "GATEWAY_WEBHOOK_RETRY_SCALE": "0.1"},
			[]string{"GATEWAY_WEBHOOK_RETRY_SCALE"}},
		{"both", map[string]string{"GATEWAY_LANE_DELAY_SCALE": "0.1", "GATEWAY_WEBHOOK_RETRY_SCALE": "0.1"},
			[]string{"GATEWAY_LANE_DELAY_SCALE", "GATEWAY_WEBHOOK_RETRY_SCALE"}},
		{"honoured with sandbox", map[string]string{"GATEWAY_DRIVER": "sandbox", "GATEWAY_LANE_DELAY_SCALE": "0.1",
			"GATEWAY_WEBHOOK_RETRY_SCALE": "0.1"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LocalFromEnv(env(tc.env))
			require.NoError(t, err)
			var got []string
			for _, ig := range c.Ignored {
				got = append(got, ig.Var)
				require.Contains(t, ig.Why, "GATEWAY_DRIVER=sandbox")
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// TestLocalVarsDocumentLocalFromEnv: LocalVars (the usage text) names
// exactly the variables LocalFromEnv reads, with the defaults it applies.
func TestLocalVarsDocumentLocalFromEnv(t *testing.T) {
	read := map[string]bool{}
	_, err := LocalFromEnv(func(k string) string { read[k] = true; return "" })
	require.NoError(t, err)
	documented := map[string]bool{}
	for _, v := range LocalVars {
		documented[v.Name] = true
	}
	require.Equal(t, read, documented)

	defaults, err := LocalFromEnv(env(nil))
	require.NoError(t, err)
	for _, v := range LocalVars {
		if v.Default == "" {
			require.Contains(t, v.Meaning, "unset", "%s: say what unset means", v.Name)
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			c, err := LocalFromEnv(env(map[string]string{v.Name: v.Default}))
			require.NoError(t, err)
			c.Ignored = nil // a scale set with whatsmeow: listed, yet the default
			require.Equal(t, defaults, c, "setting the documented default changes nothing")
		})
	}
}
