package secret_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/secret"
	"github.com/wagateway/wagateway/internal/secret/secrettest"
	"github.com/wagateway/wagateway/internal/tenant"
)

const (
	arn    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wagateway/operator-key-AbCdEf"
	oldKey = "Kf3vQ9mX2pL7nW4yB8cH1jD6sG0aE5uR3tY7iO2qZ9wM4xN1"
	newKey = "Tz6bN1vC8xM3qW5eR9tY2uI7oP4aS0dF6gH1jK3lZ8mB5nV2"
)

// logBuffer collects a logger's JSON lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *logBuffer) String() string     { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }
func (b *logBuffer) count(s string) int { return strings.Count(b.String(), s) }

type fixture struct {
	fake  *secrettest.Fake
	clock *clock.Fake
	logs  *logBuffer
}

func newFixture(t *testing.T) *fixture {
	return &fixture{fake: secrettest.New(t), clock: clock.NewFake(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)), logs: &logBuffer{}}
}

func (f *fixture) load(ctx context.Context) (*secret.OperatorKey, error) {
	return secret.Load(ctx, secret.Config{Client: f.fake.Client(), ARN: arn, Clock: f.clock,
		Log: slog.New(slog.NewJSONHandler(f.logs, nil))})
}

// hash is k's current hash, which must always be served.
func hash(t *testing.T, k *secret.OperatorKey) []byte {
	t.Helper()
	h, ok, err := k.Hash(context.Background())
	require.NoError(t, err)
	require.True(t, ok)
	return h
}

func TestColdStart(t *testing.T) {
	cases := []struct {
		name  string
		value string // the secret's value; "" = no secret
		fail  string // Secrets Manager's error code
		want  []string
	}{
		{name: "ok", value: oldKey},
		{name: "surrounding whitespace trimmed", value: "\n " + oldKey + "\n"},
		{name: "not found", want: []string{arn, "no such secret", "secretsmanager:GetSecretValue", "ResourceNotFoundException"}},
		{name: "access denied", value: oldKey, fail: "AccessDeniedException",
			want: []string{arn, "access denied: the function's role needs secretsmanager:GetSecretValue"}},
		{name: "KMS denied", value: oldKey, fail: "DecryptionFailure", want: []string{arn, "kms:Decrypt"}},
		{name: "Secrets Manager failing", value: oldKey, fail: "InternalServiceError", want: []string{arn, "InternalServiceError"}},
		{name: "too short", value: "short-key-12345", want: []string{arn, "shorter than 16 characters"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.value != "" {
				f.fake.Put(arn, tc.value)
			}
			f.fake.Fail(tc.fail)
			k, err := f.load(context.Background())
			if tc.want == nil {
				require.NoError(t, err)
				require.Equal(t, tenant.Hash(oldKey), hash(t, k))
				return
			}
			require.ErrorIs(t, err, secret.ErrUnavailable)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			if tc.value != "" {
				require.NotContains(t, err.Error(), tc.value)
			}
		})
	}
}

func TestRotationAfterRefreshInterval(t *testing.T) {
	f := newFixture(t)
	f.fake.Put(arn, oldKey)
	k, err := f.load(context.Background())
	require.NoError(t, err)
	f.fake.Put(arn, newKey)

	f.clock.Advance(secret.RefreshAfter - time.Second)
	require.Equal(t, tenant.Hash(oldKey), hash(t, k), "cached until the interval is up")
	require.Equal(t, 1, f.fake.Requests())

	f.clock.Advance(time.Second)
	require.Equal(t, tenant.Hash(newKey), hash(t, k))
	require.Equal(t, 2, f.fake.Requests())
	require.Equal(t, tenant.Hash(newKey), hash(t, k))
	require.Equal(t, 2, f.fake.Requests(), "cached again")
	require.Equal(t, 1, f.logs.count("operator key: new value in use"))
	require.NotContains(t, f.logs.String(), oldKey)
	require.NotContains(t, f.logs.String(), newKey)
}

func TestFailedRereadKeepsTheLastGoodKey(t *testing.T) {
	f := newFixture(t)
	f.fake.Put(arn, oldKey)
	k, err := f.load(context.Background())
	require.NoError(t, err)
	f.fake.Put(arn, newKey)
	const warning = "re-read failed; serving the last good key"

	steps := []struct {
		name     string
		fail     string
		advance  time.Duration
		want     string
		requests int
		warnings int
	}{
		{"first failure warns", "InternalServiceError", secret.RefreshAfter, oldKey, 2, 1},
		{"no retry at once", "InternalServiceError", 0, oldKey, 2, 1},
		{"retried, warned once a minute", "AccessDeniedException", 10 * time.Second, oldKey, 3, 1},
		{"a minute after the warning", "AccessDeniedException", 50 * time.Second, oldKey, 4, 2},
		{"healed", "", 10 * time.Second, newKey, 5, 2},
		{"cached again", "", secret.RefreshAfter - time.Second, newKey, 5, 2},
	}
	for _, s := range steps {
		f.fake.Fail(s.fail)
		f.clock.Advance(s.advance)
		require.Equal(t, tenant.Hash(s.want), hash(t, k), s.name)
		require.Equal(t, s.requests, f.fake.Requests(), s.name)
		require.Equal(t, s.warnings, f.logs.count(warning), s.name)
	}
	require.Equal(t, 1, f.logs.count("re-read works again"))
	require.Contains(t, f.logs.String(), arn, "the warning names the secret")
	require.NotContains(t, f.logs.String(), oldKey)
	require.NotContains(t, f.logs.String(), newKey)
}

// While one caller re-reads the secret, the others are served the cached
// key at once: Secrets Manager sees one request, not one per caller.
func TestConcurrentCallersReadOnce(t *testing.T) {
	f := newFixture(t)
	f.fake.Put(arn, oldKey)
	k, err := f.load(context.Background())
	require.NoError(t, err)
	<-f.fake.Arrived() // the cold start's
	f.fake.Put(arn, newKey)
	f.clock.Advance(secret.RefreshAfter)

	release := f.fake.Hold()
	defer release()
	first := make(chan []byte)
	go func() {
		h, _, _ := k.Hash(context.Background())
		first <- h
	}()
	<-f.fake.Arrived() // the first caller is inside Secrets Manager

	var wg sync.WaitGroup
	hashes := make([][]byte, 50)
	for i := range hashes {
		wg.Go(func() { hashes[i], _, _ = k.Hash(context.Background()) })
	}
	allServed := make(chan struct{})
	go func() { wg.Wait(); close(allServed) }()
	select {
	case <-allServed:
	case <-f.fake.Arrived():
		release()
		wg.Wait()
		t.Fatal("a second request reached Secrets Manager while the first was under way")
	}
	for _, h := range hashes {
		require.Equal(t, tenant.Hash(oldKey), h)
	}
	require.Equal(t, 2, f.fake.Requests())

	release()
	require.Equal(t, tenant.Hash(newKey), <-first)
	require.Equal(t, tenant.Hash(newKey), hash(t, k))
	require.Equal(t, 2, f.fake.Requests())
}

// A caller that gives up does not make the re-read fail.
func TestCanceledCallerStillRefreshes(t *testing.T) {
	f := newFixture(t)
	f.fake.Put(arn, oldKey)
	k, err := f.load(context.Background())
	require.NoError(t, err)
	f.fake.Put(arn, newKey)
	f.clock.Advance(secret.RefreshAfter)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h, ok, err := k.Hash(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, tenant.Hash(newKey), h)
}

func TestLoadNeedsItsConfig(t *testing.T) {
	_, err := secret.Load(context.Background(), secret.Config{})
	require.Error(t, err)
}
