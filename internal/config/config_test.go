package config

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLocalDefaults(t *testing.T) {
	c, err := LocalFromEnv(env(nil))
	require.NoError(t, err)
	require.Equal(t, Local{Addr: "127.0.0.1:8080", DataDir: "./data", Driver: "whatsmeow", LaneDelayScale: 1,
		WebhookRetryScale: 1, RatePerSecond: 50, RateBurst: 100, LogLevel: slog.LevelInfo}, c)
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
