package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHealthAddr(t *testing.T) {
	cases := []struct {
		set, want, err string
	}{
		{"", DefaultHealthAddr, ""},
		{"127.0.0.1:9000", "127.0.0.1:9000", ""},
		{"127.0.0.2:0", "127.0.0.2:0", ""},
		{"[::1]:8081", "[::1]:8081", ""},
		{"localhost:8081", "localhost:8081", ""},
		{"0.0.0.0:8081", "", "want a loopback address"},
		{"[::]:8081", "", "want a loopback address"},
		{":8081", "", "want a loopback address"},
		{"10.0.0.5:8081", "", "want a loopback address"},
		{"example.com:8081", "", "want a loopback address"},
		{"127.0.0.1", "", "want host:port"},
		{"127.0.0.1:http", "", "want a port number"},
		{"127.0.0.1:70000", "", "want a port number"},
	}
	for _, tc := range cases {
		t.Run(tc.set, func(t *testing.T) {
			got, err := HealthAddr(func(k string) string {
				if k == "GATEWAY_HEALTH_ADDR" {
					return tc.set
				}
				return ""
			})
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.ErrorContains(t, err, "GATEWAY_HEALTH_ADDR")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
