package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/stretchr/testify/require"
)

func TestContext(t *testing.T) {
	tests := []struct {
		name    string
		value   any // nil: not set
		want    int
		wantErr bool
	}{
		{"unset", nil, 1, false},
		{"from -c", "3", 3, false},
		{"from cdk.json", float64(2), 2, false},
		{"fraction", 2.5, 0, true},
		{"word", "two", 0, true},
		{"list", []any{1}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := map[string]any{"stackName": "Prod"}
			if tt.value != nil {
				ctx["shards"] = tt.value
			}
			app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: ptr(t.TempDir())})
			got, err := intContext(app, "shards", 1)
			if tt.wantErr {
				require.ErrorContains(t, err, "context shards: want a whole number")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, "Prod", stringContext(app, "stackName", "WaGateway"))
			require.Equal(t, "dflt", stringContext(app, "missing", "dflt"))
		})
	}
}

func ptr(s string) *string { return &s }

func TestBoolContext(t *testing.T) {
	tests := []struct {
		name    string
		value   any // nil: not set
		want    bool
		wantErr bool
	}{
		{"unset", nil, true, false},
		{"from -c", "false", false, false},
		{"from cdk.json", false, false, false},
		{"word", "off", false, true},
		{"number", float64(0), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := map[string]any{}
			if tt.value != nil {
				ctx["containerInsights"] = tt.value
			}
			app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: ptr(t.TempDir())})
			got, err := boolContext(app, "containerInsights", true)
			if tt.wantErr {
				require.ErrorContains(t, err, "context containerInsights: want true or false")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
