package cloud

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/config"
)

// Process is what every AWS process starts from: its configuration, its
// AWS clients and its logger.
type Process struct {
	Config  config.AWS
	Clients Clients
	Options Options // production settings: real clock, JSON logs, public URLs only
}

// Load reads the configuration of a process playing roles from getenv
// (os.Getenv in main), once, and builds one aws.Config (region,
// credentials and endpoints from the SDK's own variables) and JSON logs to
// w, as CloudWatch wants them.
func Load(ctx context.Context, getenv func(string) string, roles config.Role, w io.Writer) (Process, error) {
	cfg, err := config.AWSFromEnv(getenv, roles)
	if err != nil {
		return Process{}, fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: cfg.LogLevel}))
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return Process{}, fmt.Errorf("AWS configuration: %w", err)
	}
	return Process{Config: cfg, Clients: NewClients(awsCfg), Options: Options{Clock: clock.Real{}, Log: log}}, nil
}
