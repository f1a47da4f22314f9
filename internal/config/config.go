// Package config reads the gateway's configuration from its environment,
// once, in main, and validates it. Nothing below main reads the
// environment.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Drivers of the WhatsApp port.
const (
	DriverWhatsmeow = "whatsmeow"
	DriverSandbox   = "sandbox"
)

// Local configures the all-in-one local gateway (API.md, "Running locally").
type Local struct {
	Addr           string  // GATEWAY_ADDR
	DataDir        string  // GATEWAY_DATA_DIR
	Driver         string  // GATEWAY_DRIVER
	AdminKey       string  // GATEWAY_ADMIN_KEY; empty: generated once, stored hashed
	LaneDelayScale float64 // GATEWAY_LANE_DELAY_SCALE; sandbox only
	// WebhookRetryScale multiplies the webhook retry delays (1 s, 5 s,
	// 30 s); GATEWAY_WEBHOOK_RETRY_SCALE, sandbox only, for tests and demos.
	WebhookRetryScale float64
	RatePerSecond     float64 // GATEWAY_RATE_LIMIT: API requests per second per tenant, 0 = off
	RateBurst         int     // GATEWAY_RATE_BURST
	LogLevel          slog.Level
	LogJSON           bool // GATEWAY_LOG_FORMAT=json
	// PublicURL is where clients reach the API (GATEWAY_PUBLIC_URL), for
	// the links the gateway hands out (media.url); empty until main knows
	// the address it listens on (WithListener).
	PublicURL string
	// MediaRetentionDays is how long inbound messages and their media
	// are kept (GATEWAY_MEDIA_RETENTION_DAYS).
	MediaRetentionDays int
	// Ignored lists the variables that were set but have no effect with
	// this configuration, for main to warn about at start.
	Ignored []Ignored
}

// Ignored is a variable that was set but does not apply.
type Ignored struct {
	Var string // the variable's name
	Why string // why it does not apply
}

// Defaults of the local gateway.
const (
	DefaultAddr    = "127.0.0.1:8080"
	DefaultDataDir = "./data"
	// DefaultMediaRetentionDays and MaxMediaRetentionDays bound
	// GATEWAY_MEDIA_RETENTION_DAYS; the most is a year: this is other
	// people's data, kept to serve the API, not an archive.
	DefaultMediaRetentionDays = 30
	MaxMediaRetentionDays     = 365
)

// WithListener returns c with the public URL of a gateway listening on
// addr (host:port as bound, so port 0 becomes the real port) when
// GATEWAY_PUBLIC_URL did not set one.
func (c Local) WithListener(addr string) Local {
	if c.PublicURL == "" {
		c.PublicURL = "http://" + addr
	}
	return c
}

// MediaRetention is the retention of inbound messages and media.
func (c Local) MediaRetention() time.Duration {
	return time.Duration(c.MediaRetentionDays) * 24 * time.Hour
}

// Var documents one environment variable: the usage text of sessionhost
// prints LocalVars, and the README's Configuration table says the same.
type Var struct {
	Name string
	// Default is the value an unset variable stands for; empty when unset
	// means something else, which Meaning then says.
	Default string
	Meaning string
}

// LocalVars are the variables LocalFromEnv reads, in the README's order.
var LocalVars = []Var{
	{"GATEWAY_ADDR", DefaultAddr, "listen address (host:port)"},
	{"GATEWAY_DATA_DIR", DefaultDataDir, "directory of the SQLite file gateway.db: the gateway's state and whatsmeow's device keys"},
	{"GATEWAY_DRIVER", DriverWhatsmeow, "whatsmeow (real WhatsApp) or sandbox (an in-memory phone network, no phone needed)"},
	{"GATEWAY_ADMIN_KEY", "", "operator key for /admin/* (header x-admin-key), at least 16 characters; unset: one is generated on first start, printed once and kept only as a hash"},
	{"GATEWAY_LANE_DELAY_SCALE", "1", "multiplies the lane delays; honoured only with the sandbox driver"},
	{"GATEWAY_WEBHOOK_RETRY_SCALE", "1", "multiplies the webhook retry delays (1 s, 5 s, 30 s); honoured only with the sandbox driver"},
	{"GATEWAY_RATE_LIMIT", "50", "API requests per second per tenant (token bucket); 0 turns it off"},
	{"GATEWAY_RATE_BURST", "100", "bucket size of that limit"},
	{"GATEWAY_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"GATEWAY_LOG_FORMAT", "text", "text or json"},
	{"GATEWAY_PUBLIC_URL", "", "the API's address as clients reach it, for the links it hands out (media.url); unset: http:// and the address the gateway listens on"},
	{"GATEWAY_MEDIA_RETENTION_DAYS", "30", "days inbound messages and their media are kept"},
}

// sandboxOnly are the variables honoured only with the sandbox driver,
// and why any other driver ignores them.
var sandboxOnly = []struct{ name, why string }{
	{"GATEWAY_LANE_DELAY_SCALE", "honoured only with GATEWAY_DRIVER=sandbox: with real WhatsApp the lane delays are the anti-ban pacing and are never scaled"},
	{"GATEWAY_WEBHOOK_RETRY_SCALE", "honoured only with GATEWAY_DRIVER=sandbox: with real WhatsApp webhooks are retried at 1 s, 5 s and 30 s"},
}

// LocalFromEnv reads Local from getenv (os.Getenv in main), applying the
// documented defaults (LocalVars), and reports every invalid value at
// once. A valid variable that does not apply is not an error: it is
// listed in Ignored.
func LocalFromEnv(getenv func(string) string) (Local, error) {
	c := Local{
		Addr:               or(getenv("GATEWAY_ADDR"), DefaultAddr),
		DataDir:            or(getenv("GATEWAY_DATA_DIR"), DefaultDataDir),
		Driver:             or(getenv("GATEWAY_DRIVER"), DriverWhatsmeow),
		AdminKey:           getenv("GATEWAY_ADMIN_KEY"),
		LaneDelayScale:     1,
		WebhookRetryScale:  1,
		RatePerSecond:      50,
		RateBurst:          100,
		LogLevel:           slog.LevelInfo,
		PublicURL:          getenv("GATEWAY_PUBLIC_URL"),
		MediaRetentionDays: DefaultMediaRetentionDays,
	}
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("GATEWAY_ADDR %q: want host:port", c.Addr))
	}
	if c.Driver != DriverWhatsmeow && c.Driver != DriverSandbox {
		errs = append(errs, fmt.Errorf("GATEWAY_DRIVER %q: want %s or %s", c.Driver, DriverWhatsmeow, DriverSandbox))
	}
	if c.AdminKey != "" && len(c.AdminKey) < 16 {
		errs = append(errs, errors.New("GATEWAY_ADMIN_KEY: use at least 16 characters"))
	}
	floatVar := func(name string, dst *float64, min float64, strictMin bool) {
		v := getenv(name)
		if v == "" {
			return
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < min || (strictMin && f == min) {
			errs = append(errs, fmt.Errorf("%s %q: want a number above %g", name, v, min))
			return
		}
		*dst = f
	}
	floatVar("GATEWAY_LANE_DELAY_SCALE", &c.LaneDelayScale, 0, true)
	floatVar("GATEWAY_WEBHOOK_RETRY_SCALE", &c.WebhookRetryScale, 0, true)
	floatVar("GATEWAY_RATE_LIMIT", &c.RatePerSecond, 0, false)
	if v := getenv("GATEWAY_RATE_BURST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("GATEWAY_RATE_BURST %q: want a whole number of at least 1", v))
		} else {
			c.RateBurst = n
		}
	}
	if v := getenv("GATEWAY_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("GATEWAY_LOG_LEVEL %q: want debug, info, warn or error", v))
		}
	}
	switch f := strings.ToLower(getenv("GATEWAY_LOG_FORMAT")); f {
	case "", "text":
	case "json":
		c.LogJSON = true
	default:
		errs = append(errs, fmt.Errorf("GATEWAY_LOG_FORMAT %q: want text or json", f))
	}
	// Unset, WithListener fills it in once the address is bound.
	if c.PublicURL != "" {
		if p := publicURLProblem(c.PublicURL); p != "" {
			errs = append(errs, errors.New(p))
		}
	}
	if err := retentionDays(getenv, &c.MediaRetentionDays); err != nil {
		errs = append(errs, err)
	}
	if c.Driver != DriverSandbox {
		// API.md: the scales are honoured only with the sandbox driver.
		c.LaneDelayScale, c.WebhookRetryScale = 1, 1
		for _, v := range sandboxOnly {
			if getenv(v.name) != "" {
				c.Ignored = append(c.Ignored, Ignored{Var: v.name, Why: v.why})
			}
		}
	}
	return c, errors.Join(errs...)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
