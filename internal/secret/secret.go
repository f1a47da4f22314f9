// Package secret serves the operator key from AWS Secrets Manager. The key
// is read at cold start and re-read every few minutes, so an operator who
// puts a new value (aws secretsmanager put-secret-value) sees it accepted
// without a redeploy, and the key never sits in the function's
// configuration, where read-only access to the account would show it.
// Only the key's hash (tenant.Hash) is kept in memory.
package secret

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/tenant"
)

// Timing of the re-reads. RefreshAfter bounds how long a rotated key
// waits to be accepted; Secrets Manager charges $0.05 per 10,000 calls,
// so one call per execution environment every 5 minutes costs nothing
// worth counting.
const (
	RefreshAfter = 5 * time.Minute
	// retryAfter spaces the re-reads while Secrets Manager fails, so an
	// outage costs one slow operator request every few seconds, not all
	// of them.
	retryAfter = 10 * time.Second
	// warnEvery limits the warnings of failing re-reads.
	warnEvery = time.Minute
	// The cold start may wait longer than a request: nothing is served
	// yet and Lambda's init phase allows 10 s.
	coldStartTimeout = 5 * time.Second
	refreshTimeout   = 2 * time.Second
	// minKeyLength is the configuration's floor for a literal key.
	minKeyLength = 16
)

// ErrUnavailable is the domain error of this adapter: the operator key
// could not be read. AWS's own errors stop here; the text names the
// secret and the likely cause, never key material.
var ErrUnavailable = errors.New("operator key unavailable")

// SecretsManager is the part of the Secrets Manager client the adapter
// uses.
type SecretsManager interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsManager = (*secretsmanager.Client)(nil)

// Config configures an OperatorKey.
type Config struct {
	Client SecretsManager
	ARN    string // the secret; its SecretString is the key
	Clock  clock.Clock
	Log    *slog.Logger
}

// OperatorKey is the operator key's hash, cached from Secrets Manager.
// Its Hash method is an httpapi.OperatorKey.
type OperatorKey struct {
	cfg Config

	mu       sync.Mutex
	hash     []byte
	version  string    // the secret version the hash is of; logged on rotation
	nextRead time.Time // no re-read before
	reading  bool      // one re-read at a time
	failing  bool      // the last re-read failed
	lastWarn time.Time
}

// Load reads the secret once (the cold start): an error here means the
// function cannot serve operators and should not start.
func Load(ctx context.Context, cfg Config) (*OperatorKey, error) {
	if cfg.Client == nil || cfg.ARN == "" || cfg.Clock == nil || cfg.Log == nil {
		return nil, errors.New("secret: client, ARN, clock and logger are required")
	}
	k := &OperatorKey{cfg: cfg}
	ctx, cancel := context.WithTimeout(ctx, coldStartTimeout)
	defer cancel()
	hash, version, err := k.read(ctx)
	if err != nil {
		return nil, err
	}
	k.hash, k.version, k.nextRead = hash, version, cfg.Clock.Now().Add(RefreshAfter)
	return k, nil
}

// Hash returns the current key's hash. Once the cached value is
// RefreshAfter old, the first caller re-reads the secret while the
// others keep the cached value, so Secrets Manager sees one call at a
// time; a failed re-read keeps the last good value, so an outage of
// Secrets Manager does not lock operators out. It never fails after
// Load succeeded.
func (k *OperatorKey) Hash(ctx context.Context) ([]byte, bool, error) {
	k.mu.Lock()
	if k.reading || k.cfg.Clock.Now().Before(k.nextRead) {
		h := k.hash
		k.mu.Unlock()
		return h, true, nil
	}
	k.reading = true
	k.mu.Unlock()

	// The caller going away must not count as Secrets Manager failing.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	hash, version, err := k.read(rctx)
	cancel()

	k.mu.Lock()
	defer k.mu.Unlock()
	k.reading = false
	now := k.cfg.Clock.Now()
	if err != nil {
		k.nextRead, k.failing = now.Add(retryAfter), true
		if k.lastWarn.IsZero() || now.Sub(k.lastWarn) >= warnEvery {
			k.lastWarn = now
			k.cfg.Log.WarnContext(ctx, "operator key: re-read failed; serving the last good key",
				slog.String("err", err.Error()))
		}
		return k.hash, true, nil
	}
	if k.failing {
		k.failing = false
		k.cfg.Log.InfoContext(ctx, "operator key: re-read works again", slog.String("secret", k.cfg.ARN))
	}
	if subtle.ConstantTimeCompare(hash, k.hash) != 1 {
		k.cfg.Log.InfoContext(ctx, "operator key: new value in use", slog.String("secret", k.cfg.ARN),
			slog.String("versionId", version), slog.String("previousVersionId", k.version))
	}
	k.hash, k.version, k.nextRead = hash, version, now.Add(RefreshAfter)
	return k.hash, true, nil
}

// read fetches the secret's current value and returns its hash and
// version id.
func (k *OperatorKey) read(ctx context.Context) (hash []byte, version string, err error) {
	out, err := k.cfg.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(k.cfg.ARN)})
	if err != nil {
		return nil, "", fmt.Errorf("%w: read secret %s: %s (%v)", ErrUnavailable, k.cfg.ARN, cause(err), err)
	}
	// A stray newline from a file (put-secret-value --secret-string
	// file://key.txt) would make the key impossible to send in a header.
	key := strings.TrimSpace(aws.ToString(out.SecretString))
	switch {
	case out.SecretString == nil:
		return nil, "", fmt.Errorf("%w: secret %s has no SecretString (a binary secret?); put the key as a string",
			ErrUnavailable, k.cfg.ARN)
	case len(key) < minKeyLength:
		return nil, "", fmt.Errorf("%w: secret %s: the key is shorter than %d characters", ErrUnavailable, k.cfg.ARN, minKeyLength)
	}
	return tenant.Hash(key), aws.ToString(out.VersionId), nil
}

// cause turns Secrets Manager's error codes into what the operator
// should check.
func cause(err error) string {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return "Secrets Manager did not answer"
	}
	switch api.ErrorCode() {
	case "AccessDeniedException":
		return "access denied: the function's role needs secretsmanager:GetSecretValue on this secret"
	case "ResourceNotFoundException":
		return "no such secret in this account and region (or the role needs secretsmanager:GetSecretValue on it)"
	case "DecryptionFailure":
		return "the secret cannot be decrypted: the role needs kms:Decrypt on the secret's KMS key"
	case "InvalidRequestException":
		return "the secret cannot be read now (scheduled for deletion?)"
	}
	return "Secrets Manager refused the request"
}
