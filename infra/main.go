// Command infra is the gateway's AWS CDK app (ARCHITECTURE.md, "On
// AWS"). cdk.json at the repository root runs it (`go run -C infra .`):
// it must be started in infra/. Run it through the CDK CLI from the
// repository root (make synth, make deploy).
//
// Context (cdk synth -c key=value):
//
//	shards      number of shards, default 1
//	hostsPerShard  session host tasks per shard, 1 to 10, default 1 (2
//	            or more to survive a host's death within a lease time)
//	leaseTtlSeconds  the session hosts' lease time, 6 to 120, default 24:
//	            longer costs fewer lease writes per connected instance
//	            and fails over more slowly
//	stackName   default WaGateway
//	alarmEmail  address subscribed to the alarm topic, default none
//	mediaRetentionDays  days inbound messages and media are kept, 1 to
//	            365, default 30 (the media bucket's lifecycle rule and
//	            GATEWAY_MEDIA_RETENTION_DAYS of the API and session hosts)
//	publicUrl   the API's base URL when a custom domain fronts it, which
//	            media.url starts with; default the HTTP API's own URL
//	apiConcurrency      reserved concurrency of the API function, default
//	            50; 0 leaves it unreserved (README.md: the account's quota)
//	apiRateLimit, apiBurstLimit  the HTTP API's throttling, requests per
//	            second and burst, default 100 and 200
//	webhookConcurrency  webhooks Lambdas at once (2 to 1000), default 5
//	hostCpu, hostMemoryMiB  a session host task's size, default 256 CPU
//	            units (0.25 vCPU) and 1024 MiB (Fargate's combinations)
//
// The stack is environment-agnostic (region and account come from the
// CLI's credentials at deployment), so `cdk synth` needs no AWS access.
// The Lambda zips come from `make build` (dist/api.zip,
// dist/webhooks.zip), and so does the session host image's context
// (dist/host: a FROM scratch Dockerfile over the static linux/arm64
// binary), which the CLI builds at deployment.
//
// The app runs cdk-nag's AwsSolutions checks on the stack: an error
// finding that is neither fixed nor suppressed with its reason fails
// `cdk synth`, a warning is printed (TestNag fails on both).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
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
	ints := map[string]int{}
	for key, def := range map[string]int{
		"apiConcurrency": defaultAPIConcurrency, "apiRateLimit": defaultAPIRateLimit, "apiBurstLimit": defaultAPIBurstLimit,
		"webhookConcurrency": defaultWebhookConcurrency, "hostCpu": defaultHostCPU, "hostMemoryMiB": defaultHostMemoryMiB,
		"hostsPerShard": 1, "leaseTtlSeconds": 24,
	} {
		v, err := intContext(app, key, def)
		if err != nil {
			return err
		}
		ints[key] = v
	}
	// A context value of 0 means "none" only for apiConcurrency; for the
	// others the stack would read it as its default, which from the CLI
	// is a mistake.
	for _, key := range []string{"apiRateLimit", "apiBurstLimit", "webhookConcurrency", "hostCpu", "hostMemoryMiB", "hostsPerShard",
		"leaseTtlSeconds"} {
		if ints[key] <= 0 {
			return fmt.Errorf("context %s: want a positive number, got %d", key, ints[key])
		}
	}
	insights, err := boolContext(app, "containerInsights", true)
	if err != nil {
		return err
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	name := stringContext(app, "stackName", "WaGateway")
	_, err = NewGatewayStack(app, name, GatewayStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String(fmt.Sprintf("WhatsApp gateway (%d shard(s))", shards)),
		},
		Shards:              shards,
		AlarmEmail:          stringContext(app, "alarmEmail", ""),
		MediaRetentionDays:  retention,
		PublicURL:           stringContext(app, "publicUrl", ""),
		HostImageDir:        filepath.Join(root, "dist", "host"),
		APICode:             filepath.Join(root, "dist", "api.zip"),
		WebhooksCode:        filepath.Join(root, "dist", "webhooks.zip"),
		HostCPU:             ints["hostCpu"],
		HostMemoryMiB:       ints["hostMemoryMiB"],
		HostsPerShard:       ints["hostsPerShard"],
		LeaseTTLSeconds:     ints["leaseTtlSeconds"],
		APIConcurrency:      ints["apiConcurrency"],
		APIRateLimit:        ints["apiRateLimit"],
		APIBurstLimit:       ints["apiBurstLimit"],
		WebhookConcurrency:  ints["webhookConcurrency"],
		NoContainerInsights: !insights,
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

// boolContext reads a true/false context value: a string from `-c`, a
// boolean from cdk.json.
func boolContext(app awscdk.App, key string, def bool) (bool, error) {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, fmt.Errorf("context %s: want true or false, got %q", key, v)
		}
		return b, nil
	default:
		return false, fmt.Errorf("context %s: want true or false, got %v", key, v)
	}
}

// stringContext reads a string context value.
func stringContext(app awscdk.App, key, def string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
		return v
	}
	return def
}
