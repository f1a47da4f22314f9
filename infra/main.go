// Command infra is the gateway's AWS CDK app (ARCHITECTURE.md, "On
// AWS"). cdk.json at the repository root runs it (`go run -C infra .`):
// it must be started in infra/. Run it through the CDK CLI from the
// repository root (make synth, make deploy).
//
// Context (cdk synth -c key=value):
//
//	shards      number of shards, default 1
//	stackName   default WaGateway
//	alarmEmail  address subscribed to the alarm topic, default none
//	mediaRetentionDays  days inbound messages and media are kept, 1 to
//	            365, default 30 (the media bucket's lifecycle rule and
//	            GATEWAY_MEDIA_RETENTION_DAYS of the API and session hosts)
//	publicUrl   the API's base URL when a custom domain fronts it, which
//	            media.url starts with; default the HTTP API's own URL
//
// The stack is environment-agnostic (region and account come from the
// CLI's credentials at deployment), so `cdk synth` needs no AWS access.
// The Lambda zips come from `make build` (dist/api.zip,
// dist/webhooks.zip); the session host image is built from
// sessionhost/Dockerfile at deployment (Docker with BuildKit; the
// Dockerfile cross-compiles, so an amd64 machine needs no emulation).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	err := run()
	// jsii-runtime-go v1.139.0 may print "Runtime process exited
	// abnormally: waitid: no child processes" here: its Close and its own
	// goroutine both wait on the kernel process. Harmless.
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

func run() error {
	// The CLI runs the app from the repository root (where cdk.json is)
	// and passes it paths relative to that root (CDK_OUTDIR,
	// CDK_ERROR_FILE, CDK_PERF_COUNTERS_FILE), but `go run -C infra`
	// starts it in infra/: go back to the root before anything (the jsii
	// kernel included) reads them.
	root, err := filepath.Abs("..")
	if err != nil {
		return fmt.Errorf("repository root: %w", err)
	}
	if _, err := os.Stat(filepath.Join(root, "infra", "go.mod")); err != nil {
		return fmt.Errorf("run the app from infra/ (cdk.json does: go run -C infra .): %w", err)
	}
	if err := os.Chdir(root); err != nil {
		return fmt.Errorf("repository root: %w", err)
	}
	app := awscdk.NewApp(nil)
	shards, err := intContext(app, "shards", 1)
	if err != nil {
		return err
	}
	retention, err := intContext(app, "mediaRetentionDays", defaultMediaRetentionDays)
	if err != nil {
		return err
	}
	if retention < 1 {
		// 0 would mean the default to the stack; from the CLI it is a
		// mistake.
		return fmt.Errorf("context mediaRetentionDays: want 1 to %d, got %d", maxMediaRetentionDays, retention)
	}
	name := stringContext(app, "stackName", "WaGateway")
	_, err = NewGatewayStack(app, name, GatewayStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String(fmt.Sprintf("WhatsApp gateway (%d shard(s))", shards)),
		},
		Shards:             shards,
		AlarmEmail:         stringContext(app, "alarmEmail", ""),
		MediaRetentionDays: retention,
		PublicURL:          stringContext(app, "publicUrl", ""),
		SourceDir:          root,
		APICode:            filepath.Join(root, "dist", "api.zip"),
		WebhooksCode:       filepath.Join(root, "dist", "webhooks.zip"),
	})
	if err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}

// intContext reads a whole-number context value: a string from `-c`, a
// number from cdk.json.
func intContext(app awscdk.App, key string, def int) (int, error) {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case nil:
		return def, nil
	case float64:
		if v != float64(int(v)) {
			return 0, fmt.Errorf("context %s: want a whole number, got %v", key, v)
		}
		return int(v), nil
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("context %s: want a whole number, got %q", key, v)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("context %s: want a whole number, got %v", key, v)
	}
}

// stringContext reads a string context value.
func stringContext(app awscdk.App, key, def string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
		return v
	}
	return def
}
